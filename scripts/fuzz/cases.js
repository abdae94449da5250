'use strict';
// Fuzz cases, generated deterministically from a seed: config mutations (chat and processing
// configs through compileScene / renderFrame / short renders) and corrupted or special media
// through every entry point that reads media. Shared by the runner (scripts/fuzz.js), its child
// processes (scripts/fuzz/worker.js) and the seeded slice in npm test (js/test/fuzz-slice.test.js).
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');

// ---- seeded randomness -------------------------------------------------------------------
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** The seed of case `index` of a run seeded `seed` (stable: a case is replayed from it alone). */
function caseSeed(seed, index) {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}
function rngTools(seed) {
  const r = mulberry32(seed);
  return {
    r,
    int: (n) => Math.floor(r() * n),
    pick: (arr) => arr[Math.floor(r() * arr.length)],
    chance: (p) => r() < p,
  };
}

// ---- the media corpus ----------------------------------------------------------------------
// Small valid files made once by the ffmpeg CLI (single-threaded: the same bytes every time).
const CORPUS = [
  { name: 'clip.mp4', args: ['-f', 'lavfi', '-i', 'testsrc=s=96x64:r=15:d=0.6', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.6', '-c:v', 'libx264', '-preset', 'ultrafast', '-threads', '1', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'] },
  { name: 'clip.mkv', args: ['-f', 'lavfi', '-i', 'testsrc=s=96x64:r=15:d=0.6', '-c:v', 'libx264', '-preset', 'ultrafast', '-threads', '1', '-pix_fmt', 'yuv420p'] },
  { name: 'clip.mov', args: ['-f', 'lavfi', '-i', 'testsrc=s=96x64:r=15:d=0.6', '-c:v', 'mpeg4', '-threads', '1'] },
  { name: 'tone.wav', args: ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5'] },
  { name: 'tone.m4a', args: ['-f', 'lavfi', '-i', 'sine=frequency=660:duration=0.5', '-c:a', 'aac'] },
  { name: 'tone.ogg', args: ['-f', 'lavfi', '-i', 'sine=frequency=550:duration=0.5', '-c:a', 'libvorbis'] },
  { name: 'pic.png', args: ['-f', 'lavfi', '-i', 'testsrc=s=64x48:d=1', '-frames:v', '1'] },
  { name: 'pic.jpg', args: ['-f', 'lavfi', '-i', 'testsrc=s=64x48:d=1', '-frames:v', '1'] },
  { name: 'anim.gif', args: ['-f', 'lavfi', '-i', 'testsrc=s=48x32:r=5:d=0.6'] },
];

function crc32(buf) {
  let c;
  let crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A PNG declaring width x height: `full` makes every row (1-bit grey, all zero: ~110 KB for 30000²). */
function bombPng(width, height, full) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = full ? 1 : 8; // bit depth
  ihdr[9] = full ? 0 : 6; // grey / RGBA
  let idat;
  if (full) {
    const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed bits; all zero: ~112 MB -> ~110 KB
    idat = zlib.deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  } else {
    idat = zlib.deflateSync(Buffer.alloc(64));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Makes the corpus in `dir` (once; cached by file name). */
function ensureCorpus(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const c of CORPUS) {
    const file = path.join(dir, c.name);
    if (fs.existsSync(file) && fs.statSync(file).size > 0) continue;
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-nostdin', ...c.args, '-fflags', '+bitexact', '-map_metadata', '-1', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const bomb = path.join(dir, 'bomb-30000.png');
  if (!fs.existsSync(bomb)) fs.writeFileSync(bomb, bombPng(30000, 30000, true));
  const lie = path.join(dir, 'lie-30000.png');
  if (!fs.existsSync(lie)) fs.writeFileSync(lie, bombPng(30000, 30000, false));
  return dir;
}

// ---- media cases ---------------------------------------------------------------------------
// Entry points that read media, and the role each gives the file.
const ENTRY_POINTS = [
  'getVideoMetadata', 'processVideo.inputPath', 'processVideo.background', 'processVideo.music',
  'processVideo.voice', 'renderFrame.background', 'renderFrame.image', 'renderFrame.inputPath',
  'optimizeVideo', 'processing.clips', 'processing.music', 'renderFrame.font', 'renderFrame.avatar',
];
const MUTATIONS = [
  'truncate', 'truncate', 'bitflip', 'bitflip', 'bitflip', 'swap-header', 'wrong-extension', 'valid',
  'empty', 'directory', 'random', 'text', 'symlink', 'symlink-loop', 'dangling-symlink', 'bomb',
  'lie-png', 'dev-null', 'dev-zero', 'fifo', 'stdin-pipe', 'missing', 'playlist',
];
const EXTENSIONS = ['.mp4', '.mov', '.mkv', '.webm', '.wav', '.m4a', '.mp3', '.ogg', '.png', '.jpg', '.gif', '.txt', ''];
/** Files and specials that are not media: a success with one of them is a wrong result. */
const NOT_MEDIA = new Set(['empty', 'directory', 'random', 'text', 'symlink-loop', 'dangling-symlink', 'dev-null', 'dev-zero', 'fifo', 'stdin-pipe', 'missing', 'playlist']);
/** Intact media files: a coded error claiming corruption (ERR_DECODE) is a wrong result. */
const INTACT = new Set(['valid', 'symlink']);

/** The description of media case `seed` (no files made): { entry, mutation, source, ext, ... }. */
function describeMediaCase(seed) {
  const t = rngTools(seed);
  const entry = t.pick(ENTRY_POINTS);
  const mutation = t.pick(MUTATIONS);
  const source = t.pick(CORPUS).name;
  const other = t.pick(CORPUS).name;
  const d = { kind: 'media', seed, entry, mutation, source };
  if (mutation === 'truncate') d.keepFraction = Math.round(t.r() * 1000) / 1000;
  if (mutation === 'bitflip') { d.flips = 1 + t.int(40); d.flipSeed = t.int(2 ** 31); }
  if (mutation === 'swap-header') { d.other = other; d.headerBytes = 16 + t.int(2048); }
  if (mutation === 'wrong-extension') d.ext = t.pick(EXTENSIONS);
  if (mutation === 'random') d.bytes = t.int(5000);
  if (mutation === 'playlist') d.format = t.pick(['ffconcat', 'm3u8']);
  return d;
}

/** Makes the file of a media case in `dir` (fresh per case); returns its path. */
function makeMediaFile(d, corpusDir, dir) {
  const srcPath = path.join(corpusDir, d.source);
  const ext = path.extname(d.source);
  const at = (name) => path.join(dir, name);
  switch (d.mutation) {
    case 'valid': {
      const f = at(`valid${ext}`);
      fs.copyFileSync(srcPath, f);
      return f;
    }
    case 'truncate': {
      const buf = fs.readFileSync(srcPath);
      const f = at(`truncated${ext}`);
      fs.writeFileSync(f, buf.subarray(0, Math.floor(buf.length * d.keepFraction)));
      return f;
    }
    case 'bitflip': {
      const buf = Buffer.from(fs.readFileSync(srcPath));
      const t = rngTools(d.flipSeed);
      for (let i = 0; i < d.flips; i++) {
        const p = t.int(buf.length);
        buf[p] ^= 1 << t.int(8);
      }
      const f = at(`flipped${ext}`);
      fs.writeFileSync(f, buf);
      return f;
    }
    case 'swap-header': {
      const a = fs.readFileSync(srcPath);
      const b = fs.readFileSync(path.join(corpusDir, d.other));
      const n = Math.min(d.headerBytes, a.length, b.length);
      const f = at(`swapped${ext}`);
      fs.writeFileSync(f, Buffer.concat([b.subarray(0, n), a.subarray(n)]));
      return f;
    }
    case 'wrong-extension': {
      const f = at(`renamed${d.ext}`);
      fs.copyFileSync(srcPath, f);
      return f;
    }
    case 'empty': {
      const f = at(`empty${ext}`);
      fs.writeFileSync(f, '');
      return f;
    }
    case 'directory': {
      const f = at(`folder${ext}`);
      fs.mkdirSync(f);
      return f;
    }
    case 'random': {
      const t = rngTools(d.seed ^ 0x5eed);
      const buf = Buffer.alloc(d.bytes);
      for (let i = 0; i < buf.length; i++) buf[i] = t.int(256);
      const f = at(`random${ext}`);
      fs.writeFileSync(f, buf);
      return f;
    }
    case 'text': {
      const f = at('secrets.nfo');
      fs.writeFileSync(f, 'DATABASE_PASSWORD=hunter2\nAPI_KEY=sk-fuzz\n'.repeat(20));
      return f;
    }
    case 'symlink': {
      const real = at(`real${ext}`);
      fs.copyFileSync(srcPath, real);
      const f = at(`link${ext}`);
      fs.symlinkSync(real, f);
      return f;
    }
    case 'symlink-loop': {
      const a = at(`loop-a${ext}`);
      const b = at(`loop-b${ext}`);
      fs.symlinkSync(b, a);
      fs.symlinkSync(a, b);
      return a;
    }
    case 'dangling-symlink': {
      const f = at(`dangling${ext}`);
      fs.symlinkSync(at('nowhere.mp4'), f);
      return f;
    }
    case 'bomb': {
      const f = at('bomb.png');
      fs.copyFileSync(path.join(corpusDir, 'bomb-30000.png'), f);
      return f;
    }
    case 'lie-png': {
      const f = at('huge.png');
      fs.copyFileSync(path.join(corpusDir, 'lie-30000.png'), f);
      return f;
    }
    case 'dev-null': return '/dev/null';
    case 'dev-zero': return '/dev/zero';
    case 'stdin-pipe': return '/dev/stdin'; // the worker's stdin: a pipe nobody writes to
    case 'fifo': {
      const f = at(`fifo${ext}`);
      execFileSync('mkfifo', [f]);
      return f;
    }
    case 'missing': return at(`missing${ext}`);
    case 'playlist': {
      // A playlist naming another file: opening it as media would read a file the config never named.
      const target = at(`other${ext}`);
      fs.copyFileSync(srcPath, target);
      if (d.format === 'ffconcat') {
        const f = at('list.ffconcat');
        fs.writeFileSync(f, `ffconcat version 1.0\nfile '${path.basename(target)}'\n`);
        return f;
      }
      const f = at('list.m3u8');
      fs.writeFileSync(f, `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${path.basename(target)}\n#EXT-X-ENDLIST\n`);
      return f;
    }
    default: throw new Error(`unknown mutation ${d.mutation}`);
  }
}

// ---- config cases --------------------------------------------------------------------------
function tiny(overrides = {}) {
  return {
    videoSettings: { duration: 0.4, resolution: '96x160', fps: 10 },
    animationSettings: { messageAnimationType: 'none', baseDelay: 100 },
    messages: [{ text: 'hi', sender: 'me', audioDuration: 0.2 }],
    ...overrides,
  };
}
/** Seed configs: examples/*.json and the test suite's shapes, made tiny so renders stay fast. */
function seedConfigs(corpusDir) {
  const seeds = [];
  const shrink = (c) => {
    const s = JSON.parse(JSON.stringify(c));
    s.videoSettings = { ...(s.videoSettings || {}), resolution: '96x160', fps: 10, duration: 0.5 };
    if (Array.isArray(s.messages)) s.messages = s.messages.slice(0, 3);
    return s;
  };
  for (const f of ['chat-story.json', 'bench-story.json']) {
    seeds.push(shrink(JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8'))));
  }
  for (const f of fs.readdirSync(path.join(ROOT, 'examples', 'templates')).sort()) {
    seeds.push(shrink(JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'templates', f), 'utf8'))));
  }
  const clip = path.join(corpusDir, 'clip.mp4');
  const tone = path.join(corpusDir, 'tone.wav');
  const pic = path.join(corpusDir, 'pic.png');
  seeds.push(tiny());
  seeds.push(tiny({ voiceAudioSettings: { backgroundMusicUrl: tone, backgroundMusicVolume: 40, messageSoundEffect: 'pop' } }));
  seeds.push(tiny({ backgroundSettings: { backgroundType: 'image', backgroundUrl: pic, backgroundBlur: 4, backgroundOpacity: 0.5 } }));
  seeds.push(tiny({ backgroundSettings: { backgroundType: 'video', backgroundUrl: clip }, videoSettings: { duration: 0.4, resolution: '96x160', fps: 10, brainrotMode: true } }));
  seeds.push(tiny({ messages: [{ sender: 'them', imageUrl: pic, text: 'look' }, { text: 'مرحبا 👋 hello', sender: 'Alex', audioUrl: tone }], chatOverlay: { contactName: 'Jess', avatarUrl: pic, position: 'center', widthPercent: 60, scale: 1.2, opacity: 0.9 } }));
  seeds.push(tiny({ colorCustomization: { senderBubbleColor: '#ff0000', receiverTextColor: '#00ff00', backgroundColor: '#000' }, template: 'imessage' }));
  seeds.push({
    video: { width: 96, height: 64, fps: 10, fit: 'contain', quality: 'low' },
    clips: [clip, { path: clip, trim: { start: 0.1, end: 0.5 }, volume: 0.5 }],
    audio: { volume: 1, music: tone, musicVolume: 0.2 },
    effects: {
      color_correction: { brightness: 1.1, contrast: 1.2, saturation: 0.5, hue_shift: 10 },
      sharpen: 0.3, blur: 1,
      transitions: { type: 'fade', duration: 0.2, direction: 'left' },
      text_overlays: [{ text: 'wait', start: 0, duration: 0.3, position: 'top', style: { fontSize: 20, color: '#FFFFFF', strokeColor: '#000000', strokeWidth: 2 } }],
    },
    trim: { start: 0, end: 0.6 },
  });
  seeds.push({ video: { width: 64, height: 64, fps: 5, fit: 'cover' }, clips: [clip], effects: { transitions: { type: 'slide', duration: 0.1 } } });
  return seeds;
}

const HOSTILE = [
  null, true, false, 0, -1, 1, 0.5, -0.0001, 1e9, -1e9, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, 4096, 4097, 65,
  '', ' ', '0', '-1', 'NaN', 'Infinity', '1e400', 'x'.repeat(3000), '🐶'.repeat(200), 'مرحبا‎ שלום', '\u0000',
  'a\u0000b', '\ud800', '\udfff lone', '%s%n%x', '${process.env.HOME}', '<script>', '#zzz', '#12345678', 'rgb(999,0,0)',
  '../../../../etc/passwd', '/etc/passwd', '/proc/self/environ', 'file:///etc/passwd', 'missing.mp4',
  'http://127.0.0.1:1/a.png', 'http://169.254.169.254/latest/meta-data', 'ftp://example.com/a.mp3', 'data:image/png;base64,AAAA',
  '1080x1920', '99999x99999', '0x0', '-2x4', '97x161', '4096x4096', 'me', 'them', 'slide', 'fade', 'custom', 'cover',
  [], [1, 2, 3], ['#fff'], [{}], {}, { a: 1 }, { text: 'x', sender: 'me' }, { path: 'x.mp4' },
];
const UNKNOWN_KEYS = ['__proto__', 'constructor', 'prototype', 'unknownField', 'text', 'path', 'duration', 'resolution', 'shader'];

function allPaths(value, prefix = [], out = []) {
  out.push(prefix);
  if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) allPaths(value[k], [...prefix, Array.isArray(value) ? Number(k) : k], out);
  }
  return out;
}
function getAt(obj, p) { return p.reduce((o, k) => (o == null ? undefined : o[k]), obj); }
function setAt(obj, p, v) {
  if (p.length === 0) return v;
  const parent = getAt(obj, p.slice(0, -1));
  if (parent && typeof parent === 'object') parent[p.at(-1)] = v;
  return obj;
}
function deleteAt(obj, p) {
  const parent = getAt(obj, p.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(p.at(-1), 1);
  else if (parent && typeof parent === 'object') delete parent[p.at(-1)];
  return obj;
}

/** Mutates `config` in place `n` times; returns the list of mutations (for the report). */
function mutateConfig(config, t, n) {
  const log = [];
  let c = config;
  for (let i = 0; i < n; i++) {
    const paths = allPaths(c);
    const p = paths.length > 1 ? t.pick(paths.slice(1)) : [];
    const cur = getAt(c, p);
    const op = t.pick(['replace', 'replace', 'delete', 'add-key', 'duplicate', 'retype', 'numeric', 'benign', 'benign', 'benign']);
    if (op === 'benign' && p.length > 0) {
      // A plausible value of the same type: keeps many cases valid, so rendering is fuzzed too.
      const v = typeof cur === 'number' ? Math.round(t.r() * Math.max(2, Math.abs(cur) * 2) * 100) / 100
        : typeof cur === 'string' ? t.pick(['hello 👋', 'me', 'them', '#336699', 'שלום עולם', 'x', 'ok so 🇫🇷 👨‍👩‍👧', cur.toUpperCase()])
          : typeof cur === 'boolean' ? !cur : cur;
      c = setAt(c, p, v);
      log.push(`benign ${p.join('.')} = ${JSON.stringify(v)?.slice(0, 40)}`);
    } else if (op === 'replace' || p.length === 0) {
      const v = JSON.parse(JSON.stringify(t.pick(HOSTILE)));
      c = setAt(c, p, v);
      log.push(`set ${p.join('.')} = ${JSON.stringify(v)?.slice(0, 40)}`);
    } else if (op === 'delete') {
      deleteAt(c, p);
      log.push(`delete ${p.join('.')}`);
    } else if (op === 'add-key' && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      const k = t.pick(UNKNOWN_KEYS);
      const v = JSON.parse(JSON.stringify(t.pick(HOSTILE)));
      Object.defineProperty(cur, k, { value: v, enumerable: true, writable: true, configurable: true });
      log.push(`add ${[...p, k].join('.')}`);
    } else if (op === 'duplicate' && Array.isArray(cur) && cur.length > 0) {
      const times = 1 + t.int(4);
      for (let j = 0; j < times; j++) cur.push(JSON.parse(JSON.stringify(cur[t.int(cur.length)])));
      log.push(`duplicate ${p.join('.')} x${times}`);
    } else if (op === 'retype') {
      const v = typeof cur === 'number' ? String(cur) : typeof cur === 'string' ? (Number(cur) || cur.length)
        : Array.isArray(cur) ? { ...cur } : cur && typeof cur === 'object' ? Object.values(cur) : [cur];
      c = setAt(c, p, v);
      log.push(`retype ${p.join('.')}`);
    } else {
      const v = typeof cur === 'number' ? t.pick([cur * -1, cur * 1000, cur + 0.5, 0, cur / 1e6]) : t.pick([0, -1, 1e6]);
      c = setAt(c, p, v);
      log.push(`numeric ${p.join('.')} = ${v}`);
    }
  }
  return { config: c, log };
}

/** The description of config case `seed`: { op, config, asString, mutations }. */
function describeConfigCase(seed, seeds) {
  const t = rngTools(seed);
  const opRoll = t.r();
  const op = opRoll < 0.8 ? 'compileScene' : opRoll < 0.96 ? 'renderFrame' : 'render';
  const base = JSON.parse(JSON.stringify(t.pick(seeds)));
  const { config, log } = mutateConfig(base, t, t.int(4));
  const asString = t.chance(0.2);
  const timeMs = t.pick([0, 100, 250, 399, 1e6, -1]);
  return { kind: 'config', seed, op, config, asString, timeMs, mutations: log };
}

module.exports = {
  ROOT, mulberry32, caseSeed, rngTools, ensureCorpus, CORPUS, describeMediaCase, makeMediaFile, NOT_MEDIA, INTACT,
  ENTRY_POINTS, seedConfigs, describeConfigCase, tiny, bombPng,
};
