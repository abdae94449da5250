// What the long calls report and resolve with: progress, processVideo's and optimizeVideo's
// results, and getHardwareInfo()'s probe.

/**
 * Where a job is: waiting for a slot ('queued'), measuring voice loudness ('analyze-audio'),
 * the first pass of a two-pass encode ('pass-1'), encoding ('encode'), writing the file
 * ('finalize'), optimizeVideo's quality measurement ('quality'), finished ('done'). When a
 * size-targeted encode missed its window and runs again, its stages carry '-retryN' (N = 2, 3...).
 */
export type ProgressStage =
  | 'queued' | 'analyze-audio' | 'pass-1' | 'encode' | 'finalize' | 'quality' | 'done'
  | `${'analyze-audio' | 'pass-1' | 'encode' | 'finalize'}-retry${number}`;

/** What onProgress receives. */
export interface Progress {
  frame: number;
  totalFrames: number;
  percent: number;
  /** Frames per second so far. */
  fps: number;
  etaMs: number;
  stage: ProgressStage;
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
     * With libx264 only (absent for other encoders, and from renderAudio's and renderDistributed's results, whose chunks say
     * it): whether x264 ran its threads on several frames at once or on slices of one frame (the engine's x264Threads, or a
     * memoryLimitMb that only slice threads fit).
     */
    x264Threads?: 'frames' | 'slices';
    /**
     * Present when hardware encoding was asked for (`enableHardwareAcceleration: true`, or "auto"
     * with a hardware encoder that then failed) but the software encoder was used: why.
     */
    hardwareFallback?: string;
    /** A processing config's optimization.target_size_mb: the ceiling, and whether the first encode fit or was re-encoded. */
    sizeTarget?: { ceilingMb: number; action: 'within' | 'reencoded'; firstEncodeBytes: number; encodes: number };
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
    /** Frames identical to the one before, encoded again without being drawn again. */
    reusedFrames: number;
    /**
     * Milliseconds each stage kept its thread busy; the threads run beside each other, so these do not add
     * up to wallMs: render and convert on the render thread (repeated frames cost neither), encode (x264
     * calls) on the job's thread, audio (mix, meters and audio encoder; the loudness analysis before it
     * not counted) on the audio thread, mux (finishing the file) at the end.
     */
    stages: { renderMs: number; convertMs: number; encodeMs: number; audioMs: number; muxMs: number };
    /**
     * Unknown fields ignored, glyphs no font has, messages after the end; a size target the content did not need; and, where
     * the job fitted the engine's memoryLimitMb only so, that x264 encoded with its threads on slices of one frame
     * (starts with "memoryLimitMb: "; slice threads that the engine's x264Threads chose are not warned about).
     */
    warnings: string[];
  };
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
  /**
   * The video bit rate the kept encode was asked for, kbit/s. Content that needs a fraction of the
   * budget (a screen recording) is asked more for its quality and still comes out far smaller;
   * `sizeDecision.reason` says so.
   */
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  /** Two-pass encodes run (more than one when the first missed the window and was corrected). */
  encodes: number;
  quality?: { ssimY: number; ssimU: number; ssimV: number; psnrY: number; framesCompared: number; method: string };
  /** Why the output has its size (see README, optimizeVideo: "How the size is chosen"). */
  sizeDecision: SizeDecision;
  /** The whole call's time in ms, from the job's start (after any wait in the queue) to its result: the size decision, every encode and the quality measurement (`stages` has the parts). */
  wallMs: number;
  /**
   * Where the time went, in ms: deciding the size (sample encodes), the encode (every pass of every attempt; with
   * quality 'in-flight' the measurement runs inside it), and a separate quality measurement (decoding output and input
   * afterwards; 0 when the encode measured itself). quality: 'in-flight' (the output's packets decoded as they were
   * encoded and compared with the decoded input frames the encoder's pictures came from, a smaller output scaled back
   * up: a yuv420p input at its own frame rate), 'decode', or 'none'.
   */
  stages: { sizingMs: number; encodeMs: number; qualityMs: number; quality: 'in-flight' | 'decode' | 'none' };
  /** A size target the content did not need, an input already within it; and "memoryLimitMb: ..." where the job fitted the engine's memoryLimitMb only with x264's threads on slices of one frame. */
  warnings: string[];
}

/**
 * optimizeVideo's picture-size decision. method: 'fixed' (allowDownscale false), 'enough-bits' (at least 0.05
 * bits per pixel: full size, not measured), 'first-pass' (under 0.05, h264: x264's first pass at full size averaged a
 * quantiser under 30, or was stuck at x264's top quantiser on content a crf 23 pass codes within twice the budget, so the
 * full size is kept without samples and the encode reuses that pass), 'first-passes' (under 0.05 otherwise, h264, a
 * yuv420p input at its own frame rate: the smaller size's first pass over the whole clip runs too, both scored as they
 * encode at full size; the smaller size is kept when it scores more than 0.002 higher; the encode reuses the chosen
 * size's pass), 'measured' (under 0.05 otherwise: sample segments encoded at each candidate at the planned bit rate; the
 * higher SSIM, measured at full size, kept; full size on a tie).
 */
export interface SizeDecision {
  method: 'fixed' | 'enough-bits' | 'first-pass' | 'first-passes' | 'measured';
  /** The chosen size. */
  width: number;
  height: number;
  /** The planned video bit rate per pixel per frame at full size. */
  bitsPerPixel: number;
  /** Full size first, then the rule's smaller size when one was considered; sampleSsim: the SSIM its sample (or, 'first-passes', its first pass: over the frames it had scored where one pass ended the other, as the reason says) measured, null when not measured. */
  candidates: Array<{ width: number; height: number; sampleSsim: number | null }>;
  /** Segments of the clip in the sample, and its length (0 when no sample was encoded). */
  sampleSegments: number;
  sampleSeconds: number;
  reason: string;
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
