// reelspeed-engine/preview: the browser preview. An ES module for browsers and bundlers (Vite):
// draws a compiled Scene (compileScene's result, docs/scene-format.md) with CanvasKit, Skia
// compiled to WebAssembly (the canvaskit-wasm package), so that frame t is the engine's frame t.

import type { SceneComposition, SceneJson } from './scene';

export type { SceneJson } from './scene';

/** 'exact': a premultiplied CPU surface, pixel parity with renderFrame (SSIM >= 0.999). 'fast': WebGL on the canvas, static layers cached as GPU images (SSIM >= 0.99: GPU antialiasing). */
export type PreviewMode = 'exact' | 'fast';

export interface PreviewOptions {
  /**
   * Where the Scene's files (fonts, pictures, avatar, background image: the paths in `assets`) are fetched from:
   * a URL prefix followed by the URL-encoded path, or a function from the path to its URL.
   */
  assetBase: string | ((path: string) => string);
  /** Default 'exact'. */
  mode?: PreviewMode;
  /** An initialised CanvasKit to use (otherwise the module initialises one, once). */
  canvasKit?: unknown;
  /** CanvasKit's init function, when canvaskit.js was loaded as a script or bundled (default: globalThis.CanvasKitInit, then import('canvaskit-wasm')). */
  CanvasKitInit?: (options?: { locateFile?: (file: string) => string }) => Promise<unknown>;
  /** URL of the folder holding canvaskit.wasm (default: where CanvasKit looks by itself). */
  canvasKitBase?: string;
  /**
   * Play the soundtrack with Web Audio while playing: the engine's mix computed in the browser (voices, music looped
   * with its crossfade, faded and ducked, pops, loudness normalisation and the true-peak limiter), so it sounds as the
   * render. Default false.
   */
  audio?: boolean;
}

/** An error of the preview: `code` is one of the engine's error codes (`ErrorCode`: ERR_INVALID_ARG_TYPE, ERR_INVALID_CONFIG, ERR_UNSUPPORTED, ERR_ASSET_FETCH, ERR_UNSUPPORTED_MEDIA, ERR_DEPENDENCY, ERR_ABORTED, ERR_RESOURCE_LIMIT). */
export interface PreviewError extends Error {
  code: string;
}

export interface Preview {
  readonly mode: PreviewMode;
  /** The time shown, ms. */
  readonly currentTime: number;
  readonly playing: boolean;
  /** Shows the frame at ms (clamped to 0..durationMs). */
  seek(ms: number): void;
  /** Shows the frame at ms and resolves once it is on the canvas (with a background video: once the video has that frame). */
  showFrame(ms: number): Promise<void>;
  /** Plays from the current time in real time (requestAnimationFrame); 'ended' fires at the end. */
  play(): void;
  pause(): void;
  /** Draws frame ms without showing it: PNG bytes, or straight RGBA pixels with format 'rgba'. */
  renderFrame(ms: number, options?: { format?: 'png' }): Promise<Uint8Array>;
  renderFrame(ms: number, options: { format: 'rgba' }): Promise<{ width: number; height: number; data: Uint8Array }>;
  /** Listens to the time shown ('time', ms) or the end of playback ('ended'); returns the unsubscribe function. */
  on(event: 'time', listener: (ms: number) => void): () => void;
  on(event: 'ended', listener: () => void): () => void;
  /** Frees the surface, fonts and images (CanvasKit memory); the preview cannot be used after. */
  destroy(): void;
}

/**
 * A preview of a Scene on `canvas` (resized to the Scene's frame): a chat story, or a processing
 * Scene (its composition: clips from video elements seeked to the engine's source times, effects,
 * transitions including custom SkSL, text overlays). Resolves once its fonts, images and the
 * videos frame 0 shows are loaded and frame 0 is shown.
 */
export declare function createPreview(canvas: HTMLCanvasElement | OffscreenCanvas, scene: SceneJson, options: PreviewOptions): Promise<Preview>;

