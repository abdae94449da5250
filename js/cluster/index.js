'use strict';
/**
 * reelspeed-engine/cluster: one render spread over machines through BullMQ on Redis.
 *
 * `renderDistributed` splits a render into chunks of frames and enqueues them as one BullMQ flow:
 * the chunk jobs and the soundtrack job are the children, the stitch job is the parent, so BullMQ
 * runs the stitch only once every child has completed. `createWorker` starts a worker that takes
 * any of these jobs: a chunk renders its frames into a closed-GOP H.264 segment (engine
 * `renderChunk`), the soundtrack job renders the whole audio once (`renderAudio`), the stitch
 * joins the segments and the audio without re-encoding (`stitch`). Segments travel through
 * `sharedDirectory` (a network filesystem in production), under `render-<id>/`; the engine writes
 * each under a temporary name and renames it when complete, so a killed worker never leaves a
 * segment that looks complete. A worker that dies mid-chunk stops renewing its lock; BullMQ's
 * stalled-job check hands the chunk to another worker.
 * BullMQ and its Redis driver, ioredis, are optional peer dependencies of reelspeed-engine (only
 * this module needs them): `npm install bullmq@6 ioredis@6` beside it.
 * Types: types/cluster.d.ts.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadNative } = require('../native');

const DEFAULT_QUEUE = 'reelspeed';
const DEFAULT_CHUNK_FRAMES = 300;
const AUDIO_FILE = 'audio.mp4';
const OUTPUT_FILE = 'output.mp4';
/** Share of the progress bar the stitch takes (the chunks take the rest). */
const STITCH_SHARE = 0.03;
/** How often a worker looks for a render's cancellation, and reports a job's progress. */
const CANCEL_POLL_MS = 250;
const PROGRESS_EVERY_MS = 200;

let queueLib;
/** bullmq and ioredis, loaded at the first call: ERR_DEPENDENCY when they are not installed. */
function lib() {
  if (queueLib) return queueLib;
  try {
    queueLib = { ...require('bullmq'), IORedis: require('ioredis') };
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    throw codedError('ERR_DEPENDENCY', `reelspeed-engine/cluster needs bullmq and ioredis, which are not installed (${e.message.split('\n')[0]}): npm install bullmq@6 ioredis@6`);
  }
  return queueLib;
}

function codedError(code, message, name) {
  const e = new Error(message);
  e.code = code;
  if (name) e.name = name;
  return e;
}

function argError(message) {
  return codedError('ERR_INVALID_ARG_TYPE', message, 'TypeError');
}

function abortError(reason) {
  const why = reason instanceof Error ? `: ${reason.message}` : '';
  return codedError('ERR_ABORTED', `the distributed render was aborted${why}`, 'AbortError');
}

/**
 * A worker's error travels through BullMQ as its message: "[ERR_CODE] message", and for a config
 * validation a last line "[errors] <JSON of { path, message }[]>".
 */
function encodeError(e) {
  const errors = Array.isArray(e.errors) ? `\n[errors] ${JSON.stringify(e.errors.map(({ path: p, message }) => ({ path: p, message })))}` : '';
  return `[${e.code || 'ERR_INTERNAL'}] ${e.message}${errors}`;
}

function decodeError(reason) {
  const m = /^\[(ERR_[A-Z_]+)\] ([\s\S]*?)(?:\n\[errors\] (\[.*\]))?$/.exec(String(reason || ''));
  if (!m) return codedError('ERR_INTERNAL', `a cluster job failed: ${reason}`);
  const e = m[1] === 'ERR_ABORTED' ? codedError(m[1], m[2], 'AbortError') : codedError(m[1], m[2]);
  if (m[3]) {
    try {
      e.errors = JSON.parse(m[3]);
    } catch { /* the message stands alone */ }
  }
  return e;
}

/**
 * `connection`: a redis:// URL or ioredis options ({ host, port, password, db, ... }), as
 * ioredis options. BullMQ's blocking connections need `maxRetriesPerRequest: null`.
 */
