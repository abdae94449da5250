// reelspeed-engine/preview: draws a compiled Scene (docs/scene-format.md) in the browser with
// CanvasKit (Skia compiled to WebAssembly), the same library the engine renders with, so the
// preview is the render. See README, "Browser preview".

import { ChatRenderer } from './chat-renderer.mjs';
import { CompositionRenderer, compositionState, sourceTimeMs } from './composition-renderer.mjs';

export { evaluateAnimation, scrollAt, revealedLength, easeOutCubic, easeOutBack, gradientLine } from './chat-renderer.mjs';
export { easeInOutCubic, compositionState, fitRects } from './composition-renderer.mjs';
export { getSupportedEffects, describeEffects, processVideoPreview, colorMatrices } from './effects.mjs';
export { renderAudio } from './audio.mjs';
export { exportVideo } from './export.mjs';
export { RustVideoProcessor, VideoProcessor, qualityToBitrate } from './processor.mjs';
import { loadAudio, scheduleAudio } from './audio.mjs';

const MODES = ['exact', 'fast'];

let canvasKitPromise = null;

/** Initialises CanvasKit once: from options.canvasKit, globalThis.CanvasKitInit (canvaskit.js as a script) or the canvaskit-wasm package. */
export function loadCanvasKit(options = {}) {
  if (options.canvasKit) return Promise.resolve(options.canvasKit);
  if (!canvasKitPromise) {
    canvasKitPromise = (async () => {
      let init = options.CanvasKitInit ?? globalThis.CanvasKitInit;
      if (!init) {
        const mod = await import('canvaskit-wasm');
        init = mod.default ?? mod;
      }
      const base = options.canvasKitBase;
      return init(base ? { locateFile: (file) => base.replace(/\/?$/, '/') + file } : undefined);
    })();
    canvasKitPromise.catch(() => { canvasKitPromise = null; });
  }
  return canvasKitPromise;
}

function previewError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

/** The URL an asset path of the Scene is fetched from. */
function assetUrlOf(assetBase) {
  if (typeof assetBase === 'function') return assetBase;
  if (typeof assetBase === 'string') return (p) => assetBase + encodeURIComponent(p);
  throw previewError('ERR_INVALID_ARG_TYPE', 'createPreview: options.assetBase must be a URL prefix (string) or a function (path) => URL');
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw previewError('ERR_ASSET_FETCH', `preview: cannot fetch ${url} (HTTP ${r.status})`);
  return new Uint8Array(await r.arrayBuffer());
}

const baseName = (p) => p.split(/[\\/]/).pop();

/** Every font file name and image path a Scene draws. */
function neededFiles(scene) {
  const fonts = new Set(), images = new Set();
  const text = (block) => block?.lines.forEach((l) => l.runs.forEach((r) => fonts.add(r.font)));
  const avatar = (a) => { if (!a) return; if (a.image) images.add(a.image); else if (a.initialsText) fonts.add(a.initialsText.font); };
  for (const m of scene.messages) {
    text(m.textBlock); text(m.label); avatar(m.avatar);
    if (m.picture) images.add(m.picture.image);
  }
  if (scene.header) { text(scene.header.title); text(scene.header.subtitle); avatar(scene.header.avatar); }
  if (scene.background.type === 'image' && scene.background.media) images.add(scene.background.media);
  for (const o of scene.composition?.textOverlays ?? []) text({ lines: o.text.lines });
  return { fonts, images };
}

/**
 * The background clip as an HTML video element: seek(ms) shows the frame the engine shows at ms
 * (the video loops: the last frame whose time is at or before ms mod its duration).
 */
