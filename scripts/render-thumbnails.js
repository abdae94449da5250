#!/usr/bin/env node
'use strict';
// Renders the README's template thumbnails with the engine itself:
// examples/templates/<name>.json at 540x960, frame at 9.5 s → docs/images/template-<name>.jpg
const fs = require('node:fs');
const path = require('node:path');
const { renderFrame } = require('../js/index');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'examples', 'templates');
const out = path.join(root, 'docs', 'images');

(async () => {
  fs.mkdirSync(out, { recursive: true });
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const config = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    config.videoSettings = { ...config.videoSettings, resolution: '540x960' };
    const jpeg = await renderFrame(config, 9500, { format: 'jpeg', quality: 85, baseDir: dir });
    const target = path.join(out, `template-${path.basename(file, '.json')}.jpg`);
    fs.writeFileSync(target, jpeg);
    process.stdout.write(`${path.relative(root, target)} (${jpeg.length} bytes)\n`);
  }
})().catch((e) => {
  process.stderr.write(`error [${e.code}]: ${e.message}\n`);
  process.exitCode = 1;
});
