// Type definitions for reelspeed-engine: the module js/index.js exports (the native addon's
// calls, its VideoEngine class and its error codes). Every call returns a Promise and runs off
// the JS thread; failures reject with an EngineError whose `code` is stable and whose message
// names the field or file. The types of what goes in and comes out are split by topic:
// config.d.ts (the two configs), results.d.ts (results, progress, hardware probe),
// metadata.d.ts (getVideoMetadata), scene.d.ts (compileScene).
/// <reference types="node" />
import type { ChatStoryConfig, ProcessingConfig } from './config';
import type { ProcessResult, OptimizeResult, Progress, HardwareInfo } from './results';
import type { VideoMetadata } from './metadata';
import type { SceneJson } from './scene';
import type { ChunkOptions, ChunkResult, StitchOptions, StitchResult } from './cluster';

export * from './config';
export * from './results';
export * from './metadata';
export * from './scene';

/**
 * The error codes, by name, exactly as Engine/Core/EngineException.cs (ErrorCodes) defines them;
 * js/test/types.test.js fails when the two differ.
 */
export declare const ErrorCodes: Readonly<{
  INVALID_CONFIG: 'ERR_INVALID_CONFIG';
  INVALID_ARG: 'ERR_INVALID_ARG_TYPE';
  INPUT_NOT_FOUND: 'ERR_INPUT_NOT_FOUND';
  UNSUPPORTED_MEDIA: 'ERR_UNSUPPORTED_MEDIA';
  DECODE: 'ERR_DECODE';
  ENCODE: 'ERR_ENCODE';
  OUTPUT: 'ERR_OUTPUT';
  ABORTED: 'ERR_ABORTED';
  RESOURCE_LIMIT: 'ERR_RESOURCE_LIMIT';
  DEPENDENCY: 'ERR_DEPENDENCY';
  TARGET_UNREACHABLE: 'ERR_TARGET_UNREACHABLE';
  /** A job started on a VideoEngine after its close(). */
  ENGINE_CLOSED: 'ERR_ENGINE_CLOSED';
  /**
   * A remote asset's URL (or a redirect hop) is refused by the address policy (allowedHosts), or a
   * local path resolves outside the engine's allowedRoots; the message names the field.
   */
  ASSET_FORBIDDEN: 'ERR_ASSET_FORBIDDEN';
  /** A remote asset could not be downloaded (HTTP status, network error, timeout, size limit, redirects). */
  ASSET_FETCH: 'ERR_ASSET_FETCH';
  /** A media file's read or write made no progress for the stall timeout (60 s); the message names the file. */
  IO_STALLED: 'ERR_IO_STALLED';
  /** A callback the engine called (`onProgress`) threw: the job stopped, its partial output removed; `error.cause` is what it threw. */
  CALLBACK: 'ERR_CALLBACK';
  /** The browser preview cannot do this here: a browser feature it lacks (WebGL, WebCodecs, a codec, a Worker) or content it does not draw. */
  UNSUPPORTED: 'ERR_UNSUPPORTED';
  INTERNAL: 'ERR_INTERNAL';
}>;

/** A stable error code carried by `error.code`. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** What every call rejects with. */
export interface EngineError extends Error {
  code: ErrorCode;
  /** 'AbortError' when the job was aborted through its signal (code ERR_ABORTED). */
  name: string;
  /** ERR_INVALID_CONFIG from config validation: every problem found, each located by its JSON path (e.g. "messages[2].text"). */
  errors?: ConfigError[];
  /** ERR_CALLBACK: what `onProgress` threw; ERR_INVALID_ARG_TYPE from an options getter that threw: what it threw. */
  cause?: unknown;
}

/** One problem found in a config. */
export interface ConfigError {
  path: string;
  message: string;
}

