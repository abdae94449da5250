// The export worker through a bundler: a page importing reelspeed-engine/preview is built with
// Vite (the package's `new Worker(new URL('./export-worker.mjs', import.meta.url))` becomes an
// emitted worker chunk, canvaskit-wasm and mediabunny bundled into it), served, and
// RustVideoProcessor.processVideo run in headless Chromium; the file is probed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, engine, makeTempDir, removeTempDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { startServer, sendFile } = require('../../preview/server.js');
const { CHROMIUM_ARGS, DEFAULT_EXECUTABLE } = require('../../preview/node.js');

let dir;
beforeAll(() => { dir = makeTempDir('reelspeed-preview-vite-'); });
afterAll(() => removeTempDir(dir));

it('builds with Vite into a page whose processVideo runs the emitted export worker', async () => {
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>\n');
  fs.writeFileSync(path.join(app, 'main.js'), `import { RustVideoProcessor } from 'reelspeed-engine/preview';
window.run = async (width, height, n) => {
  const p = new RustVideoProcessor({ canvasKitBase: '/canvaskit/' });
  await p.initialize();
  const frames = Array.from({ length: n }, (_, i) => {
    const d = new ImageData(width, height);
    for (let k = 0; k < d.data.length; k += 4) { d.data[k] = (k / 4) % width; d.data[k + 1] = 4 * i; d.data[k + 2] = 128; d.data[k + 3] = 255; }
    return d;
  });
  const file = await p.processVideo(frames, { width, height, fps: 25, codec: 'h264', quality: 80, effects: [{ brightness: 1.1 }] });
  let s = '';
  for (let i = 0; i < file.length; i += 0x8000) s += String.fromCharCode.apply(null, file.subarray(i, i + 0x8000));
  return btoa(s);
};
window.ready = true;
`);
  // The package as an app installs it: 'reelspeed-engine' resolves to this checkout.
  fs.mkdirSync(path.join(app, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(app, 'node_modules', 'reelspeed-engine'));
  const out = path.join(dir, 'dist');
  fs.writeFileSync(path.join(app, 'vite.config.mjs'), `export default ${JSON.stringify({
    root: app, logLevel: 'error', worker: { format: 'es' },
    resolve: { preserveSymlinks: false }, build: { outDir: out, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  })};\n`);
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(app, 'vite.config.mjs')], { cwd: app, stdio: 'pipe' });
  const chunks = fs.readdirSync(path.join(out, 'assets'));
  expect(chunks.some((f) => /^export-worker-.*\.js$/.test(f)), chunks.join(', ')).toBe(true);

  const server = await startServer({
    routes: (req, res, url) => {
      const file = path.join(out, url.pathname === '/' ? 'index.html' : url.pathname);
      if (!file.startsWith(out + path.sep) || !fs.existsSync(file)) return false;
      sendFile(res, file, req);
      return true;
    },
  });
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => window.ready === true);
    const b64 = await page.evaluate(() => window.run(64, 48, 10));
    const file = path.join(dir, 'vite.mp4');
    fs.writeFileSync(file, Buffer.from(b64, 'base64'));
    const md = await engine.getVideoMetadata(file);
    expect(md.streams.find((s) => s.type === 'video')).toMatchObject({ codec: 'h264', width: 64, height: 48, fps: 25, frames: 10 });
    // The first frame's blue channel, brightened by 1.1 (128 -> 141), through H.264: the effect ran in the bundled worker.
    const px = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', 'crop=8:8:28:20', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    const blue = px.filter((_, i) => i % 3 === 2).reduce((x, y) => x + y, 0) / (px.length / 3);
    expect(blue).toBeGreaterThan(134);
    expect(blue).toBeLessThan(148);
  } finally {
    await browser.close();
    await server.close();
  }
}, 240000);
