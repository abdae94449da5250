// The soundtrack in the browser, mixed as the engine mixes it (Engine/Audio, docs/scene-format.md
// "audio"): voices at their exact samples (with a processing clip's equal-power fades), the music
// looped with the engine's correlation-compensated crossfade, faded in and out and ducked by the
// raised-cosine-in-dB envelope, the pops (the engine's synthesised pop or the Scene's sound), the
// master gain, then loudness normalisation (BS.1770-4 integrated loudness with its gates, the gain
// capped at +24 dB and topped up for what the limiter takes, as AudioMixer.Analyze) and the
// look-ahead true-peak limiter (4x polyphase Kaiser-windowed-sinc detector). The files are decoded
// by the browser (decodeAudioData, resampled to 48 kHz), the rest is plain JavaScript, so it runs
// the same on any thread. Playback (scheduleAudio) plays this mix from the current time; export
// encodes it.

function audioError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

async function decode(ctx, url) {
  const r = await fetch(url);
  if (!r.ok) throw audioError('ERR_ASSET_FETCH', `preview: cannot fetch ${url} (HTTP ${r.status})`);
  try {
    return await ctx.decodeAudioData(await r.arrayBuffer());
  } catch (e) {
    throw audioError('ERR_UNSUPPORTED_MEDIA', `preview: cannot decode the audio ${url}: ${e?.message ?? e}`);
  }
}

const RATE = 48000;
const toSamples = (ms) => Math.round((ms * RATE) / 1000);
const raisedCosine = (x) => (x <= 0 ? 0 : x >= 1 ? 1 : 0.5 - 0.5 * Math.cos(Math.PI * x));

/** [left, right] Float32Arrays of a decoded AudioBuffer or { channels } (mono is the same on both sides). */
function stereo(buffer) {
  if (buffer.channels) return [buffer.channels[0], buffer.channels[1] ?? buffer.channels[0]];
  const l = buffer.getChannelData(0);
  return [l, buffer.numberOfChannels > 1 ? buffer.getChannelData(1) : l];
}

/** The engine's pop (PopSound.Synthesize): 50 ms, 1500 -> 500 Hz exponential sweep, peak 0.5. */
export function synthesizePop() {
  const n = toSamples(50);
  const pop = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / RATE, x = i / n;
    const hz = 1500 * (500 / 1500) ** x;
    const env = 0.5 * Math.exp(-t * 1000 / 10) * raisedCosine(t * 1000 / 1) * raisedCosine((50 - t * 1000) / 5);
    pop[i] = env * Math.sin(phase);
    phase += 2 * Math.PI * hz / RATE;
  }
  return pop;
}

/** A pop file as the engine uses it: its first 2 s, the last 10 ms faded out when cut there. */
function popFromFile(buffer) {
  const [l, r] = stereo(buffer);
  const max = toSamples(2000);
  const n = Math.min(max, l.length);
  const out = [l.slice(0, n), r.slice(0, n)];
  if (l.length >= max) {
    const fade = toSamples(10);
    for (let i = 0; i < fade; i++) {
      const g = raisedCosine((fade - i) / fade);
      out[0][max - fade + i] *= g;
      out[1][max - fade + i] *= g;
    }
  }
  return out;
}

/** MusicLoop.Crossfade: the tail under the head, equal power corrected for their correlation. */
function crossfade(tail, head, out) {
  const n = tail[0].length;
  if (n === 0) return;
  let th = 0, tt = 0, hh = 0;
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      th += tail[c][i] * head[c][i];
      tt += tail[c][i] * tail[c][i];
      hh += head[c][i] * head[c][i];
    }
  }
  const r = tt > 0 && hh > 0 ? Math.min(1, Math.max(0, th / Math.sqrt(tt * hh))) : 0;
  for (let i = 0; i < n; i++) {
    const theta = (Math.PI / 2) * (i + 0.5) / n;
    const k = 1 / Math.sqrt(1 + r * Math.sin(2 * theta));
    const a = k * Math.cos(theta), b = k * Math.sin(theta);
    for (let c = 0; c < 2; c++) out[c][i] = Math.fround(a * tail[c][i] + b * head[c][i]);
  }
}