export interface ProcessOptions {
  /**
   * Called on the JS thread at most ~10 times a second, and once at 100 %. If it throws, the job
   * stops, its partial output is removed and the call rejects with ERR_CALLBACK (`cause`: what it
   * threw), even when it threw at the last report.
   */
  onProgress?: (p: Progress) => void;
  /** Aborting stops the job promptly, frees its memory, removes the partial file and rejects with an AbortError (code ERR_ABORTED). */
  signal?: AbortSignal;
  /** Folder that relative paths in the config resolve against. Default process.cwd(). */
  baseDir?: string;
}

export interface OptimizeOptions extends ProcessOptions {
  /** Where the result goes. Default: `<name>.optimized.mp4` beside the input. Never the input itself (ERR_OUTPUT). */
  outputPath?: string;
  /** Scale the picture down when the bit rate would leave under 0.05 bits per pixel (not below 144 px on the short side). Default true. */
  allowDownscale?: boolean;
  /** Default "h264". */
  codec?: 'h264' | 'h265' | 'vp9';
  /** Encoder preset (x264 names). Default "medium": at a fixed size a slower preset buys quality. */
  preset?: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow' | 'slower' | 'veryslow';
  /** Measure SSIM/PSNR of the output against the input afterwards. Default true. */
  measureQuality?: boolean;
  /** Compare every Nth frame pair (1 = all). Default 1. */
  qualitySampleEvery?: number;
  /** This job's hardware policy (two-pass always uses the software encoder). Default: the engine's. */
  hardwareAcceleration?: boolean | 'auto';
}

/** renderFrame()'s options. */
export interface RenderFrameOptions {
  /** Default "png". */
  format?: 'png' | 'jpeg';
  /** JPEG quality, an integer 1..100. Default 90. */
  quality?: number;
  /** Folder that relative paths in the config resolve against. Default process.cwd(). */
  baseDir?: string;
  /** What processVideo's inputPath would be: a chat story's background video, or a processing config's clip. */
  inputPath?: string;
}

/** compileScene()'s options. */
export interface CompileSceneOptions {
  /** Folder that relative paths in the config resolve against. Default process.cwd(). */
  baseDir?: string;
}

/** Either config shape, as an object or as JSON text. */
export type Config = ChatStoryConfig | ProcessingConfig | string;

/**
 * Renders a chat story, or processes clips with a processing config, to outputPath (.mp4, .m4v,
 * .mov, .mkv or .webm). Written under a temporary name and renamed when complete: a failed call leaves no file behind.
 * @param inputPath for a chat story: a background video (looped, cover-fitted; the lower half in
 * brainrot mode), or ''; for a processing config: the clip to process ('' when the config lists `clips`)
 */
export declare function processVideo(inputPath: string, outputPath: string, config: Config, options?: ProcessOptions): Promise<ProcessResult>;

/**
 * Re-encodes a video to fit targetSizeMb (1 MB = 1,000,000 bytes) and measures the result's
 * quality. Rejects with ERR_TARGET_UNREACHABLE (naming the smallest achievable size) when the
 * target is too small for the video's length.
 */
export declare function optimizeVideo(inputPath: string, targetSizeMb: number, options?: OptimizeOptions): Promise<OptimizeResult>;

/**
 * Probes a media file (video, audio or a still image) without decoding it: container, tags,
 * chapters, and per stream codec, size and rotation, frame rates, colour/HDR, bit depth,
 * keyframe spacing (estimated from the first seconds), audio layout and language.
 * Rejects with ERR_INPUT_NOT_FOUND (no such file), ERR_UNSUPPORTED_MEDIA (empty, not media,
 * no audio or video stream) or ERR_DECODE (truncated or damaged: an MP4/MOV, Matroska/WebM or
 * AVI/WAV cut short is caught even when libavformat opens it); the message names the file.
 */
export declare function getVideoMetadata(filePath: string): Promise<VideoMetadata>;

/** The frame the video shows at timeMs, as PNG (default) or JPEG bytes. */
export declare function renderFrame(config: Config, timeMs: number, options?: RenderFrameOptions): Promise<Buffer>;

