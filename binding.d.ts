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
  | 'ERR_TARGET_UNREACHABLE'
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
  TARGET_UNREACHABLE: 'ERR_TARGET_UNREACHABLE';
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
    /** The chat over pure #00FF00 (no shadows) for keying in an editor. */
    greenScreen?: boolean;
    /** Split format: chat in the upper half, the background video cropped into the lower half. Needs a background video. */
    brainrotMode?: boolean;
  };
  /** Default "modern-light". */
  template?: 'modern-light' | 'modern-dark' | 'imessage' | 'whatsapp' | 'instagram' | 'discord';
  /** The chat panel: who the conversation is with, and where, how wide, large and opaque the panel is. */
  chatOverlay?: {
    contactName?: string;
    /** PNG/JPEG/WebP path or file:// URL; without it, a disc with the contact's initials. */
    avatarUrl?: string;
    /** Default: true when contactName or avatarUrl is given. */
    showHeader?: boolean;
    /** Default "top". */
    position?: 'top' | 'center';
    /** 30..100, default 100. */
    widthPercent?: number;
    /** Scales text and bubbles, 0.5..2, default 1. */
    scale?: number;
    /** 0..1 (or a percentage above 1), default 1. */
    opacity?: number;
  };
  /** Font files tried before the built-in fallback chain (the first one becomes the text face). */
  fonts?: Array<{ family: string; path: string }>;
  colorCustomization?: {
    /** "me" bubbles. */
    senderBubbleColor?: Color;
    senderTextColor?: Color;
    /** "them" bubbles. */
    receiverBubbleColor?: Color;
    receiverTextColor?: Color;
    /** Background when backgroundSettings gives none. */
    backgroundColor?: Color;
    headerBackgroundColor?: Color;
    headerTextColor?: Color;
  };
  backgroundSettings?: {
    /** Without it: "image"/"video" from backgroundUrl's extension, else gradient. */
    backgroundType?: 'color' | 'gradient' | 'image' | 'video';
    backgroundColor?: Color;
    /** 2..16 stops, evenly spaced. */
    gradientColors?: Color[];
    /** CSS convention: 180 (default) runs top to bottom. */
    gradientAngle?: number;
    /** Image (cover-fit) or video (looped, cover-fit, decoded in-process): a local path or file:// URL. */
    backgroundUrl?: string;
    /** Dims the background over black: 0..1 (or a percentage above 1). Default 1. */
    backgroundOpacity?: number;
    /** Blur radius in pixels at 1080 wide, or true for 16. */
    backgroundBlur?: number | boolean;
  };
  animationSettings?: {
    /** Default "slide". "pop" scales in with an overshoot; "typewriter" reveals the text over the message's hold. */
    messageAnimationType?: 'slide' | 'fade' | 'pop' | 'typewriter' | 'none';
    /** Scales every animation duration: slow ×1.6, fast ×0.6. */
    animationSpeed?: 'slow' | 'normal' | 'fast';
    /** Three-dot bubble before each message from the other side. */
    showTypingIndicator?: boolean;
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
    /** May be empty when imageUrl is given. */
    text: string;
    /** "me", "them", or a participant's name (group chats: left side, with a name label). */
    sender: 'me' | 'them' | string;
    /** A picture message (PNG/JPEG/WebP), with the text as its caption. */
    imageUrl?: string;
    /** Seconds this message holds the stage; absent: the voice clip's real length, else a reading time. */
    audioDuration?: number;
    /** The message's voice clip (WAV, MP3, M4A/AAC, OGG/Opus, FLAC, ...): starts exactly when the bubble appears. */
    audioUrl?: string;
  }>;
  /** `audioSettings` is accepted as an alias. */
  voiceAudioSettings?: AudioSettings;
  audioSettings?: AudioSettings;
}

