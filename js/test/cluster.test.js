// reelspeed-engine/cluster against real components: redis-server (the Debian package) on a free
// loopback port, BullMQ from npm, workers as child processes (`reelspeed worker`), the built addon.
// The distributed output is held against a single-process render of the same config: frame
// count, duration, every frame's SSIM (chunk seams included), the decoded audio sample by sample.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, engine, engineCores, makeTempDir, makeTone, removeTempDir, tinyConfig, x264Settings } from './helpers.mjs';
import { freePort, startRedis, startWorker } from './cluster-redis.mjs';

const require = createRequire(import.meta.url);
const { renderDistributed, createWorker } = require(path.join(ROOT, 'js', 'cluster', 'index.js'));
const { Queue } = require('bullmq');

// Short BullMQ locks so a killed worker's chunk is found stalled in seconds, not 30 s.
const FAST_STALL = ['--lock-duration', '2000', '--stalled-interval', '1000'];
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

let dir;
let shared;
let redis;
const workers = [];

beforeAll(async () => {
  dir = makeTempDir('reelspeed-cluster-');
  shared = path.join(dir, 'shared');
  redis = await startRedis();
  for (const name of ['w1', 'w2']) workers.push(await startWorker({ url: redis.url, shared, name, extra: FAST_STALL }));
}, 60000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  removeTempDir(dir);
}, 60000);

function story(seconds, resolution = '360x640', extra = {}) {
  const messages = [];
  for (let i = 0; i < Math.max(2, Math.round(seconds)); i++) {
    messages.push({ text: `message ${i} ${'🙂'.repeat(i % 3)}`, sender: i % 2 ? 'me' : 'them', audioDuration: 0.4 });
  }
  return {
    videoSettings: { duration: seconds, resolution, fps: 30 },
    animationSettings: { messageAnimationType: 'slide', baseDelay: 100, messageDelay: 150 },
    messages,
    ...extra,
  };
}

/** Per-frame SSIM ("All") from ffmpeg's ssim filter, in frame order. */
function frameSsim(a, b) {
  const stats = path.join(dir, `ssim-${process.hrtime.bigint()}.log`);
  execFileSync('ffmpeg', ['-v', 'error', '-i', a, '-i', b, '-lavfi', `[0:v][1:v]ssim=stats_file=${stats}`, '-f', 'null', '-']);
  return fs.readFileSync(stats, 'utf8').trim().split('\n').map((l) => Number(/All:([0-9.]+)/.exec(l)[1]));
}

/** The video packets' presentation times (seconds, in presentation order) as ffprobe reads them. */
function frameTimes(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return out.trim().split('\n').map(Number).sort((x, y) => x - y);
}

/** The decoded audio, as raw float samples. */
function pcm(file) {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a', '-f', 'f32le', '-'], { maxBuffer: 256 << 20 });
}

function renderFolders() {
  return fs.existsSync(shared) ? fs.readdirSync(shared) : [];
}

/** Jobs of any state in the render queue and its soundtrack queue. */
async function jobsLeft(queueName = 'reelspeed') {
  let total = 0;
  for (const name of [queueName, `${queueName}.audio`]) {
    const queue = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'completed', 'failed', 'prioritized');
      total += Object.values(counts).reduce((a, b) => a + b, 0);
    } finally {
      await queue.close();
    }
  }
  return total;
}

async function rejection(promise) {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e) => e);
}

