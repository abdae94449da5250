'use strict';
/**
 * reelspeed-engine/integration: the platform's existing TypeScript integration layer (the spec's
 * §5.2, `RustVideoEngineIntegration`) moves onto the engine by changing its import line.
 *
 * - `RustVideoEngine`: the native class §5.2 was written against (§5.1): `initialize()`,
 *   `process_video(inputPath, outputPath, configJson)` → `{ success, output_path, duration_ms,
 *   file_size, metadata (JSON text) }`, `optimize_video(inputPath, targetSizeMb)` →
 *   `{ original_size, optimized_size, compression_ratio, quality_score }`, `get_video_metadata`.
 * - `ReelSpeedIntegration`: a drop-in for the §5.2 class itself, with its methods and result
 *   fields, which renders a stored ReelSpeed chat config through the full chat-story path (the
 *   spec's conversion to text overlays loses the chat's look), `request.settings` overriding
 *   `videoSettings` and `request.inputPath` as the background clip.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { VideoEngine } = require('./index.js');

/** The engine options §5.2 constructs its engine with. */
const SPEC_ENGINE_OPTIONS = Object.freeze({
  enableHardwareAcceleration: true,
  maxConcurrentJobs: 4,
  memoryLimit: 2048,
  tempDirectory: path.join(os.tmpdir(), 'rust-video-processing'),
});

/** The §5.1 native surface, on a VideoEngine: snake_case methods and result fields. */
class RustVideoEngine {
  /** @param {import('../types/index').VideoEngineOptions} [options] */
  constructor(options) {
    this.engine = new VideoEngine(options ?? SPEC_ENGINE_OPTIONS);
  }

  initialize() {
    return this.engine.initialize();
  }

  async process_video(inputPath, outputPath, config) {
    // §5.2 writes to /tmp/rust-processed/… without creating the folder; a missing folder would
    // otherwise be ERR_OUTPUT, so it is made here (the engine itself does not create folders).
    if (typeof outputPath === 'string' && outputPath !== '') fs.mkdirSync(path.dirname(path.resolve(outputPath)), { recursive: true });
    const r = await this.engine.processVideo(inputPath, outputPath, config);
    return {
      success: r.success,
      output_path: r.outputPath,
      duration_ms: r.durationMs,
      file_size: r.fileSize,
      metadata: JSON.stringify(r.metadata),
    };
  }

  async optimize_video(inputPath, targetSizeMb) {
    const r = await this.engine.optimizeVideo(inputPath, targetSizeMb);
    return {
      original_size: r.originalSize,
      optimized_size: r.optimizedSize,
      compression_ratio: r.compressionRatio,
      quality_score: r.qualityScore,
    };
  }

  async get_video_metadata(filePath) {
    return JSON.stringify(await this.engine.getVideoMetadata(filePath));
  }
}

/** A chat config with `request.settings` (width, height, fps) laid over its `videoSettings`. */
function withSettings(config, settings = {}) {
  const video = { ...(config.videoSettings ?? {}) };
  const [w0, h0] = typeof video.resolution === 'string' ? video.resolution.split('x').map(Number) : [1080, 1920];
  if (settings.width !== undefined || settings.height !== undefined) {
    video.resolution = `${settings.width ?? w0}x${settings.height ?? h0}`;
  }
  if (settings.fps !== undefined) video.fps = settings.fps;
  return { ...config, videoSettings: video };
}

/** The §5.2 integration class, rendering chat configs through the full chat-story path. */
class ReelSpeedIntegration {
  /** @param {import('../types/index').VideoEngineOptions} [options] engine options (default: §5.2's) */
  constructor(options) {
    this.options = { ...SPEC_ENGINE_OPTIONS, ...(options ?? {}) };
    this.engine = new VideoEngine(this.options);
    this.initialized = false;
  }

  async initialize() {
    if (this.initialized) return;
    await this.engine.initialize();
    this.initialized = true;
  }

  /**
   * @param {import('../types/integration').VideoGenerationRequest} request
   * @param {{ onProgress?: Function, signal?: AbortSignal, baseDir?: string }} [options]
   */
  async enhanceVideoProcessing(request, options) {
    if (!this.initialized) throw new Error('Rust engine not initialized'); // as §5.2: initialize() first
    if (request === null || typeof request !== 'object') {
      const e = new TypeError(`request: expected an object, got ${request === null ? 'null' : typeof request}`);
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    const config = request.input?.config;
    if (config === null || typeof config !== 'object') {
      const e = new TypeError('request.input.config: expected a ReelSpeed chat config object');
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    const outputPath = request.outputPath ?? this.generateOutputPath(request);
    fs.mkdirSync(path.dirname(outputPath), { recursive: true });
    const started = process.hrtime.bigint();
    const r = await this.engine.processVideo(request.inputPath ?? '', outputPath, withSettings(config, request.settings), options);
    return {
      success: r.success,
      outputPath: r.outputPath,
      sizeInBytes: r.fileSize,
      durationInSeconds: r.durationMs / 1000,
      renderTimeMs: Number(process.hrtime.bigint() - started) / 1e6,
      metadata: r.metadata,
    };
  }

  /**
   * @param {string} inputPath
   * @param {{ targetSizeMB: number }} settings
   */
  async optimizeExistingVideo(inputPath, settings, options) {
    const r = await this.engine.optimizeVideo(inputPath, settings?.targetSizeMB, options);
    return {
      originalSize: r.originalSize,
      optimizedSize: r.optimizedSize,
      compressionRatio: r.compressionRatio,
      qualityScore: r.qualityScore,
      success: true,
    };
  }

  /** Where a request without `outputPath` renders: `<tempDirectory>/rust-processed/<type>_<time>_<id>.mp4`, as §5.2 names them. */
  generateOutputPath(request) {
    const id = crypto.randomBytes(6).toString('hex');
    return path.join(this.options.tempDirectory, 'rust-processed', `${request.type ?? 'video'}_${Date.now()}_${id}.mp4`);
  }
}

module.exports = { ReelSpeedIntegration, RustVideoEngine, SPEC_ENGINE_OPTIONS };