export interface AudioSettings {
  /** false: a silent audio track. Default true. */
  enableAudio?: boolean;
  /** Local path or file:// URL (relative to options.baseDir); any format libav decodes. Looped with a short crossfade, faded in and out. */
  backgroundMusicUrl?: string;
  /** 0..100. Default 30. */
  backgroundMusicVolume?: number;
  /** 0..100. Default 100. */
  masterVolume?: number;
  /** 0..100. Default 100. */
  voiceVolume?: number;
  /** Lower the music while a voice clip plays. Default true. */
  duckMusicUnderVoice?: boolean;
  /** How much, in dB (-60..0). Default -12. */
  duckingDb?: number;
  /** Ramp down / up, ms. Defaults 80 / 300. */
  duckAttackMs?: number;
  duckReleaseMs?: number;
  /** A sound as each bubble appears: "pop" (generated by the engine), "none" (default) or a file path. */
  messageSoundEffect?: 'pop' | 'none' | string;
  /** 0..100. Default 60. */
  messageSoundVolume?: number;
  /** Integrated loudness of the output (ITU-R BS.1770), LUFS -40..-5. Default -14. */
  loudnessTarget?: number;
  /** True-peak ceiling of the output, dBTP -9..0. Default -1. */
  truePeakCeiling?: number;
  /** AAC bit rate: bits per second or "128k" (32k..320k). Default 128k. */
  audioBitrate?: number | string;
}

/**
 * An engine processing config: input clips trimmed, joined with transitions, fitted to the
 * output, recoloured, with text overlays, and their audio carried through. Recognised by
 * having no `messages` and any of `video`, `effects`, `clips`, `trim`, `optimization`.
 * Unknown keys are errors (ERR_INVALID_CONFIG naming the field). Times are seconds.
 */
export interface ProcessingConfig {
  video?: {
    /** Output size in pixels (even, 64..4096). Default: the first clip's upright size. Give both or neither. */
    width?: number;
    height?: number;
    /** Output frame rate 1..60; inputs of any (or variable) rate are resampled to it. Default: the first clip's exact rate (NTSC 30000/1001 kept). */
    fps?: number;
    /** Output codec. Default "h264". */
    codec?: 'h264' | 'h265' | 'vp9';
    /** Default "medium". Sets the CRF unless `crf` or `bitrateKbps` is given. */
    quality?: 'low' | 'medium' | 'high';
    crf?: number;
    /** Encoder speed/size trade-off (x264 names). Default "veryfast". */
    preset?: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow' | 'slower' | 'veryslow';
    /** Average video bit rate instead of a CRF. */
    bitrateKbps?: number;
    /** How clips fill the frame: crop (cover, default), letterbox (contain) or stretch (fill). */
    fit?: 'cover' | 'contain' | 'fill';
  };
  audio?: {
    /** false: a silent track. Default true. */
    enabled?: boolean;
    /** Factor on the clips' own sound, 0..4. Default 1 (as recorded; no loudness normalisation, true peaks limited). */
    volume?: number;
    /** Music added under the clips, looped; local path relative to options.baseDir. */
    music?: string;
    /** Factor on the music, 0..4. Default 1. */
    musicVolume?: number;
  };
  effects?: {
    /** Factors with 1 neutral (CSS filter semantics); hue_shift in degrees. */
    color_correction?: { brightness?: number; contrast?: number; saturation?: number; hue_shift?: number };
    /** Gaussian blur radius in output pixels (0..100). */
    blur?: number;
    /** Unsharp amount 0..1. */
    sharpen?: number;
    text_overlays?: TextOverlay[];
    /** Colour of the bars of a contain fit. Default "#000000". */
    background?: Color;
    /** Between each two clips; the clips overlap by `duration`. */
    transitions?: {
      enabled?: boolean;
      /** Default "fade". */
      type?: 'fade' | 'slide' | 'wipe' | 'zoom' | 'custom';
      /** Seconds, 0.01..10. Default 0.5. */
      duration?: number;
      /** For slide and wipe. Default "left". */
      direction?: 'left' | 'right' | 'up' | 'down';
      /**
       * For "custom": SkSL declaring `uniform shader from; uniform shader to; uniform float progress;`
       * (and optionally `uniform float2 resolution;`). A shader that does not compile is rejected with Skia's error.
       */
      shader?: string;
    };
  };
  /** The part of the joined result kept, in seconds. */
  trim?: { start?: number; end?: number };
  /** Inputs joined in order (then leave processVideo's inputPath empty). A string is a path. */
  clips?: Array<string | { path: string; trim?: { start?: number; end?: number }; volume?: number }>;
  optimization?: {
    /** Fit the output into this many MB (1 MB = 1,000,000 bytes) by a two-pass encode (not with video.crf or video.bitrateKbps). */
    target_size_mb?: number;
    /** Hardware encoder policy for this job (see getHardwareInfo). Default false. */
    hardware_acceleration?: boolean | 'auto';
    /** Decode clips on one thread (one decoded frame held instead of one per core): less memory, slower decoding. */
    memory_optimization?: boolean;
    /** With target_size_mb and no video.width/height: scale the picture down when the bit rate is too low for its size. Default true. */
    allow_downscale?: boolean;
  };
}

