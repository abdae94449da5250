// The browser preview draws processing scenes (Scene.composition) in Debian's headless Chromium:
// parity with the engine's renderFrame for every transition mid-way (custom SkSL included), each
// effect, trims, fits and text overlays with their entrances (cases in preview-processing-cases.mjs).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP_SSIM, EXACT_SSIM, makeClips, processingCases } from './preview-processing-cases.mjs';
import { ssim } from './preview-support.mjs';
import { engine, makeTempDir, removeTempDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
const previewNode = require('../../preview/node.js');

let dir;
let clips;
beforeAll(() => {
  dir = makeTempDir('reelspeed-preview-processing-');
  clips = makeClips(dir);
});
afterAll(async () => {
  await previewNode.close();
  removeTempDir(dir);
});

const fakeClips = { a: 'a', b: 'b', black: 'k', white: 'w', grey: 'g', wide: 'x', rotated: 'r', picture: 'p' };

describe('browser preview of processing scenes (exact mode)', () => {
  const cases = processingCases(fakeClips).map((c) => [c.name, c.minSsim]);
  it.each(cases)('%s matches renderFrame at every time (SSIM >= %s)', async (name, bound) => {
    const c = processingCases(clips).find((x) => x.name === name);
    const scene = await engine.compileScene(c.config);
    expect(scene.composition).toBeTruthy();
    const results = [];
    const frames = [];
    for (const t of c.times) {
      const [browser, native] = await Promise.all([previewNode.renderInBrowser(scene, t), engine.renderFrame(c.config, t)]);
      frames.push(browser);
      results.push({ t, ssim: ssim(browser, native) });
    }
    expect(Math.min(...results.map((r) => r.ssim)), JSON.stringify(results)).toBeGreaterThanOrEqual(bound);
    // Not a still: some two of the case's frames differ by more than the bound.
    const spread = Math.min(...frames.slice(1).map((f) => ssim(frames[0], f)), ...frames.slice(2).map((f) => ssim(frames[1], f)));
    expect(spread).toBeLessThan(bound);
  });

  it('draws each effect visibly: the frame without it does not pass the bound', async () => {
    for (const c of processingCases(clips).filter((x) => x.name.startsWith('effect '))) {
      const scene = await engine.compileScene(c.config);
      const browser = await previewNode.renderInBrowser(scene, c.times[0]);
      const plain = await engine.renderFrame({ ...c.config, effects: {} }, c.times[0]);
      expect(ssim(browser, plain), c.name).toBeLessThan(c.minSsim);
    }
  });

  it('shows the frame of the time: mid-transition, the engine\'s frame of that time matches better than 100 ms either side', async () => {
    const c = processingCases(clips).find((x) => x.name === 'transition custom (flat clips)');
    const scene = await engine.compileScene(c.config);
    const browser = await previewNode.renderInBrowser(scene, 1750);
    const at = ssim(browser, await engine.renderFrame(c.config, 1750));
    expect(at).toBeGreaterThanOrEqual(EXACT_SSIM);
    for (const other of [1650, 1850]) expect(ssim(browser, await engine.renderFrame(c.config, other))).toBeLessThan(EXACT_SSIM);
  });

  it('draws processing scenes in fast mode (WebGL) too (SSIM >= 0.99)', async () => {
    for (const name of ['transition zoom (flat clips)', 'text overlays, pop entrance, no clip', 'effect blur']) {
      const c = processingCases(clips).find((x) => x.name === name);
      const scene = await engine.compileScene(c.config);
      for (const t of c.times.slice(0, 3)) {
        const s = ssim(await previewNode.renderInBrowser(scene, t, { mode: 'fast' }), await engine.renderFrame(c.config, t));
        expect(s, `${name} @${t}`).toBeGreaterThanOrEqual(0.99);
      }
    }
  });

  it('turns a rotated clip upright the way the engine does: the clip turned the other way scores far lower', async () => {
    const c = processingCases(clips).find((x) => x.name === 'rotated clip');
    const scene = await engine.compileScene(c.config);
    expect(scene.composition.clips[0].rotation).not.toBe(0);
    const browser = await previewNode.renderInBrowser(scene, 500);
    expect(ssim(browser, await engine.renderFrame(c.config, 500))).toBeGreaterThanOrEqual(CLIP_SSIM);
    // The same pixels stored upright both ways (transposed clockwise and anticlockwise): only one matches.
    const scores = [];
    for (const turn of ['1', '2']) {
      const file = path.join(dir, `transposed-${turn}.mp4`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clips.a, '-vf', `transpose=${turn}`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
      scores.push(ssim(browser, await engine.renderFrame({ clips: [file] }, 500)));
    }
    expect(Math.max(...scores)).toBeGreaterThan(0.95);
    expect(Math.min(...scores)).toBeLessThan(0.9);
  });

});
