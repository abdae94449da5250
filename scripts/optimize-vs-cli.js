#!/usr/bin/env node
'use strict';
// Compares optimizeVideo (quality measurement included) with a plain ffmpeg CLI two-pass
// (libx264, the same preset, at the input's full size and the video bit rate the target leaves:
// the budget less MP4's tables, as optimizeVideo plans its first encode; a rate optimizeVideo
// corrected after a miss would let the CLI overshoot the target) on lavfi content of several kinds, over a grid of targets and clip lengths
// (issue 16 items 2 and 3). Per case it prints optimizeVideo's size decision, the SSIM of both
// outputs (each measured by ffmpeg's ssim filter against the input, scaled back to the input's
// size bicubic), their size error against the target, and wall and CPU time of both, measured
// in the same run: CPU is user+sys of this process during optimizeVideo (the engine runs
// in-process) and of the ffmpeg CLI children (from /proc/self/stat's cutime/cstime), so a
// loaded machine moves the wall ratio more than the CPU ratio.
//
// Targets are given in MB of a 1080x1920 clip and scaled by the pixel count of the size that
// runs, so the bits per pixel (what the size decision depends on) are those of the 1080x1920
// targets. Not part of npm test.
//
//   node scripts/optimize-vs-cli.js [--quick] [--size WxH] [--durations 10,20,30]
//        [--targets 1,2,4,8] [--contents grain,gameplay,...] [--json out.json]
//   --quick: every content, 10 s, the 2 MB target, at 540x960.
//   ENGINE_DIR=/path/to/another/checkout runs that checkout's addon (before/after comparisons).
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { lavfiContents, ssimAt, plannedVideoKbps } = require('./bench-common');

function parseArgs(argv) {
  const a = { size: '540x960', durations: '10,20,30', targets: '1,2,4,8', contents: null, json: null, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--quick') a.quick = true;
    else if (k.startsWith('--') && i + 1 < argv.length) a[k.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${k}`);
  }
  if (a.quick) Object.assign(a, { durations: '10', targets: '2' });
  return a;
}

const args = parseArgs(process.argv.slice(2));
const { VideoEngine } = require(process.env.ENGINE_DIR ?? path.join(__dirname, '..'));
const [W, H] = args.size.split('x').map(Number);
const durations = args.durations.split(',').map(Number);
const targets = args.targets.split(',').map(Number);
const pixelScale = (W * H) / (1080 * 1920);
const preset = 'medium';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optimize-vs-cli-'));
const ff = (a) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...a], { stdio: ['ignore', 'ignore', 'pipe'] });
const now = () => Number(process.hrtime.bigint()) / 1e6;
const TICK_MS = 1000 / 100; // USER_HZ: /proc's clock ticks are 1/100 s on Linux
function childrenCpuMs() {
  const f = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS; // cutime, cstime (fields 16, 17)
}
const selfCpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

const contentsFor = (seconds) => lavfiContents(W, H, seconds);
const ssimOf = (distorted, reference) => ssimAt(W, H, distorted, reference);

(async () => {
  const engine = new VideoEngine();
  const rows = [];
  for (const seconds of durations) {
    const all = contentsFor(seconds);
    const names = args.contents ? args.contents.split(',') : Object.keys(all);
    for (const name of names) {
      const input = path.join(dir, `${name}-${seconds}s.mp4`);
      ff(['-f', 'lavfi', '-i', all[name], '-c:v', 'libx264', '-crf', '8', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', input]);
      for (const target1080 of targets) {
        const targetMb = target1080 * pixelScale;
        const out = path.join(dir, `${name}.opt.mp4`);
        let t = now(), c = selfCpuMs();
        const r = await engine.optimizeVideo(input, targetMb, { preset, outputPath: out });
        const engineMs = now() - t, engineCpu = selfCpuMs() - c;
        const cli = path.join(dir, `${name}.cli.mp4`);
        const log = path.join(dir, `${name}-x264`);
        const cliKbps = plannedVideoKbps(r.targetSize, seconds, 30);
        const common = ['-i', input, '-c:v', 'libx264', '-preset', preset, '-pix_fmt', 'yuv420p', '-an', '-b:v', `${cliKbps}k`, '-passlogfile', log];
        t = now(); c = childrenCpuMs();
        ff([...common, '-pass', '1', '-f', 'mp4', '/dev/null']);
        ff([...common, '-pass', '2', cli]);
        const cliMs = now() - t, cliCpu = childrenCpuMs() - c;
        const targetBytes = r.targetSize;
        const engineSsim = ssimOf(out, input), cliSsim = ssimOf(cli, input);
        const row = {
          content: name, seconds, targetMb: +targetMb.toFixed(3), bpp: +r.sizeDecision.bitsPerPixel.toFixed(4), method: r.sizeDecision.method,
          size: `${r.width}x${r.height}`,
          engineSizeErr: +((r.optimizedSize / targetBytes - 1) * 100).toFixed(2), cliSizeErr: +((fs.statSync(cli).size / targetBytes - 1) * 100).toFixed(2),
          engineSsim, cliSsim, ssimDiff: +(engineSsim - cliSsim).toFixed(5), reportedSsim: r.ssim,
          engineS: +(engineMs / 1000).toFixed(2), cliS: +(cliMs / 1000).toFixed(2), timeRatio: +(engineMs / cliMs).toFixed(3),
          engineCpuS: +(engineCpu / 1000).toFixed(2), cliCpuS: +(cliCpu / 1000).toFixed(2), cpuRatio: +(engineCpu / cliCpu).toFixed(3),
          engineKbps: r.videoBitrateKbps, cliKbps, encodes: r.encodes, stages: r.stages ?? null,
        };
        rows.push(row);
        console.error(JSON.stringify(row));
        fs.rmSync(out, { force: true });
        fs.rmSync(cli, { force: true });
      }
      fs.rmSync(input, { force: true });
    }
  }
  console.table(rows.map(({ stages, ...rest }) => rest));
  const worst = (k, f) => rows.reduce((m, r) => f(m, r[k]), rows[0]?.[k]);
  console.log(`cases ${rows.length} at ${W}x${H}: time ratio max ${worst('timeRatio', Math.max)}, CPU ratio max ${worst('cpuRatio', Math.max)}, `
    + `SSIM diff min ${worst('ssimDiff', Math.min)}, size error ${worst('engineSizeErr', Math.min)}..${worst('engineSizeErr', Math.max)} %`);
  if (args.json) fs.writeFileSync(args.json, JSON.stringify({ size: args.size, preset, rows }, null, 2));
  engine.dispose?.();
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((e) => { console.error(e); fs.rmSync(dir, { recursive: true, force: true }); process.exit(1); });