/** Initialises CanvasKit once (shared by every preview). */
export declare function loadCanvasKit(options?: Pick<PreviewOptions, 'canvasKit' | 'CanvasKitInit' | 'canvasKitBase'>): Promise<unknown>;

/** A message's animated state at t (docs/scene-format.md, "Animation state at t"). */
export declare function evaluateAnimation(animation: SceneJson['messages'][number]['animation'], t: number): {
  visible: boolean; opacity: number; offsetX: number; offsetY: number; scale: number; reveal: number;
};
/** The conversation's scroll offset at t. */
export declare function scrollAt(scroll: SceneJson['scroll'], t: number): number;
/** UTF-16 length of the text a typewriter shows at a reveal fraction (whole graphemes). */
export declare function revealedLength(text: string, reveal: number): number;
export declare function easeOutCubic(p: number): number;
export declare function easeOutBack(p: number): number;
/** CSS linear-gradient geometry: the gradient line's start and end points. */
export declare function gradientLine(angleDegrees: number, width: number, height: number): [[number, number], [number, number]];

/** An effect processVideoPreview applies: its name, its field in a processing config's `effects`, its range and neutral value. */
export interface SupportedEffect {
  name: 'brightness' | 'contrast' | 'saturation' | 'hue' | 'blur' | 'sharpen';
  path: string;
  min: number;
  max: number;
  default: number;
  unit: 'factor' | 'degrees' | 'px' | 'amount';
}

/**
 * Effects as in a processing config (the engine's units): colour factors (1 neutral), hue in degrees, blur radius in
 * px, sharpen 0..1. The spec's EffectsConfig form is accepted too: brightness, contrast, saturation at the top level
 * (the same factors; not also inside color_correction), and its textOverlay, drawn on top of the effects.
 */
export interface PreviewEffects {
  color_correction?: { brightness?: number; contrast?: number; saturation?: number; hue_shift?: number };
  brightness?: number;
  contrast?: number;
  saturation?: number;
  blur?: number;
  sharpen?: number;
  /**
   * The spec's text overlay, drawn as the engine draws `effects.text_overlays: [{ text, position: { x: x / width,
   * y: y / height }, style: { fontSize: fontSize * 1080 / width, color } }]`: bold (the font given in the options),
   * centred on (x, y), wrapped at 0.9 of the width, kept inside the frame, same glyph positions. Text the font cannot
   * set alone (a character it lacks, right-to-left or CJK text, a word wider than the frame) rejects with ERR_UNSUPPORTED.
   */
  textOverlay?: {
    text: string;
    /** Frame pixels: the text's centre. */
    x: number;
    y: number;
    /** Frame pixels. */
    fontSize: number;
    /** '#RGB', '#RRGGBB' or '#RRGGBBAA'. */
    color: string;
  };
}

/** The spec's getSupportedEffects(): the names of the effects processVideoPreview applies. */
export declare function getSupportedEffects(): Array<'blur' | 'sharpen' | 'brightness' | 'contrast' | 'saturation' | 'color_correction' | 'text_overlay'>;

/** Each effect processVideoPreview applies, with its config field, range and neutral value. */
export declare function describeEffects(): SupportedEffect[];

/**
 * Applies `effects` to one frame with the engine's maths (SSIM >= 0.999 against the engine for one effect,
 * >= 0.995 combined with blur) and shows it on `canvas` (resized; null: not shown). `frame`: ImageData,
 * `{ width, height, data }` RGBA, or a drawable element (a playing <video>: call it per frame).
 */
export declare function processVideoPreview(
  canvas: HTMLCanvasElement | OffscreenCanvas | null,
  frame: ImageData | { width: number; height: number; data: Uint8Array | Uint8ClampedArray } | CanvasImageSource,
  effects: PreviewEffects,
  options?: Pick<PreviewOptions, 'canvasKit' | 'CanvasKitInit' | 'canvasKitBase'> & {
    /** The text overlay's font (the engine's NotoSans-Bold.ttf): its URL, fetched once per page... */
    fontUrl?: string;
    /** ...or its bytes. One of the two is required with effects.textOverlay. */
    font?: ArrayBuffer | Uint8Array;
  },
): Promise<{ width: number; height: number; data: Uint8Array }>;

