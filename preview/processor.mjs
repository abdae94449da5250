// The spec's JavaScript interface (§4.2, wasm-bindings.ts): RustVideoProcessor, here on CanvasKit
// (Skia compiled to WebAssembly) and WebCodecs rather than a Rust WASM module; the name is the
// spec's, so the platform's frontend code runs unchanged. processVideo encodes in a Worker
// (export-worker.mjs).

import { loadCanvasKit } from './index.mjs';
import { getSupportedEffects, normalizeEffects, processVideoPreview } from './effects.mjs';
import { exportError, runInWorker } from './export.mjs';

const CODECS = {
  // config.codec: mediabunny's codec, the container, its MIME type
  h264: { codec: 'avc', container: 'mp4', mimeType: 'video/mp4' },
  vp8: { codec: 'vp8', container: 'webm', mimeType: 'video/webm' },
  vp9: { codec: 'vp9', container: 'webm', mimeType: 'video/webm' },
};

/** Bits per pixel per frame at quality q (1..100): 0.003 q (0.3 at 100). */
export const QUALITY_BITS_PER_PIXEL = 0.003;

/** The video bit rate (bit/s) processVideo encodes at: width × height × fps × 0.003 × quality. */
export function qualityToBitrate({ width, height, fps, quality }) {
  return Math.round(width * height * fps * QUALITY_BITS_PER_PIXEL * quality);
}

const configError = (message) => exportError('ERR_INVALID_CONFIG', message);

/**
 * Checks a VideoProcessingConfig and returns it normalised: { width, height, fps, codec, quality,
 * effects: normalised effects (the preview's form) in order }. Bad fields reject with
 * ERR_INVALID_CONFIG naming the field; a codec this module cannot write with ERR_UNSUPPORTED.
 */
export function checkProcessingConfig(config) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw configError('processVideo: config must be an object (VideoProcessingConfig)');
  const known = new Set(['width', 'height', 'fps', 'codec', 'quality', 'effects']);
  for (const k of Object.keys(config)) if (!known.has(k)) throw configError(`config.${k}: unknown field (width, height, fps, codec, quality, effects)`);
  const int = (k, max) => {
    const v = config[k];
    if (!Number.isInteger(v) || v < 2 || v > max || v % 2 !== 0) throw configError(`config.${k}: must be an even integer in 2..${max} (got ${JSON.stringify(v)})`);
    return v;
  };
  const width = int('width', 7680), height = int('height', 7680);
  const fps = config.fps;
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps <= 0 || fps > 240) throw configError(`config.fps: must be a number in (0, 240] (got ${JSON.stringify(fps)})`);
  if (typeof config.codec !== 'string') throw configError(`config.codec: must be 'h264', 'vp8' or 'vp9' (got ${JSON.stringify(config.codec)})`);
  if (!CODECS[config.codec]) throw exportError('ERR_UNSUPPORTED', `config.codec: '${config.codec}' is not a codec processVideo writes ('h264', 'vp8' or 'vp9')`);
  const quality = config.quality;
  if (typeof quality !== 'number' || !Number.isFinite(quality) || quality < 1 || quality > 100) throw configError(`config.quality: must be a number in 1..100 (got ${JSON.stringify(quality)})`);
  const list = config.effects ?? [];
  if (!Array.isArray(list)) throw configError(`config.effects: must be an array of EffectsConfig (got ${typeof list})`);
  const effects = list.map((e, i) => {
    try {
      return normalizeEffects(e);
    } catch (err) {
      const msg = String(err.message).replace(/^effects(?=[.:])/, `config.effects[${i}]`);
      const named = msg.startsWith(`config.effects[${i}]`) ? msg : `config.effects[${i}]: ${msg}`;
      throw exportError(err.code === 'ERR_UNSUPPORTED' ? 'ERR_UNSUPPORTED' : 'ERR_INVALID_CONFIG', named);
    }
  });
  return { width, height, fps, codec: config.codec, quality, effects };
}

