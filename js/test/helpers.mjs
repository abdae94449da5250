// Shared helpers for the integration tests (not a test file itself).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'js', 'cli.js');

/** The public API, loaded the way users load it (CommonJS require of js/index.js). */
export const engine = require(path.join(ROOT, 'js', 'index.js'));

/** A fresh temp dir; remove it with `removeTempDir`. */
export function makeTempDir(prefix = 'reelspeed-test-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTempDir(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** Names of leftover temporary outputs (`.<name>.<hex>.part`) in `dir`. */
export function partFiles(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.part'));
}

/** A small, fast config: 360x640, 1 s, one message. */
export function tinyConfig(overrides = {}) {
  return {
    videoSettings: { duration: 1, resolution: '360x640', fps: 30 },
    animationSettings: { messageAnimationType: 'none', baseDelay: 100 },
    messages: [{ text: 'hi', sender: 'me', audioDuration: 0.5 }],
    ...overrides,
  };
}

/** Generates a sine tone with the ffmpeg CLI. */
export function makeTone(file, seconds = 2, frequency = 440) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${frequency}:duration=${seconds}`, file]);
  return file;
}

/** Decodes the frame shown at `seconds` as packed RGB24. */
export function extractFrame(file, seconds, width, height) {
  const buf = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: width * height * 3 + 1024 * 1024 },
  );
  if (buf.length !== width * height * 3) {
    throw new Error(`extractFrame: expected ${width * height * 3} bytes for ${width}x${height}, got ${buf.length}`);
  }
  return {
    pixel(x, y) {
      const o = (y * width + x) * 3;
      return [buf[o], buf[o + 1], buf[o + 2]];
    },
  };
}

export function hexToRgb(hex) {
  const n = parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Largest per-channel difference between two RGB triples. */
export function colorDistance(a, b) {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** Mean volume (dB) of the first audio stream, via ffmpeg's volumedetect; -Infinity when silent. */
export function meanVolumeDb(file) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg volumedetect failed: ${r.stderr}`);
  const m = r.stderr.match(/mean_volume:\s*(-?inf|-?[\d.]+) dB/);
  if (!m) throw new Error(`ffmpeg volumedetect: no mean_volume in output:\n${r.stderr}`);
  return m[1].endsWith('inf') ? -Infinity : Number(m[1]);
}

/** The cores the engine counts (.NET's, which honours a container's CPU quota; os.availableParallelism does not): its default maxConcurrentJobs. */
export function engineCores() {
  return Number(new engine.VideoEngine({}).metrics().match(/^reelspeed_engine_max_concurrent_jobs (\d+)$/m)[1]);
}

/** x264's settings, as it writes them into the stream ("x264 - core ... options: ..."), with a space at the end. */
export function x264Settings(file) {
  const text = fs.readFileSync(file).toString('latin1');
  const at = text.indexOf('options: ');
  if (at < 0) throw new Error(`${file} carries no x264 settings`);
  return `${text.slice(at, text.indexOf('\0', at))} `;
}
