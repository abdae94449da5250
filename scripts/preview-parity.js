#!/usr/bin/env node
'use strict';
// Prints the browser preview's parity with the engine (README's parity table): for every case of
// js/test/preview-cases.mjs and js/test/preview-processing-cases.mjs (processing scenes), the lowest SSIM (FFmpeg's ssim, "All") between renderInBrowser and
// renderFrame over its times. `--markdown` prints the table. Not a test: npm test checks the bound.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

(async () => {
  const { featureCases, makePictures, timesFor } = await import('../js/test/preview-cases.mjs');
  const { processingCases, makeClips } = await import('../js/test/preview-processing-cases.mjs');
  const { ssim } = await import('../js/test/preview-support.mjs');
  const engine = require('../js/index.js');
  const { renderInBrowser, close } = require('../preview/node.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-parity-'));
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const markdown = process.argv.includes('--markdown');
  const rows = [];
  try {
    const cases = [...featureCases(makePictures(dir)), ...processingCases(makeClips(dir)).map((c) => ({ ...c, name: `processing: ${c.name}` }))];
    for (const c of cases) {
      if (only.length && !only.some((o) => c.name.includes(o))) continue;
      const scene = await engine.compileScene(c.config, { baseDir: c.baseDir });
      let min = 1;
      const times = scene.composition ? c.times : timesFor(c, scene);
      for (const t of times) {
        const [browser, native] = await Promise.all([renderInBrowser(scene, t), engine.renderFrame(c.config, t, { baseDir: c.baseDir })]);
        const s = ssim(browser, native);
        if (!markdown) console.log(`${c.name} @${t} ms: SSIM ${s.toFixed(6)}`);
        if (process.env.PARITY_DUMP) {
          fs.writeFileSync(path.join(process.env.PARITY_DUMP, `${c.name.replace(/\W+/g, '_')}-${t}-browser.png`), browser);
          fs.writeFileSync(path.join(process.env.PARITY_DUMP, `${c.name.replace(/\W+/g, '_')}-${t}-native.png`), native);
        }
        min = Math.min(min, s);
      }
      rows.push([c.name, `${scene.width}x${scene.height}`, times.join(', '), min.toFixed(6), String(c.minSsim ?? 0.999)]);
    }
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (markdown) {
    console.log('| case | size | times (ms) | lowest SSIM, exact mode | bound tested |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