/** Easing.EaseInOutCubic, the clip transitions' easing. */
export declare function easeInOutCubic(p: number): number;

/**
 * What a processing Scene shows at output time ms: composition time t (ms + offsetMs), the clip on screen and, during
 * a transition, the incoming clip and the transition's progress p (0..1).
 */
export declare function compositionState(composition: SceneComposition, ms: number): { t: number; current: number; next: number; p: number };

/** Where a clip's frame goes for a fit: the source crop (sx, sy, sw, sh) and the content rectangle (x, y, w, h) in the frame. */
export declare function fitRects(fit: 'cover' | 'contain' | 'fill', sourceWidth: number, sourceHeight: number, boxWidth: number, boxHeight: number):
  { sx: number; sy: number; sw: number; sh: number; x: number; y: number; w: number; h: number };

/** The colour matrices (row-major 4x5, offsets in 0..1) of a correction, in the order they apply, as the Scene's composition.effects.colorMatrices. */
export declare function colorMatrices(c: { brightness?: number; contrast?: number; saturation?: number; hue?: number }): number[][];

/**
 * The Scene's soundtrack of [fromMs, fromMs + durationMs) as the engine mixes it (48 kHz stereo): files decoded by the
 * browser, then voices, music (looped, crossfaded, faded, ducked), pops, normalisation to loudnessTargetLufs and the
 * true-peak limiter in JavaScript.
 */
export declare function renderAudio(scene: SceneJson, options: { assetBase: string | ((path: string) => string); fromMs?: number; durationMs?: number }): Promise<AudioBuffer>;

export interface ExportOptions extends Omit<PreviewOptions, 'mode' | 'audio'> {
  /** How frames are drawn; default 'exact'. */
  mode?: PreviewMode;
  /** Video bit rate, bit/s. Default 8 Mbit/s at 1080x1920, scaled by area. */
  videoBitrate?: number;
  /** false: no audio track. Default: the Scene's soundtrack when it has one. */
  audio?: boolean;
  onProgress?: (p: { frame: number; frameCount: number; percent: number }) => void;
  /** The mediabunny module, where a bare import('mediabunny') does not resolve (a page without a bundler or import map). */
  mediabunny?: unknown;
  /** Aborts the export: rejects with code ERR_ABORTED (with `worker`, the worker is terminated at once). */
  signal?: AbortSignal;
  /**
   * true: draw and encode in a dedicated module Worker (export-worker.mjs, which bundlers ship with the package),
   * CanvasKit on an OffscreenCanvas there; the audio is still mixed on the calling thread and handed over as PCM.
   * `assetBase` must then be a string, and a video background is rejected with ERR_UNSUPPORTED. Default false.
   */
  worker?: boolean;
  /** With `worker`, where the worker imports mediabunny from when a bare import does not resolve there (no bundler); default: what the page's import map resolves 'mediabunny' to. */
  mediabunnyUrl?: string;
}

export interface ExportResult {
  data: Uint8Array;
  container: 'mp4' | 'webm';
  mimeType: 'video/mp4' | 'video/webm';
  videoCodec: 'h264' | 'vp9';
  /** null: no audio track. */
  audioCodec: 'aac' | 'opus' | null;
}

/**
 * Renders the Scene to a video file in the browser: frames drawn by the preview, encoded with WebCodecs,
 * the Web Audio mix alongside, muxed with mediabunny (an optional peer dependency). H.264 + AAC in MP4 where
 * the browser encodes both, H.264 + Opus in MP4 without AAC, VP9 + Opus in WebM without H.264.
 */
export declare function exportVideo(scene: SceneJson, options: ExportOptions): Promise<ExportResult>;

