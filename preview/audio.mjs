// Audio preview through Web Audio: the Scene's voices at their start times and the music looped
// under the whole video, ducked while voices play (docs/scene-format.md, "audio"), at their gains
// and the master gain. A preview, not the render: the engine's loudness normalisation, true-peak
// limiter and pop sounds are not applied.

function audioError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

async function decode(ctx, url) {
  const r = await fetch(url);
  if (!r.ok) throw audioError('ERR_ASSET', `preview: cannot fetch ${url} (HTTP ${r.status})`);
  try {
    return await ctx.decodeAudioData(await r.arrayBuffer());
  } catch (e) {
    throw audioError('ERR_ASSET', `preview: cannot decode the audio ${url}: ${e?.message ?? e}`);
  }
}

/** Decodes the Scene's voices and music once: { voices: [{ voice, buffer }], music } . */
export async function loadAudio(ctx, scene, assetUrl) {
  const a = scene.audio;
  if (!a?.enabled) return { voices: [], music: null };
  const cache = new Map();
  const get = (path) => {
    if (!cache.has(path)) cache.set(path, decode(ctx, assetUrl(path)));
    return cache.get(path);
  };
  const voices = await Promise.all(a.voices.map(async (voice) => ({ voice, buffer: await get(voice.file) })));
  const music = a.music ? await get(a.music) : null;
  return { voices, music };
}

/**
 * Schedules the mix on `ctx` (an AudioContext or OfflineAudioContext) from Scene time `fromMs`,
 * starting at ctx time `at`, into `destination`. Returns { stop() }.
 */
export function scheduleAudio(ctx, scene, loaded, { fromMs = 0, at = ctx.currentTime, destination = ctx.destination } = {}) {
  const a = scene.audio;
  const nodes = [];
  if (!a?.enabled) return { stop() {} };
  const master = ctx.createGain();
  master.gain.value = a.masterGain;
  master.connect(destination);
  const t = (ms) => at + (ms - fromMs) / 1000; // context time of a Scene time
  const spans = [];
  for (const { voice, buffer } of loaded.voices) {
    const playMs = voice.durationMs ?? buffer.duration * 1000 - (voice.sourceStartMs ?? 0);
    const endMs = voice.startMs + playMs;
    spans.push([voice.startMs, endMs]);
    if (endMs <= fromMs) continue;
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    const g = ctx.createGain();
    g.gain.value = voice.gain;
    src.connect(g).connect(master);
    const skip = Math.max(0, fromMs - voice.startMs);
    src.start(Math.max(at, t(voice.startMs)), ((voice.sourceStartMs ?? 0) + skip) / 1000, (playMs - skip) / 1000);
    nodes.push(src);
  }
  if (loaded.music) {
    const src = ctx.createBufferSource();
    src.buffer = loaded.music;
    src.loop = true;
    const g = ctx.createGain();
    src.connect(g).connect(master);
    const full = a.musicGain;
    g.gain.setValueAtTime(full, at);
    const d = a.ducking;
    if (d?.enabled && d.db !== 0) {
      const low = full * 10 ** (d.db / 20);
      // Down over attackMs before each voice, fully down while it plays, back up over releaseMs after it.
      const merged = [];
      for (const [s, e] of spans.sort((x, y) => x[0] - y[0])) {
        const last = merged[merged.length - 1];
        if (last && s - d.attackMs <= last[1] + d.releaseMs) last[1] = Math.max(last[1], e);
        else merged.push([s, e]);
      }
      for (const [s, e] of merged) {
        if (e + d.releaseMs <= fromMs) continue;
        const downFrom = s - d.attackMs;
        if (downFrom >= fromMs) g.gain.setValueAtTime(full, t(downFrom));
        if (s >= fromMs) g.gain.linearRampToValueAtTime(low, t(s));
        else g.gain.setValueAtTime(low, at);
        g.gain.setValueAtTime(low, Math.max(at, t(e)));
        g.gain.linearRampToValueAtTime(full, Math.max(at, t(e + d.releaseMs)));
      }
    }
    src.start(at, ((fromMs / 1000) % loaded.music.duration));
    nodes.push(src);
  }
  return {
    stop() {
      for (const n of nodes) { try { n.stop(); } catch { /* not started */ } }
      master.disconnect();
    },
  };
}

/**
 * The preview's mix of [fromMs, fromMs + durationMs) rendered offline (OfflineAudioContext, 48 kHz
 * stereo): an AudioBuffer. For checks and waveforms.
 */
export async function renderAudio(scene, { assetBase, fromMs = 0, durationMs = scene.durationMs - fromMs } = {}) {
  const assetUrl = typeof assetBase === 'function' ? assetBase : (p) => assetBase + encodeURIComponent(p);
  const rate = scene.audio?.sampleRate ?? 48000;
  const ctx = new OfflineAudioContext(2, Math.max(1, Math.ceil((durationMs / 1000) * rate)), rate);
  const loaded = await loadAudio(ctx, scene, assetUrl);
  scheduleAudio(ctx, scene, loaded, { fromMs, at: 0 });
  return ctx.startRendering();
}
