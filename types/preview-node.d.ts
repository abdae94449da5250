// reelspeed-engine/preview/node: renders a Scene's frame through the browser preview in headless
// Chromium (Debian's chromium, driven by playwright-core, an optional peer dependency).

import type { SceneJson } from './scene';

export interface RenderInBrowserOptions {
  /** Default 'exact' (CPU, pixel parity); 'fast' draws with WebGL. */
  mode?: 'exact' | 'fast';
  /** The Chromium binary. Default $REELSPEED_CHROMIUM, else /usr/bin/chromium. */
  executablePath?: string;
  /** A URL prefix the browser fetches the Scene's files from (followed by the URL-encoded path). Default: the helper's own server, which serves the Scene's asset files and nothing else. */
  assetBase?: string;
}

/** Frame timeMs of the Scene as PNG bytes, drawn by the preview module in headless Chromium. One browser is reused across calls. */
export declare function renderInBrowser(scene: SceneJson, timeMs: number, options?: RenderInBrowserOptions): Promise<Buffer>;

/** Applies effects (a processing config's color_correction, blur, sharpen) to an RGBA frame with the preview's processVideoPreview in headless Chromium; resolves with the result's RGBA bytes. */
export declare function applyEffectsInBrowser(
  frame: { width: number; height: number; data: Uint8Array },
  effects: { color_correction?: { brightness?: number; contrast?: number; saturation?: number; hue_shift?: number }; blur?: number; sharpen?: number },
  options?: { executablePath?: string },
): Promise<Buffer>;

/** The preview's Web Audio mix of [fromMs, fromMs + durationMs) rendered offline in headless Chromium: RMS of the mono mix per 10 ms window. */
export declare function audioLevelsInBrowser(scene: SceneJson, fromMs?: number, durationMs?: number, options?: { executablePath?: string }): Promise<number[]>;

/** Exports the Scene with the preview's exportVideo in headless Chromium (WebCodecs + mediabunny): the file and what it holds. */
export declare function exportInBrowser(scene: SceneJson, options?: { mode?: 'exact' | 'fast'; videoBitrate?: number; audio?: boolean; executablePath?: string }): Promise<{
  data: Buffer; container: 'mp4' | 'webm'; mimeType: string; videoCodec: 'h264' | 'vp9'; audioCodec: 'aac' | 'opus' | null; progress: number;
}>;

/** processVideoPreview on a <video> element playing `file` (a local path) seeked to timeMs: the result's RGBA. */
export declare function videoEffectsInBrowser(file: string, timeMs: number, effects: { color_correction?: { brightness?: number; contrast?: number; saturation?: number; hue_shift?: number }; blur?: number; sharpen?: number }, options?: { executablePath?: string }): Promise<{ width: number; height: number; data: Buffer }>;

/** Ends the browser and the local server renderInBrowser started (the next call starts them again). */
export declare function close(): Promise<void>;

/** The flags Chromium is started with (besides playwright's own and --no-sandbox). */
export declare const CHROMIUM_ARGS: readonly string[];
export declare const DEFAULT_EXECUTABLE: string;
