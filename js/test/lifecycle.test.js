// Lifecycle (issue #13 items 4 and 6): a job whose JS owner goes away — a worker terminated or
// exiting mid-render, a program calling process.exit() mid-render — is cancelled and leaves no
// partial output or temp file, and the process-wide engine's metrics still add up; callbacks and
// option getters that throw are reported with codes. Owner scenarios run in real child processes
// with real worker threads (a crash shows as the child's signal).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, removeTempDir, ROOT, tinyConfig } from './helpers.mjs';

const { ErrorCodes } = engine;
const dir = makeTempDir('reelspeed-lifecycle-');
let clip;

beforeAll(() => {
  clip = path.join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=20',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
});
afterAll(() => removeTempDir(dir));

/** Every file under `folder` (recursively), relative to it. */
function filesUnder(folder) {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).map((e) => path.relative(folder, path.join(e.parentPath ?? e.path, e.name)));
}

// The child: modes 'terminate' (worker.terminate() mid-render), 'worker-exit' (process.exit in a
// worker mid-render) and 'exit' (process.exit in the main thread mid-render). Each owner starts a
// 30 s render and a two-pass optimize (temp files in its engine's tempDirectory) and goes away once
// both report progress. The main thread then prints what is left and the shared engine's metrics.
const script = `
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const engine = require(${JSON.stringify(path.join(ROOT, 'js', 'index.js'))});
const [mode, out, temp, clip] = isMainThread ? process.argv.slice(2) : workerData;
const long = { videoSettings: { duration: 30, resolution: '360x640', fps: 30 },
  animationSettings: { messageAnimationType: 'none', baseDelay: 100 }, messages: [{ text: 'hi', sender: 'me', audioDuration: 0.5 }] };
function metrics(text) {
  const m = {};
  for (const line of text.split('\\n')) { const r = /^reelspeed_engine_(\\w+) (\\S+)$/.exec(line); if (r) m[r[1]] = Number(r[2]); }
  return m;
}
// Starts the two jobs; calls goAway() once both have made progress.
function startJobs(goAway) {
  const ve = new engine.VideoEngine({ tempDirectory: temp });
  const seen = new Set();
  const progressed = (name) => () => { seen.add(name); if (seen.size === 2 && !seen.has('gone')) { seen.add('gone'); goAway(); } };
  engine.processVideo('', path.join(out, 'render.mp4'), long, { onProgress: progressed('render') }).catch(() => {});
  ve.optimizeVideo(clip, 0.3, { outputPath: path.join(out, 'optimized.mp4'), onProgress: progressed('optimize') }).catch(() => {});
}
async function report() {
  const left = fs.readdirSync(out).concat(fs.readdirSync(temp, { recursive: true }).map((f) => 'temp/' + f));
  const shared = metrics(engine.metrics());
  // A second engine, and the shared one, still work and count right afterwards.
  const second = new engine.VideoEngine({ maxConcurrentJobs: 1 });
  const short = { ...long, videoSettings: { ...long.videoSettings, duration: 1 } };
  await second.processVideo('', path.join(out, 'after-second.mp4'), short);
  await engine.processVideo('', path.join(out, 'after-shared.mp4'), short);
  console.log(JSON.stringify({ left, shared, sharedAfter: metrics(engine.metrics()), second: metrics(second.metrics()) }));
}
if (!isMainThread) {
  startJobs(() => (mode === 'worker-exit' ? process.exit(5) : parentPort.postMessage('progressed')));
} else if (mode === 'exit') {
  startJobs(() => process.exit(7));
} else {
  const w = new Worker(__filename, { workerData: [mode, out, temp, clip] });
  w.on('message', () => w.terminate());
  w.on('error', (e) => { console.error(e); process.exit(1); });
  w.on('exit', (code) => { console.error('worker exit code', code); report().catch((e) => { console.error(e); process.exit(1); }); });
}
`;

function runChild(mode) {
  const out = path.join(dir, mode, 'out');
  const temp = path.join(dir, mode, 'temp');
  fs.mkdirSync(out, { recursive: true });
  fs.mkdirSync(temp, { recursive: true });
  const file = path.join(dir, 'owner.cjs');
  fs.writeFileSync(file, script);
  const run = spawnSync(process.execPath, [file, mode, out, temp, clip], { encoding: 'utf8', timeout: 150000 });
  return { run, out, temp };
}

function expectMetricsAddUp(m) {
  expect(m.jobs_running).toBe(0);
  expect(m.queue_depth).toBe(0);
  expect(m.jobs_started_total).toBe(m.jobs_succeeded_total + m.jobs_failed_total + m.jobs_aborted_total);
}

describe('a job whose owner goes away is cancelled and leaves nothing', () => {
  for (const mode of ['terminate', 'worker-exit']) {
    it(`${mode === 'terminate' ? 'worker.terminate()' : 'process.exit() in a worker'} mid-render: no partial or temp file, metrics add up, engines still work`, () => {
      const { run } = runChild(mode);
      expect(run.signal, run.stderr).toBeNull();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain(`worker exit code ${mode === 'terminate' ? 1 : 5}`);
      const r = JSON.parse(run.stdout.trim().split('\n').pop());
      // Nothing of the render (its .part) nor of the optimize (.part, two-pass logs) is left.
      expect(r.left).toEqual([]);
      // The worker's render ran on the process-wide default engine: it ended as aborted, not running.
      expect(r.shared.jobs_started_total).toBe(1);
      expect(r.shared.jobs_aborted_total).toBe(1);
      expectMetricsAddUp(r.shared);
      expect(r.sharedAfter.jobs_succeeded_total).toBe(1);
      expectMetricsAddUp(r.sharedAfter);
      expect(r.second).toMatchObject({ jobs_started_total: 1, jobs_succeeded_total: 1, jobs_running: 0 });
    });
  }

  it('process.exit() mid-render: the program exits with its code, leaving no partial or temp file', () => {
    const { run, out, temp } = runChild('exit');
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(7);
    expect(filesUnder(out)).toEqual([]);
    expect(filesUnder(temp)).toEqual([]);
  });
});

