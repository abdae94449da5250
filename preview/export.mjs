// Export in the browser: the Scene's frames drawn by the preview and encoded with WebCodecs, the
// audio mix encoded alongside, muxed with mediabunny (npm). H.264 + AAC in MP4 where the browser
// encodes both; H.264 + Opus in MP4 where it has no AAC encoder; VP9 + Opus in WebM without
// H.264. The result says which.
//
// Two ways to run it: on the calling thread, or (options.worker) in a dedicated module Worker
// (export-worker.mjs) that draws the frames with CanvasKit on an OffscreenCanvas and encodes them
// there, so the page stays responsive. The soundtrack is mixed as the engine mixes it (audio.mjs
// mixScene); with a worker the page only decodes the files (decodeAudioData does not exist in
// workers) and the worker mixes them.

import { createPreview } from './index.mjs';
import { decodeSceneAudio, decodedBuffers, mixSceneAudio } from './audio.mjs';

export function exportError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

const aborted = (what) => exportError('ERR_ABORTED', `${what}: aborted`);

/** fps of a Scene's frameRate ('30', '30000/1001'). */
function sceneFps(scene) {
  const [num, den] = String(scene.frameRate).split('/').map(Number);
  return { num, den: den || 1, fps: num / (den || 1) };
}

function sceneHasAudio(scene, options) {
  const a = scene.audio;
  return options.audio !== false && !!a?.enabled && (!!a.music || a.voices.length > 0);
}

/** Whether this browser encodes AAC-LC (mp4a.40.2) at 48 kHz stereo, as WebCodecs and mediabunny see it. */
async function aacSupported(mb) {
  if (typeof AudioEncoder !== 'undefined') {
    try {
      const r = await AudioEncoder.isConfigSupported({ codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 2, bitrate: 128000 });
      if (!r.supported) return false;
    } catch {
      return false;
    }
  }
  return mb.canEncodeAudio('aac', { numberOfChannels: 2, sampleRate: 48000, bitrate: 128000 });
}

/**
 * The codecs an export uses in this browser: H.264 in MP4 where it encodes H.264 at this size,
 * else VP9 in WebM; audio AAC in MP4 where the browser has an AAC encoder (AudioEncoder's
 * mp4a.40.2), else Opus.
 */
export async function chooseCodecs(mb, width, height, withAudio) {
  let container = 'mp4';
  let videoCodec = 'avc';
  if (!(await mb.canEncodeVideo('avc', { width, height }))) {
    if (!(await mb.canEncodeVideo('vp9', { width, height }))) throw exportError('ERR_UNSUPPORTED', `exportVideo: this browser encodes neither H.264 nor VP9 at ${width}x${height}`);
    videoCodec = 'vp9';
    container = 'webm';
  }
  let audioCodec = null;
  if (withAudio) {
    if (container === 'mp4' && (await aacSupported(mb))) audioCodec = 'aac';
    else if (await mb.canEncodeAudio('opus')) audioCodec = 'opus';
    else throw exportError('ERR_UNSUPPORTED', 'exportVideo: this browser encodes neither AAC nor Opus audio (pass audio: false for a silent video)');
  }
  return { container, videoCodec, audioCodec };
}

/** The default video bit rate: 8 Mbit/s at 1080x1920, scaled by area. */
const defaultBitrate = (width, height) => Math.round(8e6 * (width * height) / (1080 * 1920));

/**
 * Adds planar float PCM ({ sampleRate, channels: Float32Array[] }) to an AudioSampleSource in
 * one-second samples.
 */
async function addPcm(mb, source, pcm, isAborted) {
  const { sampleRate, channels } = pcm;
  const n = channels[0].length;
  const chunk = sampleRate;
  for (let at = 0; at < n; at += chunk) {
    if (isAborted()) return;
    const len = Math.min(chunk, n - at);
    const planar = new Float32Array(len * channels.length);
    channels.forEach((c, i) => planar.set(c.subarray(at, at + len), i * len));
    const sample = new mb.AudioSample({ data: planar, format: 'f32-planar', numberOfChannels: channels.length, sampleRate, timestamp: at / sampleRate });
    await source.add(sample);
    sample.close();
  }
}

/**
 * The export itself, on whichever thread runs it: `mb` the mediabunny module, `pcm` the mixed
 * soundtrack (or null), `hooks` { onProgress, isAborted }. Resolves with the result object.
 */
export async function encodeScene(mb, scene, options, pcm, hooks) {
  const { width, height } = scene;
  const { num, den, fps } = sceneFps(scene);
  const { container, videoCodec, audioCodec } = await chooseCodecs(mb, width, height, !!pcm);
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
  const preview = await createPreview(canvas, scene, { ...options, mode: options.mode ?? 'exact', audio: false });
  const output = new mb.Output({ format: container === 'mp4' ? new mb.Mp4OutputFormat() : new mb.WebMOutputFormat(), target: new mb.BufferTarget() });
  try {
    const video = new mb.CanvasSource(canvas, { codec: videoCodec, bitrate: options.videoBitrate ?? defaultBitrate(width, height) });
    output.addVideoTrack(video, { frameRate: fps });
    let audio = null;
    if (audioCodec) {
      audio = new mb.AudioSampleSource({ codec: audioCodec, bitrate: scene.audio.bitRate });
      output.addAudioTrack(audio);
    }
    await output.start();
    const frameCount = scene.frameCount;
    for (let i = 0; i < frameCount; i++) {
      if (hooks.isAborted()) throw aborted('exportVideo');
      const t = (i * 1000 * den) / num;
      await preview.showFrame(t);
      await video.add(t / 1000, 1 / fps);
      hooks.onProgress?.({ frame: i + 1, frameCount, percent: ((i + 1) / frameCount) * 100 });
    }
    if (audio) await addPcm(mb, audio, pcm, hooks.isAborted);
    if (hooks.isAborted()) throw aborted('exportVideo');
    await output.finalize();
    return {
      data: new Uint8Array(output.target.buffer),
      container,
      mimeType: container === 'mp4' ? 'video/mp4' : 'video/webm',
      videoCodec: videoCodec === 'avc' ? 'h264' : 'vp9',
      audioCodec,
    };
  } catch (e) {
    if (output.state === 'started' || output.state === 'pending') await output.cancel().catch(() => {});
    throw e;
  } finally {
    preview.destroy();
  }
}


