'use strict';
// reelspeed-engine/preview/node: renders a Scene's frame through the browser preview in headless
// Chromium (Debian's chromium, driven by playwright-core: no browser download), one browser
// reused across calls until close(). For thumbnails through the browser path and parity checks.

const crypto = require('node:crypto');
const path = require('node:path');
const { startServer } = require('./server.js');

/** Flags Chromium needs on a closed network, as root and in containers. */
const CHROMIUM_ARGS = [
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

const DEFAULT_EXECUTABLE = '/usr/bin/chromium';

let state = null; // Promise of { browser, page, server, executablePath }

function codedError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

function loadPlaywright() {
  try {
    return require('playwright-core');
  } catch {
    throw codedError('ERR_DEPENDENCY', 'renderInBrowser needs the optional dependency playwright-core: npm install playwright-core');
  }
}

async function launch(executablePath) {
  const { chromium } = loadPlaywright();
  const server = await startServer({
    routes: (req, res, url) => {
      if (url.pathname === '/' || url.pathname === '/harness.html') {
        require('./server.js').sendFile(res, path.join(__dirname, 'harness.html'));
        return true;
      }
      return false;
    },
  });
  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      chromiumSandbox: false, // root in containers: Chromium's sandbox needs user namespaces (--no-sandbox)
      args: CHROMIUM_ARGS,
    });
    const page = await browser.newPage();
    await page.goto(`${server.url}/harness.html`);
    await page.waitForFunction(() => window.__reelspeedReady === true);
    return { browser, page, server, executablePath };
  } catch (e) {
    await browser?.close().catch(() => {});
    await server.close();
    if (e && /Failed to launch|ENOENT|executable/i.test(String(e.message))) {
      throw codedError('ERR_DEPENDENCY', `renderInBrowser: cannot start Chromium at ${executablePath} (install Debian's chromium: scripts/setup-system.sh): ${e.message}`);
    }
    throw e;
  }
}

async function session(executablePath) {
  if (state) {
    const s = await state;
    if (s.executablePath === executablePath && s.browser.isConnected()) return s;
    await close();
  }
  state = launch(executablePath);
  state.catch(() => { state = null; });
  return state;
}

/**
 * Renders frame `timeMs` of `scene` (compileScene's result) in headless Chromium with the preview
 * module and resolves with the PNG bytes. Options: mode ('exact', default), executablePath
 * (default /usr/bin/chromium or $REELSPEED_CHROMIUM), assetBase (a URL prefix the
 * browser fetches the Scene's files from, followed by the URL-encoded path; default: this helper's own
 * server, which serves the Scene's asset files and nothing else).
 */
async function renderInBrowser(scene, timeMs, options = {}) {
  if (!scene || typeof scene !== 'object') throw codedError('ERR_INVALID_ARG_TYPE', 'renderInBrowser: scene must be a compiled Scene object');
  if (typeof timeMs !== 'number' || !Number.isFinite(timeMs) || timeMs < 0) throw codedError('ERR_INVALID_ARG_TYPE', 'renderInBrowser: timeMs must be a finite number >= 0');
  const mode = options.mode ?? 'exact';
  const executablePath = options.executablePath ?? process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE;
  const assetBase = options.assetBase ?? null;
  if (assetBase !== null && typeof assetBase !== 'string') throw codedError('ERR_INVALID_ARG_TYPE', 'renderInBrowser: assetBase must be a URL prefix string');
  const s = await session(executablePath);
  s.server.allow(scene.assets ?? []);
  const json = JSON.stringify(scene);
  const key = crypto.createHash('sha256').update(mode).update('\0').update(assetBase ?? '').update('\0').update(json).digest('hex');
  let r = await s.page.evaluate(([k, t, m, a]) => window.__reelspeedRender(k, null, t, m, a), [key, timeMs, mode, assetBase]);
  if (r.missing) r = await s.page.evaluate(([k, sc, t, m, a]) => window.__reelspeedRender(k, JSON.parse(sc), t, m, a), [key, json, timeMs, mode, assetBase]);
  if (r.error) throw codedError(r.code, r.error);
  return Buffer.from(r.png, 'base64');
}

/**
 * Applies `effects` (a processing config's effects: color_correction, blur, sharpen; or the spec's
 * EffectsConfig, textOverlay included) to an RGBA frame { width, height, data } with the preview's
 * processVideoPreview in headless Chromium, and resolves with the result's RGBA bytes. Options:
 * executablePath, font (a local font file the text overlay is drawn with: the engine's NotoSans-Bold.ttf).
 */