export interface TextOverlay {
  text: string;
  /** Seconds from the start of the output. Default 0. */
  start?: number;
  /** Seconds; default: to the end. */
  duration?: number;
  /** An anchor (centred horizontally; default "bottom") or the text's centre as fractions of the frame. */
  position?: 'top' | 'center' | 'bottom' | { x: number; y: number };
  style?: {
    /** Pixels at 1080 wide (scaled with the output width). Default 64. */
    fontSize?: number;
    /** Default white. */
    color?: Color;
    /** A rounded box behind the text. */
    backgroundColor?: Color;
    /** Default true. */
    bold?: boolean;
    strokeColor?: Color;
    /** Outline width, pixels at 1080 wide. */
    strokeWidth?: number;
    /** Wrap width as a fraction of the frame width, 0.1..1. Default 0.9. */
    maxWidth?: number;
  };
}

export interface Progress {
  frame: number;
  totalFrames: number;
  percent: number;
  /** Frames per second so far. */
  fps: number;
  etaMs: number;
  stage: 'queued' | 'analyze-audio' | 'encode' | 'finalize' | 'done';
}

export interface ProcessOptions {
  /** Called on the JS thread at most ~10 times a second, and once at 100 %. */
  onProgress?: (p: Progress) => void;
  /** Aborting stops the job promptly, frees its memory, removes the partial file and rejects with an AbortError (code ERR_ABORTED). */
  signal?: AbortSignal;
  /** Folder that relative paths in the config resolve against. Default process.cwd(). */
  baseDir?: string;
}

export interface TimelineEntry {
  index: number;
  sender: 'me' | 'them';
  /** A group chat participant's name. */
  name?: string;
  startMs: number;
  endMs: number;
  holdMs: number;
  holdSource: 'audioDuration' | 'audioClip' | 'readingTime';
  /** The voice clip of this message, if any. */
  audioFile?: string;
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
    /** Rounded; `frameRate` is exact ("30/1", "30000/1001"). */
    fps: number;
    frameRate: string;
    frames: number;
    /** Chat stories only. */
    template?: string;
    videoCodec: 'h264' | 'h265' | 'vp9';
    /** The encoder actually used, e.g. "libx264", or "h264_nvenc" when a hardware encoder ran. */
    encoder: string;
    /** Whether `encoder` is a hardware encoder. */
    hardwareEncoder: boolean;
    /**
     * Present when hardware encoding was asked for (`enableHardwareAcceleration: true`, or "auto"
     * with a hardware encoder that then failed) but the software encoder was used: why.
     */
    hardwareFallback?: string;
    /** How bits were spent: constant quality, one-pass average bit rate, or two passes. */
    rateControl: 'crf' | 'bitrate' | 'two-pass';
    /** Meaningful in 'crf' mode. */
    crf: number;
    /** Target video bit rate (kbit/s) in 'bitrate' and 'two-pass' modes. */
    bitrateKbps?: number;
    preset: string;
    quality: string;
    /** AAC in MP4/MOV/MKV, Opus in WebM. */
    audioCodec: 'aac' | 'opus';
    audioEncoder: string;
    sampleRate: number;
    channels: number;
    music: boolean;
    audioBitrate: number;
    /** Measured on the audio as encoded; null for a silent track. */
    loudness: { targetLufs: number; integratedLufs: number | null; truePeakDbtp: number | null; sourceLufs: number | null; gainDb: number | null; normalized: boolean };
    timeline: TimelineEntry[];
    /** Processing configs only: each input clip's place in the output (ms) and where it starts in its file. */
    clips?: Array<{ index: number; file: string; startMs: number; endMs: number; sourceStartMs: number; rotation: number; audio: boolean }>;
    wallMs: number;
    renderFps: number;
    stages: { renderMs: number; convertMs: number; encodeMs: number; audioMs: number; muxMs: number };
    /** Unknown fields ignored, glyphs no font has, messages after the end. */
    warnings: string[];
  };
}