describe('distributed rendering over BullMQ', () => {
  it('renders on two workers what one process renders: frames, duration, every frame within SSIM 0.99, the same audio samples', async () => {
    const music = makeTone(path.join(dir, 'music.wav'), 5, 330);
    const config = story(4, '360x640', { voiceAudioSettings: { enableAudio: true, backgroundMusicUrl: music } });
    const single = await engine.processVideo('', path.join(dir, 'single.mp4'), config);
    const progress = [];
    const result = await renderDistributed(config, path.join(dir, 'distributed.mp4'), {
      connection: redis.url, sharedDirectory: shared, chunkFrames: 25, onProgress: (p) => progress.push(p),
    });

    expect(result.success).toBe(true);
    expect(result.metadata.frames).toBe(single.metadata.frames);
    expect(result.durationMs).toBeCloseTo(single.durationMs, 6);
    expect(result.metadata.timeline).toEqual(single.metadata.timeline);
    expect(result.metadata.loudness).toEqual(single.metadata.loudness);
    expect(result.chunks.map((c) => [c.startFrame, c.endFrame])).toEqual([[0, 25], [25, 50], [50, 75], [75, 100], [100, 120]]);
    expect(new Set(result.chunks.map((c) => c.worker)).size).toBeGreaterThanOrEqual(1);
    for (const c of result.chunks) expect(['w1', 'w2']).toContain(c.worker);

    const [a, b] = await Promise.all([engine.getVideoMetadata(result.outputPath), engine.getVideoMetadata(single.outputPath)]);
    const video = (m) => m.streams.find((s) => s.type === 'video');
    const audio = (m) => m.streams.find((s) => s.type === 'audio');
    expect(video(a).frames).toBe(120);
    expect(video(a).frames).toBe(video(b).frames);
    expect(video(a).duration).toBeCloseTo(video(b).duration, 3);
    // No drift at any seam: both tracks start and end where the single render's do.
    expect(audio(a).duration).toBeCloseTo(audio(b).duration, 3);
    expect(audio(a).startTime ?? 0).toBeCloseTo(audio(b).startTime ?? 0, 3);
    expect(video(a).startTime ?? 0).toBeCloseTo(video(b).startTime ?? 0, 3);

    // Every frame's presentation time is the single render's: no gap or overlap at a seam.
    expect(frameTimes(result.outputPath)).toEqual(frameTimes(single.outputPath));

    const ssim = frameSsim(result.outputPath, single.outputPath);
    expect(ssim).toHaveLength(120);
    const worst = ssim.map((v, i) => [v, i]).filter(([v]) => v < 0.99);
    expect(worst).toEqual([]);
    const left = pcm(result.outputPath);
    const right = pcm(single.outputPath);
    expect(left.length).toBe(right.length);
    expect(left.equals(right)).toBe(true);

    // Progress: monotonic over all chunks, ending at 100 %.
    const percents = progress.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((x, y) => x - y));
    expect(percents.at(-1)).toBe(100);
    expect(progress.at(-1).frame).toBe(120);
    // Nothing left behind: no segments, no jobs.
    expect(renderFolders()).toEqual([]);
    expect(await jobsLeft()).toBe(0);
  }, 240000);

  it('survives a worker killed with SIGKILL mid-chunk: another worker takes the stalled chunk and the video completes', async () => {
    const queueName = 'kill-test';
    const config = story(4, '720x1280');
    const single = await engine.processVideo('', path.join(dir, 'kill-single.mp4'), config);
    // Only the victim listens at first, so the first chunk to report progress is its.
    const victim = await startWorker({ url: redis.url, shared, name: 'victim', extra: [...FAST_STALL, '--queue', queueName] });
    let killed;
    let rescuer;
    const result = await renderDistributed(config, path.join(dir, 'kill.mp4'), {
      connection: redis.url, sharedDirectory: shared, chunkFrames: 60, queueName,
      onProgress: (p) => {
        if (!killed && p.stage === 'render' && p.frame > 0) {
          killed = victim.kill('SIGKILL').then(async () => {
            rescuer = await startWorker({ url: redis.url, shared, name: 'rescuer', extra: [...FAST_STALL, '--queue', queueName] });
          });
        }
      },
    });
    await killed;
    try {
      expect((await victim.exited).signal).toBe('SIGKILL');
      const stalled = result.chunks.filter((c) => c.stalled > 0);
      expect(stalled.length).toBeGreaterThanOrEqual(1);
      for (const c of stalled) expect(c.worker).toBe('rescuer');
      expect(result.metadata.frames).toBe(120);
      const meta = await engine.getVideoMetadata(result.outputPath);
      expect(meta.streams.find((s) => s.type === 'video').frames).toBe(120);
      const ssim = frameSsim(result.outputPath, single.outputPath);
      expect(ssim).toHaveLength(120);
      expect(Math.min(...ssim)).toBeGreaterThanOrEqual(0.99);
      expect(pcm(result.outputPath).equals(pcm(single.outputPath))).toBe(true);
      expect(renderFolders()).toEqual([]);
      expect(await jobsLeft(queueName)).toBe(0);
    } finally {
      await rescuer?.stop();
    }
  }, 240000);

  it('fails the render with a chunk\'s coded error and message', async () => {
    // A processing config compiles, but its VP9 cannot be rendered in joinable H.264 chunks.
    const config = { video: { width: 160, height: 284, fps: 30, codec: 'vp9' }, effects: { text_overlays: [{ text: 'Hi', duration: 1 }] } };
    const e = await rejection(renderDistributed(config, path.join(dir, 'vp9.mp4'), { connection: redis.url, sharedDirectory: shared, chunkFrames: 10 }));
    expect(e.code).toBe('ERR_INVALID_CONFIG');
    expect(e.message).toMatch(/video\.codec.*H\.264/);
    expect(e.errors).toEqual([{ path: 'video.codec', message: expect.stringContaining('H.264') }]);
    expect(fs.existsSync(path.join(dir, 'vp9.mp4'))).toBe(false);
    expect(renderFolders()).toEqual([]);
    expect(await jobsLeft()).toBe(0);
  }, 120000);

  it('aborts through the signal: queued chunks and partial segments removed, ERR_ABORTED, the workers carry on', async () => {
    const controller = new AbortController();
    const config = story(20, '360x640');
    let chunksSeen = 0;
    const e = await rejection(renderDistributed(config, path.join(dir, 'aborted.mp4'), {
      connection: redis.url, sharedDirectory: shared, chunkFrames: 30, signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'render' && p.frame > 0 && chunksSeen++ === 0) controller.abort(new Error('user cancelled'));
      },
    }));
    expect(e.code).toBe('ERR_ABORTED');
    expect(e.name).toBe('AbortError');
    expect(e.message).toContain('user cancelled');
    expect(fs.existsSync(path.join(dir, 'aborted.mp4'))).toBe(false);
    expect(renderFolders()).toEqual([]);
    expect(await jobsLeft()).toBe(0);
    // The workers are still there and render the next one.
    const next = await renderDistributed(story(1), path.join(dir, 'after-abort.mp4'), { connection: redis.url, sharedDirectory: shared, chunkFrames: 15 });
    expect(next.metadata.frames).toBe(30);
  }, 180000);

  it('rejects at once with ERR_DEPENDENCY when Redis is unreachable, leaving nothing behind', async () => {
    const port = await freePort();
    const lonely = path.join(dir, 'lonely');
    const e = await rejection(renderDistributed(story(1), path.join(dir, 'never.mp4'), { connection: `redis://127.0.0.1:${port}`, sharedDirectory: lonely }));
    expect(e.code).toBe('ERR_DEPENDENCY');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(fs.readdirSync(lonely)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'never.mp4'))).toBe(false);
    const w = await rejection(createWorker({ connection: { host: '127.0.0.1', port }, sharedDirectory: lonely }));
    expect(w.code).toBe('ERR_DEPENDENCY');
    // A bad engine option fails as one, before Redis is tried.
    const limit = await rejection(createWorker({ connection: { host: '127.0.0.1', port }, sharedDirectory: lonely, memoryLimitMb: 10 }));
    expect(limit).toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('options.memoryLimitMb: expected a number 64..1048576 MB, got 10') });
    const threads = await rejection(createWorker({ connection: { host: '127.0.0.1', port }, sharedDirectory: lonely, x264Threads: 'many' }));
    expect(threads).toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('options.x264Threads: expected one of "auto", "frames", "slices", got "many"') });
  }, 30000);

  it('checks its arguments with coded errors naming the option', async () => {
    const base = { connection: redis.url, sharedDirectory: shared };
    for (const [options, field] of [
      [{ ...base, chunkFrames: 0 }, 'options.chunkFrames'],
      [{ ...base, connection: 'http://x' }, 'options.connection'],
      [{ ...base, sharedDirectory: '' }, 'options.sharedDirectory'],
      [{ ...base, queueName: 'a:b' }, 'options.queueName'],
      [{ ...base, colour: 1 }, 'options.colour'],
    ]) {
      const e = await rejection(renderDistributed(story(1), path.join(dir, 'x.mp4'), options));
      expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
      expect(e.message).toContain(field);
    }
    const bad = await rejection(renderDistributed({ messages: 'nope' }, path.join(dir, 'x.mp4'), base));
    expect(bad.code).toBe('ERR_INVALID_CONFIG');
  });

  it('renders with the CLI: reelspeed render --distributed', () => {
    const configFile = path.join(dir, 'cli-story.json');
    fs.writeFileSync(configFile, JSON.stringify(story(1)));
    const out = path.join(dir, 'cli.mp4');
    const r = spawnSync(process.execPath, [CLI, 'render', configFile, '-o', out, '--distributed', '--redis', redis.url, '--shared', shared, '--chunk-frames', '10'], { encoding: 'utf8', timeout: 120000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rendered 30 frames/);
    expect(r.stdout).toMatch(/distributed: 3 chunks on [12] workers?/);
    expect(r.stderr).toMatch(/progress 100%/);
    expect(fs.statSync(out).size).toBeGreaterThan(1000);
  }, 120000);
});