/** The music looped over `total` samples as MusicLoop plays it (crossfade of X samples). */
function loopMusic(buffer, total, x) {
  const src = stereo(buffer);
  const len = src[0].length;
  const out = [new Float32Array(total), new Float32Array(total)];
  if (len === 0 || total === 0) return out;
  let pos = 0;
  const write = (seg) => {
    const n = Math.min(seg[0].length, total - pos);
    out[0].set(seg[0].subarray(0, n), pos);
    out[1].set(seg[1].subarray(0, n), pos);
    pos += n;
  };
  if (x > 0 && len < 2 * x) {
    // A short clip: X becomes half its length; passes after the first play the crossfaded loop.
    const fade = Math.floor(len / 2), period = len - fade;
    const loop = [src[0].slice(0, period), src[1].slice(0, period)];
    crossfade([src[0].subarray(period, len), src[1].subarray(period, len)], [src[0].subarray(0, fade), src[1].subarray(0, fade)], loop);
    write([src[0].subarray(0, period), src[1].subarray(0, period)]);
    while (pos < total) write(loop);
    return out;
  }
  // The first pass up to its last X samples, then each pass: its head faded in over the last
  // pass's tail, then the rest up to its own tail.
  write([src[0].subarray(0, len - x), src[1].subarray(0, len - x)]);
  if (x > 0) {
    const joint = [new Float32Array(x), new Float32Array(x)];
    crossfade([src[0].subarray(len - x), src[1].subarray(len - x)], [src[0].subarray(0, x), src[1].subarray(0, x)], joint);
    const pass = [new Float32Array(len - x), new Float32Array(len - x)];
    for (let c = 0; c < 2; c++) { pass[c].set(joint[c]); pass[c].set(src[c].subarray(x, len - x), x); }
    while (pos < total) write(pass);
  } else {
    while (pos < total) write(src);
  }
  return out;
}

// ---- Loudness (LoudnessMeter: BS.1770-4, 400 ms blocks every 100 ms, absolute and relative gates) ----
const S1 = [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585];
const S2 = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];

/** Integrated loudness (LUFS) of a stereo 48 kHz signal; -Infinity when silent. */
export function integratedLoudness(left, right) {
  const step = RATE / 10;
  const energy = new Float64Array(Math.floor(left.length / step));
  for (const ch of [left, right]) {
    let z1a = 0, z2a = 0, z1b = 0, z2b = 0;
    for (let k = 0; k < energy.length; k++) {
      let sum = 0;
      for (let i = k * step, end = i + step; i < end; i++) {
        const x = ch[i];
        const a = S1[0] * x + z1a;
        z1a = S1[1] * x - S1[3] * a + z2a;
        z2a = S1[2] * x - S1[4] * a;
        const b = S2[0] * a + z1b;
        z1b = S2[1] * a - S2[3] * b + z2b;
        z2b = S2[2] * a - S2[4] * b;
        sum += b * b;
      }
      energy[k] += sum;
    }
  }
  const lufs = (ms) => (ms > 0 ? -0.691 + 10 * Math.log10(ms) : -Infinity);
  // The meter's histogram: 0.01 LU bins from -70 to +30 LUFS.
  const bins = (30 + 70) * 100;
  const count = new Int32Array(bins), sumBin = new Float64Array(bins);
  for (let k = 3; k < energy.length; k++) {
    const ms = (energy[k] + energy[k - 1] + energy[k - 2] + energy[k - 3]) / (step * 4);
    const l = lufs(ms);
    if (!(l > -70)) continue;
    const bin = Math.min(bins - 1, Math.floor((l + 70) * 100));
    count[bin]++;
    sumBin[bin] += ms;
  }
  const gated = (first) => {
    let n = 0, e = 0;
    for (let b = first; b < bins; b++) { n += count[b]; e += sumBin[b]; }
    return [n, e];
  };
  const [n0, e0] = gated(0);
  if (n0 === 0) return -Infinity;
  const rel = lufs(e0 / n0) - 10;
  const [n1, e1] = gated(Math.max(0, Math.floor((rel + 70) * 100)));
  return n1 === 0 ? -Infinity : lufs(e1 / n1);
}