async function openVideo(url, { loop = true, pickMs = 0.5, what = 'background video' } = {}) {
  if (typeof document === 'undefined') throw previewError('ERR_UNSUPPORTED', 'preview: a video background needs a document (an HTML video element)');
  const el = document.createElement('video');
  el.muted = true;
  el.playsInline = true;
  el.preload = 'auto';
  el.crossOrigin = 'anonymous';
  el.loop = loop;
  await new Promise((resolve, reject) => {
    el.addEventListener('loadeddata', resolve, { once: true });
    el.addEventListener('error', () => reject(previewError('ERR_UNSUPPORTED_MEDIA', `preview: cannot play the ${what} ${url} in this browser`)), { once: true });
    el.src = url;
  });
  const durationMs = el.duration * 1000;
  let queue = Promise.resolve();
  const local = (ms) => (loop && Number.isFinite(durationMs) && durationMs > 0 ? ms % durationMs : ms);
  return {
    element: el,
    width: el.videoWidth,
    height: el.videoHeight,
    seek(ms) {
      el.pause();
      // Half a millisecond in: a time exactly on a frame's start shows that frame, not the one before
      // (a clip: just under half a frame in, the frame nearest to the time, as the engine picks it).
      const target = (local(ms) + pickMs) / 1000;
      // One seek at a time: two overlapping seeks (a show() and a renderFrame()) would otherwise both
      // end on the first 'seeked' and draw whatever frame the element had then.
      const run = () => {
        if (Math.abs(el.currentTime - target) < 1e-6 && !el.seeking) return undefined;
        return new Promise((resolve) => {
          el.addEventListener('seeked', () => {
            // 'seeked' can come before the new frame is what the element draws: wait for the frame
            // itself where the browser tells (requestVideoFrameCallback), at most a moment.
            if (typeof el.requestVideoFrameCallback !== 'function') { resolve(); return; }
            let done = false;
            const finish = () => { if (!done) { done = true; resolve(); } };
            el.requestVideoFrameCallback(finish);
            setTimeout(finish, 250);
          }, { once: true });
          el.currentTime = target;
        });
      };
      queue = queue.then(run, run);
      return queue;
    },
    play(ms) { el.currentTime = (local(ms) + pickMs) / 1000; el.play().catch(() => {}); },
    get paused() { return el.paused; },
    pause() { el.pause(); },
    close() { el.pause(); el.removeAttribute('src'); el.load(); },
  };
}

function checkScene(scene) {
  if (!scene || typeof scene !== 'object' || scene.schemaVersion !== 1) {
    throw previewError('ERR_INVALID_ARG_TYPE', `createPreview: scene must be a compiled Scene of schemaVersion 1 (got ${scene?.schemaVersion})`);
  }
}

/**
 * Creates a preview of `scene` on `canvas` (an HTMLCanvasElement or OffscreenCanvas of any size;
 * it is resized to the Scene's frame). Resolves once fonts and images are loaded and frame 0 is drawn.
 */
