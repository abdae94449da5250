'use strict';
// What the benchmarks (bench.js, bench-render-ab.js) share: the floor's x264 settings, the ffmpeg
// CLI runner that reads -benchmark's CPU and RSS, where raw frames go, medians and formatting.

const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

// The floor's x264: what the bench story asks for (veryfast, crf 23) plus the engine's keyframe
// interval (VideoEncoder: 2 s). Without -g the CLI's 250-frame GOP makes a 40 % smaller file; it
// costs x264 about the same CPU time, but the outputs should compare. Threads: x264's default on both sides.
const x264 = (fps) => ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-g', String(fps * 2)];

function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function fmt(n, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** Runs the ffmpeg CLI with -benchmark; returns the wall time and what ffmpeg reports about itself. */
function ffmpeg(args) {
  const started = process.hrtime.bigint();
  // -benchmark prints at the info level; -nostats keeps the progress line out.
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-benchmark', '-v', 'info', '-y', ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.error) throw new Error(`cannot run ffmpeg (${r.error.message}); scripts/setup-system.sh installs it`);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr.trim()}`);
  const time = /utime=([\d.]+)s stime=([\d.]+)s/.exec(r.stderr);
  const rss = /maxrss=(\d+)kB/.exec(r.stderr);
  return {
    wallMs,
    cpuMs: time ? (Number(time[1]) + Number(time[2])) * 1000 : NaN,
    maxRssMiB: rss ? Number(rss[1]) / 1024 : NaN,
  };
}

/**
 * Where the raw frames go: /dev/shm (RAM) when it has room, so that the floor times x264 and
 * not the disk (this VM's page cache is reclaimed eagerly: a 2.6 GiB file in /tmp is partly
 * re-read from disk, which made a floor run 4 s one time and 10 s the next); else the temp dir.
 */
function rawDir(bytes, fallback) {
  try {
    const s = fs.statfsSync('/dev/shm');
    if (s.bavail * s.bsize > bytes * 1.25) return '/dev/shm';
  } catch { /* no /dev/shm */ }
  return fallback;
}

/**
 * The lavfi sources of issue 16's content set at WxH, 30 fps, `seconds` long: film-grain-like noise,
 * gameplay-like motion, a talking head, a screen recording and an animation (the optimizeVideo scripts').
 */
function lavfiContents(W, H, seconds) {
  const d = `d=${seconds}`, s = `s=${W}x${H}`;
  return {
    grain: `color=c=0x807060:${s}:r=30:${d},noise=alls=25:allf=t+u`,
    gameplay: `testsrc2=${s}:r=30:${d},hue=H=t*2,rotate=a=t/2:fillcolor=black`,
    'talking-head': `gradients=${s}:r=30:${d}:speed=0.02,drawbox=x=iw/3:y=ih/3:w=iw/3:h=ih/3:c=0xc09070:t=fill,noise=alls=4:allf=t`,
    screen: `cellauto=s=${Math.round(W / 4)}x${Math.round(H / 4)}:r=30:rule=110,scale=${W}:${H}:flags=neighbor,trim=duration=${seconds}`,
    animation: `mandelbrot=${s}:r=30,trim=duration=${seconds}`,
  };
}

/** SSIM (ffmpeg's ssim filter, "All") of `distorted` scaled bicubic to WxH against `reference`. */
function ssimAt(W, H, distorted, reference) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-i', distorted, '-i', reference, '-lavfi',
    `[0:v]scale=${W}:${H}:flags=bicubic[d];[d][1:v]ssim`, '-f', 'null', '-'], { encoding: 'utf8' });
  const m = /All:([0-9.]+)/.exec(r.stderr);
  if (!m) throw new Error(`ffmpeg ssim of ${distorted} against ${reference} failed: ${r.stderr.trim().slice(-500)}`);
  return Number(m[1]);
}

/**
 * The video bit rate (kbit/s) a silent clip's byte budget leaves once MP4's tables are paid (2 KB + 12 bytes a
 * frame, as optimizeVideo plans its first encode: Engine/Media/SizeTarget.cs OverheadBytes): the CLI two-pass baseline's
 * rate. Not a rate optimizeVideo corrected after a miss: the CLI would then overshoot the target.
 */
function plannedVideoKbps(targetBytes, seconds, fps) {
  return Math.floor(((targetBytes - 2000 - Math.ceil(seconds * fps * 12)) * 8 / seconds) / 1000);
}

module.exports = { x264, median, fmt, ffmpeg, rawDir, lavfiContents, ssimAt, plannedVideoKbps };