// ---- True peak (TruePeakDetector: 4 phases x 32 taps, Kaiser beta 8) ----
const PHASES = 4, TAPS = 32;
let taps = null;
function peakTaps() {
  if (taps) return taps;
  const besselI0 = (x) => {
    let sum = 1, term = 1;
    const q = (x * x) / 4;
    for (let k = 1; k < 50 && term > 1e-12 * sum; k++) { term *= q / (k * k); sum += term; }
    return sum;
  };
  const length = PHASES * TAPS - 1, centre = (length - 1) / 2, i0 = besselI0(8);
  const h = new Float64Array(PHASES * TAPS);
  for (let n = 0; n < length; n++) {
    const t = (n - centre) / PHASES;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const r = (n - centre) / centre;
    h[n] = (sinc * besselI0(8 * Math.sqrt(1 - r * r))) / i0;
  }
  taps = [];
  for (let p = 0; p < PHASES; p++) {
    let sum = 0;
    for (let k = 0; k < TAPS; k++) sum += h[k * PHASES + p];
    taps.push(Float32Array.from({ length: TAPS }, (_, k) => h[k * PHASES + p] / sum));
  }
  return taps;
}

let tapsL1 = 0; // the most any phase's filter can raise a window's largest |sample|

/**
 * The 4x oversampled peak |x| of both channels at each sample (the detector's output,
 * DelaySamples late). Where no interpolated value can exceed `floor` (the window's largest
 * |sample| times the filter's L1 norm is at most floor), the peak is not computed and reads 0:
 * callers only need peaks above it.
 */
function detectPeaks(left, right, floor = 0) {
  const t = peakTaps();
  if (!tapsL1) tapsL1 = Math.max(...t.map((tp) => tp.reduce((x, y) => x + Math.abs(y), 0)));
  const n = left.length;
  const peaks = new Float32Array(n);
  // Each sample's window is the last TAPS samples; their largest |x| per 32-sample chunk bounds it.
  const chunkMax = new Float32Array(Math.ceil(n / TAPS) + 1);
  for (let i = 0; i < n; i++) {
    const m = Math.max(Math.abs(left[i]), Math.abs(right[i]));
    const c = (i / TAPS) | 0;
    if (m > chunkMax[c]) chunkMax[c] = m;
  }
  const [t0, t1, t2, t3] = t;
  for (let i = 0; i < n; i++) {
    const c = (i / TAPS) | 0;
    const bound = Math.max(chunkMax[c], c > 0 ? chunkMax[c - 1] : 0) * tapsL1;
    if (bound <= floor) continue;
    let l0 = 0, l1 = 0, l2 = 0, l3 = 0, r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    const kMax = Math.min(TAPS - 1, i);
    for (let k = 0; k <= kMax; k++) {
      const xl = left[i - k], xr = right[i - k];
      l0 += t0[k] * xl; l1 += t1[k] * xl; l2 += t2[k] * xl; l3 += t3[k] * xl;
      r0 += t0[k] * xr; r1 += t1[k] * xr; r2 += t2[k] * xr; r3 += t3[k] * xr;
    }
    peaks[i] = Math.max(Math.abs(l0), Math.abs(l1), Math.abs(l2), Math.abs(l3), Math.abs(r0), Math.abs(r1), Math.abs(r2), Math.abs(r3));
  }
  return peaks;
}

/** True peak (dBTP) of a stereo signal. */
export function truePeak(left, right) {
  let sampleMax = 0;
  for (let i = 0; i < left.length; i++) sampleMax = Math.max(sampleMax, Math.abs(left[i]), Math.abs(right[i]));
  // The oversampled peak is about the sample peak or above it: only windows that could beat 0.9 of it are computed.
  let max = 0;
  for (const p of detectPeaks(left, right, 0.9 * sampleMax)) if (p > max) max = p;
  return max > 0 ? 20 * Math.log10(max) : -Infinity;
}

/**
 * TruePeakLimiter: 5 ms look-ahead, sliding minimum of the needed gain over the window, box
 * average, 100 ms release; its latency compensated (output sample n is input sample n).
 */