// ---- The spec's JavaScript interface (§4.2): RustVideoProcessor (preview/processor.mjs) ----

/**
 * The spec's EffectsConfig: colour factors (1 neutral) at the top level, blur radius in px, and the preview's other
 * effects (color_correction.hue_shift, sharpen), and its `textOverlay` (see PreviewEffects.textOverlay), drawn in the
 * font given as RustVideoProcessorFont (the package ships no font file: without one a textOverlay rejects with
 * ERR_INVALID_ARG_TYPE naming fontUrl).
 */
export interface EffectsConfig extends PreviewEffects {
  textOverlay?: { text: string; x: number; y: number; fontSize: number; color: string };
}

/** The spec's VideoProcessingConfig; every field is checked (ERR_INVALID_CONFIG naming it). */
export interface VideoProcessingConfig {
  /** Frame size (even integers, 2..7680); every input frame must have it. */
  width: number;
  height: number;
  /** Frames per second, (0, 240]. */
  fps: number;
  /** 'h264' writes MP4, 'vp8' and 'vp9' WebM; a codec this browser cannot encode rejects with ERR_UNSUPPORTED. */
  codec: 'h264' | 'vp8' | 'vp9';
  /** 1..100: the video bit rate is width × height × fps × 0.003 × quality bit/s (0.3 bit per pixel at 100; 18.7 Mbit/s at 1080x1920, 30 fps). */
  quality: number;
  /** Applied to every frame, one after another in this order (each step the preview's processVideoPreview maths). */
  effects: EffectsConfig[];
}

/** The font of text overlays: the engine's NotoSans-Bold.ttf, by URL (resolved against the page) or as its bytes; give one. */
export interface RustVideoProcessorFont {
  fontUrl?: string;
  font?: ArrayBuffer | Uint8Array;
}

export interface ProcessVideoOptions extends RustVideoProcessorFont {
  /** Rejects with ERR_ABORTED and terminates the worker. */
  signal?: AbortSignal;
  onProgress?: (p: { frame: number; frameCount: number; percent: number }) => void;
}

/** The spec's RustVideoProcessor on CanvasKit and WebCodecs (the name kept so the spec's frontend code runs unchanged). */
export declare class RustVideoProcessor {
  /**
   * Options as createPreview's CanvasKit options, where processVideo's worker imports mediabunny from without a bundler,
   * and the text overlays' font.
   */
  constructor(options?: Pick<PreviewOptions, 'canvasKit' | 'CanvasKitInit' | 'canvasKitBase'> & { mediabunnyUrl?: string } & RustVideoProcessorFont);
  /** Loads CanvasKit once; later calls resolve at once. A font given here replaces the constructor's. */
  initialize(options?: RustVideoProcessorFont): Promise<void>;
  /** Applies `effects` to the frame with the engine's maths and shows it on `canvas`. Rejects before initialize(). */
  processVideoPreview(canvas: HTMLCanvasElement | OffscreenCanvas | null, imageData: ImageData, effects: EffectsConfig): Promise<void>;
  /** The effects processVideoPreview applies; [] before initialize(), as the spec's. */
  getSupportedEffects(): string[];
  /**
   * Encodes the frames (config.width × config.height, shown 1 / fps each) in a Worker, config.effects applied to each
   * in order: resolves with the file (MP4 for 'h264', WebM for 'vp8' and 'vp9'), video only. A font in `options` is
   * used for this call instead of initialize()'s.
   */
  processVideo(videoFrames: ImageData[], config: VideoProcessingConfig, options?: ProcessVideoOptions): Promise<Uint8Array>;
}
export { RustVideoProcessor as VideoProcessor };

/** processVideo's bit rate for a config: width × height × fps × 0.003 × quality. */
export declare function qualityToBitrate(config: Pick<VideoProcessingConfig, 'width' | 'height' | 'fps' | 'quality'>): number;
// ---- end of RustVideoProcessor ----
