// Types of reelspeed-engine/integration: the spec's §5.2 integration layer on this engine.
import type { ChatStoryConfig } from './config';
import type { EngineInfo, VideoEngine, VideoEngineOptions } from './index';
import type { Progress, ProcessResult } from './results';

/** What the platform asks for (§5.2's VideoGenerationRequest). */
export interface VideoGenerationRequest {
  /** A label for the job; names the generated output file. */
  type: string;
  /** The background clip (a chat story's looping background video), or none. */
  inputPath?: string;
  /** Where to render; default: `<tempDirectory>/rust-processed/<type>_<time>_<id>.mp4`. */
  outputPath?: string;
  /** Override the config's videoSettings: width and height make its resolution, fps its fps. */
  settings: { width?: number; height?: number; fps?: number };
  /** The stored ReelSpeed chat-story config. */
  input: { config: ChatStoryConfig };
}

/** §5.2's VideoGenerationResult. */
export interface VideoGenerationResult {
  success: boolean;
  outputPath: string;
  sizeInBytes: number;
  /** The video's length. */
  durationInSeconds: number;
  /** How long the render took (wall time, ms). */
  renderTimeMs: number;
  metadata: ProcessResult['metadata'];
}

/** §5.2's OptimizationSettings. */
export interface OptimizationSettings {
  targetSizeMB: number;
}

/** §5.2's OptimizationResult. */
export interface OptimizationResult {
  originalSize: number;
  optimizedSize: number;
  compressionRatio: number;
  /** Measured SSIM of the result against the input (0..1). */
  qualityScore: number;
  success: boolean;
}

/** Options of a long call: progress, abort, the folder relative paths resolve against. */
export interface IntegrationCallOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  baseDir?: string;
}

/** The drop-in for §5.2's RustVideoEngineIntegration, rendering chat configs through the full chat-story path. */
export declare class ReelSpeedIntegration {
  /** Engine options; default: §5.2's (hardware on, 4 jobs, 2048 MB, /tmp/rust-video-processing). */
  constructor(options?: VideoEngineOptions);
  readonly options: Readonly<VideoEngineOptions>;
  readonly engine: VideoEngine;
  /** Loads FFmpeg, fonts and the hardware probe; call once before the jobs (§5.2 requires it). */
  initialize(): Promise<void>;
  enhanceVideoProcessing(request: VideoGenerationRequest, options?: IntegrationCallOptions): Promise<VideoGenerationResult>;
  optimizeExistingVideo(inputPath: string, settings: OptimizationSettings, options?: IntegrationCallOptions): Promise<OptimizationResult>;
  generateOutputPath(request: VideoGenerationRequest): string;
}

/** §5.1's processing result, as §5.2 reads it. */
export interface RustProcessingResult {
  success: boolean;
  output_path: string;
  duration_ms: number;
  file_size: number;
  /** The result's metadata as JSON text. */
  metadata: string;
}

/** §5.1's optimization result, as §5.2 reads it. */
export interface RustOptimizationResult {
  original_size: number;
  optimized_size: number;
  compression_ratio: number;
  quality_score: number;
}

/** The native class §5.2 was written against (§5.1), on this engine: snake_case methods and fields. */
export declare class RustVideoEngine {
  constructor(options?: VideoEngineOptions);
  readonly engine: VideoEngine;
  initialize(): Promise<EngineInfo>;
  /** `config`: a processing config as JSON text (what §5.2's convertToRustConfig writes) or a chat config. */
  process_video(inputPath: string, outputPath: string, config: string): Promise<RustProcessingResult>;
  optimize_video(inputPath: string, targetSizeMb: number): Promise<RustOptimizationResult>;
  get_video_metadata(filePath: string): Promise<string>;
}

/** The engine options §5.2 constructs its engine with. */
export declare const SPEC_ENGINE_OPTIONS: Readonly<VideoEngineOptions>;