function limit(left, right, ceilingDbtp) {
  const ceiling = 10 ** ((ceilingDbtp - 0.01) / 20);
  const lookahead = Math.round(5 * RATE / 1000);
  const guard = TAPS / 2;
  const window = lookahead + 2 * guard + 1;
  const release = 1 - Math.exp(-1 / (100 * RATE / 1000));
  const latency = lookahead + guard + (TAPS / 2 - 1);
  const n = left.length;
  // The input followed by `latency` zeros, so the delayed output covers every input sample.
  const inL = new Float32Array(n + latency), inR = new Float32Array(n + latency);
  inL.set(left); inR.set(right);
  const peaks = detectPeaks(inL, inR, ceiling); // at or under the ceiling, a peak needs no gain
  const dqI = new Float64Array(window), dqV = new Float64Array(window);
  let head = 0, count = 0;
  const box = new Float64Array(lookahead).fill(1);
  let boxPos = 0, boxSum = lookahead, gain = 1;
  for (let i = 0; i < n + latency; i++) {
    const need = peaks[i] > ceiling ? ceiling / peaks[i] : 1;
    while (count > 0 && dqV[(head + count - 1) % window] >= need) count--;
    const tail = (head + count) % window;
    dqI[tail] = i; dqV[tail] = need; count++;
    while (dqI[head] <= i - window) { head = (head + 1) % window; count--; }
    boxSum += dqV[head] - box[boxPos];
    box[boxPos] = dqV[head];
    if (++boxPos === lookahead) { boxPos = 0; boxSum = 0; for (const v of box) boxSum += v; }
    const smoothed = Math.min(1, boxSum / lookahead);
    gain = smoothed < gain ? smoothed : gain + (smoothed - gain) * release;
    if (smoothed === 1 && gain > 1 - 1e-7) gain = 1;
    const o = i - latency;
    if (o >= 0 && gain !== 1) { left[o] = Math.fround(inL[o] * gain); right[o] = Math.fround(inR[o] * gain); }
  }
}

/**
 * The Scene's soundtrack as the engine mixes it, from decoded files (`loaded`, loadAudio's):
 * { sampleRate: 48000, channels: [left, right], analysis: { integratedLufs, truePeakDbtp, gainDb } | null }.
 */