/** Checks the frames against the config: ImageData or { width, height, data } RGBA of config's size. */
function checkFrames(frames, { width, height }) {
  if (!Array.isArray(frames) || frames.length === 0) throw exportError('ERR_INVALID_ARG_TYPE', 'processVideo: videoFrames must be a non-empty array of ImageData');
  frames.forEach((f, i) => {
    if (!f || typeof f !== 'object' || !f.data || typeof f.data.length !== 'number') throw exportError('ERR_INVALID_ARG_TYPE', `videoFrames[${i}]: not ImageData ({ width, height, data })`);
    if (f.width !== width || f.height !== height) throw exportError('ERR_INVALID_ARG_TYPE', `videoFrames[${i}]: ${f.width}x${f.height}, but config is ${width}x${height}`);
    if (f.data.length !== width * height * 4) throw exportError('ERR_INVALID_ARG_TYPE', `videoFrames[${i}]: data must hold width × height × 4 RGBA bytes (${width * height * 4}, got ${f.data.length})`);
  });
}

/**
 * The worker's half of processVideo: each frame through config.effects in order (the preview's
 * processVideoPreview, the engine's maths), drawn on an OffscreenCanvas and encoded.
 */
export async function encodeFrames(mb, frames, rawConfig, ckOptions, hooks) {
  const config = checkProcessingConfig(rawConfig);
  const { width, height, fps } = config;
  const c = CODECS[config.codec];
  if (!(await mb.canEncodeVideo(c.codec, { width, height }))) throw exportError('ERR_UNSUPPORTED', `config.codec: this browser cannot encode '${config.codec}' at ${width}x${height}`);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const output = new mb.Output({ format: c.container === 'mp4' ? new mb.Mp4OutputFormat() : new mb.WebMOutputFormat(), target: new mb.BufferTarget() });
  try {
    const video = new mb.CanvasSource(canvas, { codec: c.codec, bitrate: qualityToBitrate(config) });
    output.addVideoTrack(video, { frameRate: fps });
    await output.start();
    for (let i = 0; i < frames.length; i++) {
      let frame = frames[i];
      const steps = rawConfig.effects ?? [];
      for (let k = 0; k < steps.length; k++) {
        // The last effect step draws onto the canvas itself.
        frame = await processVideoPreview(k === steps.length - 1 ? canvas : null, frame, steps[k], ckOptions);
      }
      if (config.effects.length === 0) {
        const d = frame.data;
        ctx.putImageData(new ImageData(new Uint8ClampedArray(d.buffer, d.byteOffset, d.length), width, height), 0, 0);
      }
      await video.add(i / fps, 1 / fps);
      hooks.onProgress?.({ frame: i + 1, frameCount: frames.length, percent: ((i + 1) / frames.length) * 100 });
    }
    await output.finalize();
    return { data: new Uint8Array(output.target.buffer), container: c.container, mimeType: c.mimeType, videoCodec: config.codec, audioCodec: null };
  } catch (e) {
    if (output.state === 'started' || output.state === 'pending') await output.cancel().catch(() => {});
    throw e;
  }
}

function notInitialized() {
  return exportError('ERR_INVALID_ARG_TYPE', 'RustVideoProcessor: call initialize() first');
}

/**
 * The font options (fontUrl, font) of the constructor, initialize() or processVideo(), checked:
 * the one the later names wins. The package ships no font file (the engine's fonts are the
 * system's, served through a Scene's assets by the caller), so a text overlay needs one of them.
 */
function fontOptions(...sources) {
  const out = {};
  for (const [where, o] of sources) {
    if (!o) continue;
    if (o.fontUrl !== undefined) {
      if (typeof o.fontUrl !== 'string' || o.fontUrl === '') throw exportError('ERR_INVALID_ARG_TYPE', `${where}.fontUrl: must be a URL string (the engine's NotoSans-Bold.ttf)`);
      out.fontUrl = o.fontUrl;
      delete out.font;
    }
    if (o.font !== undefined) {
      if (!(o.font instanceof ArrayBuffer) && !ArrayBuffer.isView(o.font)) throw exportError('ERR_INVALID_ARG_TYPE', `${where}.font: must be the font file's bytes (ArrayBuffer or Uint8Array)`);
      out.font = o.font;
      delete out.fontUrl;
    }
  }
  return out;
}

