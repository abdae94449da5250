#!/usr/bin/env node
'use strict';
// The browser preview's speed in headless Chromium (a bench, not a test): per mode and size, the
// median and 95th-percentile time to draw and show a frame (seek), and playback frames per second.
// Usage: node scripts/preview-bench.js [--json]
const fs = require('node:fs');
const path = require('node:path');
const engine = require('../js/index.js');
const { chromium } = require('playwright-core');
const { startServer, sendFile } = require('../preview/server.js');
const { CHROMIUM_ARGS, DEFAULT_EXECUTABLE } = require('../preview/node.js');

(async () => {
  const root = path.resolve(__dirname, '..');
  const base = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'chat-story.json'), 'utf8'));
  const server = await startServer({ routes: (req, res, url) => (url.pathname === '/harness.html' ? (sendFile(res, path.join(root, 'preview', 'harness.html')), true) : false) });
  const browser = await chromium.launch({ executablePath: process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE, args: CHROMIUM_ARGS });
  const rows = [];
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/harness.html`);
    await page.waitForFunction(() => window.__reelspeedReady === true);
    for (const resolution of ['1080x1920', '720x1280']) {
      const config = { ...base, videoSettings: { ...base.videoSettings, resolution } };
      const scene = await engine.compileScene(config, { baseDir: path.join(root, 'examples') });
      server.allow(scene.assets);
      for (const mode of ['exact', 'fast']) {
        const r = await page.evaluate(([s, m]) => window.__reelspeedBench(s, m, 8000, 90, 4), [scene, mode]);
        rows.push({ resolution, mode, ...r });
        if (!process.argv.includes('--json')) console.log(`${resolution} ${mode}: draw+show median ${r.medianMs.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms; playback ${r.fps.toFixed(1)} fps`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
