#!/usr/bin/env node
'use strict';
// Measures the two ways optimizeVideo could hit a file size, with the ffmpeg CLI's libx264 on
// the same frames: a two-pass encode at the budget's bit rate, and a CRF search (bisection on
// CRF until the size is within -5 %..+2 %). Prints encodes, wall time and the size reached.
// Usage: node scripts/size-target-experiment.js [seconds=20] [targetMb=4]
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { plannedVideoKbps } = require('./bench-common');

const seconds = Number(process.argv[2] ?? 20);
const targetMb = Number(process.argv[3] ?? 4);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'size-target-'));
const ff = (args) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
const src = path.join(dir, 'src.mp4');
ff(['-f', 'lavfi', '-i', `testsrc2=s=740x1314:r=30:d=${seconds}`, '-c:v', 'libx264', '-crf', '10', '-pix_fmt', 'yuv420p', src]);

const target = targetMb * 1e6;
const kbps = plannedVideoKbps(target, seconds, 30);
const common = ['-i', src, '-c:v', 'libx264', '-preset', 'medium', '-pix_fmt', 'yuv420p', '-an'];
const out = path.join(dir, 'out.mp4');
const time = (f) => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e6; };
const size = () => fs.statSync(out).size;
const inWindow = (s) => s <= target * 1.02 && s >= target * 0.95;

const log = path.join(dir, 'x264');
const twoPassMs = time(() => {
  ff([...common, '-b:v', `${kbps}k`, '-pass', '1', '-passlogfile', log, '-f', 'mp4', '/dev/null']);
  ff([...common, '-b:v', `${kbps}k`, '-pass', '2', '-passlogfile', log, out]);
});
const twoPass = size();

let lo = 0, hi = 51, encodes = 0, crfSize = 0, crf = 0;
const searchMs = time(() => {
  while (encodes < 8) {
    crf = Math.round((lo + hi) / 2);
    ff([...common, '-crf', String(crf), out]);
    encodes++;
    crfSize = size();
    if (inWindow(crfSize)) break;
    if (crfSize > target) lo = crf; else hi = crf;
    if (hi - lo <= 1) break;
  }
});
fs.rmSync(dir, { recursive: true, force: true });
const pct = (s) => `${(100 * s / target).toFixed(1)} %`;
console.log(`${seconds} s of 740x1314@30 testsrc2, target ${targetMb} MB (video ${kbps} kbit/s), x264 medium:`);
console.log(`  two-pass:   2 encodes, ${twoPassMs.toFixed(0)} ms, ${pct(twoPass)} of target`);
console.log(`  CRF search: ${encodes} encodes (last crf ${crf}), ${searchMs.toFixed(0)} ms, ${pct(crfSize)} of target${inWindow(crfSize) ? '' : ' (outside the window)'}`);
