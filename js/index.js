'use strict';
/**
 * ReelSpeed Engine: chat-story video rendering in-process (FFmpeg + Skia, NativeAOT).
 * The native addon does everything: it checks the arguments, runs the work off the JS thread
 * and settles each call's Promise. This module only exposes it: the module-level calls are
 * those of the addon's default engine, `VideoEngine` is the addon's class, and `ErrorCodes`
 * is the addon's list of error codes (defined once, in Engine/Core/EngineException.cs).
 * Types: types/index.d.ts.
 */
const { loadNative } = require('./native');

const native = loadNative();
const defaultEngine = native.defaultEngine;

/** Error codes an engine call can reject with (`error.code`). */
const ErrorCodes = Object.freeze({ ...native.errorCodes });

/**
 * Renders a chat story or a processing config to `outputPath` (.mp4, .m4v, .mov, .mkv or .webm).
 * The file is written under a temporary name and renamed when complete: a failed or aborted
 * call leaves no file behind.
 * @param {string} inputPath background video clip / the clip to process, or '' for none
 * @param {string} outputPath
 * @param {object|string} config chat-story or processing config (object or JSON string)
 * @param {{ onProgress?: Function, baseDir?: string, signal?: AbortSignal }} [options]
 */
function processVideo(inputPath, outputPath, config, options) {
  return defaultEngine.processVideo(inputPath, outputPath, config, options);
}

/**
 * Re-encodes a video to fit `targetSizeMb` (megabytes of 1,000,000 bytes): two-pass at the bit
 * rate the size leaves after audio and container overhead, downscaled when that is too few bits
 * for the picture and sample encodes measure the smaller size better (unless `allowDownscale: false`;
 * the result's `sizeDecision` says why), checked and corrected to land within -5 %..+2 %
 * of the target. Then measures SSIM and PSNR of the decoded output against the decoded input.
 * Writes to `options.outputPath` (default `<name>.optimized.mp4` beside the input; never the input).
 * @param {string} inputPath
 * @param {number} targetSizeMb
 * @param {{ outputPath?: string, allowDownscale?: boolean, codec?: 'h264'|'h265'|'vp9', preset?: string,
 *   measureQuality?: boolean, qualitySampleEvery?: number, hardwareAcceleration?: boolean|'auto',
 *   onProgress?: Function, signal?: AbortSignal, baseDir?: string }} [options]
 */
function optimizeVideo(inputPath, targetSizeMb, options) {
  return defaultEngine.optimizeVideo(inputPath, targetSizeMb, options);
}

/**
 * Probes a media file without decoding it: container, duration, size, bit rate, tags,
 * chapters and, per stream, codec, profile/level, size and rotation, frame rates, colour/HDR,
 * bit depth, keyframe interval (estimated from the first seconds), sample rate, channels,
 * layout and language. Truncated files reject with ERR_DECODE. See types/metadata.d.ts.
 * @param {string} filePath
 */
function getVideoMetadata(filePath) {
  return native.getVideoMetadata(filePath);
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
function renderFrame(config, timeMs, options) {
  return native.renderFrame(config, timeMs, options);
}

/**
 * Compiles a chat-story or processing config into its Scene: every element with resolved
 * geometry, keyframes, the timeline and asset references, as versioned JSON (docs/scene-format.md).
 * @param {object|string} config
 * @param {{ baseDir?: string }} [options]
 */
function compileScene(config, options) {
  return native.compileScene(config, options);
}

/**
 * The hardware video encoders this process can use: the device types the FFmpeg build knows,
 * which devices opened, which encoders passed a trial encode (and libav's reason for each that
 * did not), and the encoder `enableHardwareAcceleration: "auto"` picks per codec. Probed once
 * per process (the first call), then cached.
 */
function getHardwareInfo() {
  return native.getHardwareInfo();
}

/** Prometheus text of the default engine (the module-level calls). */
function metrics() {
  return defaultEngine.metrics();
}

/** Versions of the engine, FFmpeg and Skia in use. */
function version() {
  return JSON.parse(native.version());
}

/**
 * An engine with its own limits: jobs beyond `maxConcurrentJobs` wait in a FIFO queue; a job
 * whose estimated memory would exceed `memoryLimitMb` waits for room, or fails at once with
 * ERR_RESOURCE_LIMIT when it could never fit. `metrics()` returns Prometheus text; `close()`
 * makes it refuse new jobs (ERR_ENGINE_CLOSED). Released when it is garbage-collected.
 * `new VideoEngine({ maxConcurrentJobs?, memoryLimitMb?, x264Threads?, tempDirectory?, enableHardwareAcceleration? })`
 */
const { VideoEngine } = native;

module.exports = {
  processVideo, optimizeVideo, getVideoMetadata, renderFrame, compileScene, metrics, version, VideoEngine, ErrorCodes,
  getHardwareInfo,
};