describe('a worker under memoryLimitMb', () => {
  it.skipIf(engineCores() < 2)('renders the chunks only slice threads fit with them, and the render says so', async () => {
    const config = story(1, '720x1280');
    // The estimates, from a refusal under the smallest limit: the worker gets the slice threads' one.
    const refusal = await new engine.VideoEngine({ memoryLimitMb: 64, x264Threads: 'frames' }).processVideo('', path.join(dir, 'refused.mp4'), config).catch((e) => e);
    const slices = Number(refusal.message.match(/needs about (\d+) MB even with x264's threads on slices of one frame/)[1]);
    // The CLI's worker (reelspeed worker --memory-limit-mb --x264-threads), which hands them to createWorker's memoryLimitMb and
    // x264Threads: frame threads preferred, so that slice threads are the limit's doing.
    const lean = await startWorker({ url: redis.url, shared, name: 'lean', extra: ['--queue', 'lean', '--memory-limit-mb', String(slices), '--x264-threads', 'frames'] });
    try {
      const result = await renderDistributed(config, path.join(dir, 'lean.mp4'), { connection: redis.url, sharedDirectory: shared, queueName: 'lean', chunkFrames: 15 });
      expect(result.metadata.frames).toBe(30);
      expect(result.chunks.map((c) => c.worker)).toEqual(['lean', 'lean']);
      const note = expect.stringMatching(new RegExp(`^memoryLimitMb: x264 encoded with its threads on slices of one frame .*\\(about ${slices} MB instead of`));
      for (const c of result.chunks) expect(c).toMatchObject({ warnings: [note], x264Threads: 'slices' });
      expect(result.metadata.warnings.filter((w) => w.startsWith('memoryLimitMb'))).toEqual([note]); // once, not once a chunk
      expect(x264Settings(result.outputPath)).toMatch(/ sliced_threads=1 /);
    } finally {
      await lean.stop();
    }
  }, 60000);
});

describe('the engine entry points of a distributed render', () => {
  it('renderChunk, renderAudio and stitch on a VideoEngine, typed exactly (tsc --strict over the real results)', async () => {
    const ve = new engine.VideoEngine({ maxConcurrentJobs: 2 });
    const config = tinyConfig({ videoSettings: { duration: 2, resolution: '360x640', fps: 30 } });
    const progress = [];
    const a = await ve.renderChunk(config, { startFrame: 0, endFrame: 31 }, path.join(dir, 'parts', 'a.mp4'), { onProgress: (p) => progress.push(p) });
    const b = await ve.renderChunk(JSON.stringify(config), { startFrame: 31, endFrame: 60 }, 'b.mp4', { baseDir: path.join(dir, 'parts') });
    const audio = await ve.renderAudio(config, path.join(dir, 'parts', 'audio.mp4'));
    const stitched = await ve.stitch({ segments: [a.outputPath, 'b.mp4'], audio: audio.outputPath }, path.join(dir, 'parts', 'joined.mp4'), { baseDir: path.join(dir, 'parts') });
    expect([a.frames, b.frames, b.startFrame]).toEqual([31, 29, 31]);
    expect(b.outputPath).toBe(path.join(dir, 'parts', 'b.mp4'));
    expect(a.encoder).toBe('libx264');
    expect(progress.at(-1).percent).toBe(100);
    expect(stitched.frames).toBe(60);
    expect(stitched.durationMs).toBeCloseTo(2000, 6);
    const meta = await engine.getVideoMetadata(stitched.outputPath);
    expect(meta.streams.map((st) => st.type).sort()).toEqual(['audio', 'video']);
    expect(meta.streams.find((st) => st.type === 'video').frames).toBe(60);
    // +faststart: the index (moov) comes before the media data (mdat).
    const head = fs.readFileSync(stitched.outputPath).subarray(0, 4096).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(-1);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));

    const distributed = await renderDistributed(config, path.join(dir, 'typed.mp4'), { connection: redis.url, sharedDirectory: shared, chunkFrames: 20 });
    const literal = (value) => JSON.stringify(value, null, 1);
    const fixture = `import type * as C from ${JSON.stringify(path.join(ROOT, 'types', 'cluster'))};
import type * as T from ${JSON.stringify(path.join(ROOT, 'types', 'index'))};
export const chunk = ${literal(a)} satisfies C.ChunkResult;
export const audio = ${literal(audio)} satisfies T.ProcessResult;
export const stitched = ${literal(stitched)} satisfies C.StitchResult;
export const distributed = ${literal(distributed)} satisfies C.DistributedResult;
declare const ve: T.VideoEngine;
export const engineOptions: T.VideoEngineOptions = { memoryLimitMb: 300, x264Threads: 'auto' };
export const calls = [ve.renderChunk({ messages: [] }, { startFrame: 0, endFrame: 1 }, 'x.mp4'), ve.stitch({ segments: ['a.mp4'], audio: 'b.mp4' }, 'c.mp4')];
export async function worker(): Promise<void> {
  const w: C.ClusterWorker = await (null as unknown as typeof C.createWorker)({ connection: 'redis://h:1', sharedDirectory: '/s', lockDuration: 5000, memoryLimitMb: 512, x264Threads: 'frames' });
  await w.close();
}
`;
    const file = path.join(dir, 'cluster-fixture.ts');
    fs.writeFileSync(file, fixture);
    const tsc = spawnSync(process.execPath, [TSC, '--strict', '--noEmit', '--target', 'es2022', '--module', 'commonjs',
      '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--types', 'node', file], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr, 'tsc --strict over the typed fixture').toBe('');
  }, 120000);

  it('loads as reelspeed-engine/cluster from CommonJS and ESM (the package\'s "exports")', async () => {
    expect(require.resolve('reelspeed-engine/cluster')).toBe(path.join(ROOT, 'js', 'cluster', 'index.js'));
    // Plain Node (not vitest's loader): the ESM entry re-exports the CommonJS module's functions.
    const script = `import cluster, { renderDistributed, createWorker } from 'reelspeed-engine/cluster';
import { createRequire } from 'node:module';
const cjs = createRequire(import.meta.url)('reelspeed-engine/cluster');
console.log(JSON.stringify([renderDistributed === cjs.renderDistributed, createWorker === cjs.createWorker, cluster === cjs]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([true, true, true]);
  });

  it('checks their arguments: a range outside the scene, a bad range, a missing segment, segments of another render', async () => {
    const ve = new engine.VideoEngine();
    const config = tinyConfig();
    const outside = await rejection(ve.renderChunk(config, { startFrame: 10, endFrame: 31 }, path.join(dir, 'o.mp4')));
    expect(outside.code).toBe('ERR_INVALID_CONFIG');
    expect(outside.message).toContain('endFrame <= 30');
    const bad = await rejection(ve.renderChunk(config, { startFrame: 5, endFrame: 5 }, path.join(dir, 'o.mp4')));
    expect(bad.code).toBe('ERR_INVALID_ARG_TYPE');
    const frac = await rejection(ve.renderChunk(config, { startFrame: 0.5, endFrame: 5 }, path.join(dir, 'o.mp4')));
    expect(frac.message).toContain('range.startFrame');
    const missing = await rejection(ve.stitch({ segments: [path.join(dir, 'nope.mp4')], audio: path.join(dir, 'nope.mp4') }, path.join(dir, 'o.mp4')));
    expect(missing.code).toBe('ERR_INPUT_NOT_FOUND');
    const empty = await rejection(ve.stitch({ segments: [], audio: 'x.mp4' }, path.join(dir, 'o.mp4')));
    expect(empty.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(fs.existsSync(path.join(dir, 'o.mp4'))).toBe(false);
  });
});
