// What compileScene() resolves with: the Scene format (schemaVersion 1), exactly as
// Engine/Scene/SceneJson.cs writes it. docs/scene-format.md describes every field and how to render it.

/** A rectangle in output pixels (top-left origin). */
export interface Rect { x: number; y: number; width: number; height: number }

/** One shaped run of a line: glyph ids of `font` and their positions (x, y pairs) relative to the run. */
export interface SceneTextRun {
  /** File name of the font (its path is in `assets`). */
  font: string;
  x: number;
  width: number;
  /** The size the run is drawn at (the block's fontSize). */
  fontSize: number;
  /** A right-to-left run (odd bidi level): its glyphs are revealed from the end of the arrays. */
  rtl: boolean;
  /** Per glyph, the UTF-16 offset in the element's text of the cluster it belongs to (typewriter reveal). */
  clusters: number[];
  glyphs: number[];
  /** x0, y0, x1, y1, ... one pair per glyph, exact (float32), relative to the run's origin on the baseline. */
  positions: number[];
}

/** A default avatar's initials, as glyphs: drawn in white at (rect.x + x, rect.y + y), glyph positions relative to that origin. */
export interface SceneInitials {
  /** File name of the bold font (its path is in `assets`). */
  font: string;
  fontSize: number;
  /** The initials' font hinting (text runs use `fontSettings.hinting`). */
  hinting: 'normal';
  color: string;
  x: number;
  y: number;
  glyphs: number[];
  positions: number[];
}

/** A block of shaped text: its origin, colour, metrics and lines of runs. */
export interface SceneText {
  x: number;
  y: number;
  /** "#RRGGBBAA". */
  color: string;
  fontSize: number;
  lineHeight: number;
  baseline: number;
  width: number;
  lines: Array<{ width: number; rtl: boolean; runs: SceneTextRun[] }>;
}

/** A chat bubble with its resolved geometry, text and animation. */
export interface SceneMessage {
  index: number;
  sender: 'me' | 'them';
  /** A group chat participant's name. */
  name?: string;
  text: string;
  bounds: Rect;
  body: Rect;
  style: SceneBubbleStyle;
  tail: 'none' | 'bottomCurve' | 'topNotch';
  cornerRadius: number;
  /** The radius of the body's corner on the sender's side at the bottom (rounded style: the tail corner); sizes the iMessage tail. */
  tailCornerRadius: number;
  fill: string;
  /** Top to bottom, when the template fills bubbles with a gradient. */
  fillGradient?: string[];
  /** A drop shadow of the body: `blur` is the Gaussian sigma in pixels, offset down by `offsetY`. */
  shadow?: { color: string; blur: number; offsetY: number };
  textBlock: SceneText;
  /** The sender's name above a group chat bubble. */
  label?: SceneText;
  picture?: { image: string; rect: Rect; cornerRadius: number };
  avatar?: { rect: Rect; initials: string; color: string; initialsText?: SceneInitials };
  animation: { type: 'slide' | 'fade' | 'pop' | 'typewriter' | 'none'; startMs: number; durationMs: number; slideDistance: number; revealMs?: number };
  holdMs: number;
}

export type SceneBubbleStyle = 'rounded' | 'iMessage' | 'whatsApp' | 'instagram' | 'discord';

/** A voice (chat stories) or a clip's sound (processing configs) on the soundtrack. */
export interface SceneVoice {
  /** The message it voices; a clip's index for processing configs. */
  message: number;
  file: string;
  startMs: number;
  gain: number;
  /** Processed clips: where the sound starts in its file, how long it plays, its crossfades. */
  sourceStartMs?: number;
  durationMs?: number;
  fadeInMs?: number;
  fadeInStartMs?: number;
  /** Ends at startMs + durationMs (the clip's set end), even where the file's sound ends before it. */
  fadeOutMs?: number;
}

