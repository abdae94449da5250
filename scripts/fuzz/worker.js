'use strict';
// Child process of the fuzz runner: runs the cases it is sent one at a time, reporting
// "start" before and "done" (with the outcome) after each, so that the parent can tell which
// case crashed the process or hung it. One VideoEngine with its own temp folder per child.
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, describeMediaCase, makeMediaFile, NOT_MEDIA, INTACT, seedConfigs, describeConfigCase, tiny } = require('./cases');

const engineApi = require(path.join(ROOT, 'js', 'index.js'));

const workDir = process.env.FUZZ_WORK;
const corpusDir = path.join(workDir, 'corpus');
const tempDirectory = fs.mkdtempSync(path.join(workDir, `tmp-${process.pid}-`));
const engine = new engineApi.VideoEngine({ maxConcurrentJobs: 1, tempDirectory });
const seeds = seedConfigs(corpusDir);
const RENDER_BUDGET_MS = Number(process.env.FUZZ_RENDER_BUDGET_MS || 8000);

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const JPEG = Buffer.from([0xff, 0xd8]);

function leafKeys(value, out = new Set()) {
  if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      if (!Array.isArray(value)) out.add(k);
      leafKeys(value[k], out);
    }
  }
  return out;
}

/** Lists what is left in a folder (recursively, names relative to it). */
function listing(dir, prefix = '') {
  const out = [];
  let names = [];
  try { names = fs.readdirSync(dir); } catch { return out; }
  for (const n of names) {
    const full = path.join(dir, n);
    let st;
    try { st = fs.lstatSync(full); } catch { continue; }
    if (st.isDirectory()) out.push(...listing(full, `${prefix}${n}/`));
    else out.push(`${prefix}${n}`);
  }
  return out;
}

function withBudget(ms) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  return { signal: ac.signal, done: () => clearTimeout(timer) };
}

