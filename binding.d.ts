// Type definitions for reelspeed-engine (js/index.js).
// Every call returns a Promise and runs off the JS thread; failures reject with an
// EngineError whose `code` is stable and whose message names the field or file.

/** Stable error codes carried by `error.code`. */
export type ErrorCode =
  | 'ERR_INVALID_CONFIG'
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INPUT_NOT_FOUND'
  | 'ERR_UNSUPPORTED_MEDIA'
  | 'ERR_DECODE'
  | 'ERR_ENCODE'
  | 'ERR_OUTPUT'
  | 'ERR_ABORTED'
  | 'ERR_RESOURCE_LIMIT'
  | 'ERR_DEPENDENCY'
  | 'ERR_INTERNAL';

export interface EngineError extends Error {
  code: ErrorCode;
}

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
  INTERNAL: 'ERR_INTERNAL';
}>;

/** A colour: "#RGB", "#RRGGBB", "#RRGGBBAA", "rgb(r,g,b)" or "rgba(r,g,b,a)". */
export type Color = string;

/** The ReelSpeed chat-story config (camelCase, as the platform stores it). */
export interface ChatStoryConfig {
  videoSettings?: {
    /** Length in seconds; 0 or absent: until the last message has held, plus 1.5 s. */
    duration?: number;
    /** "WIDTHxHEIGHT", even sides 64..4096. Default "1080x1920". */
    resolution?: string;
    /** Integer 1..60. Default 30. */
    fps?: number;
    /** x264 CRF preset: low 28, medium 23 (default), high 20. */
    quality?: 'low' | 'medium' | 'high';
    /** Overrides the quality preset's CRF (0..51). */
    crf?: number;
    /** x264 preset. Default "veryfast". */
    preset?: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow' | 'slower' | 'veryslow';
    /** Not supported yet: only false is accepted. */
    greenScreen?: false;
    /** Not supported yet: only false is accepted. */
    brainrotMode?: false;
  };
  /** Default "modern-light". */
  template?: 'modern-light' | 'modern-dark';
  colorCustomization?: {
    /** "me" bubbles. */
    senderBubbleColor?: Color;
    senderTextColor?: Color;
    /** "them" bubbles. */
    receiverBubbleColor?: Color;
    receiverTextColor?: Color;
    /** Background when backgroundSettings gives none. */
    backgroundColor?: Color;
  };
  backgroundSettings?: {
    backgroundType?: 'color' | 'gradient';
    backgroundColor?: Color;
    /** 2..16 stops, evenly spaced. */
    gradientColors?: Color[];
    /** CSS convention: 180 (default) runs top to bottom. */
    gradientAngle?: number;
  };
  animationSettings?: {
    /** Default "slide". */
    messageAnimationType?: 'slide' | 'fade' | 'none';
    /** Animation length in ms (0..5000). Default 300. */
    transitionDuration?: number;
    /** When message 0 appears, ms. Default 500. */
    baseDelay?: number;
    /** Pause after a message's hold before the next appears, ms. Default 400. */
    messageDelay?: number;
    /** false disables all message animations. */
    showMessageAnimations?: boolean;
  };
  messages: Array<{
    text: string;
    sender: 'me' | 'them';
    /** Seconds this message holds the stage (its voice clip); absent: a reading time from its length. */
    audioDuration?: number;
  }>;
  /** `audioSettings` is accepted as an alias. */
  voiceAudioSettings?: AudioSettings;
  audioSettings?: AudioSettings;
}

export interface AudioSettings {
  /** false: a silent audio track. Default true. */
  enableAudio?: boolean;
  /** Local path or file:// URL (relative to options.baseDir); any format libav decodes. Looped. */
  backgroundMusicUrl?: string;
  /** 0..100. Default 30. */
  backgroundMusicVolume?: number;
  /** 0..100. Default 100. */
  masterVolume?: number;
}

export interface Progress {
  frame: number;
  totalFrames: number;
  percent: number;
  /** Frames per second so far. */
  fps: number;
  etaMs: number;
  stage: 'encode' | 'finalize' | 'done';
}

export interface ProcessOptions {
  /** Called on the JS thread at most ~10 times a second, and once at 100 %. */
  onProgress?: (p: Progress) => void;
  /** Folder that relative paths in the config resolve against. Default process.cwd(). */
  baseDir?: string;
}

export interface TimelineEntry {
  index: number;
  sender: 'me' | 'them';
  startMs: number;
  endMs: number;
  holdMs: number;
  holdSource: 'audioDuration' | 'readingTime';
  /** false when the message starts after the video ends. */
  visible: boolean;
}

export interface ProcessResult {
  success: true;
  outputPath: string;
  durationMs: number;
  fileSize: number;
  metadata: {
    width: number;
    height: number;
    fps: number;
    frames: number;
    template: string;
    videoCodec: 'h264';
    /** The encoder actually used, e.g. "libx264". */
    encoder: string;
    crf: number;
    preset: string;
    quality: string;
    audioCodec: 'aac';
    audioEncoder: string;
    sampleRate: number;
    channels: number;
    music: boolean;
    timeline: TimelineEntry[];
    wallMs: number;
    renderFps: number;
    stages: { renderMs: number; convertMs: number; encodeMs: number; audioMs: number; muxMs: number };
    /** Unknown fields ignored, glyphs no font has, messages after the end. */
    warnings: string[];
  };
}

export interface StreamMetadata {
  index: number;
  type: 'video' | 'audio' | 'subtitle' | 'data' | 'other';
  codec: string;
  profile?: string;
  bitRate: number;
  /** Seconds. */
  duration: number;
  width?: number;
  height?: number;
  fps?: number;
  frames?: number;
  pixelFormat?: string;
  sampleRate?: number;
  channels?: number;
  channelLayout?: string;
  sampleFormat?: string;
}

export interface VideoMetadata {
  path: string;
  container: string;
  containerLongName: string;
  /** Seconds. */
  duration: number;
  durationMs: number;
  size: number;
  bitRate: number;
  streams: StreamMetadata[];
}

/**
 * Renders a chat story to outputPath (.mp4, .m4v or .mov). Written under a temporary name
 * and renamed when complete: a failed call leaves no file behind.
 * @param inputPath source/background clip; pass '' for a chat story (clips come in a later version)
 */
export declare function processVideo(
  inputPath: string,
  outputPath: string,
  config: ChatStoryConfig | string,
  options?: ProcessOptions,
): Promise<ProcessResult>;

/** Probes a media file. */
export declare function getVideoMetadata(filePath: string): Promise<VideoMetadata>;

/** The frame the video shows at timeMs, as PNG (default) or JPEG bytes. */
export declare function renderFrame(
  config: ChatStoryConfig | string,
  timeMs: number,
  options?: { format?: 'png' | 'jpeg'; quality?: number; baseDir?: string },
): Promise<Buffer>;

/** Versions of the engine, FFmpeg and Skia in use. */
export declare function version(): { engine: string; ffmpeg: string; skia: string };