/** Fields every stream has. Numbers are 0 and strings null when the file does not say. */
export interface StreamMetadataBase {
  index: number;
  type: 'video' | 'audio' | 'subtitle' | 'data' | 'attachment' | 'other';
  /** libavcodec's codec name: "h264", "hevc", "vp9", "av1", "prores", "aac", "opus", "mp3"... */
  codec: string;
  /** e.g. "High", "Main 10", "Profile 0", "HQ", "LC"; absent when the codec has none. */
  profile?: string;
  /** bit/s; 0 when the container does not say (Matroska/WebM streams). */
  bitRate: number;
  /** Seconds; 0 when the container gives no per-stream duration (Matroska/WebM). */
  duration: number;
  /** The stream's language tag (ISO 639-2, e.g. "eng", "und" = undetermined); null when untagged. */
  language: string | null;
  title: string | null;
  /** The stream is flagged default (players pick it first). */
  default: boolean;
  /** Every stream-level tag as the container stores it (Matroska keys are upper case). */
  tags: Record<string, string>;
}

/**
 * Keyframe spacing near the start of a video stream, estimated from packet headers (the
 * keyframe flag and timestamps), never by decoding. At most the first 10 s / 600 frames /
 * 32 MiB are read, so a two-hour file costs what a short one does.
 */
export interface KeyframeInterval {
  /** Median distance between consecutive keyframes, in frames; null when fewer than two keyframes were seen. */
  frames: number | null;
  /** The same in seconds (median of keyframe timestamp differences); null when unknown. */
  seconds: number | null;
  /** Keyframes seen in the sample. */
  keyframes: number;
  /** Frames (packets) of this stream read, and the stream time they cover. */
  sampledFrames: number;
  sampledSeconds: number;
  /** True when the sample reached the end of the stream (the whole stream was read). */
  complete: boolean;
  /** Always true: a sample of the start, which may not represent the whole file. */
  estimate: true;
}

export interface VideoStreamMetadata extends StreamMetadataBase {
  type: 'video';
  /** Stored (coded) picture size. */
  width: number;
  height: number;
  /**
   * Size as shown: width scaled by the sample aspect ratio, then width and height swapped when
   * `rotation` is 90 or 270. A phone's portrait clip stored as 1920x1080 shows as 1080x1920.
   */
  displayWidth: number;
  displayHeight: number;
  /**
   * Clockwise degrees (0, 90, 180 or 270) a player turns the decoded picture before showing it,
   * from the display matrix. ffprobe's side-data `rotation` is counterclockwise:
   * `rotation = (360 - ffprobeRotation) % 360`.
   */
  rotation: 0 | 90 | 180 | 270;
  /** "num:den" as ffprobe prints them; null when unknown. */
  sampleAspectRatio: string | null;
  displayAspectRatio: string | null;
  /** avgFrameRate when known, else nominalFrameRate, rounded to 3 decimals; 0 when neither. */
  fps: number;
  /** Average frame rate (frames / duration); null when unknown. 29.97 is 30000/1001 = 29.970029... */
  avgFrameRate: number | null;
  /** Nominal (base) frame rate, the lowest rate all timestamps fit (ffprobe's r_frame_rate); null when unknown. */
  nominalFrameRate: number | null;
  /**
   * Frame count: from the container (MP4/MOV), or counted when the probe read the whole stream
   * (short Matroska/WebM files); 0 when unknown.
   */
  frames: number;
  /** libavutil's pixel format name, e.g. "yuv420p", "yuv420p10le", "yuv422p10le". */
  pixelFormat?: string;
  /** Bits per colour component (8, 10, 12...), from the pixel format; null when unknown. */
  bitDepth: number | null;
  /** Codec level as libavcodec numbers it (H.264 31 = 3.1, HEVC 93 = level 3.1); null when unknown. */
  level: number | null;
  /** "tv" (limited) or "pc" (full); null when unspecified. */
  colorRange: string | null;
  /** e.g. "bt709", "bt2020nc", "smpte170m"; null when unspecified. */
  colorSpace: string | null;
  /** e.g. "bt709", "smpte2084" (PQ), "arib-std-b67" (HLG); null when unspecified. */
  colorTransfer: string | null;
  /** e.g. "bt709", "bt2020"; null when unspecified. */
  colorPrimaries: string | null;
  /** e.g. "left", "center", "topleft"; null when unspecified. */
  chromaLocation: string | null;
  /** PQ or HLG transfer, or HDR mastering-display / content-light-level metadata on the stream. */
  hdr: boolean;
  /** Mastering display luminance in cd/m² (HDR10 metadata); null when absent. */
  masteringDisplay: { minLuminance: number | null; maxLuminance: number | null } | null;
  /** Maximum content / frame-average light level in cd/m² (HDR10 MaxCLL/MaxFALL); null when absent. */
  contentLightLevel: { maxCll: number; maxFall: number } | null;
  /** Cover art of an audio file (MP3/M4A picture), not a moving video. */
  attachedPic: boolean;
  /** A still picture: an image file or cover art. */
  stillImage: boolean;
  /** null for still pictures. */
  keyframeInterval: KeyframeInterval | null;
}

