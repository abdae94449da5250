#!/usr/bin/env node
// Memory check: renders the heavy cases of issue #13 (500 long messages, 40 big pictures, a
// 4096x4096 frame, and ordinary stories for reference), each in its own child process, and
// prints the engine's estimate (the bytes the job is admitted with under memoryLimitMb) against
// the job's measured peak resident memory.
//
// The child warms the engine up with a tiny render (libraries, fonts, codecs loaded), resets
// the kernel's peak-RSS mark (/proc/self/clear_refs, 5), then runs the case: peak = VmHWM after
// the job minus VmRSS before it. The estimate is read from the engine's metrics
// (native_bytes_in_use) while the job runs. A job whose peak is at most its estimate cannot pass a
// memoryLimitMb: a limit under the estimate refuses it (ERR_RESOURCE_LIMIT) before it starts.
//
//   node scripts/memory-check.js               all cases, a table
//   node scripts/memory-check.js chat500 ...   some cases
//   node scripts/memory-check.js --json        machine-readable
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(os.tmpdir(), 'reelspeed-memory-check');

/** Distinct solid-colour PNGs of the given size (small files, huge when decoded), made once with the ffmpeg CLI. */
function bigPictures(count, side) {
  fs.mkdirSync(WORK, { recursive: true });
  const files = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(WORK, `pic-${side}-${i}.png`);
    if (!fs.existsSync(file)) {
      const colour = `0x${((i * 2654435761) >>> 8 & 0xffffff).toString(16).padStart(6, '0')}`;
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${colour}:s=${side}x${side}`, '-frames:v', '1', file]);
    }
    files.push(file);
  }
  return files;
}

/** A test-pattern H.264 clip made once with the ffmpeg CLI. */
function clip(width, height, seconds) {
  fs.mkdirSync(WORK, { recursive: true });
  const file = path.join(WORK, `clip-${width}x${height}-${seconds}.mp4`);
  if (!fs.existsSync(file)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=30:d=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file]);
  }
  return file;
}

const quick = { baseDelay: 0, messageDelay: 0, transitionDuration: 100, messageAnimationType: 'slide' };

/** Each case: the engine options and the processVideo config. */
const CASES = {
  example: () => ({
    options: {},
    config: JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'chat-story.json'), 'utf8')),
    base: path.join(ROOT, 'examples'),
  }),
  'frame720': () => ({
    options: {},
    config: { videoSettings: { resolution: '720x1280', duration: 2, fps: 30 }, messages: [{ text: 'hello', sender: 'me', audioDuration: 0.5 }] },
  }),
  'frame2160': () => ({
    options: {},
    config: { videoSettings: { resolution: '2160x3840', duration: 2, fps: 30 }, messages: [{ text: 'hello', sender: 'me', audioDuration: 0.5 }] },
  }),
  'frame4096': () => ({
    options: { maxFramePixels: 4096 * 4096 },
    config: { videoSettings: { resolution: '4096x4096', duration: 2, fps: 30 }, messages: [{ text: 'hello', sender: 'me', audioDuration: 0.5 }] },
  }),
  chat500: () => ({
    options: {},
    config: {
      videoSettings: { resolution: '1080x1920', fps: 5 },
      animationSettings: quick,
      messages: Array.from({ length: 500 }, (_, i) => ({
        text: `${i} ` + 'lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(40).slice(0, 1990),
        sender: i % 2 ? 'me' : 'them',
        audioDuration: 0.5,
      })),
    },
  }),
  videobg: () => ({
    options: {},
    config: {
      videoSettings: { resolution: '1080x1920', duration: 4, fps: 30, brainrotMode: true },
      backgroundSettings: { backgroundType: 'video', backgroundUrl: clip(3840, 2160, 4) },
      messages: [{ text: 'over a 4K clip', sender: 'me', audioDuration: 1 }],
    },
  }),
  processing: () => ({
    options: {},
    config: { video: { width: 1080, height: 1920 }, effects: { text_overlays: [{ text: 'a clip, re-encoded', duration: 2 }] }, clips: [clip(1920, 1080, 4)] },
  }),
  pictures40: () => ({
    options: { maxPicturePixels: 100e6 },
    config: {
      videoSettings: { resolution: '1080x1920', fps: 5 },
      animationSettings: quick,
      messages: bigPictures(40, 10000).map((file, i) => ({ text: `picture ${i}`, sender: i % 2 ? 'me' : 'them', imageUrl: file, audioDuration: 1 })),
    },
  }),
};

function statusKb(field) {
  const m = fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function child(name) {
  const engine = require(path.join(ROOT, 'js', 'index.js'));
  const { options, config, base } = CASES[name]();
  const out = path.join(WORK, `${name}.mp4`);
  fs.mkdirSync(WORK, { recursive: true });
  let ve;
  try {
    ve = new engine.VideoEngine(options);
  } catch (e) {
    return { name, error: `${e.code}: ${e.message}` };
  }
  // Warm-up: libraries, fonts and codecs are loaded before the measured job.
  await ve.processVideo('', out, { videoSettings: { resolution: '360x640', duration: 0.5 }, messages: [{ text: 'warm', sender: 'me' }] });
  if (global.gc) global.gc();
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const before = statusKb('VmRSS');
  let estimate = 0;
  const started = Date.now();
  const metric = () => Number((ve.metrics().match(/^reelspeed_engine_native_bytes_in_use (\S+)$/m) || [])[1] || 0);
  const cwd = process.cwd();
  if (base) process.chdir(base);
  try {
    const r = await ve.processVideo('', out, config, { onProgress: () => { estimate = Math.max(estimate, metric()); } });
    const peak = statusKb('VmHWM');
    return { name, estimate, before, peak, job: peak - before, seconds: (Date.now() - started) / 1000, durationMs: r.durationMs };
  } catch (e) {
    return { name, estimate, error: `${e.code}: ${e.message}`.slice(0, 300) };
  } finally {
    process.chdir(cwd);
    fs.rmSync(out, { force: true });
  }
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1]).then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); },
      (e) => { process.stdout.write(JSON.stringify({ name: args[1], error: String(e && e.stack || e) }) + '\n'); process.exit(1); });
    return;
  }
  const json = args.includes('--json');
  const names = args.filter((a) => !a.startsWith('--'));
  const rows = [];
  for (const name of names.length ? names : Object.keys(CASES)) {
    if (!CASES[name]) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES).join(', ')}`);
    const r = spawnSync(process.execPath, ['--expose-gc', __filename, '--child', name], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = r.stdout.trim().split('\n').pop();
    let row;
    try { row = JSON.parse(line); } catch { row = { name, error: `child exited ${r.status} ${r.signal || ''}: ${r.stderr.slice(-500)}` }; }
    rows.push(row);
    if (!json) {
      const mb = (b) => (b / 1e6).toFixed(0).padStart(6);
      if (row.error) console.log(`${name.padEnd(12)} ${row.estimate ? mb(row.estimate) + ' MB est' : ''} error: ${row.error}`);
      else console.log(`${name.padEnd(12)} estimate ${mb(row.estimate)} MB  job peak ${mb(row.job)} MB  ratio ${(row.job / row.estimate).toFixed(2)}  (rss before ${mb(row.before)} MB, video ${(row.durationMs / 1000).toFixed(0)} s, ${row.seconds.toFixed(1)} s)${row.job > row.estimate ? '  PEAK OVER ESTIMATE: a memoryLimitMb between them would be passed' : ''}`);
    }
  }
  if (json) console.log(JSON.stringify(rows, null, 2));
}

main();
