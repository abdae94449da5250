#!/usr/bin/env node
'use strict';
// The data optimizeVideo's first-pass size rule was fitted on (SizeSampling.KeepFullBelowQp):
// per lavfi content and target, a whole-clip ffmpeg CLI two-pass (libx264 medium) at full size and
// at the size optimizeVideo's rule would scale to (0.05 bits per pixel), each scored by SSIM against
// the input at full size (the smaller scaled back bicubic), with the mean quantiser of each first
// pass (the "q:" of x264's statistics) and the time of each pass. delta > 0: the smaller size won.
// Each first pass's own output is scored too (ssimFull1, ssimSmall1, delta1): optimizeVideo's 'first-passes'
// decision compares those, and `agree` says whether they rank the sizes as the two-pass encodes do.
// Not part of npm test.
//
//   SIZE=540x960 DUR=10 TARGETS=1,2,4 [CONTENTS=grain,screen] OUTJSON=out.json node scripts/size-decision-data.js
//   Targets are MB of a 1080x1920 clip, scaled by the pixel count of SIZE (the same bits per pixel).
const { execFileSync } = require('node:child_process');
const { lavfiContents, ssimAt, plannedVideoKbps } = require('./bench-common');
const fs = require('node:fs'); const path = require('node:path'); const os = require('node:os');
const [W, H] = (process.env.SIZE ?? '540x960').split('x').map(Number);
const durations = (process.env.DUR ?? '10').split(',').map(Number);
const targets = (process.env.TARGETS ?? '1,2,4').split(',').map(Number);
const scaleP = W * H / (1080 * 1920);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decide-'));
const ff = (a) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...a], { stdio: ['ignore', 'ignore', 'pipe'] });
const now = () => Number(process.hrtime.bigint()) / 1e6;
const contentsFor = (seconds) => lavfiContents(W, H, seconds);
const ssimOf = (distorted, reference) => ssimAt(W, H, distorted, reference);
function avgQ(log) {
  const qs = fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('in:')).map((l) => Number(/ q:([0-9.]+)/.exec(l)[1]));
  return qs.reduce((a, b) => a + b, 0) / qs.length;
}
function twoPass(input, kbps, w, h, name) {
  const log = path.join(dir, name), out = path.join(dir, name + '.mp4'), out1 = path.join(dir, name + '-pass1.ts'); // headers in band, as the engine's pass 1 (and the CLI's into -f null) has them
  const c = ['-i', input, '-vf', `scale=${w}:${h}:flags=bicubic`, '-c:v', 'libx264', '-preset', 'medium', '-pix_fmt', 'yuv420p', '-an', '-b:v', `${kbps}k`, '-passlogfile', log];
  let t = now(); ff([...c, '-pass', '1', out1]); const p1 = now() - t;
  const q1 = avgQ(log + '-0.log');
  t = now(); ff([...c, '-pass', '2', out]); const p2 = now() - t;
  return { out, out1, q1, p1, p2 };
}
const rows = [];
for (const seconds of durations) {
  const all = contentsFor(seconds);
  for (const name of (process.env.CONTENTS ?? Object.keys(all).join(',')).split(',')) {
    const input = path.join(dir, `${name}.mp4`);
    ff(['-f', 'lavfi', '-i', all[name], '-c:v', 'libx264', '-crf', '8', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', input]);
    for (const t of targets) {
      const bytes = t * scaleP * 1e6;
      const kbps = plannedVideoKbps(bytes, seconds, 30);
      const bpp = kbps * 1000 / (W * H * 30);
      if (bpp >= 0.05) continue; // optimizeVideo keeps the full size there without deciding
      const sc = Math.sqrt(bpp / 0.05);
      const sw = Math.round(W * sc / 2) * 2, sh = Math.round(H * sc / 2) * 2;
      const f = twoPass(input, kbps, W, H, 'full'), s = twoPass(input, kbps, sw, sh, 'small');
      const row = { content: name, seconds, t, bpp: +bpp.toFixed(4), small: `${sw}x${sh}`, q1Full: +f.q1.toFixed(2), q1Small: +s.q1.toFixed(2),
        ssimFull: ssimOf(f.out, input), ssimSmall: ssimOf(s.out, input), ssimFull1: ssimOf(f.out1, input), ssimSmall1: ssimOf(s.out1, input), p1Full: Math.round(f.p1), p2Full: Math.round(f.p2), p1Small: Math.round(s.p1), p2Small: Math.round(s.p2) };
      row.delta = +(row.ssimSmall - row.ssimFull).toFixed(5);
      row.delta1 = +(row.ssimSmall1 - row.ssimFull1).toFixed(5);
      row.agree = (row.delta > 0) === (row.delta1 > 0);
      rows.push(row); console.log(JSON.stringify(row));
    }
  }
}
if (process.env.OUTJSON) fs.writeFileSync(process.env.OUTJSON, JSON.stringify(rows, null, 1));
fs.rmSync(dir, { recursive: true, force: true });
