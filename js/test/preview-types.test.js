// types/preview.d.ts and types/preview-node.d.ts held against use: tsc --strict accepts a typed
// use of both modules with a real compiled Scene, and rejects wrong uses (@ts-expect-error lines
// that would compile fail the check).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, engine, makeTempDir, removeTempDir, tinyConfig } from './helpers.mjs';

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
let dir;
beforeAll(() => { dir = makeTempDir('reelspeed-preview-types-'); });
afterAll(() => removeTempDir(dir));

it('types the preview modules (tsc --strict)', async () => {
  const scene = await engine.compileScene(tinyConfig({ chatOverlay: { contactName: 'Sam Lee', showHeader: true } }));
  const processing = await engine.compileScene({ video: { width: 320, height: 240 }, effects: { text_overlays: [{ text: 'hi', duration: 1 }] } });
  const types = (name) => JSON.stringify(path.join(ROOT, 'types', name));
  fs.writeFileSync(path.join(dir, 'use.ts'), `import { compositionState, createPreview, evaluateAnimation, exportVideo, getSupportedEffects, processVideoPreview, RustVideoProcessor, VideoProcessor, qualityToBitrate, type Preview, type VideoProcessingConfig, type EffectsConfig } from ${types('preview')};
import { renderInBrowser, close } from ${types('preview-node')};
import type { SceneJson } from ${types('scene')};

export const scene = ${JSON.stringify(scene, null, 1)} satisfies SceneJson;
export const processing = ${JSON.stringify(processing, null, 1)} satisfies SceneJson;

export async function browser(canvas: HTMLCanvasElement): Promise<number> {
  const p: Preview = await createPreview(canvas, scene, { assetBase: '/files?p=', mode: 'exact' });
  const stop = p.on('time', (ms) => console.log(ms.toFixed(0)));
  p.on('ended', () => stop());
  p.seek(1000);
  p.play();
  p.pause();
  const png: Uint8Array = await p.renderFrame(500);
  await createPreview(canvas, scene, { assetBase: '/', audio: true });
  const file = await exportVideo(scene, { assetBase: '/', onProgress: (p) => console.log(p.percent), signal: AbortSignal.timeout(1000) });
  const codec: 'h264' | 'vp9' = file.videoCodec;
  const inWorker = await exportVideo(scene, { assetBase: '/files?p=', worker: true, mediabunnyUrl: '/mediabunny.mjs', canvasKitBase: '/canvaskit/' });
  const audioCodec: 'aac' | 'opus' | null = inWorker.audioCodec;
  const raw = await p.renderFrame(500, { format: 'rgba' });
  const w: number = raw.width + raw.data.length + png.length;
  await createPreview(canvas, scene, { assetBase: (file) => '/files/' + encodeURIComponent(file) });
  // @ts-expect-error an unknown mode
  await createPreview(canvas, scene, { assetBase: '/', mode: 'gpu' });
  // @ts-expect-error assetBase is required
  await createPreview(canvas, scene, {});
  // @ts-expect-error an unknown event
  p.on('progress', () => {});
  p.destroy();
  const fx = await processVideoPreview(canvas, { width: 2, height: 2, data: new Uint8Array(16) }, { color_correction: { brightness: 1.2 }, blur: 2 });
  // @ts-expect-error an effect the preview does not know
  await processVideoPreview(null, fx, { vignette: 1 });
  await processVideoPreview(null, fx, { brightness: 1.1, textOverlay: { text: 'hi', x: 10, y: 10, fontSize: 24, color: '#fff' } }, { fontUrl: '/fonts/NotoSans-Bold.ttf' });
  // @ts-expect-error the spec's textOverlay has no font field (the font is an option)
  await processVideoPreview(null, fx, { textOverlay: { text: 'hi', x: 10, y: 10, fontSize: 24, color: '#fff', font: 'x' } });
  const state: { p: number; current: number } = compositionState(processing.composition!, 1750);
  return w + fx.data.length + (audioCodec ? 1 : 0) + codec.length + getSupportedEffects().length + evaluateAnimation(scene.messages[0].animation, 100).opacity + state.p + state.current;
}

export async function spec(canvas: HTMLCanvasElement, frames: ImageData[]): Promise<number> {
  const p = new RustVideoProcessor({ canvasKitBase: '/canvaskit/' });
  await p.initialize();
  const names: string[] = p.getSupportedEffects();
  const e: EffectsConfig = { brightness: 1.1, contrast: 0.9, saturation: 1.2, blur: 2 };
  await p.processVideoPreview(canvas, frames[0], e);
  const config: VideoProcessingConfig = { width: 640, height: 360, fps: 30, codec: 'vp9', quality: 80, effects: [e, { color_correction: { hue_shift: 30 } }] };
  const file: Uint8Array = await p.processVideo(frames, config, { signal: AbortSignal.timeout(5000), onProgress: (q) => console.log(q.percent) });
  await new VideoProcessor({ fontUrl: '/fonts/NotoSans-Bold.ttf' }).processVideo(frames, { ...config, codec: 'h264' });
  await p.initialize({ fontUrl: '/fonts/NotoSans-Bold.ttf' });
  await p.processVideo(frames, { ...config, effects: [{ textOverlay: { text: 'hi', x: 10, y: 10, fontSize: 20, color: '#fff' } }] }, { font: new Uint8Array(8) });
  // @ts-expect-error fontUrl is a URL string
  await p.initialize({ fontUrl: 7 });
  // @ts-expect-error a codec the spec does not list
  await p.processVideo(frames, { ...config, codec: 'hevc' });
  // @ts-expect-error effects is a list of EffectsConfig
  await p.processVideo(frames, { ...config, effects: e });
  // @ts-expect-error quality is a number
  const q: VideoProcessingConfig = { ...config, quality: 'high' };
  return names.length + file.length + qualityToBitrate(config) + q.fps;
}

export async function node(): Promise<number> {
  const png: Buffer = await renderInBrowser(scene, 1000, { mode: 'exact', executablePath: '/usr/bin/chromium' });
  // @ts-expect-error timeMs is a number
  await renderInBrowser(scene, '1000');
  await close();
  return png.length;
}
`);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')], skipLibCheck: false },
    files: ['use.ts'],
  }));
  const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