/** fontUrl made absolute against the page (a worker would resolve it against its own script). */
function absoluteUrl(url) {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    return url;
  }
}

/**
 * The spec's RustVideoProcessor. Options (all optional): canvasKit, CanvasKitInit, canvasKitBase
 * (as createPreview's), mediabunnyUrl (where the worker imports mediabunny from, without a bundler),
 * fontUrl or font (the engine's NotoSans-Bold.ttf, for a textOverlay; also taken by initialize()
 * and processVideo()).
 */
export class RustVideoProcessor {
  #options;
  #ready = false;
  #init = null;

  constructor(options = {}) {
    this.#options = { ...options, ...fontOptions(['options', options]) };
  }

  /**
   * Loads CanvasKit once; later calls resolve at once. `options.fontUrl` / `options.font`: the
   * font of text overlays (the engine's NotoSans-Bold.ttf), replacing the constructor's.
   */
  async initialize(options = {}) {
    const font = fontOptions(['initialize options', options]);
    if (font.fontUrl !== undefined || font.font !== undefined) {
      delete this.#options.fontUrl;
      delete this.#options.font;
      Object.assign(this.#options, font);
    }
    if (this.#ready) return;
    this.#init ??= loadCanvasKit(this.#options).then(() => { this.#ready = true; }, (e) => { this.#init = null; throw e; });
    await this.#init;
  }

  /** Applies `effects` to `imageData` with the engine's maths and shows the result on `canvas`. */
  async processVideoPreview(canvas, imageData, effects) {
    if (!this.#ready) throw notInitialized();
    await processVideoPreview(canvas, imageData, effects, this.#options);
  }

  /** The effects processVideoPreview applies; [] before initialize(), as the spec's. */
  getSupportedEffects() {
    return this.#ready ? getSupportedEffects() : [];
  }

  /**
   * Encodes `videoFrames` (ImageData, config.width × config.height) at config.fps with
   * config.codec, each frame through config.effects in order, in a Worker. Resolves with the file:
   * MP4 for 'h264', WebM for 'vp8' and 'vp9'. `options`: { signal (rejects with ERR_ABORTED and
   * ends the worker), onProgress({ frame, frameCount, percent }), fontUrl or font (the font of
   * text overlays for this call, instead of initialize()'s) }.
   */
  async processVideo(videoFrames, config, options = {}) {
    if (!this.#ready) throw notInitialized();
    const checked = checkProcessingConfig(config);
    checkFrames(videoFrames, checked);
    const font = fontOptions(['RustVideoProcessor options', this.#options], ['processVideo options', options]);
    const overlay = checked.effects.findIndex((e) => e.textOverlay);
    if (overlay >= 0 && font.fontUrl === undefined && font.font === undefined) {
      throw exportError('ERR_INVALID_ARG_TYPE', `config.effects[${overlay}].textOverlay: needs the font: pass fontUrl (or font, its bytes), the engine's NotoSans-Bold.ttf, to initialize() or processVideo()`);
    }
    if (font.fontUrl !== undefined) font.fontUrl = absoluteUrl(font.fontUrl);
    if (font.font !== undefined) font.font = new Uint8Array(font.font instanceof ArrayBuffer ? font.font : font.font.buffer, font.font instanceof ArrayBuffer ? 0 : font.font.byteOffset, font.font.byteLength).slice();
    const frames = videoFrames.map((f) => ({ width: f.width, height: f.height, data: new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.length).slice() }));
    const r = await runInWorker(
      { type: 'frames', frames, config, font, env: { canvasKitBase: this.#options.canvasKitBase, mediabunnyUrl: this.#options.mediabunnyUrl } },
      frames.map((f) => f.data.buffer),
      { signal: options.signal, onProgress: options.onProgress, what: 'processVideo' },
    );
    return r.data;
  }
}

export { RustVideoProcessor as VideoProcessor };