export interface AudioStreamMetadata extends StreamMetadataBase {
  type: 'audio';
  sampleRate: number;
  channels: number;
  /** e.g. "mono", "stereo", "5.1", "5.1(side)"; absent when the file leaves the channel order unspecified (as ffprobe). */
  channelLayout?: string;
  /** e.g. "fltp", "s16". */
  sampleFormat?: string;
}

export interface OtherStreamMetadata extends StreamMetadataBase {
  type: 'subtitle' | 'data' | 'attachment' | 'other';
}

export type StreamMetadata = VideoStreamMetadata | AudioStreamMetadata | OtherStreamMetadata;

export interface VideoMetadata {
  /** The absolute path probed. */
  path: string;
  /** libavformat's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "png_pipe". */
  container: string;
  containerLongName: string;
  /**
   * "video" when a moving picture is present, "audio" when only sound (cover art does not
   * count), "image" for a still picture (a PNG or JPEG probes fine: kind "image", duration 0).
   */
  kind: 'video' | 'audio' | 'image';
  /** Seconds; 0 when unknown (a still image). */
  duration: number;
  durationMs: number;
  /** Seconds (may be slightly negative, e.g. Opus pre-skip in WebM); null when unknown. */
  startTime: number | null;
  /** File size in bytes. */
  size: number;
  /** Overall bit rate in bit/s; 0 when unknown. */
  bitRate: number;
  /** The format-level title, creation_time and encoder tags (matched case-insensitively); null when absent. */
  title: string | null;
  creationTime: string | null;
  encoder: string | null;
  /** Every format-level tag as the container stores it, e.g. MP4's major_brand. */
  tags: Record<string, string>;
  streamCounts: { video: number; audio: number; subtitle: number; data: number; attachment: number; other: number };
  chapterCount: number;
  /** Times in seconds. */
  chapters: { id: number; start: number; end: number; title: string | null }[];
  streams: StreamMetadata[];
}

/**
 * Renders a chat story, or processes clips with a processing config, to outputPath (.mp4, .m4v,
 * .mov or .mkv). Written under a temporary name and renamed when complete: a failed call leaves no file behind.
 * @param inputPath for a chat story: a background video (looped, cover-fitted; the lower half in
 * brainrot mode), or ''; for a processing config: the clip to process ('' when the config lists `clips`)
 */
export declare function processVideo(
  inputPath: string,
  outputPath: string,
  config: ChatStoryConfig | ProcessingConfig | string,
  options?: ProcessOptions,
): Promise<ProcessResult>;

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

