// The spec's effects API in the browser preview (getSupportedEffects, processVideoPreview): the
// engine's effect maths on the same frame, in headless Chromium, against the engine's renderFrame
// of a processing config with those effects.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, removeTempDir } from './helpers.mjs';
import { ssim } from './preview-support.mjs';

const require = createRequire(import.meta.url);
const previewNode = require('../../preview/node.js');
const { getSupportedEffects, describeEffects, colorMatrices } = await import('../../preview/index.mjs');
const { normalizeEffects } = await import('../../preview/effects.mjs');

let dir;
let clip;
const base = { video: { width: 320, height: 240, fps: 30 } };
const rgba = (png) => execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { input: png, maxBuffer: 1 << 26 });
const png = (raw, w, h) => execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${w}x${h}`, '-i', 'pipe:0', '-f', 'image2pipe', '-c:v', 'png', '-'], { input: raw, maxBuffer: 1 << 26 });

beforeAll(() => {
  dir = makeTempDir('reelspeed-preview-effects-');
  clip = path.join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
});
afterAll(async () => {
  await previewNode.close();
  removeTempDir(dir);
});

describe('effects API', () => {
  it('lists the effects by the spec\'s names (getSupportedEffects) and with their config fields, ranges and neutral values (describeEffects)', () => {
    expect(getSupportedEffects()).toEqual(['blur', 'sharpen', 'brightness', 'contrast', 'saturation', 'color_correction', 'text_overlay']);
    expect(describeEffects().map((e) => [e.name, e.path, e.default])).toEqual([
      ['brightness', 'color_correction.brightness', 1], ['contrast', 'color_correction.contrast', 1], ['saturation', 'color_correction.saturation', 1],
      ['hue', 'color_correction.hue_shift', 0], ['blur', 'blur', 0], ['sharpen', 'sharpen', 0],
    ]);
  });

  it('takes the spec\'s EffectsConfig (brightness, contrast, saturation at the top level) as the same correction, and checks its textOverlay', () => {
    expect(normalizeEffects({ brightness: 1.2, contrast: 0.8, saturation: 1.5, blur: 2 }))
      .toEqual(normalizeEffects({ color_correction: { brightness: 1.2, contrast: 0.8, saturation: 1.5 }, blur: 2 }));
    expect(() => normalizeEffects({ brightness: 1.2, color_correction: { brightness: 1.1 } })).toThrow(/effects.brightness: given twice/);
    expect(() => normalizeEffects({ saturation: -1 })).toThrow(/^effects.saturation: must be a number/);
    expect(normalizeEffects({ textOverlay: { text: 'hi', x: 0, y: 0, fontSize: 20, color: '#fff' } }).textOverlay).toEqual({ text: 'hi', x: 0, y: 0, fontSize: 20, color: 0xffffffff });
    expect(() => normalizeEffects({ textOverlay: { text: '', x: 0, y: 0, fontSize: 20, color: '#fff' } })).toThrow(/^effects.textOverlay.text/);
    expect(() => normalizeEffects({ textOverlay: { text: 'hi', x: 0, y: 0, fontSize: 0, color: '#fff' } })).toThrow(/^effects.textOverlay.fontSize/);
    expect(() => normalizeEffects({ textOverlay: { text: 'hi', x: 0, y: 0, fontSize: 20, color: 'red' } })).toThrow(/^effects.textOverlay.color/);
    expect(() => normalizeEffects({ textOverlay: { text: 'hi', x: 0, y: 0, fontSize: 20, font: 'x' } })).toThrow(/^effects.textOverlay.font: unknown/);
    expect(() => normalizeEffects({ text_overlay: {} })).toThrow(/textOverlay/);
  });

  it('builds the colour matrices the Scene gives for the same correction', async () => {
    const color_correction = { brightness: 1.2, contrast: 0.8, saturation: 1.5, hue_shift: 45 };
    const scene = await engine.compileScene({ ...base, clips: [clip], effects: { color_correction } });
    const ours = colorMatrices({ brightness: 1.2, contrast: 0.8, saturation: 1.5, hue: 45 });
    expect(ours.length).toBe(4);
    scene.composition.effects.colorMatrices.forEach((m, i) => m.forEach((v, j) => expect(ours[i][j]).toBeCloseTo(v, 5)));
  });

  const single = [
    { color_correction: { brightness: 1.3 } }, { color_correction: { contrast: 1.5 } }, { color_correction: { saturation: 0.3 } },
    { color_correction: { hue_shift: 90 } }, { blur: 8 }, { sharpen: 0.6 },
  ];
  // Combined with blur, Skia's filter graph treats the frame's edges its own way: the same maths, a few levels apart within a few pixels of the border.
  const combined = [
    { color_correction: { brightness: 1.1 }, blur: 3 }, { blur: 3, sharpen: 0.3 },
    { color_correction: { brightness: 1.1, contrast: 1.2, saturation: 1.4, hue_shift: -30 }, blur: 3, sharpen: 0.3 },
  ];
  it.each([...single.map((e) => [JSON.stringify(e), e, 0.999]), ...combined.map((e) => [JSON.stringify(e), e, 0.995])])(
    'processVideoPreview applies %s as the engine does', async (_, effects, bound) => {
      const neutral = await engine.renderFrame({ ...base, clips: [clip] }, 500);
      const native = await engine.renderFrame({ ...base, clips: [clip], effects }, 500);
      const out = await previewNode.applyEffectsInBrowser({ width: 320, height: 240, data: rgba(neutral) }, effects);
      const result = png(out, 320, 240);
      expect(ssim(result, native)).toBeGreaterThanOrEqual(bound);
      expect(ssim(neutral, native)).toBeLessThan(bound); // the effect is visible: the untouched frame does not pass
    });

  // The spec's flat textOverlay is the engine's text_overlays entry centred on (x, y) at fontSize frame pixels.
  const BOLD = '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf';
  const asConfig = (o) => ({ text_overlays: [{ text: o.text, position: { x: o.x / 320, y: o.y / 240 }, style: { fontSize: o.fontSize * 1080 / 320, color: o.color } }] });
  it.each([
    ['a kerned line', { text: 'Hello AV world', x: 160, y: 60, fontSize: 30, color: '#FFEE00' }, {}],
    ['punctuation and digits, near the edge (kept inside the frame)', { text: 'Typography: WAVE, fjord, Tokyo 2026!', x: 100, y: 228, fontSize: 24, color: '#ffffff' }, {}],
    ['wrapped onto two lines, translucent', { text: 'a longer caption that has to wrap onto a second line here', x: 160, y: 120, fontSize: 28, color: '#ff000080' }, {}],
    ['over effects (the overlay is not blurred)', { text: 'sharp text', x: 160, y: 120, fontSize: 40, color: '#00ffcc' }, { blur: 6, color_correction: { saturation: 0.2 } }],
  ])('processVideoPreview draws the spec\'s textOverlay as the engine draws the overlay: %s (SSIM >= 0.999)', async (_, textOverlay, others) => {
    const neutral = await engine.renderFrame({ ...base, clips: [clip] }, 500);
    const native = await engine.renderFrame({ ...base, clips: [clip], effects: { ...others, ...asConfig(textOverlay) } }, 500);
    const out = await previewNode.applyEffectsInBrowser({ width: 320, height: 240, data: rgba(neutral) }, { ...others, textOverlay }, { font: BOLD });
    const s = ssim(png(out, 320, 240), native);
    expect(s).toBeGreaterThanOrEqual(others.blur ? 0.995 : 0.999);
    const without = await engine.renderFrame({ ...base, clips: [clip], effects: others }, 500);
    expect(ssim(without, native)).toBeLessThan(s); // the overlay is there: the frame without it scores lower
    expect(ssim(without, native)).toBeLessThan(0.99);
  });

  it('refuses a textOverlay without its font, and text the one font cannot set alone, with coded errors', async () => {
    const frame = { width: 8, height: 8, data: new Uint8Array(256) };
    await expect(previewNode.applyEffectsInBrowser(frame, { textOverlay: { text: 'hi', x: 4, y: 4, fontSize: 8, color: '#fff' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/fontUrl/) });
    await expect(previewNode.applyEffectsInBrowser(frame, { textOverlay: { text: 'שלום', x: 4, y: 4, fontSize: 8, color: '#fff' } }, { font: BOLD })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED', message: expect.stringMatching(/right-to-left/) });
    await expect(previewNode.applyEffectsInBrowser(frame, { textOverlay: { text: 'hi 😀', x: 4, y: 4, fontSize: 8, color: '#fff' } }, { font: BOLD })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED', message: expect.stringMatching(/U\+1F600/) });
  });

  it('applies effects live to a <video> frame (the browser decodes the clip itself: SSIM >= 0.98)', async () => {
    const effects = { color_correction: { saturation: 0.3, hue_shift: 60 }, blur: 2 };
    const r = await previewNode.videoEffectsInBrowser(clip, 500, effects);
    expect([r.width, r.height]).toEqual([320, 240]);
    const native = await engine.renderFrame({ ...base, clips: [clip], effects }, 500);
    const neutral = await engine.renderFrame({ ...base, clips: [clip] }, 500);
    const s = ssim(png(r.data, 320, 240), native);
    expect(s).toBeGreaterThanOrEqual(0.98);
    expect(s).toBeGreaterThan(ssim(neutral, native));
  });

  it('rejects unknown effects and values out of range with ERR_INVALID_ARG_TYPE', async () => {
    const frame = { width: 2, height: 2, data: new Uint8Array(16) };
    await expect(previewNode.applyEffectsInBrowser(frame, { vignette: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/vignette/) });
    await expect(previewNode.applyEffectsInBrowser(frame, { blur: 500 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/blur/) });
    await expect(previewNode.applyEffectsInBrowser(frame, { color_correction: { gamma: 2 } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/gamma/) });
    await expect(previewNode.applyEffectsInBrowser({ width: 2, height: 2, data: new Uint8Array(3) }, {})).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});