/**
 * The Scene a config (a chat story or a processing config) compiles to (schemaVersion 1): every
 * element with resolved geometry, shaped glyphs, keyframes, the timeline and the files it needs.
 * See docs/scene-format.md.
 */
export declare function compileScene(config: Config, options?: CompileSceneOptions): Promise<SceneJson>;

export interface VideoEngineOptions {
  /** Jobs running at once; more wait in a FIFO queue. 1..64, default: the number of cores. */
  maxConcurrentJobs?: number;
  /**
   * Estimated memory of running jobs, MB (64..1048576): each job's peak is estimated before it starts (frame size and
   * encoder, text layouts, the sprites and pictures on screen, the largest picture's decode, clip decoders); a job waits
   * for room, or fails at once with ERR_RESOURCE_LIMIT if it can never fit. renderFrame fails the same way when one
   * frame could not. Default: no limit.
   */
  memoryLimitMb?: number;
  /** The same limit under the spec's name (§5.2, MB); give one of memoryLimit and memoryLimitMb. */
  memoryLimit?: number;
  /**
   * How libx264 spreads a job over its threads. 'frames': several frames side by side (x264's default: fastest, smallest, a
   * pipeline of frames in memory). 'slices': each frame split among the threads (one frame in memory; one slice per thread, so
   * a little larger: measured +4.5 % video bytes on two threads, +9.6 % on four, +18 % on eight, at the same crf). 'auto'
   * (default): slices for jobs that decode no video (chat stories without a video background) on at most two cores, where they
   * measured 0-6 % slower (more where the chat moves more) and ~50 MB lighter at 1080x1920; frames otherwise. A job that
   * would run frame threads but fits memoryLimitMb only with slice threads gets them, and its result's warnings say so.
   */
  x264Threads?: 'auto' | 'frames' | 'slices';
  /**
   * Folder for partial outputs (the finished file still appears only when complete), created when
   * missing (new VideoEngine throws ERR_OUTPUT naming it when it cannot be). Default: beside the output.
   */
  tempDirectory?: string;
  /** Host names or CIDRs ("media.internal", "10.0.0.0/8") that remote assets may come from although private or loopback. Default: none. */
  allowedHosts?: string[];
  /** Bound of the downloaded-asset cache (assets/ under tempDirectory), MB; least recently used out first. Default 1024. */
  assetCacheMb?: number;
  /**
   * Folders (each must exist; kept as its real path) that every local path a config or call names
   * must resolve into after `..`, file:// decoding and symlinks: asset fields, fonts, clips,
   * inputPath, outputPath (its folder), optimizeVideo's files, getVideoMetadata's file and
   * tempDirectory. Else ERR_ASSET_FORBIDDEN naming the field; `[]` allows no local path at all.
   * Default (unset): no confinement, which is safe only for configs the operator writes.
   */
  allowedRoots?: string[];
  /**
   * Largest output frame, width x height in pixels (4096..16777216). Default 8294400 (3840x2160): a 4096x4096
   * video needs 16777216. Over it, a config fails with ERR_RESOURCE_LIMIT naming the field and this option.
   */
  maxFramePixels?: number;
  /** Longest video, seconds (1..3600), given or following from the messages' timing or the clips. Default 1200 (20 minutes). */
  maxDurationSeconds?: number;
  /** Most messages in a chat story (1..500). Default 500, the format's own cap. */
  maxMessages?: number;
  /** Longest text of one message or text overlay, in UTF-16 code units (1..100000; a message is also capped at 2000 by the format). Default 2000. */
  maxTextLength?: number;
  /**
   * Largest picture (message imageUrl, avatarUrl, image background), width x height in pixels (1..100000000), read
   * from the file's header before anything is decoded. Default 40000000 (40 MP: 160 MB while it decodes).
   */
  maxPicturePixels?: number;
  /**
   * Hardware video encoders (NVENC, QSV, VAAPI, VideoToolbox; see getHardwareInfo()).
   * false (default): always the software encoder. "auto": a working hardware encoder when there
   * is one, else software without comment. true: hardware requested; when none works, or the one
   * chosen fails to open for a job (session limit, driver), that job uses the software encoder
   * and its result's metadata.hardwareFallback says why. metadata.encoder always names the
   * encoder actually used.
   */
  enableHardwareAcceleration?: boolean | 'auto';
}