export interface OptimizeResult {
  success: true;
  outputPath: string;
  /** Bytes. */
  originalSize: number;
  optimizedSize: number;
  /** targetSizeMb × 1,000,000. The output lands within -5 %..+2 % of it. */
  targetSize: number;
  /** originalSize / optimizedSize. */
  compressionRatio: number;
  /** The measured SSIM (All, as ffmpeg's ssim filter weights the planes) of the decoded output against the decoded input; null when measureQuality is false. */
  qualityScore: number | null;
  ssim: number | null;
  /** Average PSNR in dB (as ffmpeg's psnr filter); capped at 100 for identical frames. */
  psnr: number | null;
  /** The encoder actually used, e.g. "libx264". */
  encoder: string;
  hardwareFallback?: string;
  videoCodec: 'h264' | 'h265' | 'vp9';
  width: number;
  height: number;
  fps: number;
  /** Exact: "30/1", or the input's NTSC rate such as "30000/1001". */
  frameRate: string;
  durationMs: number;
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  /** Two-pass encodes run (more than one when the first missed the window and was corrected). */
  encodes: number;
  quality?: { ssimY: number; ssimU: number; ssimV: number; psnrY: number; framesCompared: number; method: string };
  wallMs: number;
  warnings: string[];
}

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
export declare function renderFrame(
  config: ChatStoryConfig | ProcessingConfig | string,
  timeMs: number,
  /** inputPath: what processVideo's inputPath would be (a background video, or a processing config's clip). */
  options?: { format?: 'png' | 'jpeg'; quality?: number; baseDir?: string; inputPath?: string },
): Promise<Buffer>;

/**
 * The Scene a config compiles to (schemaVersion 1): every element with resolved geometry,
 * shaped glyphs, keyframes, the timeline and the files it needs. See docs/scene-format.md.
 */
export declare function compileScene(config: ChatStoryConfig | string, options?: { baseDir?: string }): Promise<SceneJson>;

export interface Rect { x: number; y: number; width: number; height: number }

/** The Scene format; docs/scene-format.md describes every field and how to render it. */
export interface SceneJson {
  schemaVersion: 1;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  durationMs: number;
  template: string;
  bubbleStyle: 'rounded' | 'iMessage' | 'whatsApp' | 'instagram' | 'discord';
  background: { type: 'color' | 'gradient' | 'image' | 'video' | 'greenScreen'; colors: string[]; angle: number; media?: string; mediaRect: Rect; opacity: number; blur: number };
  panel: Rect;
  viewport: Rect;
  clipBottom: number;
  chatOpacity: number;
  header?: Record<string, unknown>;
  messages: Array<{
    index: number;
    sender: 'me' | 'them';
    name?: string;
    text: string;
    bounds: Rect;
    body: Rect;
    style: string;
    tail: 'none' | 'bottomCurve' | 'topNotch';
    animation: { type: string; startMs: number; durationMs: number; slideDistance: number; revealMs?: number };
    holdMs: number;
    [key: string]: unknown;
  }>;
  typingIndicators: Array<{ message: number; bounds: Rect; startMs: number; endMs: number; [key: string]: unknown }>;
  scroll: { easing: 'easeOutCubic'; segments: Array<{ startMs: number; durationMs: number; from: number; to: number }> };
  audio: { enabled: boolean; music?: string; musicGain: number };
  /** Processing configs only (docs/scene-format.md). */
  composition?: {
    offsetMs: number;
    fit: 'cover' | 'contain' | 'fill';
    background: string;
    clips: Array<{ index: number; file: string; startMs: number; durationMs: number; sourceStartMs: number; sourceWidth: number; sourceHeight: number; rotation: number; sourceFps: number; hasAudio: boolean; volume: number }>;
    transition: { type: string; durationMs: number; direction: string; shader?: string } | null;
    effects: { brightness: number; contrast: number; saturation: number; hueShift: number; colorMatrices: number[][]; blur: number; sharpen: number };
    textOverlays: Array<{ startMs: number; endMs: number | null; text: Record<string, unknown>; [key: string]: unknown }>;
  };
  assets: string[];
  warnings: string[];
}