export function mixScene(scene, loaded) {
  const a = scene.audio;
  const total = toSamples(scene.durationMs);
  const L = new Float32Array(total), R = new Float32Array(total);
  if (!a?.enabled) return { sampleRate: RATE, channels: [L, R], analysis: null };
  // Voices, each from its in-point for its length, with a processing clip's equal-power fades.
  const spans = [];
  for (const { voice, buffer } of loaded.voices) {
    const [vl, vr] = stereo(buffer);
    const from = toSamples(voice.sourceStartMs ?? 0);
    const length = Math.max(0, Math.min(vl.length - from, voice.durationMs !== undefined ? toSamples(voice.durationMs) : Infinity));
    const start = toSamples(voice.startMs);
    spans.push([start, start + length]);
    const fin = toSamples(voice.fadeInMs ?? 0), fout = toSamples(voice.fadeOutMs ?? 0), finStart = toSamples(voice.fadeInStartMs ?? 0);
    // The fade out is measured from the clip's set length (durationMs), as the engine's
    // VoiceTrack does, even where the file's sound ends a little before it (an audio stream that
    // starts late or ends early): the crossfade then stays aligned with the next clip's fade in.
    const set = voice.durationMs !== undefined ? toSamples(voice.durationMs) : Infinity;
    for (let s = 0; s < length && start + s < total; s++) {
      let g = voice.gain;
      if (s + finStart < fin) g *= Math.sin((0.5 * Math.PI * (s + finStart)) / fin);
      if (set - s < fout) g *= Math.sin((0.5 * Math.PI * Math.max(0, set - s)) / fout);
      L[start + s] += Math.fround(vl[from + s] * Math.fround(g));
      R[start + s] += Math.fround(vr[from + s] * Math.fround(g));
    }
  }
  if (loaded.music) {
    const [ml, mr] = loopMusic(loaded.music, total, toSamples(a.loopCrossfadeMs ?? 50));
    const fadeIn = Math.min(total, toSamples(a.musicFadeInMs ?? 300)), fadeOut = Math.min(total, toSamples(a.musicFadeOutMs ?? 1000));
    const d = a.ducking;
    const duck = d?.enabled && d.db !== 0 && spans.length > 0;
    const attack = toSamples(d?.attackMs ?? 0), rel = toSamples(d?.releaseMs ?? 0);
    const nepers = ((d?.db ?? 0) * Math.log(10)) / 20;
    const sorted = spans.slice().sort((x, y) => x[0] - y[0]);
    for (let t = 0; t < total; t++) {
      let g = a.musicGain;
      if (t < fadeIn) g *= raisedCosine(t / fadeIn);
      if (fadeOut > 0 && t >= total - fadeOut) g *= raisedCosine((total - t) / fadeOut);
      if (duck) {
        let depth = 0;
        for (const [s, e] of sorted) {
          if (s - attack > t) break;
          const shape = t < s ? raisedCosine((t - (s - attack)) / attack) : t < e ? 1 : t - e >= rel ? 0 : raisedCosine(1 - (t - e) / rel);
          if (shape > depth) depth = shape;
          if (depth >= 1) break;
        }
        if (depth > 0) g *= Math.exp(nepers * Math.min(1, depth));
      }
      g = Math.fround(g);
      L[t] += Math.fround(ml[t] * g);
      R[t] += Math.fround(mr[t] * g);
    }
  }
  if (a.popsMs?.length) {
    const [pl, pr] = loaded.pop ? popFromFile(loaded.pop) : [synthesizePop(), null];
    const gain = a.popGain ?? 1;
    for (const ms of a.popsMs) {
      const start = toSamples(ms);
      for (let i = 0; i < pl.length && start + i < total; i++) {
        L[start + i] += Math.fround(pl[i] * gain);
        R[start + i] += Math.fround((pr ?? pl)[i] * gain);
      }
    }
  }
  let analysis = null;
  let gainDb = 0;
  const apply = (db, limited) => {
    const g = Math.fround(a.masterGain * 10 ** (db / 20));
    const l = new Float32Array(total), r = new Float32Array(total);
    for (let i = 0; i < total; i++) { l[i] = Math.fround(L[i] * g); r[i] = Math.fround(R[i] * g); }
    if (limited) limit(l, r, a.truePeakCeilingDbtp);
    return [l, r];
  };
  if (a.normalize !== false) {
    // AudioMixer.Analyze: the plain gain to the target (at most +24 dB), topped up by what the limiter takes.
    const [l0, r0] = apply(0, false);
    const integrated = integratedLoudness(l0, r0);
    const peak = truePeak(l0, r0);
    if (Number.isFinite(integrated)) {
      const plain = Math.min(24, a.loudnessTargetLufs - integrated);
      gainDb = plain;
      for (let pass = 0; pass < 2; pass++) {
        if (peak + gainDb <= a.truePeakCeilingDbtp - 0.01) break;
        const [l1, r1] = apply(gainDb, true);
        const shortfall = a.loudnessTargetLufs - integratedLoudness(l1, r1);
        if (!(shortfall > 0.1)) break;
        const next = Math.min(Math.min(24, plain + 6), gainDb + shortfall);
        if (next <= gainDb) break;
        gainDb = next;
      }
    }
    analysis = { integratedLufs: integrated, truePeakDbtp: peak, gainDb };
  }
  const [l, r] = apply(gainDb, a.normalize !== false);
  return { sampleRate: RATE, channels: [l, r], analysis };
}

/** Decodes the Scene's voices, music and pop sound once: { voices: [{ voice, buffer }], music, pop }. */
async function decodeAll(ctx, scene, assetUrl) {
  const a = scene.audio;
  if (!a?.enabled) return { voices: [], music: null, pop: null };
  const cache = new Map();
  const get = (path) => {
    if (!cache.has(path)) cache.set(path, decode(ctx, assetUrl(path)));
    return cache.get(path);
  };
  const voices = await Promise.all(a.voices.map(async (voice) => ({ voice, buffer: await get(voice.file) })));
  const music = a.music ? await get(a.music) : null;
  const pop = a.popSound && a.popsMs?.length ? await get(a.popSound) : null;
  return { voices, music, pop };
}

/** Decoded AudioBuffers as plain { channels } copies (what a worker can take). */
function plainCopies(loaded) {
  const plain = new Map(); // one copy per decoded file
  const of = (b) => {
    if (!b) return null;
    if (!plain.has(b)) plain.set(b, { channels: Array.from({ length: b.numberOfChannels }, (_, c) => b.getChannelData(c).slice()) });
    return plain.get(b);
  };
  return { voices: loaded.voices.map(({ voice, buffer }) => ({ voice, buffer: of(buffer) })), music: of(loaded.music), pop: of(loaded.pop) };
}

