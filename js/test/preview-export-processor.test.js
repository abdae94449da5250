// The spec's JavaScript interface (§4.2): RustVideoProcessor from reelspeed-engine/preview in
// headless Chromium. processVideo encodes ImageData frames in its worker with the config's effects
// applied in order; the file is probed by getVideoMetadata and its frames compared with the input
// frames through the same effects (the preview's effect maths, held to the engine's in
// preview-effects.test.js).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, engine, makeTempDir, removeTempDir } from './helpers.mjs';
import { ssim } from './preview-support.mjs';

const require = createRequire(import.meta.url);
const previewNode = require('../../preview/node.js');
const { RustVideoProcessor, VideoProcessor, getSupportedEffects, qualityToBitrate } = await import('../../preview/index.mjs');
const { checkProcessingConfig } = await import('../../preview/processor.mjs');

const W = 180, H = 320, N = 8, FPS = 24;
const png = (raw) => execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${W}x${H}`, '-i', 'pipe:0', '-f', 'image2pipe', '-c:v', 'png', '-'], { input: raw, maxBuffer: 1 << 26 });

let dir;
let frames;
// The input: frames of a chat story as the engine renders them (bubbles animating in).
beforeAll(async () => {
  dir = makeTempDir('reelspeed-preview-processor-');
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'templates', 'imessage.json'), 'utf8'));
  config.videoSettings = { resolution: `${W}x${H}`, fps: 30, duration: 3 };
  const baseDir = path.join(ROOT, 'examples', 'templates');
  const rgba = (p) => execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { input: p, maxBuffer: 1 << 26 });
  frames = [];
  for (let i = 0; i < N; i++) frames.push({ width: W, height: H, data: new Uint8Array(rgba(await engine.renderFrame(config, 600 + i * 150, { baseDir }))) });
});
afterAll(async () => {
  await previewNode.close();
  removeTempDir(dir);
});

/** Frame i of a video file as PNG. */
function frameOf(file, i) {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${i})`, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-']);
}

const config = (over) => ({ width: W, height: H, fps: FPS, codec: 'h264', quality: 90, effects: [], ...over });