export interface VideoEngineOptions {
  /** Jobs running at once; more wait in a FIFO queue. 1..64, default: the number of cores. */
  maxConcurrentJobs?: number;
  /** Estimated memory of running jobs, MB; a job waits for room, or fails with ERR_RESOURCE_LIMIT if it can never fit. Default: no limit. */
  memoryLimitMb?: number;
  /** Folder for partial outputs (the finished file still appears only when complete). Default: beside the output. */
  tempDirectory?: string;
  /** Host names or CIDRs ("media.internal", "10.0.0.0/8") that remote assets may come from although private or loopback. Default: none. */
  allowedHosts?: string[];
  /** Bound of the downloaded-asset cache (assets/ under tempDirectory), MB; least recently used out first. Default 1024. */
  assetCacheMb?: number;
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

/** A hardware device type the engine encodes with, and whether one opened in this process. */
export interface HardwareDeviceInfo {
  type: 'cuda' | 'qsv' | 'vaapi' | 'videotoolbox';
  /** Whether this FFmpeg build supports the device type. */
  inBuild: boolean;
  /** Whether a device of this type opened here. */
  available: boolean;
  /** libav's reason when it did not (error text and its log lines), else null. */
  error: string | null;
}

/** A hardware encoder and the result of its trial encode (one 256x256 frame). */
export interface HardwareEncoderInfo {
  /** libavcodec encoder name, e.g. "h264_nvenc", "hevc_vaapi", "h264_qsv". */
  name: string;
  codec: 'h264' | 'h265' | 'vp9';
  device: 'cuda' | 'qsv' | 'vaapi' | 'videotoolbox';
  /** Whether this FFmpeg build has the encoder. */
  inBuild: boolean;
  /** Whether the trial encode worked: jobs may use it. */
  usable: boolean;
  /** What it is fed when usable: "yuv420p" or "nv12" from system memory, or "vaapi" surfaces uploaded from NV12. */
  input: string | null;
  /** Why it is not usable (libav's error text and log lines), else null. */
  error: string | null;
}

/** What getHardwareInfo() resolves with. */
export interface HardwareInfo {
  ffmpeg: string;
  /** Every hardware device type this FFmpeg build knows (e.g. vdpau, cuda, vaapi, qsv, drm, opencl, vulkan). */
  deviceTypes: string[];
  devices: HardwareDeviceInfo[];
  /** In the order "auto" prefers them: NVENC, QSV, VAAPI, VideoToolbox. */
  encoders: HardwareEncoderInfo[];
  /** The encoder enableHardwareAcceleration: "auto" uses per codec (a software one when no hardware encoder is usable). */
  auto: { h264: string; h265: string; vp9: string };
  /** The software encoders: libx264, libx265, libvpx-vp9. */
  software: { h264: string; h265: string; vp9: string };
  /** Whether any hardware encoder is usable. */
  hardwareAvailable: boolean;
  /** How long the probe took (it runs once per process). */
  probeMs: number;
}

/**
 * Probes the hardware video encoders this process can use (once per process, then cached):
 * device types in the FFmpeg build, devices that open, encoders that pass a trial encode, and
 * for every one that does not, why.
 */
export declare function getHardwareInfo(): Promise<HardwareInfo>;

/** An engine with its own limits and metrics. */
export declare class VideoEngine {
  constructor(options?: VideoEngineOptions);
  readonly options: Readonly<VideoEngineOptions>;
  processVideo(inputPath: string, outputPath: string, config: ChatStoryConfig | ProcessingConfig | string, options?: ProcessOptions): Promise<ProcessResult>;
  optimizeVideo(inputPath: string, targetSizeMb: number, options?: OptimizeOptions): Promise<OptimizeResult>;
  getVideoMetadata(filePath: string): Promise<VideoMetadata>;
  renderFrame(config: ChatStoryConfig | ProcessingConfig | string, timeMs: number, options?: { format?: 'png' | 'jpeg'; quality?: number; baseDir?: string; inputPath?: string }): Promise<Buffer>;
  compileScene(config: ChatStoryConfig | string, options?: { baseDir?: string }): Promise<SceneJson>;
  /** Same as the module-level getHardwareInfo(). */
  getHardwareInfo(): Promise<HardwareInfo>;
  /** Prometheus text exposition: reelspeed_engine_* counters and gauges. */
  metrics(): string;
}

/** Prometheus text of the default engine (the module-level functions). */
export declare function metrics(): string;

/** Versions of the engine, FFmpeg and Skia in use. */
export declare function version(): { engine: string; ffmpeg: string; skia: string };