/** mixScene in the export worker where there is one (the page stays responsive), else on this thread. */
async function mixOffThread(scene, loaded) {
  if (typeof Worker !== 'undefined') {
    try {
      const { runInWorker } = await import('./export.mjs');
      const decoded = plainCopies(loaded);
      return await runInWorker({ type: 'mix', scene, decoded }, decodedBuffers(decoded), { what: 'audio mix' });
    } catch {
      // no worker here (a page whose CSP or bundling keeps it out): mix on this thread
    }
  }
  return mixScene(scene, loaded);
}

/**
 * Decodes the Scene's files with `ctx` and mixes them for playback (in a worker where there is
 * one): { voices, music, pop, mix: AudioBuffer | null }. scheduleAudio plays `mix`.
 */
export async function loadAudio(ctx, scene, assetUrl) {
  const loaded = await decodeAll(ctx, scene, assetUrl);
  if (!scene.audio?.enabled) return { ...loaded, mix: null };
  const m = await mixOffThread(scene, loaded);
  const mix = ctx.createBuffer(2, Math.max(1, m.channels[0].length), m.sampleRate);
  mix.copyToChannel(m.channels[0], 0);
  mix.copyToChannel(m.channels[1], 1);
  return { ...loaded, mix };
}

const mixes = new WeakMap(); // a `loaded` without its mix -> the mix made for it

/**
 * Plays the mix (mixScene's, as the render's) on `ctx` from Scene time `fromMs`, starting at ctx
 * time `at`, into `destination`. Returns { stop() }.
 */
export function scheduleAudio(ctx, scene, loaded, { fromMs = 0, at = ctx.currentTime, destination = ctx.destination } = {}) {
  if (!scene.audio?.enabled) return { stop() {} };
  let buffer = loaded.mix ?? mixes.get(loaded);
  if (!buffer) {
    const m = mixScene(scene, loaded);
    buffer = ctx.createBuffer(2, Math.max(1, m.channels[0].length), m.sampleRate);
    buffer.copyToChannel(m.channels[0], 0);
    buffer.copyToChannel(m.channels[1], 1);
    mixes.set(loaded, buffer);
  }
  const src = ctx.createBufferSource();
  src.buffer = buffer;
  src.connect(destination);
  if (fromMs < scene.durationMs) src.start(at, fromMs / 1000);
  return {
    stop() {
      try { src.stop(); } catch { /* not started */ }
      src.disconnect();
    },
  };
}

/**
 * The Scene's files decoded at 48 kHz (decodeAudioData: needs a window, not a worker) as plain
 * { channels: Float32Array[] } in loadAudio's shape, to hand to a worker (mixScene takes them).
 */
export async function decodeSceneAudio(scene, { assetBase }) {
  const assetUrl = typeof assetBase === 'function' ? assetBase : (p) => assetBase + encodeURIComponent(p);
  return plainCopies(await decodeAll(new OfflineAudioContext(2, 1, RATE), scene, assetUrl));
}

/** The buffers of decodeSceneAudio's result, for a transfer list. */
export function decodedBuffers(decoded) {
  const set = new Set();
  for (const b of [decoded.music, decoded.pop, ...decoded.voices.map((v) => v.buffer)]) b?.channels.forEach((c) => set.add(c.buffer));
  return [...set];
}

/** The mix of the whole Scene as planar PCM ({ sampleRate, channels, analysis }), files fetched from assetBase. */
export async function mixSceneAudio(scene, { assetBase }) {
  return mixScene(scene, await decodeSceneAudio(scene, { assetBase }));
}

/**
 * The mix of [fromMs, fromMs + durationMs) as an AudioBuffer (48 kHz stereo): the render's
 * soundtrack, for checks and waveforms.
 */
export async function renderAudio(scene, { assetBase, fromMs = 0, durationMs = scene.durationMs - fromMs } = {}) {
  const m = await mixSceneAudio(scene, { assetBase });
  const from = toSamples(fromMs);
  const length = Math.max(1, Math.ceil((durationMs / 1000) * RATE));
  const out = new AudioBuffer({ numberOfChannels: 2, length, sampleRate: RATE });
  for (let c = 0; c < 2; c++) {
    const part = new Float32Array(length);
    part.set(m.channels[c].subarray(from, from + length));
    out.copyToChannel(part, c);
  }
  return out;
}
