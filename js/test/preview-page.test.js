// npm run preview's page (examples/preview/) in headless Chromium: it compiles the config in the
// editor through the server's compileScene endpoint, shows the frame renderFrame draws (SSIM), plays,
// pauses and scrubs, switches examples, reports bad configs, and a screenshot of it is taken.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, engine } from './helpers.mjs';
import { ssim } from './preview-support.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const { CHROMIUM_ARGS, DEFAULT_EXECUTABLE } = require('../../preview/node.js');

let server;
let url;
let browser;
let page;
const errors = [];

beforeAll(async () => {
  server = spawn(process.execPath, [path.join(ROOT, 'scripts', 'preview-server.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`preview server exited ${code}`)));
  });
  browser = await chromium.launch({ executablePath: process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1100, height: 760 }, acceptDownloads: true });
  page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

/** The canvas's pixels as PNG bytes. */
async function canvasPng() {
  const dataUrl = await page.evaluate(() => document.getElementById('canvas').toDataURL('image/png'));
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

async function scrubTo(ms) {
  await page.fill('#scrub', String(ms));
  await page.dispatchEvent('#scrub', 'input');
  await page.waitForFunction((t) => document.getElementById('scrub').value === String(t), ms);
}

async function ready() {
  await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
}

describe('npm run preview', () => {
  it('serves only 127.0.0.1 and compiles the first example, showing the frame renderFrame draws', async () => {
    expect(new URL(url).hostname).toBe('127.0.0.1');
    await page.goto(`${url}/`);
    await ready();
    expect(await page.textContent('#status')).toMatch(/1080x1920, .* exact mode/);
    const config = JSON.parse(await page.inputValue('#config'));
    await scrubTo(9000);
    expect(await page.textContent('#time')).toBe('9.00 s');
    const native = await engine.renderFrame(config, 9000, { baseDir: path.join(ROOT, 'examples') });
    expect(ssim(await canvasPng(), native)).toBeGreaterThanOrEqual(0.999);
    const shot = await page.screenshot();
    expect(shot.length).toBeGreaterThan(10000);
    if (process.env.PREVIEW_SCREENSHOT) require('node:fs').writeFileSync(process.env.PREVIEW_SCREENSHOT, shot);
  });

  it('plays and pauses', async () => {
    await scrubTo(0);
    await page.click('#play');
    expect(await page.textContent('#play')).toBe('Pause');
    await page.waitForFunction(() => Number(document.getElementById('scrub').value) > 500, null, { timeout: 60000 });
    await page.click('#play');
    expect(await page.textContent('#play')).toBe('Play');
    const at = await page.inputValue('#scrub');
    expect(Number(at)).toBeGreaterThan(500);
  });

  it('switches to another example and compiles it', async () => {
    await page.selectOption('#example', 'templates/whatsapp');
    const config = JSON.parse(await page.inputValue('#config'));
    expect(config.template).toBe('whatsapp');
    await page.evaluate(() => { document.body.dataset.ready = ''; });
    await page.click('#compile');
    await ready();
    await scrubTo(4200);
    const native = await engine.renderFrame(config, 4200, { baseDir: path.join(ROOT, 'examples', 'templates') });
    expect(ssim(await canvasPng(), native)).toBeGreaterThanOrEqual(0.999);
  });

  it('switches to fast mode (WebGL) and shows the same frame', async () => {
    await page.evaluate(() => { document.body.dataset.ready = ''; });
    await page.selectOption('#mode', 'fast');
    await ready();
    expect(await page.textContent('#status')).toMatch(/fast mode/);
    await scrubTo(4200);
    // The WebGL canvas as the page shows it (360x640 CSS pixels), against the engine's frame scaled the same way.
    const box = await page.locator('#canvas').boundingBox();
    const shown = await page.screenshot({ clip: { x: Math.round(box.x), y: Math.round(box.y), width: 360, height: 640 } });
    const config = JSON.parse(await page.inputValue('#config'));
    const native = await engine.renderFrame(config, 4200, { baseDir: path.join(ROOT, 'examples', 'templates') });
    const scaled = execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-vf', 'scale=360:640:flags=area', '-f', 'image2pipe', '-c:v', 'png', '-'], { input: native });
    expect(ssim(shown, scaled)).toBeGreaterThanOrEqual(0.95);
    await page.evaluate(() => { document.body.dataset.ready = ''; });
    await page.selectOption('#mode', 'exact');
    await ready();
  });

  it('exports the compiled Scene to a file in the browser and offers it for download', async () => {
    await page.fill('#config', JSON.stringify({ videoSettings: { resolution: '360x640', fps: 30, duration: 2 }, messages: [{ text: 'export me', sender: 'them', audioDuration: 1 }] }));
    await page.evaluate(() => { document.body.dataset.ready = ''; });
    await page.click('#compile');
    await ready();
    await page.click('#export');
    await page.waitForFunction(() => /^exported|ERR/.test(document.getElementById('status').textContent), null, { timeout: 120000 });
    expect(await page.textContent('#status')).toMatch(/^exported: h264( \+ (aac|opus))? in MP4/);
    const download = page.waitForEvent('download');
    await page.click('#download');
    const file = path.join(os.tmpdir(), `reelspeed-page-export-${process.pid}.mp4`);
    await (await download).saveAs(file);
    try {
      const md = await engine.getVideoMetadata(file);
      expect(md.streams.find((s) => s.type === 'video')).toMatchObject({ codec: 'h264', width: 360, height: 640, frames: 60 });
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('reports a bad config with the engine\'s coded error, and a config that is not JSON', async () => {
    await page.fill('#config', JSON.stringify({ messages: [{ text: 'x', sender: 7 }] }));
    await page.click('#compile');
    await page.waitForSelector('#status.error');
    expect(await page.textContent('#status')).toMatch(/^ERR_INVALID_CONFIG: .*sender/);
    await page.fill('#config', '{ not json');
    await page.click('#compile');
    await page.waitForFunction(() => /not JSON/.test(document.getElementById('status').textContent));
    expect(errors).toEqual([]);
  });
});
