'use strict';
/**
 * ReelSpeed Engine: chat-story video rendering in-process (FFmpeg + Skia, NativeAOT).
 * This module records and checks arguments; the work happens in the native addon,
 * off the JS thread. Every function returns a Promise. Types: binding.d.ts.
 */
const path = require('node:path');
const { loadNative } = require('./native');

const native = loadNative();

/** Error codes an engine call can reject with (`error.code`). */
const ErrorCodes = Object.freeze({
  INVALID_CONFIG: 'ERR_INVALID_CONFIG',
  INVALID_ARG: 'ERR_INVALID_ARG_TYPE',
  INPUT_NOT_FOUND: 'ERR_INPUT_NOT_FOUND',
  UNSUPPORTED_MEDIA: 'ERR_UNSUPPORTED_MEDIA',
  DECODE: 'ERR_DECODE',
  ENCODE: 'ERR_ENCODE',
  OUTPUT: 'ERR_OUTPUT',
  ABORTED: 'ERR_ABORTED',
  RESOURCE_LIMIT: 'ERR_RESOURCE_LIMIT',
  DEPENDENCY: 'ERR_DEPENDENCY',
  TARGET_UNREACHABLE: 'ERR_TARGET_UNREACHABLE',
  INTERNAL: 'ERR_INTERNAL',
});

function engineError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return typeof value;
}

function configToJson(config) {
  if (typeof config === 'string') {
    if (config.trim() === '') throw engineError(ErrorCodes.INVALID_CONFIG, 'config: expected an object or a JSON string, got an empty string');
    return config;
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw engineError(ErrorCodes.INVALID_CONFIG, `config: expected an object or a JSON string, got ${describe(config)}`);
  }
  try {
    return JSON.stringify(config);
  } catch (e) {
    throw engineError(ErrorCodes.INVALID_CONFIG, `config: cannot be serialised to JSON (${e.message})`);
  }
}

function checkPath(value, name, { optional = false } = {}) {
  if (optional && (value === undefined || value === null)) return '';
  if (typeof value !== 'string') throw engineError(ErrorCodes.INVALID_ARG, `${name}: expected a string path, got ${describe(value)}`);
  if (!optional && value.trim() === '') throw engineError(ErrorCodes.INVALID_ARG, `${name}: expected a non-empty path`);
  return value;
}

const KNOWN_OPTIONS = new Set(['onProgress', 'baseDir', 'signal', 'format', 'quality', 'inputPath']);

function abortError(signal) {
  const reason = signal && signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
  const e = engineError(ErrorCodes.ABORTED, `the job was aborted${reason}`);
  e.name = 'AbortError';
  return e;
}

