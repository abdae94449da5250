// The export worker (a module Worker started by export.mjs): draws and encodes off the page's
// thread. Jobs:
//   { type: 'scene', scene, options, decoded, env }: exportVideo's frames drawn by the preview with
//     CanvasKit on an OffscreenCanvas, the soundtrack mixed here from the files the page decoded.
//   { type: 'frames', frames, config, font, env }: processVideo's frames with config.effects applied;
//     font: { fontUrl (absolute) } or { font (bytes) }, the text overlays' font, or {}.
//   { type: 'mix', scene, decoded }: the soundtrack alone (audio.mjs mixScene), for playback.
// It posts { type: 'progress', progress }, then { type: 'done', result } or { type: 'error', code, message }.
// env: { canvasKitBase, mediabunnyUrl }: where CanvasKit and mediabunny load from when a bare
// import does not resolve here (no bundler; import maps do not reach workers).

import { loadCanvasKit } from './index.mjs';
import { encodeScene, exportError } from './export.mjs';
import { encodeFrames } from './processor.mjs';
import { mixScene } from './audio.mjs';

async function loadMediabunny(env) {
  try {
    return await import('mediabunny');
  } catch (bare) {
    if (!env.mediabunnyUrl) throw exportError('ERR_DEPENDENCY', `export worker: cannot load mediabunny (npm install mediabunny; without a bundler pass mediabunnyUrl): ${bare?.message ?? bare}`);
    return import(env.mediabunnyUrl);
  }
}

async function canvasKitInit(env) {
  try {
    const mod = await import('canvaskit-wasm');
    return mod.default ?? mod;
  } catch (bare) {
    if (!env.canvasKitBase) throw exportError('ERR_DEPENDENCY', `export worker: cannot load canvaskit-wasm (pass canvasKitBase, the folder of canvaskit.js and canvaskit.wasm): ${bare?.message ?? bare}`);
    // canvaskit.js is a classic script defining CanvasKitInit; a module worker has no importScripts.
    const url = env.canvasKitBase.replace(/\/?$/, '/') + 'canvaskit.js';
    const r = await fetch(url);
    if (!r.ok) throw exportError('ERR_ASSET_FETCH', `export worker: cannot fetch ${url} (HTTP ${r.status})`);
    // eslint-disable-next-line no-new-func
    return new Function(`${await r.text()}\n;return CanvasKitInit;`)();
  }
}

self.onmessage = async ({ data: job }) => {
  try {
    if (job.type === 'mix') {
      // The soundtrack alone (the preview's playback): no CanvasKit, no encoder.
      const m = mixScene(job.scene, job.decoded);
      self.postMessage({ type: 'done', result: m }, m.channels.map((c) => c.buffer));
      return;
    }
    const env = job.env ?? {};
    const [mb, CanvasKitInit] = await Promise.all([loadMediabunny(env), canvasKitInit(env)]);
    if (typeof VideoEncoder === 'undefined') throw exportError('ERR_UNSUPPORTED', 'export worker: this browser has no WebCodecs (VideoEncoder) in workers');
    const ck = { CanvasKitInit, canvasKitBase: env.canvasKitBase };
    await loadCanvasKit(ck);
    const hooks = { onProgress: (progress) => self.postMessage({ type: 'progress', progress }), isAborted: () => false };
    let result;
    if (job.type === 'scene') {
      const pcm = job.decoded ? mixScene(job.scene, job.decoded) : null;
      result = await encodeScene(mb, job.scene, { ...job.options, ...ck }, pcm, hooks);
    } else if (job.type === 'frames') {
      // The text overlays' font: its URL (absolute) or its bytes, as processVideo was given it.
      result = await encodeFrames(mb, job.frames, job.config, { ...ck, ...job.font }, hooks);
    } else {
      throw exportError('ERR_INTERNAL', `export worker: unknown job ${job.type}`);
    }
    self.postMessage({ type: 'done', result }, [result.data.buffer]);
  } catch (e) {
    self.postMessage({ type: 'error', code: e?.code ?? 'ERR_INTERNAL', message: String(e?.message ?? e) });
  }
};
