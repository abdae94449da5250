// The browser preview (reelspeed-engine/preview) in Debian's headless Chromium through the Node
// helper (reelspeed-engine/preview/node): pixel parity with the engine's renderFrame for every
// template and chat feature at several times (mid-animation included), and the helper's contract.
import http from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureCases, makePictures, timesFor } from './preview-cases.mjs';
import { ssim } from './preview-support.mjs';
import { engine, makeTempDir, removeTempDir, tinyConfig } from './helpers.mjs';

const require = createRequire(import.meta.url);
const previewNode = require('../../preview/node.js');
const { startServer } = require('../../preview/server.js');

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const EXACT_SSIM = 0.999;
const FAST_SSIM = 0.99;

let dir;
let files;
beforeAll(() => {
  dir = makeTempDir('reelspeed-preview-');
  files = makePictures(dir);
});
afterAll(async () => {
  await previewNode.close();
  removeTempDir(dir);
});

describe('browser preview parity (exact mode)', () => {
  // Built lazily: the pictures exist once beforeAll has run.
  const names = featureCases({ pic: 'p', bg: 'b', avatar: 'a', video: 'v' }).map((c) => c.name);
  it.each(names)('%s matches renderFrame (SSIM >= 0.999 at every time; 0.99 with a background video)', async (name) => {
    const c = featureCases(files).find((x) => x.name === name);
    const scene = await engine.compileScene(c.config, { baseDir: c.baseDir });
    const times = timesFor(c, scene);
    expect(times.length).toBeGreaterThanOrEqual(2);
    const results = [];
    for (const t of times) {
      const [browser, native] = await Promise.all([
        previewNode.renderInBrowser(scene, t, { mode: 'exact' }),
        engine.renderFrame(c.config, t, { baseDir: c.baseDir }),
      ]);
      expect(browser.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      results.push({ t, ssim: ssim(browser, native) });
    }
    expect(Math.min(...results.map((r) => r.ssim)), JSON.stringify(results)).toBeGreaterThanOrEqual(c.minSsim ?? EXACT_SSIM);
  });

  it('shows the background video\'s frame of the time: it matches the engine better than the neighbouring frames', async () => {
    const c = featureCases(files).find((x) => x.name === 'video background (looping)');
    const scene = await engine.compileScene(c.config);
    const native = await engine.renderFrame(c.config, 2550);
    const at = ssim(await previewNode.renderInBrowser(scene, 2550), native);
    for (const other of [2550 - 100, 2550 + 100, 550 + 200]) {
      expect(at).toBeGreaterThan(ssim(await previewNode.renderInBrowser(scene, other), native));
    }
  });

  it('tells frames apart: a frame of another time scores below the bound', async () => {
    const c = featureCases(files).find((x) => x.name === 'animation pop');
    const scene = await engine.compileScene(c.config);
    const a = scene.messages[1].animation;
    const browser = await previewNode.renderInBrowser(scene, a.startMs + a.durationMs / 3);
    const native = await engine.renderFrame(c.config, a.startMs + a.durationMs);
    expect(ssim(browser, native)).toBeLessThan(EXACT_SSIM);
  });
});

describe('browser preview parity (fast mode, WebGL)', () => {
  // GPU antialiasing differs from the CPU's: the bound is 0.99. A slice of the cases keeps npm test short.
  const FAST_CASES = ['template modern-light', 'template imessage', 'template whatsapp', 'template discord', 'animation pop', 'animation typewriter',
    'scroll and fade band', 'group chat labels, pictures, header avatar image', 'right-to-left text and emoji', 'image background with opacity and blur'];
  it.each(FAST_CASES)('%s matches renderFrame (SSIM >= 0.99)', async (name) => {
    const c = featureCases(files).find((x) => x.name === name);
    const scene = await engine.compileScene(c.config, { baseDir: c.baseDir });
    const times = timesFor(c, scene).filter((_, i, all) => i === 1 || i === all.length - 1);
    const results = [];
    for (const t of times) {
      const [browser, native] = await Promise.all([
        previewNode.renderInBrowser(scene, t, { mode: 'fast' }),
        engine.renderFrame(c.config, t, { baseDir: c.baseDir }),
      ]);
      results.push({ t, ssim: ssim(browser, native) });
    }
    expect(Math.min(...results.map((r) => r.ssim)), JSON.stringify(results)).toBeGreaterThanOrEqual(FAST_SSIM);
  });
});

describe('renderInBrowser', () => {
  it('rejects bad arguments with ERR_INVALID_ARG_TYPE', async () => {
    const scene = await engine.compileScene(tinyConfig());
    await expect(previewNode.renderInBrowser(scene, 0, { mode: 'gpu' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/mode/) });
    await expect(previewNode.renderInBrowser(scene, -1)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(previewNode.renderInBrowser(null, 0)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(previewNode.renderInBrowser({ ...scene, schemaVersion: 99 }, 0)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/schemaVersion/) });
    // Processing scenes: preview-processing.test.js (a rotated clip is what is still refused).
  });

  it('fetches assets from assetBase when given one', async () => {
    const seen = [];
    const fs = await import('node:fs');
    const server = http.createServer((req, res) => {
      const p = decodeURIComponent(req.url.slice('/files/'.length));
      seen.push(p);
      res.setHeader('access-control-allow-origin', '*');
      res.end(fs.readFileSync(p));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    try {
      const config = tinyConfig({ messages: [{ text: 'hello', sender: 'them', imageUrl: files.pic, audioDuration: 0.5 }] });
      const scene = await engine.compileScene(config);
      const png = await previewNode.renderInBrowser(scene, 900, { assetBase: `http://127.0.0.1:${server.address().port}/files/` });
      expect(seen).toContain(files.pic);
      expect(seen.some((p) => p.endsWith('.ttf'))).toBe(true);
      expect(ssim(png, await engine.renderFrame(config, 900))).toBeGreaterThanOrEqual(EXACT_SSIM);
    } finally {
      server.close();
    }
  });

  it('close() ends the browser; the next call starts a new one', async () => {
    const scene = await engine.compileScene(tinyConfig());
    const a = await previewNode.renderInBrowser(scene, 500);
    await previewNode.close();
    const b = await previewNode.renderInBrowser(scene, 500);
    expect(b.equals(a)).toBe(true);
  });

  it('names a missing browser', async () => {
    const scene = await engine.compileScene(tinyConfig());
    await expect(previewNode.renderInBrowser(scene, 0, { executablePath: '/nonexistent/chromium' })).rejects.toMatchObject({ code: 'ERR_DEPENDENCY', message: expect.stringMatching(/nonexistent/) });
    await previewNode.close();
  });
});

describe('preview server', () => {
  it('serves the files of registered Scenes and nothing else from the disk', async () => {
    const server = await startServer();
    try {
      server.allow([files.pic]);
      const ok = await fetch(`${server.url}/asset?p=${encodeURIComponent(files.pic)}`);
      expect(ok.status).toBe(200);
      expect(Buffer.from(await ok.arrayBuffer()).subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      for (const p of ['/etc/passwd', files.bg, `${dir}/../${dir.split('/').pop()}/picture.png`]) {
        expect((await fetch(`${server.url}/asset?p=${encodeURIComponent(p)}`)).status).toBe(403);
      }
      expect((await fetch(`${server.url}/preview/..%2Fpackage.json`)).status).toBe(404);
      expect((await fetch(`${server.url}/preview/index.mjs`)).headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(`${server.url}/canvaskit/canvaskit.wasm`)).headers.get('content-type')).toBe('application/wasm');
    } finally {
      await server.close();
    }
  });
});