export async function createPreview(canvas, scene, options = {}) {
  const mode = options.mode ?? 'exact';
  if (!MODES.includes(mode)) throw previewError('ERR_INVALID_ARG_TYPE', `createPreview: options.mode must be 'exact' or 'fast' (got ${mode})`);
  checkScene(scene);
  const assetUrl = assetUrlOf(options.assetBase);
  const CK = await loadCanvasKit(options);

  const { fonts, images } = neededFiles(scene);
  const byName = new Map(scene.assets.map((a) => [baseName(a), a]));
  const typefaces = new Map(), loadedImages = new Map();
  await Promise.all([
    ...[...fonts].map(async (name) => {
      const path = byName.get(name);
      if (!path) throw previewError('ERR_INVALID_ARG_TYPE', `preview: the Scene's assets do not list the font ${name}`);
      const tf = CK.Typeface.MakeTypefaceFromData((await fetchBytes(assetUrl(path))).buffer);
      if (!tf) throw previewError('ERR_UNSUPPORTED_MEDIA', `preview: cannot load the font ${name}`);
      typefaces.set(name, tf);
    }),
    ...[...images].map(async (path) => {
      const img = CK.MakeImageFromEncoded(await fetchBytes(assetUrl(path)));
      if (!img) throw previewError('ERR_UNSUPPORTED_MEDIA', `preview: cannot decode the image ${path}`);
      loadedImages.set(path, img);
    }),
  ]);

  const video = scene.background.type === 'video' && scene.background.media ? await openVideo(assetUrl(scene.background.media)) : null;

  const { width, height } = scene;
  canvas.width = width;
  canvas.height = height;
  const info = { width, height, colorType: CK.ColorType.RGBA_8888, alphaType: CK.AlphaType.Premul, colorSpace: CK.ColorSpace.SRGB };
  let pixels = null, surface;
  if (mode === 'exact') {
    // A premultiplied raster surface over our own memory: the engine's pixel format (CanvasKit's
    // MakeSWCanvasSurface is unpremultiplied, slower and not bit-exact).
    pixels = CK.Malloc(Uint8Array, width * height * 4);
    surface = CK.MakeRasterDirectSurface(info, pixels, width * 4);
    if (!surface) { CK.Free(pixels); throw previewError('ERR_RESOURCE_LIMIT', `preview: cannot allocate a ${width}x${height} surface`); }
  } else {
    // WebGL straight onto the canvas; the background, header and message sprites are cached as
    // GPU images, so a frame is a few textured quads plus any typewriter text and typing dots.
    surface = CK.MakeWebGLCanvasSurface(canvas);
    if (!surface) throw previewError('ERR_UNSUPPORTED', "preview: mode 'fast' needs WebGL, which this browser does not give this canvas (use 'exact')");
  }
  const makeSurface = (w, h) => {
    const s = surface.makeSurface({ ...info, width: w, height: h });
    if (!s) throw previewError('ERR_RESOURCE_LIMIT', `preview: cannot allocate a ${w}x${h} layer`);
    return s;
  };
  const renderer = new ChatRenderer(CK, scene, { typefaces, images: loadedImages }, makeSurface);
  // A processing scene: its clips from one video element each, opened when first shown.
  const comp = scene.composition ? new CompositionRenderer(CK, scene, renderer, makeSurface) : null;
  const clipVideos = new Map(), openedClips = new Map();
  const clipVideo = (i) => {
    let v = clipVideos.get(i);
    if (!v) {
      const clip = scene.composition.clips[i];
      v = openVideo(assetUrl(clip.file), { loop: false, pickMs: clip.sourceFps > 0 ? 499 / clip.sourceFps : 0.5, what: `clip ${clip.file}` });
      v.then((h) => { if (destroyed) h.close(); else openedClips.set(i, h); }, () => clipVideos.delete(i));
      clipVideos.set(i, v);
    }
    return v;
  };
  const clipFrame = (i) => {
    const v = openedClips.get(i);
    return v ? { source: v.element, width: v.width, height: v.height } : null;
  };
  const clipTime = (i, ms) => sourceTimeMs(scene.composition.clips[i], ms + scene.composition.offsetMs);
  /** Seeks every video the frame at ms shows (the background's, the clips') to it. */
  const prepare = async (ms) => {
    await Promise.all([
      video?.seek(ms),
      ...(comp ? comp.clipsAt(ms).map(async (i) => (await clipVideo(i)).seek(clipTime(i, ms))) : []),
    ]);
  };
  /** While playing: the clips on screen play from their source time, the others pause. */
  const syncClips = (ms) => {
    if (!comp) return;
    const on = new Set(comp.clipsAt(ms));
    for (const [i, v] of openedClips) if (!on.has(i)) v.pause();
    for (const i of on) {
      const v = openedClips.get(i);
      if (!v) clipVideo(i).catch(() => {});
      else if (v.paused) v.play(clipTime(i, ms));
    }
  };
  const ctx = mode === 'exact' ? canvas.getContext('2d') : null;
  if (mode === 'exact' && !ctx) throw previewError('ERR_INVALID_ARG_TYPE', 'createPreview: the canvas already has a WebGL context (exact mode draws with a 2d one): give it a fresh canvas');
  const listeners = { time: new Set(), ended: new Set() };
  let current = 0, playing = false, raf = 0, startWall = 0, startTime = 0, destroyed = false;
  const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
  const schedule = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (cb) => setTimeout(() => cb(now()), 16);
  const cancel = typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame : clearTimeout;

  const clampTime = (ms) => Math.min(Math.max(0, Number(ms) || 0), scene.durationMs);
  const drawVideo = video ? (c) => renderer.drawVideoFrame(c, video.element, video.width, video.height) : null;
  const draw = (ms) => {
    const c = surface.getCanvas();
    c.clear(CK.BLACK);
    if (comp) comp.draw(c, ms, clipFrame, drawVideo);
    else renderer.draw(c, ms, drawVideo);
    surface.flush();
  };
  const present = () => {
    if (!pixels) return; // fast mode drew on the canvas itself
    const bytes = pixels.toTypedArray();
    // Frames are opaque, so premultiplied and straight alpha are the same bytes.
    ctx.putImageData(new ImageData(new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.length).slice(), width, height), 0, 0);
  };
  // Web Audio (options.audio): the mix scheduled from the current time on each play().
  let audioCtx = null, audioLoaded = null, audioPlaying = null;
  const startAudio = () => {
    if (!options.audio || typeof AudioContext === 'undefined') return;
    audioCtx ??= new AudioContext({ sampleRate: scene.audio?.sampleRate ?? 48000 });
    audioLoaded ??= loadAudio(audioCtx, scene, assetUrl);
    const from = current;
    audioCtx.resume().then(() => audioLoaded).then((loaded) => {
      if (!playing || destroyed) return;
      audioPlaying?.stop();
      const lag = now() - startWall; // time played while the audio loaded
      audioPlaying = scheduleAudio(audioCtx, scene, loaded, { fromMs: from + lag });
    }).catch(() => { /* the picture plays on without sound */ });
  };
  const stopAudio = () => { audioPlaying?.stop(); audioPlaying = null; };
  let seekToken = 0;
  const show = (ms) => {
    current = clampTime(ms);
    if ((video || comp) && !playing) {
      const token = ++seekToken;
      const at = current;
      prepare(at).then(() => { if (token === seekToken && !destroyed) { draw(at); present(); } }, () => {});
    }
    draw(current);
    present();
    for (const cb of listeners.time) cb(current);
  };
  const alive = () => { if (destroyed) throw previewError('ERR_INVALID_ARG_TYPE', 'preview: used after destroy()'); };
  const tick = () => {
    if (!playing) return;
    const t = startTime + (now() - startWall);
    if (t >= scene.durationMs) {
      playing = false;
      stopAudio();
      show(scene.durationMs);
      for (const cb of listeners.ended) cb();
      return;
    }
    syncClips(t);
    show(t);
    raf = schedule(tick);
  };

  if (comp) await prepare(0);
  show(0);
  return {
    get mode() { return mode; },
    get currentTime() { return current; },
    get playing() { return playing; },
    /** Shows the frame at ms. */
    seek(ms) { alive(); show(ms); },
    /** Shows the frame at ms and resolves once it is on the canvas (with a background video: once the video has the frame). */
    async showFrame(ms) {
      alive();
      current = clampTime(ms);
      seekToken++;
      await prepare(current);
      draw(current);
      present();
      for (const cb of listeners.time) cb(current);
    },
    play() {
      alive();
      if (playing) return;
      if (current >= scene.durationMs) current = 0;
      playing = true;
      startWall = now();
      startTime = current;
      if (video) video.play(current);
      syncClips(current);
      startAudio();
      raf = schedule(tick);
    },
    pause() { playing = false; cancel(raf); if (video) video.pause(); for (const v of openedClips.values()) v.pause(); stopAudio(); },
    /** Draws frame ms (without showing it) and returns it: PNG bytes, or { width, height, data } RGBA with format 'rgba'. */
    async renderFrame(ms, { format = 'png' } = {}) {
      alive();
      await prepare(clampTime(ms));
      draw(clampTime(ms));
      if (format !== 'png' && format !== 'rgba') throw previewError('ERR_INVALID_ARG_TYPE', `renderFrame: format must be 'png' or 'rgba'`);
      let result;
      if (format === 'rgba') {
        const data = pixels ? pixels.toTypedArray().slice()
          : surface.getCanvas().readPixels(0, 0, { ...info, alphaType: CK.AlphaType.Unpremul });
        result = { width, height, data };
      } else {
        const img = surface.makeImageSnapshot();
        result = img.encodeToBytes(CK.ImageFormat.PNG, 100);
        img.delete();
      }
      if (video || comp) await prepare(current);
      draw(current);
      return result;
    },
    on(event, cb) {
      if (!listeners[event]) throw previewError('ERR_INVALID_ARG_TYPE', `preview.on: unknown event ${event} ('time' or 'ended')`);
      listeners[event].add(cb);
      return () => listeners[event].delete(cb);
    },
    destroy() {
      if (destroyed) return;
      this.pause();
      destroyed = true;
      comp?.delete();
      for (const v of openedClips.values()) v.close();
      renderer.delete();
      for (const tf of typefaces.values()) tf.delete();
      for (const img of loadedImages.values()) img.delete();
      video?.close();
      audioCtx?.close().catch(() => {});
      surface.delete();
      if (pixels) CK.Free(pixels);
    },
  };
}