describe('callbacks and getters that throw are reported with codes', () => {
  const out = (name) => path.join(dir, 'callbacks', name);
  beforeAll(() => fs.mkdirSync(path.join(dir, 'callbacks'), { recursive: true }));

  it('onProgress that throws stops the job: ERR_CALLBACK, cause is the thrown error, no output', async () => {
    const boom = new Error('boom');
    let calls = 0;
    const err = await engine.processVideo('', out('a.mp4'), tinyConfig({ videoSettings: { duration: 3, resolution: '360x640', fps: 30 } }), {
      onProgress: () => { calls++; throw boom; },
    }).catch((e) => e);
    expect(err.code).toBe(ErrorCodes.CALLBACK);
    expect(err.cause).toBe(boom);
    expect(err.message).toContain('options.onProgress threw: boom');
    expect(calls).toBe(1); // not called again once it threw
    expect(fs.readdirSync(path.join(dir, 'callbacks'))).toEqual([]);
  });

  it('onProgress that throws a non-Error at the last report: the call still rejects and the finished output is removed', async () => {
    const err = await engine.processVideo('', out('b.mp4'), tinyConfig(), {
      onProgress: (p) => { if (p.percent >= 100) throw 'late'; }, // eslint-disable-line no-throw-literal
    }).catch((e) => e);
    expect(err.code).toBe(ErrorCodes.CALLBACK);
    expect(err.cause).toBe('late');
    expect(fs.readdirSync(path.join(dir, 'callbacks'))).toEqual([]);
  });

  it('onProgress that throws during optimizeVideo: ERR_CALLBACK, no output, no temp file', async () => {
    const temp = path.join(dir, 'callbacks-temp');
    const ve = new engine.VideoEngine({ tempDirectory: temp });
    const err = await ve.optimizeVideo(clip, 0.3, { outputPath: out('c.mp4'), onProgress: () => { throw new RangeError('no'); } }).catch((e) => e);
    expect(err.code).toBe(ErrorCodes.CALLBACK);
    expect(err.cause).toBeInstanceOf(RangeError);
    expect(fs.readdirSync(path.join(dir, 'callbacks'))).toEqual([]);
    expect(filesUnder(temp)).toEqual([]);
  });

  it('an options getter or proxy trap that throws rejects with ERR_INVALID_ARG_TYPE naming the option, cause kept', async () => {
    const thrown = new TypeError('getter');
    const getter = { get onProgress() { throw thrown; } };
    let err = await engine.processVideo('', out('d.mp4'), tinyConfig(), getter).catch((e) => e);
    expect(err.code).toBe(ErrorCodes.INVALID_ARG);
    expect(err.message).toContain('options.onProgress: reading it threw: getter');
    expect(err.cause).toBe(thrown);

    err = await engine.renderFrame(tinyConfig(), 0, { get format() { throw thrown; } }).catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCodes.INVALID_ARG, cause: thrown });
    expect(err.message).toContain('options.format');

    err = await engine.optimizeVideo(clip, 1, { get preset() { throw thrown; } }).catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCodes.INVALID_ARG, cause: thrown });
    expect(err.message).toContain('options.preset');

    const trap = new Proxy({}, { ownKeys() { throw thrown; } });
    err = await engine.compileScene(tinyConfig(), trap).catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCodes.INVALID_ARG, cause: thrown });

    // A throwing string (not an Error) is the cause as it was thrown.
    err = await engine.renderFrame(tinyConfig(), 0, { get quality() { throw 'nope'; } }).catch((e) => e); // eslint-disable-line no-throw-literal
    expect(err).toMatchObject({ code: ErrorCodes.INVALID_ARG, cause: 'nope' });

    expect(() => new engine.VideoEngine({ get maxConcurrentJobs() { throw thrown; } }))
      .toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARG, cause: thrown }));
    expect(fs.readdirSync(path.join(dir, 'callbacks'))).toEqual([]);
  });
});

describe('pictures and fonts are read from regular files only', () => {
  it('a FIFO as a font, a picture or an avatar is refused at once, not read', async () => {
    const fifo = path.join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    const configs = {
      'fonts[0].path': tinyConfig({ fonts: [{ family: 'Pipe', path: fifo }] }),
      'messages[0].imageUrl': tinyConfig({ messages: [{ text: 'hi', sender: 'me', imageUrl: fifo }] }),
      'chatOverlay.avatarUrl': tinyConfig({ chatOverlay: { contactName: 'A', avatarUrl: fifo } }),
    };
    for (const [field, config] of Object.entries(configs)) {
      for (const call of [() => engine.compileScene(config), () => engine.renderFrame(config, 500)]) {
        const err = await call().catch((e) => e);
        expect(err.code, field).toBe(ErrorCodes.UNSUPPORTED_MEDIA);
        expect(err.message).toContain(field);
        expect(err.message).toContain('named pipe');
      }
    }
  });
});
