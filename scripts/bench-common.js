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

module.exports = { x264, median, fmt, ffmpeg, rawDir };