function connectionOptions(connection, field = 'options.connection') {
  if (typeof connection === 'string') {
    let url;
    try {
      url = new URL(connection);
    } catch {
      throw argError(`${field}: expected a redis:// URL or ioredis options, got "${connection}"`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw argError(`${field}: expected a redis:// or rediss:// URL, got "${connection}"`);
    }
    const o = { host: url.hostname || '127.0.0.1', port: url.port ? Number(url.port) : 6379 };
    if (url.username) o.username = decodeURIComponent(url.username);
    if (url.password) o.password = decodeURIComponent(url.password);
    const db = url.pathname.replace(/^\//, '');
    if (db) o.db = Number(db);
    if (url.protocol === 'rediss:') o.tls = {};
    return o;
  }
  if (connection && typeof connection === 'object' && !Array.isArray(connection)) return { ...connection };
  throw argError(`${field}: expected a redis:// URL or ioredis options ({ host, port }), got ${describe(connection)}`);
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  return typeof v === 'number' ? String(v) : typeof v;
}

function where(o) {
  return `${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`;
}

/** Connects once, without retrying: an unreachable Redis is an error at once, not a hang. */
async function probeRedis(options) {
  const { IORedis } = lib();
  const client = new IORedis({
    ...options, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: options.connectTimeout ?? 3000,
    retryStrategy: () => null, reconnectOnError: () => false,
  });
  let cause;
  client.on('error', (e) => { cause ??= e; });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw codedError('ERR_DEPENDENCY', `connection: cannot reach Redis at ${where(options)} (${(cause ?? e).message}); is redis-server running there?`);
  } finally {
    client.disconnect();
  }
}

function checkQueueName(name, field) {
  if (name === undefined) return DEFAULT_QUEUE;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
    throw argError(`${field}: expected a name of letters, digits, '_', '.' or '-', got ${describe(name)}`);
  }
  return name;
}

function checkDirectory(dir, field) {
  if (typeof dir !== 'string' || dir.trim() === '') throw argError(`${field}: expected a folder path, got ${describe(dir)}`);
  const full = path.resolve(dir);
  try {
    fs.mkdirSync(full, { recursive: true });
  } catch (e) {
    throw codedError('ERR_OUTPUT', `${field}: cannot create the folder ${full} (${e.message})`);
  }
  return full;
}

function checkInteger(v, field, min, fallback) {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min) throw argError(`${field}: expected an integer >= ${min}, got ${describe(v)}`);
  return v;
}

/** A render's folder in the shared directory; its id is checked so job data cannot name another path. */
function renderFolder(sharedDirectory, renderId) {
  if (typeof renderId !== 'string' || !/^[a-z0-9]{8,64}$/.test(renderId)) {
    throw codedError('ERR_INVALID_ARG_TYPE', `job data: not a render id: ${describe(renderId)}`);
  }
  return path.join(sharedDirectory, `render-${renderId}`);
}

/** A file of a render's folder named by job data: a plain .mp4 name, never a path. */
function fileIn(folder, name) {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.mp4$/.test(name)) {
    throw codedError('ERR_INVALID_ARG_TYPE', `job data: not a segment file name: ${describe(name)}`);
  }
  return path.join(folder, name);
}

function segmentName(index) {
  return `chunk-${String(index).padStart(5, '0')}.mp4`;
}

/**
 * The soundtrack job has a queue of its own, on which every worker runs one job beside its
 * chunks: the audio renders while the frames do (as in one process, where the mix and the AAC
 * encode run beside the frame rendering), not in a chunk's turn.
 */
function audioQueueOf(queueName) {
  return `${queueName}.audio`;
}

function cancelKey(queueName, renderId) {
  return `reelspeed:${queueName}:cancel:${renderId}`;
}

/** Moves a finished file into place: rename, or across file systems a copy under a hidden name, then rename. */
function moveInto(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if (e.code !== 'EXDEV') throw e;
    const staging = path.join(path.dirname(to), `.${path.basename(to)}.${crypto.randomBytes(4).toString('hex')}.part`);
    try {
      fs.copyFileSync(from, staging);
      fs.renameSync(staging, to);
    } finally {
      fs.rmSync(staging, { force: true });
    }
    fs.rmSync(from, { force: true });
  }
}

