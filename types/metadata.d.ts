// What getVideoMetadata() resolves with.

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