function checkOptions(options, allowed) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw engineError(ErrorCodes.INVALID_ARG, `options: expected an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const why = KNOWN_OPTIONS.has(key) ? 'is not supported by this call in this engine version' : 'is not a known option';
      throw engineError(ErrorCodes.INVALID_ARG, `options.${key} ${why} (allowed: ${allowed.join(', ')})`);
    }
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw engineError(ErrorCodes.INVALID_ARG, `options.onProgress: expected a function, got ${describe(options.onProgress)}`);
  }
  if (options.baseDir !== undefined && typeof options.baseDir !== 'string') {
    throw engineError(ErrorCodes.INVALID_ARG, `options.baseDir: expected a string path, got ${describe(options.baseDir)}`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw engineError(ErrorCodes.INVALID_ARG, `options.signal: expected an AbortSignal, got ${describe(options.signal)}`);
  }
  return options;
}

function ensureCode(e) {
  if (e && typeof e === 'object' && !e.code) e.code = ErrorCodes.INTERNAL;
  return e;
}

/**
 * Runs a native job with the common options: progress callback, AbortSignal (an abort rejects
 * with an AbortError, code ERR_ABORTED) and baseDir. `start(baseDir, onProgress, cancelId)`
 * calls the native export and returns its promise of result JSON.
 */
async function runJob(opts, start) {
  const baseDir = path.resolve(opts.baseDir ?? process.cwd());
  const { signal } = opts;
  if (signal?.aborted) throw abortError(signal);
  const cancelId = signal ? native.newCancellation() : 0;
  const onAbort = () => native.cancel(cancelId);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return JSON.parse(await start(baseDir, opts.onProgress, cancelId));
  } catch (e) {
    if (e && e.code === ErrorCodes.ABORTED) throw abortError(signal);
    throw ensureCode(e);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function runProcessVideo(engineId, inputPath, outputPath, config, options) {
  const input = checkPath(inputPath, 'inputPath', { optional: true });
  const output = checkPath(outputPath, 'outputPath');
  const json = configToJson(config);
  const opts = checkOptions(options, ['onProgress', 'baseDir', 'signal']);
  return runJob(opts, (baseDir, onProgress, cancelId) => native.processVideo(input, output, json, onProgress, baseDir, engineId, cancelId));
}

const OPTIMIZE_OPTIONS = ['outputPath', 'allowDownscale', 'codec', 'preset', 'measureQuality', 'qualitySampleEvery', 'hardwareAcceleration'];

async function runOptimizeVideo(engineId, inputPath, targetSizeMb, options) {
  const input = checkPath(inputPath, 'inputPath');
  if (typeof targetSizeMb !== 'number' || !Number.isFinite(targetSizeMb) || targetSizeMb <= 0) {
    throw engineError(ErrorCodes.INVALID_ARG, `targetSizeMb: expected a number of megabytes > 0, got ${describe(targetSizeMb)}`);
  }
  const opts = checkOptions(options, ['onProgress', 'baseDir', 'signal', ...OPTIMIZE_OPTIONS]);
  if (opts.outputPath !== undefined) checkPath(opts.outputPath, 'options.outputPath');
  const engineOptions = {};
  for (const key of OPTIMIZE_OPTIONS) if (opts[key] !== undefined) engineOptions[key] = opts[key];
  return runJob(opts, (baseDir, onProgress, cancelId) =>
    native.optimizeVideo(input, targetSizeMb, JSON.stringify(engineOptions), onProgress, baseDir, engineId, cancelId));
}

/**
 * Renders a chat story to `outputPath` (.mp4, .m4v, .mov or .mkv). The file is written under a
 * temporary name and renamed when complete: a failed or aborted call leaves no file behind.
 * @param {string} inputPath background video clip (looped, cover-fit), or '' for none
 * @param {string} outputPath
 * @param {object|string} config ReelSpeed chat-story config (object or JSON string)
 * @param {{ onProgress?: Function, baseDir?: string, signal?: AbortSignal }} [options]
 */
async function processVideo(inputPath, outputPath, config, options) {
  return runProcessVideo(0, inputPath, outputPath, config, options);
}

/**
 * Re-encodes a video to fit `targetSizeMb` (megabytes of 1,000,000 bytes): two-pass at the bit
 * rate the size leaves after audio and container overhead, downscaled when that is too few bits
 * for the picture (unless `allowDownscale: false`), checked and corrected to land within -5 %..+2 %
 * of the target. Then measures SSIM and PSNR of the decoded output against the decoded input.
 * Writes to `options.outputPath` (default `<name>.optimized.mp4` beside the input; never the input).
 * @param {string} inputPath
 * @param {number} targetSizeMb
 * @param {{ outputPath?: string, allowDownscale?: boolean, codec?: 'h264'|'h265'|'vp9', preset?: string,
 *   measureQuality?: boolean, qualitySampleEvery?: number, hardwareAcceleration?: boolean|'auto',
 *   onProgress?: Function, signal?: AbortSignal, baseDir?: string }} [options]
 */
async function optimizeVideo(inputPath, targetSizeMb, options) {
  return runOptimizeVideo(0, inputPath, targetSizeMb, options);
}

/**
 * Probes a media file without decoding it: container, duration, size, bit rate, tags,
 * chapters and, per stream, codec, profile/level, size and rotation, frame rates, colour/HDR,
 * bit depth, keyframe interval (estimated from the first seconds), sample rate, channels,
 * layout and language. Truncated files reject with ERR_DECODE. See VideoMetadata in binding.d.ts.
 * @param {string} filePath
 */
async function getVideoMetadata(filePath) {
  const file = checkPath(filePath, 'filePath');
  try {
    return JSON.parse(await native.getVideoMetadata(path.resolve(file)));
  } catch (e) {
    throw ensureCode(e);
  }
}

/**
 * Renders the frame a config shows at `timeMs`, as PNG (default) or JPEG bytes.
 * `options.inputPath` is what processVideo's inputPath would be: a chat story's background
 * video, or the clip of a processing config.
 * @param {object|string} config
 * @param {number} timeMs
 * @param {{ format?: 'png'|'jpeg', quality?: number, baseDir?: string, inputPath?: string }} [options]
 * @returns {Promise<Buffer>}
 */
async function renderFrame(config, timeMs, options) {
  const json = configToJson(config);
  if (typeof timeMs !== 'number' || !Number.isFinite(timeMs) || timeMs < 0) {
    throw engineError(ErrorCodes.INVALID_ARG, `timeMs: expected a number of milliseconds >= 0, got ${describe(timeMs)}`);
  }
  const opts = checkOptions(options, ['format', 'quality', 'baseDir', 'inputPath']);
  const input = checkPath(opts.inputPath, 'options.inputPath', { optional: true });
  const format = opts.format ?? 'png';
  if (format !== 'png' && format !== 'jpeg') {
    throw engineError(ErrorCodes.INVALID_ARG, `options.format: expected "png" or "jpeg", got ${describe(format)}`);
  }
  const quality = opts.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw engineError(ErrorCodes.INVALID_ARG, `options.quality: expected an integer 1..100, got ${describe(quality)}`);
  }
  const baseDir = path.resolve(opts.baseDir ?? process.cwd());
  try {
    return await native.renderFrame(json, timeMs, format, quality, baseDir, input);
  } catch (e) {
    throw ensureCode(e);
  }
}

/**
 * Compiles a chat-story config into its Scene: every element with resolved geometry,
 * keyframes, the timeline and asset references, as versioned JSON (docs/scene-format.md).
 * @param {object|string} config
 * @param {{ baseDir?: string }} [options]
 */
async function compileScene(config, options) {
  const json = configToJson(config);
  const opts = checkOptions(options, ['baseDir']);
  const baseDir = path.resolve(opts.baseDir ?? process.cwd());
  try {
    return JSON.parse(await native.compileScene(json, baseDir));
  } catch (e) {
    throw ensureCode(e);
  }
}

/**
 * An engine with its own limits: jobs beyond `maxConcurrentJobs` wait in a FIFO queue; a job
 * whose estimated memory would exceed `memoryLimitMb` waits for room, or fails at once with
 * ERR_RESOURCE_LIMIT when it could never fit. `metrics()` returns Prometheus text.
 */
class VideoEngine {
  /**
   * @param {{ maxConcurrentJobs?: number, memoryLimitMb?: number, tempDirectory?: string, enableHardwareAcceleration?: boolean | 'auto' }} [options]
   */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw engineError(ErrorCodes.INVALID_ARG, `options: expected an object, got ${describe(options)}`);
    }
    this.options = Object.freeze({ ...options });
    this.id = native.createEngine(JSON.stringify(options));
  }

  processVideo(inputPath, outputPath, config, options) {
    return runProcessVideo(this.id, inputPath, outputPath, config, options);
  }

  optimizeVideo(inputPath, targetSizeMb, options) {
    return runOptimizeVideo(this.id, inputPath, targetSizeMb, options);
  }

  getVideoMetadata(filePath) {
    return getVideoMetadata(filePath);
  }

  renderFrame(config, timeMs, options) {
    return renderFrame(config, timeMs, options);
  }

  compileScene(config, options) {
    return compileScene(config, options);
  }

  getHardwareInfo() {
    return getHardwareInfo();
  }

  /** Prometheus text exposition of this engine's counters and gauges (reelspeed_engine_*). */
  metrics() {
    return native.metrics(this.id);
  }
}

/**
 * The hardware video encoders this process can use: the device types the FFmpeg build knows,
 * which devices opened, which encoders passed a trial encode (and libav's reason for each that
 * did not), and the encoder `enableHardwareAcceleration: "auto"` picks per codec. Probed once
 * per process (the first call), then cached.
 */
async function getHardwareInfo() {
  try {
    return JSON.parse(await native.getHardwareInfo());
  } catch (e) {
    throw ensureCode(e);
  }
}

/** Prometheus text of the default engine (the module-level calls). */
function metrics() {
  return native.metrics(0);
}

/** Versions of the engine, FFmpeg and Skia in use. */
function version() {
  return JSON.parse(native.version());
}

module.exports = {
  processVideo, optimizeVideo, getVideoMetadata, renderFrame, compileScene, metrics, version, VideoEngine, ErrorCodes,
  getHardwareInfo,
};