const sum = (chunks, stage) => Math.round(chunks.reduce((n, c) => n + c.stages[stage], 0) * 10) / 10;

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Renders `config` to `outputPath` on the workers listening on `queueName`, in chunks of
 * `chunkFrames` frames. Resolves with processVideo's result (for the stitched file) plus
 * `chunks`: each chunk's frames and timings. Rejects with the code of a chunk that failed,
 * ERR_ABORTED when `signal` aborts (queued chunks and partial segments removed), ERR_DEPENDENCY
 * when Redis cannot be reached.
 */
async function renderDistributed(config, outputPath, options) {
  const started = Date.now();
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw argError(`options: expected { connection, sharedDirectory, ... }, got ${describe(options)}`);
  }
  const allowed = ['connection', 'sharedDirectory', 'chunkFrames', 'queueName', 'onProgress', 'signal', 'baseDir', 'inputPath'];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw argError(`options.${key} is not a known option (allowed: ${allowed.join(', ')})`);
  }
  if (typeof outputPath !== 'string' || outputPath.trim() === '') throw argError(`outputPath: expected a non-empty path, got ${describe(outputPath)}`);
  const redis = connectionOptions(options.connection);
  const queueName = checkQueueName(options.queueName, 'options.queueName');
  const chunkFrames = checkInteger(options.chunkFrames, 'options.chunkFrames', 1, DEFAULT_CHUNK_FRAMES);
  const { onProgress, signal } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw argError(`options.onProgress: expected a function, got ${describe(onProgress)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw argError(`options.signal: expected an AbortSignal, got ${describe(signal)}`);
  if (options.inputPath !== undefined) {
    throw codedError('ERR_INVALID_CONFIG', 'options.inputPath: a distributed render takes its background from the config (backgroundSettings.backgroundUrl), not from an input path');
  }
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  const finalPath = path.resolve(baseDir, outputPath);
  if (signal?.aborted) throw abortError(signal.reason);
  const sharedDirectory = checkDirectory(options.sharedDirectory, 'options.sharedDirectory');

  // The config is validated here, once; the frame count splits the work.
  const { FlowProducer, Queue, QueueEvents, IORedis } = lib();
  const engine = require('../index.js');
  const scene = await engine.compileScene(config, { baseDir });
  const totalFrames = scene.frameCount;
  await probeRedis(redis);
  if (signal?.aborted) throw abortError(signal.reason);

  const renderId = crypto.randomBytes(12).toString('hex');
  const folder = renderFolder(sharedDirectory, renderId);
  fs.mkdirSync(folder, { recursive: true });
  const ranges = [];
  for (let start = 0; start < totalFrames; start += chunkFrames) ranges.push([start, Math.min(totalFrames, start + chunkFrames)]);
  const ids = {
    stitch: `${renderId}-stitch`,
    audio: `${renderId}-audio`,
    chunks: ranges.map((_, i) => `${renderId}-chunk-${i}`),
  };
  const connection = { ...redis, maxRetriesPerRequest: null };
  const audioQueueName = audioQueueOf(queueName);
  const queue = new Queue(queueName, { connection });
  const audioQueue = new Queue(audioQueueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  const audioEvents = new QueueEvents(audioQueueName, { connection });
  const flow = new FlowProducer({ connection });
  for (const c of [queue, audioQueue, events, audioEvents, flow]) c.on('error', () => {}); // connection errors surface through the calls

  // Progress: the frames each chunk has done (its best so far: a retried chunk starts again), then the stitch.
  const chunkDone = new Map();
  let lastPercent = -1;
  let stitching = false;
  const report = (stage) => {
    if (!onProgress) return;
    let frames = 0;
    for (const v of chunkDone.values()) frames += v;
    frames = Math.min(frames, totalFrames);
    const percent = Math.min(100, (frames / totalFrames) * (1 - STITCH_SHARE) * 100 + (stage === 'done' ? STITCH_SHARE * 100 : 0));
    if (percent < lastPercent || (percent === lastPercent && stage !== 'stitch')) return;
    lastPercent = percent;
    const seconds = (Date.now() - started) / 1000;
    const fps = seconds > 0 ? frames / seconds : 0;
    const etaMs = stage === 'done' ? 0 : fps > 0 ? Math.round(((totalFrames - frames) / fps) * 1000) : null;
    try {
      onProgress({ frame: frames, totalFrames, percent: Math.round(percent * 100) / 100, fps: Math.round(fps * 10) / 10, etaMs, stage });
    } catch { /* a throwing progress callback must not break the render */ }
  };
  const chunkIndex = new Map(ids.chunks.map((id, i) => [id, i]));

  let settle;
  const outcome = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  const onEventProgress = ({ jobId, data }) => {
    if (!chunkIndex.has(jobId) || !data || typeof data.frame !== 'number') return;
    chunkDone.set(jobId, Math.max(chunkDone.get(jobId) ?? 0, data.frame));
    report('render');
  };
  const onCompleted = ({ jobId, returnvalue }) => {
    if (chunkIndex.has(jobId)) {
      const [s, e] = ranges[chunkIndex.get(jobId)];
      chunkDone.set(jobId, e - s);
      report('render');
    } else if (jobId === ids.stitch) {
      settle.resolve(typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue);
    }
  };
  const onFailed = ({ jobId, failedReason }) => {
    if (jobId === ids.audio || chunkIndex.has(jobId)) settle.reject(decodeError(failedReason));
    else if (jobId === ids.stitch) {
      // A child's failure fails the stitch too; the child's own error (its code) is the one to give.
      delay(300).then(() => settle.reject(decodeError(failedReason)));
    }
  };
  const onActive = ({ jobId }) => {
    if (jobId === ids.stitch && !stitching) {
      stitching = true;
      report('stitch');
    }
  };
  events.on('progress', onEventProgress);
  events.on('completed', onCompleted);
  events.on('failed', onFailed);
  events.on('active', onActive);
  audioEvents.on('failed', onFailed);
  let onAbort;
  const aborted = new Promise((_, reject) => {
    onAbort = () => reject(abortError(signal.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});

  const data = { renderId, config: typeof config === 'string' ? config : JSON.stringify(config), baseDir };
  const childOpts = (jobId) => ({ jobId, failParentOnFailure: true, attempts: 1 });
  let result;
  try {
    await Promise.all([events.waitUntilReady(), audioEvents.waitUntilReady()]);
    await flow.add({
      name: 'stitch',
      queueName,
      data: { renderId, segments: ranges.map((_, i) => segmentName(i)), audio: AUDIO_FILE, output: OUTPUT_FILE, audioJob: ids.audio, chunkJobs: ids.chunks },
      opts: { jobId: ids.stitch, attempts: 1 },
      children: [
        { name: 'audio', queueName: audioQueueName, data, opts: childOpts(ids.audio) },
        ...ranges.map(([startFrame, endFrame], i) => ({
          name: 'chunk', queueName, data: { ...data, index: i, startFrame, endFrame, segment: segmentName(i) }, opts: childOpts(ids.chunks[i]),
        })),
      ],
    });
    report('queued');
    const value = await Promise.race([outcome, aborted]);
    moveInto(path.join(folder, OUTPUT_FILE), finalPath);
    const wallMs = Date.now() - started;
    const { worker: audioWorker, ...audio } = value.audio;
    result = {
      ...audio,
      outputPath: finalPath,
      durationMs: value.stitch.durationMs,
      fileSize: value.stitch.fileSize,
      metadata: {
        ...audio.metadata,
        frames: value.stitch.frames,
        wallMs,
        renderFps: Math.round((value.stitch.frames / Math.max(1e-9, wallMs / 1000)) * 10) / 10,
        reusedFrames: value.chunks.reduce((n, c) => n + (c.reusedFrames ?? 0), 0),
        // The soundtrack job's, and each different one a chunk gave (e.g. x264's slice threads under a worker's memoryLimitMb).
        warnings: [...new Set([...audio.metadata.warnings, ...value.chunks.flatMap((c) => c.warnings ?? [])])],
        // Summed over the workers: render, convert and encode from the chunks, audio from the
        // soundtrack job, mux from it and the stitch.
        stages: {
          renderMs: sum(value.chunks, 'renderMs'),
          convertMs: sum(value.chunks, 'convertMs'),
          encodeMs: sum(value.chunks, 'encodeMs'),
          audioMs: audio.metadata.stages.audioMs,
          muxMs: Math.round((sum(value.chunks, 'muxMs') + audio.metadata.stages.muxMs + value.stitch.wallMs) * 10) / 10,
        },
      },
      chunks: value.chunks,
      audioJob: { wallMs: audio.metadata.wallMs, worker: audioWorker },
      stitch: { wallMs: value.stitch.wallMs, worker: value.stitchWorker },
    };
    report('done');
  } catch (e) {
    // Stop what still runs: workers see the cancellation and abort their chunk; queued jobs go.
    const control = new IORedis({ ...redis, maxRetriesPerRequest: 1, retryStrategy: () => null });
    control.on('error', () => {});
    await control.set(cancelKey(queueName, renderId), '1', 'EX', 3600).catch(() => {});
    control.disconnect();
    await removeRender(queue, audioQueue, ids);
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    events.off('progress', onEventProgress);
    events.off('completed', onCompleted);
    events.off('failed', onFailed);
    events.off('active', onActive);
    audioEvents.off('failed', onFailed);
    fs.rmSync(folder, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    await Promise.allSettled([events.close(), audioEvents.close(), flow.close()]);
    if (result) await removeRender(queue, audioQueue, ids);
    await Promise.allSettled([queue.close(), audioQueue.close()]);
  }
  return result;
}

/**
 * Removes a render's jobs from Redis. Jobs a worker still holds are locked: their workers abort
 * them on the cancellation key, so the removal is retried until they have let go (a worker
 * that died holds its lock until it expires).
 */
async function removeRender(queue, audioQueue, ids, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await queue.remove(ids.stitch, { removeChildren: true }).catch(() => 0);
    const left = await Promise.all([
      ...[ids.stitch, ...ids.chunks].map((id) => queue.getJob(id).catch(() => null)),
      audioQueue.getJob(ids.audio).catch(() => null),
    ]);
    if (left.every((j) => !j)) return;
    // A child left on its own (its parent already gone) is removed by itself.
    for (const job of left) if (job) await job.remove().catch(() => {});
    await delay(200);
  }
}

/**
 * Starts a worker for the distributed renders of `queueName`. Resolves once it is connected
 * (ERR_DEPENDENCY at once when Redis cannot be reached). `close()` stops taking jobs, lets the
 * running ones finish, and disconnects.
 */
async function createWorker(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw argError(`options: expected { connection, sharedDirectory, ... }, got ${describe(options)}`);
  }
  const allowed = ['connection', 'sharedDirectory', 'concurrency', 'tempDirectory', 'memoryLimitMb', 'x264Threads', 'queueName', 'lockDuration', 'stalledInterval', 'maxStalledCount', 'name'];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw argError(`options.${key} is not a known option (allowed: ${allowed.join(', ')})`);
  }
  const redis = connectionOptions(options.connection);
  const sharedDirectory = checkDirectory(options.sharedDirectory, 'options.sharedDirectory');
  const concurrency = checkInteger(options.concurrency, 'options.concurrency', 1, 1);
  const queueName = checkQueueName(options.queueName, 'options.queueName');
  const lockDuration = checkInteger(options.lockDuration, 'options.lockDuration', 1000, 30000);
  const stalledInterval = checkInteger(options.stalledInterval, 'options.stalledInterval', 1000, 30000);
  const maxStalledCount = checkInteger(options.maxStalledCount, 'options.maxStalledCount', 0, 1);
  const name = options.name ?? `${os.hostname()}:${process.pid}`;
  if (typeof name !== 'string') throw argError(`options.name: expected a string, got ${describe(name)}`);
  const engineOptions = { maxConcurrentJobs: concurrency + 1 }; // the chunks, and a soundtrack beside them
  if (options.tempDirectory !== undefined) engineOptions.tempDirectory = checkDirectory(options.tempDirectory, 'options.tempDirectory');
  if (options.memoryLimitMb !== undefined) engineOptions.memoryLimitMb = options.memoryLimitMb;
  if (options.x264Threads !== undefined) engineOptions.x264Threads = options.x264Threads;
  // Before Redis is tried, so that a bad option (memoryLimitMb, x264Threads: checked by the engine, as VideoEngine's) fails as one.
  const { VideoEngine } = loadNative();
  const engine = new VideoEngine(engineOptions);
  const { Worker, UnrecoverableError, IORedis } = lib();
  await probeRedis(redis);

  const connection = { ...redis, maxRetriesPerRequest: null };
  const control = new IORedis(connection);
  control.on('error', () => {});

  const processor = async (job) => {
    const folder = renderFolder(sharedDirectory, job.data.renderId);
    const key = cancelKey(queueName, job.data.renderId);
    if (await control.exists(key)) throw new UnrecoverableError(encodeError(abortError()));
    const abort = new AbortController();
    const poll = setInterval(() => {
      control.exists(key).then((n) => { if (n) abort.abort(); }, () => {});
    }, CANCEL_POLL_MS);
    let lastProgress = 0;
    const onProgress = (p) => {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_EVERY_MS && p.frame < p.totalFrames) return;
      lastProgress = now;
      job.updateProgress({ frame: p.frame, totalFrames: p.totalFrames, stage: p.stage }).catch(() => {});
    };
    const common = { baseDir: job.data.baseDir, signal: abort.signal };
    try {
      fs.mkdirSync(folder, { recursive: true });
      const t0 = Date.now();
      switch (job.name) {
        case 'chunk': {
          const { startFrame, endFrame, index } = job.data;
          const r = await engine.renderChunk(job.data.config, { startFrame, endFrame }, fileIn(folder, job.data.segment), { ...common, onProgress });
          return {
            index, startFrame, endFrame, frames: r.frames, wallMs: r.wallMs, renderFps: r.renderFps, reusedFrames: r.reusedFrames, stages: r.stages, x264Threads: r.x264Threads, warnings: r.warnings,
            jobMs: Date.now() - t0, worker: name, attempt: job.attemptsStarted ?? 1, stalled: job.stalledCounter ?? 0,
          };
        }
        case 'audio':
          return { ...(await engine.renderAudio(job.data.config, path.join(folder, AUDIO_FILE), common)), worker: name };
        case 'stitch': {
          const values = await job.getChildrenValues();
          const byId = (id) => Object.entries(values).find(([k]) => k.endsWith(`:${id}`))?.[1];
          const segments = job.data.segments.map((s) => fileIn(folder, s));
          const stitch = await engine.stitch({ segments, audio: fileIn(folder, job.data.audio) }, fileIn(folder, job.data.output), common);
          const audio = byId(job.data.audioJob);
          return { stitch, audio, stitchWorker: name, chunks: job.data.chunkJobs.map(byId) };
        }
        default:
          throw codedError('ERR_INVALID_ARG_TYPE', `job ${job.id}: unknown job name "${job.name}" (expected chunk, audio or stitch)`);
      }
    } catch (e) {
      // Engine errors are deterministic: retrying would fail the same way.
      throw new UnrecoverableError(encodeError(e));
    } finally {
      clearInterval(poll);
    }
  };

  const workerOptions = { connection, lockDuration, stalledInterval, maxStalledCount, name };
  const worker = new Worker(queueName, processor, { ...workerOptions, concurrency });
  const audioWorker = new Worker(audioQueueOf(queueName), processor, { ...workerOptions, concurrency: 1 });
  for (const w of [worker, audioWorker]) w.on('error', () => {});
  await Promise.all([worker.waitUntilReady(), audioWorker.waitUntilReady()]);
  let closing;
  return {
    worker,
    name,
    queueName,
    close() {
      closing ??= (async () => {
        await Promise.all([worker.close(), audioWorker.close()]);
        control.disconnect();
        engine.close();
      })();
      return closing;
    },
  };
}

module.exports = { renderDistributed, createWorker };