/** The soundtrack: voices, music, ducking, pops and loudness target. */
export interface SceneAudio {
  enabled: boolean;
  /** Always 48000. */
  sampleRate: number;
  /** AAC/Opus bit rate, bit/s. */
  bitRate: number;
  music?: string;
  musicGain: number;
  masterGain: number;
  voices: SceneVoice[];
  ducking: { enabled: boolean; db: number; attackMs: number; releaseMs: number };
  /** When the pop sound plays (ms). */
  popsMs: number[];
  /** With pops: their linear gain, and the sound file (absent: the engine's synthesised pop, a 50 ms falling sine sweep). */
  popGain?: number;
  popSound?: string;
  /** The music's raised-cosine fade in from the start and out to the end, ms. */
  musicFadeInMs: number;
  musicFadeOutMs: number;
  /** The music loop's crossfade, ms (correlation-compensated equal power). */
  loopCrossfadeMs: number;
  /** Whether the mix is normalised to loudnessTargetLufs and limited under truePeakCeilingDbtp. */
  normalize: boolean;
  loudnessTargetLufs: number;
  truePeakCeilingDbtp: number;
}

/** Processing configs only: clips on the timeline, the transition, effects and text overlays. */
export interface SceneComposition {
  offsetMs: number;
  fit: 'cover' | 'contain' | 'fill';
  background: string;
  clips: Array<{ index: number; file: string; startMs: number; durationMs: number; sourceStartMs: number; sourceWidth: number; sourceHeight: number; rotation: number; sourceFps: number; hasAudio: boolean; volume: number }>;
  transition: { type: 'fade' | 'slide' | 'wipe' | 'zoom' | 'custom'; durationMs: number; direction: 'left' | 'right' | 'up' | 'down'; shader?: string } | null;
  effects: { brightness: number; contrast: number; saturation: number; hueShift: number; colorMatrices: number[][]; blur: number; sharpen: number };
  textOverlays: Array<{
    startMs: number;
    /** null: until the end. */
    endMs: number | null;
    text: SceneText;
    backgroundColor?: string;
    /** The overlay's box (its text plus padding), written with or without a background: a pop entrance scales about its centre. */
    backgroundRect: Rect;
    backgroundRadius?: number;
    strokeColor?: string;
    strokeWidth?: number;
    /** How the overlay enters (effects.transitions), as a chat message's animation. */
    entrance?: { type: 'slide' | 'fade' | 'pop' | 'typewriter' | 'none'; startMs: number; durationMs: number; slideDistance: number; revealMs: number };
  }>;
}

/** The Scene: what compileScene() resolves with (a chat story's or a processing config's). */
export interface SceneJson {
  schemaVersion: 1;
  width: number;
  height: number;
  /** Rounded; `frameRate` is exact. */
  fps: number;
  /** Exact rational frame rate: "30/1", "30000/1001". */
  frameRate: string;
  frameCount: number;
  durationMs: number;
  template: string;
  bubbleStyle: SceneBubbleStyle;
  background: { type: 'color' | 'gradient' | 'image' | 'video' | 'greenScreen'; colors: string[]; angle: number; media?: string; mediaRect: Rect; opacity: number; blur: number };
  panel: Rect;
  viewport: Rect;
  clipBottom: number;
  chatOpacity: number;
  /** How every text run's font is set up. */
  fontSettings: { subpixel: true; edging: 'antialias'; hinting: 'slight' };
  header?: {
    bounds: Rect;
    backgroundTop: number;
    background: string;
    avatar: { rect: Rect; image?: string; initials: string; color: string; initialsText?: SceneInitials };
    /** A line across the bar's bottom edge, `width` px thick. */
    divider: { color: string; width: number };
    title: SceneText;
    subtitle?: SceneText;
  };
  messages: SceneMessage[];
  typingIndicators: Array<{ message: number; bounds: Rect; startMs: number; endMs: number; fill: string; dots: string; cornerRadius: number; dotPeriodMs: number }>;
  scroll: { easing: 'easeOutCubic'; segments: Array<{ startMs: number; durationMs: number; from: number; to: number }> };
  audio: SceneAudio;
  composition?: SceneComposition;
  /** Every file the scene reads: background, avatar, pictures, music, voices, pop sound, clips, fonts. */
  assets: string[];
  warnings: string[];
}
