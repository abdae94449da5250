// The two configs processVideo, renderFrame and compileScene accept (docs/scene-format.md for
// what they compile to): a ReelSpeed chat story and an engine processing config.

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
  /** Optional when videoSettings.duration is given: the background (and header) alone, with a warning. */
  messages?: Array<{
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
 * Unknown keys are errors (ERR_INVALID_CONFIG naming the field). Units are the spec's (§5.2):
 * volumes and opacities in percent 0..100, transition durations in milliseconds, trims, overlay
 * starts and durations in seconds; a value only plausible in another unit (a volume of 0.8, a
 * 0.5 ms transition) is rejected naming the unit. Without an input clip, the video is
 * `effects.background` under the text overlays for their total length.
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
    /** Percent on the clips' own sound, 0..400 (100: as recorded; no loudness normalisation, true peaks limited). Default 100. */
    volume?: number;
    /** Music added under the clips, looped; local path relative to options.baseDir. */
    music?: string;
    /** Percent on the music, 0..400. Default 100. */
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
    /**
     * A colour (the bars of a contain fit; default "#000000"), or the spec's `{ type, source, opacity }`:
     * `source` is a colour, comma-separated gradient stops, a picture or a video (path or http(s) URL),
     * or '' for the overlays' template colours; `opacity` in percent 0..100 (default 100).
     */
    background?: Color | { type?: 'color' | 'gradient' | 'image' | 'video'; source?: string; opacity?: number };
    /** Between each two clips (the clips overlap by `duration`), and the text overlays' entrances. */
    transitions?: {
      enabled?: boolean;
      /** Default "fade". pop, typewriter and none are the chat animations §5.2 passes on (overlay entrances). */
      type?: 'fade' | 'slide' | 'wipe' | 'zoom' | 'custom' | 'pop' | 'typewriter' | 'none';
      /** Milliseconds, 10..10000. Default 500. */
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
  /** Inputs joined in order (then leave processVideo's inputPath empty). A string is a path or URL; `volume` in percent. */
  clips?: Array<string | { path: string; trim?: { start?: number; end?: number }; volume?: number }>;
  optimization?: {
    /**
     * An upload limit in MB (1 MB = 1,000,000 bytes): the video is encoded as its quality asks and
     * re-encoded (two-pass, same picture size) only when the file would exceed it; the result's
     * metadata.sizeTarget says which happened. Not with video.crf or video.bitrateKbps.
     */
    target_size_mb?: number;
    /** Hardware encoder policy for this job (see getHardwareInfo). Default false. */
    hardware_acceleration?: boolean | 'auto';
    /** Decode clips on one thread (one decoded frame held instead of one per core): less memory, slower decoding. */
    memory_optimization?: boolean;
    /** No longer has an effect (target_size_mb is a ceiling; a re-encode keeps the size); accepted with a warning. */
    allow_downscale?: boolean;
  };
}

export interface TextOverlay {
  text: string;
  /** Seconds from the start of the output. Default: when the previous overlay ends (0 for the first). */
  start?: number;
  /** Seconds; default: to the end. Required for every overlay when there is no input clip. */
  duration?: number;
  /** An anchor (centred horizontally; default "bottom") or the text's centre as fractions of the frame. */
  position?: 'top' | 'center' | 'bottom' | { x: number; y: number };
  /** A chat template's name (drawn as that template's bubble, centred by default) or a style. */
  style?: 'modern-light' | 'modern-dark' | 'imessage' | 'whatsapp' | 'instagram' | 'discord' | {
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