describe('RustVideoProcessor (the spec\'s interface)', () => {
  it('is exported by its spec name and as VideoProcessor', () => {
    expect(VideoProcessor).toBe(RustVideoProcessor);
    expect(new RustVideoProcessor().getSupportedEffects()).toEqual([]);
  });

  // Measured: SSIM 0.997-0.999 (H.264, VP9), 0.98 (VP8) at quality 90.
  for (const [codec, container, effects] of [
    ['h264', 'mp4', [{ saturation: 0 }, { brightness: 0.7 }]],
    ['vp9', 'webm', [{ color_correction: { hue_shift: 120 }, blur: 2 }]],
    ['vp8', 'webm', []],
  ]) {
    it(`processVideo encodes the frames with ${codec} in ${container}, effects applied in order (${JSON.stringify(effects)})`, async () => {
      const r = await previewNode.processVideoInBrowser(frames, config({ codec, effects }));
      expect(r.before).toEqual([]);
      expect(r.after).toEqual(getSupportedEffects());
      expect(r.progress).toBe(N);
      expect(r.intact).toBe(true); // the caller's ImageData are not detached
      const file = path.join(dir, `out-${codec}.${container}`);
      fs.writeFileSync(file, r.data);
      const md = await engine.getVideoMetadata(file);
      const v = md.streams.find((s) => s.type === 'video');
      expect(v).toMatchObject({ codec, width: W, height: H, fps: FPS, frames: N });
      expect(md.streams.filter((s) => s.type === 'audio')).toEqual([]);

      for (const i of [0, 5, N - 1]) {
        let want = frames[i];
        for (const e of effects) want = { width: W, height: H, data: await previewNode.applyEffectsInBrowser(want, e) };
        const got = frameOf(file, i);
        const score = ssim(got, png(want.data));
        expect(score, `frame ${i}`).toBeGreaterThanOrEqual(0.98);
        // The effects changed the picture: the file is the processed frames, not the input.
        if (effects.length) expect(ssim(got, png(frames[i].data)), `frame ${i} against the input`).toBeLessThan(score - 0.02);
      }
    });
  }

  // The text overlay's font: the engine's bold Noto Sans, given as fontUrl to initialize(), or to processVideo() as its URL or bytes.
  // Measured: SSIM 0.986 and 0.988 (frames 0 and 7) against processVideoPreview's frames, 0.964-0.965 against them without the overlay.
  const BOLD = '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf';
  for (const [fontVia, how] of [[undefined, 'as fontUrl to initialize()'], ['processVideo', 'as fontUrl to processVideo()'], ['bytes', 'as its bytes to processVideo()']]) {
    it(`processVideo draws a textOverlay in the font given ${how} (as processVideoPreview does on the same frames)`, async () => {
      const effects = [{ contrast: 1.3 }, { textOverlay: { text: 'Hello AV world', x: 90, y: 60, fontSize: 22, color: '#FFEE00' } }];
      const r = await previewNode.processVideoInBrowser(frames, config({ effects }), { font: BOLD, fontVia });
      const file = path.join(dir, `overlay-${fontVia ?? 'initialize'}.mp4`);
      fs.writeFileSync(file, r.data);
      const md = await engine.getVideoMetadata(file);
      expect(md.streams.find((s) => s.type === 'video')).toMatchObject({ codec: 'h264', width: W, height: H, fps: FPS, frames: N });
      for (const i of [0, N - 1]) {
        let want = frames[i];
        for (const e of effects) want = { width: W, height: H, data: await previewNode.applyEffectsInBrowser(want, e, { font: BOLD }) };
        let bare = frames[i];
        bare = { width: W, height: H, data: await previewNode.applyEffectsInBrowser(bare, effects[0]) };
        const got = frameOf(file, i);
        const score = ssim(got, png(want.data));
        expect(score, `frame ${i}`).toBeGreaterThanOrEqual(0.98);
        // The overlay is in the file: without it the frame matches less well.
        expect(ssim(got, png(bare.data)), `frame ${i} without the overlay`).toBeLessThan(score - 0.005);
      }
    });
  }

  it('checks the font options where they are given (ERR_INVALID_ARG_TYPE naming them)', async () => {
    expect(() => new RustVideoProcessor({ fontUrl: 7 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/^options\.fontUrl: must be a URL string/) }));
    await expect(new RustVideoProcessor().initialize({ font: 'NotoSans-Bold.ttf' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/^initialize options\.font: must be the font file's bytes/) });
  });

  it('processVideo rejects a textOverlay without a font, naming the option', async () => {
    const effects = [{ textOverlay: { text: 'hi', x: 90, y: 60, fontSize: 22, color: '#fff' } }];
    await expect(previewNode.processVideoInBrowser(frames, config({ effects }))).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/^config\.effects\[0\]\.textOverlay: needs the font: pass fontUrl/) });
  });

  it('processVideo aborts with ERR_ABORTED (its worker ended)', async () => {
    await expect(previewNode.processVideoInBrowser(frames, config({}), { abortAfterFrames: 3 })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('rejects a bad config in the browser with a coded error naming the field', async () => {
    await expect(previewNode.processVideoInBrowser(frames, config({ codec: 'hevc' }))).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED', message: expect.stringMatching(/^config\.codec: 'hevc'/) });
    await expect(previewNode.processVideoInBrowser(frames, config({ width: 200 }))).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/^videoFrames\[0\]: 180x320, but config is 200x320/) });
    await expect(previewNode.processVideoInBrowser(frames, config({ effects: [{}, { blur: -1 }] }))).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringMatching(/^config\.effects\[1\]\.blur: must be a number/) });
  });

  it('checks every config field (ERR_INVALID_CONFIG naming it) and maps quality to a bit rate', () => {
    const bad = (over, field, code = 'ERR_INVALID_CONFIG') => expect(() => checkProcessingConfig(config(over)), field)
      .toThrow(expect.objectContaining({ code, message: expect.stringContaining(`config.${field}`) }));
    bad({ width: 0 }, 'width');
    bad({ width: 181 }, 'width');
    bad({ height: '320' }, 'height');
    bad({ fps: 0 }, 'fps');
    bad({ fps: Number.NaN }, 'fps');
    bad({ codec: 7 }, 'codec');
    bad({ codec: 'av1' }, 'codec', 'ERR_UNSUPPORTED');
    bad({ quality: 0 }, 'quality');
    bad({ quality: 101 }, 'quality');
    bad({ effects: {} }, 'effects');
    bad({ effects: [{ vignette: 1 }] }, 'effects[0].vignette');
    bad({ bitrate: 1 }, 'bitrate');
    expect(() => checkProcessingConfig(null)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    expect(checkProcessingConfig(config({ effects: [{ brightness: 1.5 }] })).effects[0].brightness).toBe(1.5);
    expect(qualityToBitrate({ width: 1080, height: 1920, fps: 30, quality: 100 })).toBe(18662400);
    expect(qualityToBitrate({ width: 1080, height: 1920, fps: 30, quality: 50 })).toBe(9331200);
  });
});