/** Runs one call; returns { ok, value } or { ok: false, error }. */
async function settle(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function classifyError(error, hints) {
  const code = error && error.code;
  const message = String((error && error.message) || error);
  if (!code) return { outcome: 'NO_CODE', failure: 'uncoded', message };
  if (code === 'ERR_INTERNAL') return { outcome: code, failure: 'internal', message };
  if (code === 'ERR_ABORTED') return { outcome: 'ERR_ABORTED', message }; // the case's time budget
  const named = hints.some((h) => h && message.includes(h));
  return named ? { outcome: code, message } : { outcome: code, failure: 'unnamed', message };
}

async function runConfigCase(c, outDir) {
  const d = c.config !== undefined ? c : describeConfigCase(c.seed, seeds);
  const config = d.asString ? JSON.stringify(d.config) : d.config;
  const hints = [...leafKeys(d.config), 'config', 'JSON', 'messages', 'clips', 'video', 'effects', 'timeMs', 'options', 'baseDir'];
  const baseDir = path.join(ROOT, 'examples');
  let r;
  let check = () => null;
  if (d.op === 'compileScene') {
    r = await settle(() => engine.compileScene(config, { baseDir }));
    check = (v) => (v && typeof v === 'object' ? null : 'compileScene returned no Scene');
  } else if (d.op === 'renderFrame') {
    r = await settle(() => engine.renderFrame(config, d.timeMs, { baseDir }));
    check = (v) => (Buffer.isBuffer(v) && v.subarray(0, 4).equals(PNG) ? null : 'renderFrame returned no PNG');
  } else {
    const out = path.join(outDir, 'out.mp4');
    const b = withBudget(RENDER_BUDGET_MS);
    r = await settle(() => engine.processVideo('', out, config, { baseDir, signal: b.signal }));
    b.done();
    check = (v) => (v && v.success && fs.existsSync(out) && fs.statSync(out).size > 0 ? null : 'render reported success without a file');
  }
  return finish(r, check, hints, outDir, r.ok && d.op === 'render' ? ['out.mp4'] : []);
}

function finish(r, check, hints, outDir, expectedFiles) {
  let result;
  if (r.ok) {
    const wrong = check(r.value);
    result = wrong ? { outcome: 'ok', failure: 'wrong-result', message: wrong } : { outcome: 'ok' };
  } else {
    result = classifyError(r.error, hints);
  }
  const left = listing(outDir).filter((f) => !expectedFiles.includes(f));
  const tempLeft = listing(tempDirectory).filter((f) => !f.startsWith('assets/') && f !== 'assets');
  if ((left.length || tempLeft.length) && !result.failure) {
    result.failure = 'leftover';
    result.message = `left: ${[...left, ...tempLeft.map((f) => `temp/${f}`)].join(', ')}`;
  }
  for (const f of tempLeft) fs.rmSync(path.join(tempDirectory, f), { force: true, recursive: true });
  return result;
}

async function runMediaCase(c, outDir, mediaDir) {
  const d = describeMediaCase(c.seed);
  const corpus = corpusDir;
  const file = makeMediaFile(d, corpus, mediaDir);
  const base = path.basename(file);
  const out = path.join(outDir, 'out.mp4');
  const hints = [base, file];
  let r;
  let check = () => null;
  let field = null;
  const b = withBudget(RENDER_BUDGET_MS);
  const render = (input, config) => settle(() => engine.processVideo(input, out, config, { signal: b.signal }));
  const rendered = (v) => (v && v.success && fs.existsSync(out) ? null : 'render reported success without a file');
  const frame = (config, opts = {}) => settle(() => engine.renderFrame(config, 200, opts));
  const framed = (v) => (Buffer.isBuffer(v) && (v.subarray(0, 4).equals(PNG) || v.subarray(0, 2).equals(JPEG)) ? null : 'no image');
  switch (d.entry) {
    case 'getVideoMetadata':
      r = await settle(() => engineApi.getVideoMetadata(file));
      check = (v) => (v && Array.isArray(v.streams) ? null : 'no streams');
      break;
    case 'processVideo.inputPath':
      r = await render(file, tiny()); check = rendered; field = 'inputPath';
      break;
    case 'processVideo.background':
      field = 'backgroundUrl';
      r = await render('', tiny({ backgroundSettings: { backgroundType: /\.(png|jpg|gif)$/.test(d.source) ? 'image' : 'video', backgroundUrl: file } }));
      check = rendered;
      break;
    case 'processVideo.music':
      field = 'backgroundMusicUrl';
      r = await render('', tiny({ voiceAudioSettings: { backgroundMusicUrl: file } })); check = rendered;
      break;
    case 'processVideo.voice':
      field = 'audioUrl';
      r = await render('', tiny({ messages: [{ text: 'hi', sender: 'me', audioUrl: file }] })); check = rendered;
      break;
    case 'renderFrame.background':
      field = 'backgroundUrl';
      r = await frame(tiny({ backgroundSettings: { backgroundType: /\.(mp4|mkv|mov)$/.test(d.source) ? 'video' : 'image', backgroundUrl: file } }));
      check = framed;
      break;
    case 'renderFrame.image':
      field = 'imageUrl';
      r = await frame(tiny({ messages: [{ sender: 'them', imageUrl: file }] })); check = framed;
      break;
    case 'renderFrame.inputPath':
      field = 'inputPath';
      r = await frame({ video: { width: 64, height: 64, fps: 10 } }, { inputPath: file }); check = framed;
      break;
    case 'optimizeVideo':
      r = await settle(() => engine.optimizeVideo(file, 0.05, { outputPath: out, signal: b.signal, measureQuality: false }));
      check = (v) => (v && fs.existsSync(out) ? null : 'no output');
      break;
    case 'processing.clips':
      field = 'clips';
      r = await render('', { video: { width: 64, height: 64, fps: 10 }, clips: [file] }); check = rendered;
      break;
    case 'processing.music':
      field = 'music';
      r = await render('', { video: { width: 64, height: 64, fps: 10 }, clips: [path.join(corpus, 'clip.mp4')], audio: { music: file } }); check = rendered;
      break;
    case 'renderFrame.font':
      field = 'fonts';
      r = await frame(tiny({ fonts: [{ family: 'Fuzz', path: file }] })); check = framed;
      break;
    case 'renderFrame.avatar':
      field = 'avatarUrl';
      r = await frame(tiny({ chatOverlay: { contactName: 'Jess', avatarUrl: file } })); check = framed;
      break;
    default: throw new Error(`unknown entry ${d.entry}`);
  }
  b.done();
  if (field) hints.push(field);
  const result = finish(r, check, hints, outDir, r.ok && fs.existsSync(out) ? ['out.mp4'] : []);
  if (!r.ok && INTACT.has(d.mutation) && result.outcome === 'ERR_DECODE' && !result.failure) {
    result.failure = 'valid-file-rejected';
  }
  if (r.ok && NOT_MEDIA.has(d.mutation) && !result.failure) {
    result.failure = 'accepted-non-media';
    result.message = `${d.mutation} accepted as media`;
  }
  return result;
}

/** Cases that check the harness itself (js/test/fuzz-slice.test.js): it must see each of these. */
async function runSelfTest(c, outDir) {
  if (c.action === 'crash') process.kill(process.pid, 'SIGKILL'); // as a native crash would end it (SIGKILL: no core file)
  if (c.action === 'hang') await new Promise(() => setInterval(() => {}, 1000));
  if (c.action === 'leftover') fs.writeFileSync(path.join(outDir, '.out.mp4.1234.part'), 'partial');
  return finish({ ok: true, value: null }, () => null, [], outDir, []);
}

async function runCase(c) {
  const caseDir = fs.mkdtempSync(path.join(workDir, 'case-'));
  const outDir = path.join(caseDir, 'out');
  const mediaDir = path.join(caseDir, 'media');
  fs.mkdirSync(outDir);
  fs.mkdirSync(mediaDir);
  const started = Date.now();
  try {
    const result = c.kind === 'selftest' ? await runSelfTest(c, outDir)
      : c.kind === 'config' ? await runConfigCase(c, outDir) : await runMediaCase(c, outDir, mediaDir);
    result.ms = Date.now() - started;
    return result;
  } finally {
    fs.rmSync(caseDir, { recursive: true, force: true });
  }
}

process.on('message', async (msg) => {
  if (msg.type === 'run') {
    for (const c of msg.cases) {
      process.send({ type: 'start', id: c.id });
      let result;
      try {
        result = await runCase(c);
      } catch (e) {
        result = { outcome: 'HARNESS', failure: 'harness', message: String(e && e.stack) };
      }
      if (result.message && result.message.length > 300) result.message = `${result.message.slice(0, 300)}…`;
      await new Promise((resolve) => process.send({ type: 'done', id: c.id, result }, resolve));
    }
    process.send({ type: 'batch-done' }, () => {
      fs.rmSync(tempDirectory, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
process.send({ type: 'ready' });
