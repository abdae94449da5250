// The parity cases of the browser preview for processing scenes (Scene.composition): clips, trims,
// each effect, every transition (custom SkSL included) mid-way, text overlays with their entrances.
// Used by preview-processing.test.js and by scripts/preview-parity.js (README's parity table).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The bound for frames that show decoded clip pixels. The browser decodes the H.264 clip with its
 * own decoder and converts YUV to RGB itself, where the engine converts with swscale: the same
 * frame, not the same pixels. On these 320x240 clips drawn at their own size (no scaling) the
 * frames measured 0.997–0.9995 (exact mode); 0.99 is the bound background videos already assert.
 */
export const CLIP_SSIM = 0.99;

/**
 * Black and white clips: limited-range Y 16 and 235 with neutral chroma decode to 0 and 255 in
 * any decoder, so the pixel source is identical and the transitions' geometry (edges, alpha,
 * scale, the SkSL shader) is compared exactly (0.999). (A coloured flat clip is not: Chromium and
 * swscale convert #C03020 to #C03122 and #BF2E20, SSIM 0.9987.)
 */
export const EXACT_SSIM = 0.999;

/** The clips the cases use, made with the ffmpeg CLI into `dir` (320x240, 30 fps, 2 s). */
export function makeClips(dir) {
  const make = (name, source) => {
    const file = path.join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30', file]);
    return file;
  };
  return {
    a: make('a.mp4', 'gradients=s=320x240:r=30:d=2:speed=0.02:c0=0x406030:c1=0xC0A060:c2=0x305080:nb_colors=3:seed=1'),
    b: make('b.mp4', 'gradients=s=320x240:r=30:d=2:speed=0.03:c0=0xA05040:c1=0x4070A0:seed=5'),
    black: make('black.mp4', 'color=c=black:s=320x240:r=30:d=2'),
    white: make('white.mp4', 'color=c=white:s=320x240:r=30:d=2'),
    grey: make('grey.mp4', 'gradients=s=320x240:r=30:d=2:speed=0.02:c0=0x202020:c1=0xE0E0E0:seed=2,format=gray'),
    // Rotation metadata (a phone clip): a quarter turn players apply, the pixels stored sideways.
    rotated: (() => {
      const file = path.join(dir, 'rotated.mp4');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path.join(dir, 'a.mp4'), '-c', 'copy', '-metadata:s:v', 'rotate=90', file]);
      return file;
    })(),
    picture: (() => {
      const file = path.join(dir, 'picture.png');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'mandelbrot=s=400x300', '-frames:v', '1', file]);
      return file;
    })(),
    wide: make('wide.mp4', 'gradients=s=480x240:r=30:d=2:speed=0.02:c0=0x804060:c1=0x60A0C0:seed=3'),
  };
}

/** A custom transition in SkSL: a soft diagonal sweep whose edge follows the progress. */
export const SWEEP_SKSL = `uniform shader from;
uniform shader to;
uniform float progress;
uniform float2 resolution;
half4 main(float2 p) {
  float d = (p.x / resolution.x + p.y / resolution.y) * 0.5;
  float k = smoothstep(progress - 0.1, progress + 0.1, d);
  return mix(to.eval(p), from.eval(p), k);
}`;

const video = { width: 320, height: 240, fps: 30 };
const overlay = (extra = {}) => ({ text: 'Hello AV world', position: 'top', style: { fontSize: 110, backgroundColor: '#00000080', strokeColor: '#ff3030', strokeWidth: 4 }, ...extra });