async function applyEffectsInBrowser(frame, effects, options = {}) {
  if (!frame || !Number.isInteger(frame.width) || !Number.isInteger(frame.height) || !frame.data || frame.data.length !== frame.width * frame.height * 4) {
    throw codedError('ERR_INVALID_ARG_TYPE', 'applyEffectsInBrowser: frame must be { width, height, data } with width * height * 4 RGBA bytes');
  }
  const s = await session(options.executablePath ?? process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE);
  if (options.font) s.server.allow([options.font]);
  const r = await s.page.evaluate(([b64, w, h, e, font]) => window.__reelspeedEffects(b64, w, h, e, font),
    [Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.length).toString('base64'), frame.width, frame.height, effects, options.font ?? null]);
  if (r.error) throw codedError(r.code, r.error);
  return Buffer.from(r.rgba, 'base64');
}

/**
 * The browser preview's audio mix of [fromMs, fromMs + durationMs): RMS of the mono mix per 10 ms
 * window. For checks of the audio preview. options.playback: through the playback path
 * (loadAudio + scheduleAudio, rendered by an OfflineAudioContext) instead of renderAudio.
 */
async function audioLevelsInBrowser(scene, fromMs = 0, durationMs = scene.durationMs - fromMs, options = {}) {
  const s = await session(options.executablePath ?? process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE);
  s.server.allow(scene.assets ?? []);
  const r = await s.page.evaluate(([sc, f, d, p]) => window.__reelspeedAudio(JSON.parse(sc), f, d, p), [JSON.stringify(scene), fromMs, durationMs, !!options.playback]);
  if (r.error) throw codedError(r.code, r.error);
  return r.rms;
}

/**
 * processVideoPreview on a <video> element playing `file` (a local path), seeked to timeMs:
 * resolves with { width, height, data } RGBA. For checks of live effects.
 */
async function videoEffectsInBrowser(file, timeMs, effects, options = {}) {
  const s = await session(options.executablePath ?? process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE);
  s.server.allow([file]);
  const r = await s.page.evaluate(([f, t, e]) => window.__reelspeedVideoEffects(f, t, e), [file, timeMs, effects]);
  if (r.error) throw codedError(r.code, r.error);
  return { width: r.width, height: r.height, data: Buffer.from(r.rgba, 'base64') };
}

/**
 * Exports `scene` to a video file with the preview's exportVideo in headless Chromium (WebCodecs +
 * mediabunny). Resolves with { data: Buffer, container, mimeType, videoCodec, audioCodec, progress }.
 */
async function exportInBrowser(scene, options = {}) {
  const s = await session(options.executablePath ?? process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE);
  s.server.allow(scene.assets ?? []);
  const opts = {
    mode: options.mode ?? 'exact', ...(options.videoBitrate ? { videoBitrate: options.videoBitrate } : {}), ...(options.audio === false ? { audio: false } : {}),
    ...(options.worker ? { worker: true } : {}), ...(options.abortAfterFrames ? { abortAfterFrames: options.abortAfterFrames } : {}),
  };
  const r = await s.page.evaluate(([sc, o]) => window.__reelspeedExport(JSON.parse(sc), o), [JSON.stringify(scene), opts]);
  if (r.error) throw codedError(r.code, r.error);
  const { file, ...info } = r;
  return { data: Buffer.from(file, 'base64'), ...info };
}

/**
 * The spec's RustVideoProcessor.processVideo in headless Chromium (its Worker): `frames` RGBA
 * ({ width, height, data }), `config` a VideoProcessingConfig. Resolves with { data: Buffer (the
 * file), before, after (getSupportedEffects() before and after initialize()), progress }.
 * options.abortAfterFrames aborts it after that many frames (it rejects with ERR_ABORTED).
 * options.font: a font file's path, served and given as fontUrl to initialize() (or to
 * processVideo(): options.fontVia 'processVideo' its URL, 'bytes' its bytes), for text overlays.
 */
async function processVideoInBrowser(frames, config, options = {}) {
  const s = await session(options.executablePath ?? process.env.REELSPEED_CHROMIUM ?? DEFAULT_EXECUTABLE);
  const w = frames[0]?.width, h = frames[0]?.height;
  if (options.font) s.server.allow([options.font]);
  const b64 = frames.map((f) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.length).toString('base64'));
  const r = await s.page.evaluate(([fr, ww, hh, c, o]) => window.__reelspeedProcessVideo(fr, ww, hh, c, o), [b64, w, h, config, { abortAfterFrames: options.abortAfterFrames, font: options.font, fontVia: options.fontVia }]);
  if (r.error) throw codedError(r.code, r.error);
  const { file, ...info } = r;
  return { data: Buffer.from(file, 'base64'), ...info };
}

/** Ends the browser (and the local server) renderInBrowser started. */
async function close() {
  const s = state;
  state = null;
  if (!s) return;
  const v = await s.catch(() => null);
  if (!v) return;
  await v.browser.close().catch(() => {});
  await v.server.close();
}

module.exports = { renderInBrowser, applyEffectsInBrowser, audioLevelsInBrowser, exportInBrowser, processVideoInBrowser, videoEffectsInBrowser, close, CHROMIUM_ARGS, DEFAULT_EXECUTABLE };