/** The URL of a module the page resolves (an import map), for a worker that cannot: undefined where it does not resolve. */
function resolvedUrl(specifier) {
  try {
    const url = import.meta.resolve?.(specifier);
    return url && /^(https?|blob|data|file):/.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** An absolute URL of a folder (canvasKitBase), as a worker resolves URLs against its own. */
function absoluteBase(base) {
  if (typeof base !== 'string') return undefined;
  try {
    return new URL(base, globalThis.location?.href).href;
  } catch {
    return base;
  }
}

/**
 * Runs `job` in a new export worker and resolves with its result. `signal` aborts it: the worker
 * is terminated at once and the promise rejects with ERR_ABORTED.
 */
export function runInWorker(job, transfer, { signal, onProgress, what }) {
  if (typeof Worker === 'undefined') return Promise.reject(exportError('ERR_UNSUPPORTED', `${what}: this environment has no Worker`));
  if (signal?.aborted) return Promise.reject(aborted(what));
  return new Promise((resolve, reject) => {
    // The literal form bundlers (Vite, webpack 5) recognise: the worker ships with the package's files.
    const worker = new Worker(new URL('./export-worker.mjs', import.meta.url), { type: 'module' });
    const done = () => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => { done(); reject(aborted(what)); };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onmessage = ({ data: m }) => {
      if (m.type === 'progress') {
        try { onProgress?.(m.progress); } catch { /* a throwing listener does not stop the export */ }
      } else if (m.type === 'done') {
        done();
        resolve(m.result);
      } else if (m.type === 'error') {
        done();
        reject(exportError(m.code ?? 'ERR_INTERNAL', m.message));
      }
    };
    worker.onerror = (ev) => {
      done();
      reject(exportError('ERR_INTERNAL', `${what}: the export worker failed: ${ev.message ?? 'cannot load export-worker.mjs'}`));
    };
    worker.postMessage({
      ...job,
      env: { canvasKitBase: absoluteBase(job.env?.canvasKitBase), mediabunnyUrl: job.env?.mediabunnyUrl ?? resolvedUrl('mediabunny') },
    }, transfer);
  });
}

/**
 * Renders `scene` to a video file in the browser. Options: assetBase (as createPreview), mode
 * ('exact' default), videoBitrate (bit/s, default 8 Mbit/s at 1080x1920 scaled by area), onProgress({ frame,
 * frameCount, percent }), signal (AbortSignal: rejects with ERR_ABORTED), audio (default true),
 * mediabunny (the module, where a bare import('mediabunny') does not resolve: a page without a bundler),
 * worker (true: draw and encode in a dedicated Worker; assetBase must then be a string, and the
 * worker loads mediabunny itself: by a bundler, the page's import map or options.mediabunnyUrl,
 * and CanvasKit from canvas-kit-wasm or canvasKitBase + 'canvaskit.js').
 * Resolves with { data: Uint8Array, container, mimeType, videoCodec, audioCodec }.
 */
export async function exportVideo(scene, options = {}) {
  const signal = options.signal;
  if (signal?.aborted) throw aborted('exportVideo');
  if (options.worker) {
    if (typeof options.assetBase !== 'string') throw exportError('ERR_INVALID_ARG_TYPE', 'exportVideo: with worker: true, options.assetBase must be a URL prefix string (a function cannot go to a worker)');
    if (scene?.background?.type === 'video') throw exportError('ERR_UNSUPPORTED', 'exportVideo: a video background needs an HTML video element, which a worker has not: export it with worker: false');
    // The files are decoded here (decodeAudioData needs a window); the worker mixes them as the engine does.
    const decoded = sceneHasAudio(scene, options) ? await decodeSceneAudio(scene, { assetBase: options.assetBase }) : null;
    if (signal?.aborted) throw aborted('exportVideo');
    const { onProgress, signal: _s, mediabunny: _m, worker: _w, canvasKit: _c, CanvasKitInit: _i, mediabunnyUrl, canvasKitBase, ...rest } = options;
    return runInWorker(
      { type: 'scene', scene, options: { ...rest, assetBase: new URL(options.assetBase, globalThis.location?.href).href }, decoded, env: { canvasKitBase, mediabunnyUrl } },
      decoded ? decodedBuffers(decoded) : [],
      { signal, onProgress, what: 'exportVideo' },
    );
  }
  let mb = options.mediabunny;
  try {
    mb ??= await import('mediabunny');
  } catch (e) {
    throw exportError('ERR_DEPENDENCY', `exportVideo needs the optional dependency mediabunny (npm install mediabunny): ${e?.message ?? e}`);
  }
  if (typeof VideoEncoder === 'undefined') throw exportError('ERR_UNSUPPORTED', 'exportVideo: this browser has no WebCodecs (VideoEncoder)');
  const pcm = sceneHasAudio(scene, options) ? await mixSceneAudio(scene, { assetBase: options.assetBase }) : null;
  return encodeScene(mb, scene, options, pcm, { onProgress: options.onProgress, isAborted: () => !!signal?.aborted });
}