/** Every case: { name, config, times[], minSsim }. */
export function processingCases(clips) {
  const cases = [];
  const transition = (type, extra = {}) => ({ enabled: true, type, duration: 500, ...extra });
  // Flat clips: every transition's geometry, exactly. The clips overlap over [1500, 2000).
  for (const [type, extra] of [['fade', {}], ['slide', { direction: 'left' }], ['wipe', { direction: 'up' }], ['zoom', {}], ['custom', { shader: SWEEP_SKSL }]]) {
    cases.push({
      name: `transition ${type} (flat clips)`,
      config: { video, clips: [clips.black, clips.white], effects: { transitions: transition(type, extra) } },
      times: [1000, 1600, 1750, 1900, 2500],
      minSsim: EXACT_SSIM,
    });
  }
  // Real pictures: the same transitions over decoded gradients.
  for (const [type, extra] of [['fade', {}], ['slide', { direction: 'down' }], ['custom', { shader: SWEEP_SKSL }]]) {
    cases.push({
      name: `transition ${type} (video clips)`,
      config: { video, clips: [clips.a, clips.b], effects: { transitions: transition(type, extra) } },
      times: [500, 1750, 3000],
      minSsim: CLIP_SSIM,
    });
  }
  // Each effect alone on a clip: the luma ones on a grey clip (neutral chroma: the decoders agree
  // within one level on about a tenth of the pixels: 0.9995 and up), the colour ones on a coloured
  // clip. Sharpen multiplies that one level by 1 + 4·amount (0.995 measured): CLIP_SSIM. The
  // maths itself is checked on identical pixels by preview-effects.test.js (the same code).
  for (const [name, effects, clip, bound] of [
    ['brightness', { color_correction: { brightness: 1.3 } }, clips.grey, EXACT_SSIM], ['contrast', { color_correction: { contrast: 1.5 } }, clips.grey, EXACT_SSIM],
    ['blur', { blur: 8 }, clips.grey, EXACT_SSIM], ['sharpen', { sharpen: 0.6 }, clips.grey, CLIP_SSIM],
    ['saturation', { color_correction: { saturation: 0.3 } }, clips.a, CLIP_SSIM], ['hue', { color_correction: { hue_shift: 90 } }, clips.a, CLIP_SSIM],
    ['all combined', { color_correction: { brightness: 1.1, contrast: 1.2, saturation: 1.4, hue_shift: -30 }, blur: 3, sharpen: 0.3 }, clips.a, CLIP_SSIM],
  ]) {
    cases.push({ name: `effect ${name}`, config: { video, clips: [clip], effects }, times: [500, 1500], minSsim: bound });
  }
  // Trims: each clip's part, and the global trim into the transition.
  cases.push({
    name: 'trims',
    config: { video, clips: [{ path: clips.a, trim: { start: 0.5, end: 1.8 } }, { path: clips.b, trim: { start: 0.3 } }], trim: { start: 0.4, end: 2.6 }, effects: { transitions: transition('wipe', { direction: 'right' }) } },
    times: [0, 500, 800, 1200, 2000],
    minSsim: CLIP_SSIM,
  });
  // A clip of another shape, contained on the background colour (scaled by the browser: see CLIP_SSIM).
  cases.push({ name: 'fit contain', config: { video: { ...video, fit: 'contain' }, clips: [clips.wide] }, times: [300, 1200], minSsim: CLIP_SSIM });
  // effects.background under the clips: a looping video at 60 % behind a contained clip's bars, and an image.
  cases.push({ name: 'background video behind a contained clip', config: { video: { ...video, fit: 'contain' }, clips: [clips.wide], effects: { background: { type: 'video', source: clips.grey, opacity: 60 } } }, times: [300, 1200], minSsim: CLIP_SSIM });
  cases.push({ name: 'background image, overlays only', config: { video, effects: { background: { type: 'image', source: clips.picture, opacity: 80 }, text_overlays: [overlay({ duration: 1 })] } }, times: [100, 600, 1200], minSsim: EXACT_SSIM });
  // A rotated clip, upright at its own shape (240x320) and contained in a landscape frame.
  cases.push({ name: 'rotated clip', config: { clips: [clips.rotated] }, times: [500, 1500], minSsim: CLIP_SSIM });
  cases.push({ name: 'rotated clip, contained', config: { video: { ...video, fit: 'contain' }, clips: [clips.rotated] }, times: [500, 1500], minSsim: CLIP_SSIM });
  // Text overlays over a clip (with the fade entrance the transitions give them) and alone on a gradient background.
  cases.push({
    name: 'text overlay on a clip',
    config: { video, clips: [clips.black], effects: { text_overlays: [overlay(), { text: 'bottom line ✓', start: 0.5, duration: 1, style: { fontSize: 90, color: '#ffee00' } }] } },
    times: [0, 300, 1000, 1600],
    minSsim: EXACT_SSIM,
  });
  for (const type of ['pop', 'slide', 'typewriter']) {
    cases.push({
      name: `text overlays, ${type} entrance, no clip`,
      config: {
        video,
        effects: {
          background: { type: 'gradient', source: '', opacity: 100 },
          transitions: { enabled: true, type, duration: 400 },
          // The third has no box: a pop still scales it about its backgroundRect's centre.
          text_overlays: [overlay({ duration: 1.5 }), { text: 'second', duration: 1, position: { x: 0.3, y: 0.6 }, style: 'imessage' },
            { text: 'no box', start: 0.2, duration: 1.5, position: { x: 0.6, y: 0.75 }, style: { fontSize: 100, color: '#203040' } }],
        },
      },
      times: [100, 200, 250, 900, 1700, 2200],
      minSsim: EXACT_SSIM,
    });
  }
  return cases;
}