/**
 * Probes the hardware video encoders this process can use (once per process, then cached):
 * device types in the FFmpeg build, devices that open, encoders that pass a trial encode, and
 * for every one that does not, why.
 */
export declare function getHardwareInfo(): Promise<HardwareInfo>;

/**
 * An engine with its own limits and metrics. Released when it is garbage-collected; close()
 * makes it refuse new jobs (they reject with ERR_ENGINE_CLOSED) while running ones finish.
 */
export declare class VideoEngine {
  /** Throws (synchronously) on invalid options. */
  constructor(options?: VideoEngineOptions);
  readonly options: Readonly<VideoEngineOptions>;
  processVideo(inputPath: string, outputPath: string, config: Config, options?: ProcessOptions): Promise<ProcessResult>;
  optimizeVideo(inputPath: string, targetSizeMb: number, options?: OptimizeOptions): Promise<OptimizeResult>;
  getVideoMetadata(filePath: string): Promise<VideoMetadata>;
  renderFrame(config: Config, timeMs: number, options?: RenderFrameOptions): Promise<Buffer>;
  compileScene(config: Config, options?: CompileSceneOptions): Promise<SceneJson>;
  /** Same as the module-level getHardwareInfo(). */
  getHardwareInfo(): Promise<HardwareInfo>;
  /** Prometheus text exposition: reelspeed_engine_* counters and gauges. */
  metrics(): string;
  /** Refuses new jobs from now on; jobs already started or queued finish. */
  close(): void;
  /**
   * Loads FFmpeg, the fonts and (unless enableHardwareAcceleration is false) the hardware probe
   * now, so a missing piece fails here with ERR_DEPENDENCY naming it, not at the first job.
   * Optional: jobs load what they need anyway. Cached after the first call.
   */
  initialize(): Promise<EngineInfo>;
  /**
   * Distributed rendering (reelspeed-engine/cluster): frames startFrame (included) to endFrame
   * (excluded) as a video-only, closed-GOP H.264 segment (.mp4) that starts on an IDR frame, with
   * encoder settings fixed so the segments of one config join without re-encoding. H.264 only; no
   * two-pass or size ceiling (ERR_INVALID_CONFIG).
   */
  renderChunk(config: Config, range: { startFrame: number; endFrame: number }, outputPath: string, options?: ChunkOptions): Promise<ChunkResult>;
  /** The whole soundtrack once, as AAC in an .mp4; resolves with processVideo's result shape for the config. */
  renderAudio(config: Config, outputPath: string, options?: ChunkOptions): Promise<ProcessResult>;
  /** Joins segments (in frame order) and the soundtrack into one MP4 (+faststart) by copying packets. */
  stitch(parts: { segments: string[]; audio: string }, outputPath: string, options?: StitchOptions): Promise<StitchResult>;
}

/** What initialize() found. */
export interface EngineInfo {
  engine: string;
  /** The FFmpeg version loaded (5.1.x). */
  ffmpeg: string;
  skia: string;
  fonts: { primary: string; emoji: string | null; faces: number };
  /** The hardware policy, and with it "auto"'s encoder per codec. */
  hardware: { policy: 'off' | 'auto' | 'required'; h264?: string; h265?: string; vp9?: string };
}

/** Prometheus text of the default engine (the module-level functions). */
export declare function metrics(): string;

/** Versions of the engine, FFmpeg and Skia in use. */
export declare function version(): { engine: string; ffmpeg: string; skia: string };
