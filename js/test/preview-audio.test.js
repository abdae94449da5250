// The preview's soundtrack (audio.mjs: the engine's mix in plain JavaScript, played through Web
// Audio) in headless Chromium: voices at their start times, the music looped under the video and
// ducked by the Scene's ducking while voices play; and its meters in Node against known signals
// and FFmpeg's EBU R128 meter. The export's sound against the engine's render is in
// preview-export.test.js.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, engine, makeTempDir, removeTempDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
const previewNode = require('../../preview/node.js');

let dir;
let tone;
let silence;
let music;
beforeAll(() => {
  dir = makeTempDir('reelspeed-preview-audio-');
  tone = path.join(dir, 'voice.wav');
  silence = path.join(dir, 'silent-voice.wav');
  music = path.join(dir, 'music.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=1:sample_rate=48000', tone]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono', '-t', '1', silence]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=0.8:sample_rate=48000', music]);
});
afterAll(async () => {
  await previewNode.close();
  removeTempDir(dir);
});

const story = (voice, withMusic) => ({
  videoSettings: { resolution: '360x640', fps: 30 },
  animationSettings: { messageAnimationType: 'none', baseDelay: 1000, messageDelay: 0, showTypingIndicator: false },
  voiceAudioSettings: {
    enableAudio: true, messageSoundEffect: 'none', masterVolume: 100,
    ...(withMusic ? { backgroundMusicUrl: music, backgroundMusicVolume: 50, duckMusicUnderVoice: true, duckingDb: -12 } : {}),
  },
  messages: [{ text: 'voiced', sender: 'them', audioUrl: voice }, { text: 'after', sender: 'me', audioDuration: 1 }],
});

const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const { integratedLoudness, truePeak, synthesizePop } = await import('../../preview/audio.mjs');

describe('audio preview (Web Audio)', () => {
  it('plays each voice at its start time, for its length', async () => {
    const scene = await engine.compileScene(story(tone, false));
    const v = scene.audio.voices[0];
    expect(v.startMs).toBeGreaterThan(500);
    const rms = await previewNode.audioLevelsInBrowser(scene, 0, v.startMs + 1500);
    const at = (ms) => rms[Math.floor(ms / 10)];
    expect(Math.max(...rms.slice(0, Math.floor(v.startMs / 10) - 1))).toBe(0);
    expect(at(v.startMs + 20)).toBeGreaterThan(0.05); // FFmpeg's sine is at 1/8 of full scale: RMS 0.088 x gains
    expect(at(v.startMs + 980)).toBeGreaterThan(0.05);
    expect(Math.max(...rms.slice(Math.ceil((v.startMs + 1010) / 10)))).toBe(0);
  });

  it('loops the music and ducks it by the Scene\'s dB while a voice plays', async () => {
    const scene = await engine.compileScene(story(silence, true));
    const v = scene.audio.voices[0];
    const d = scene.audio.ducking;
    expect(d).toMatchObject({ enabled: true, db: -12 });
    const rms = await previewNode.audioLevelsInBrowser(scene, 0, scene.durationMs);
    const span = (from, to) => mean(rms.slice(Math.floor(from / 10), Math.floor(to / 10)));
    // Between the music's fade-in and fade-out (the engine's: raised-cosine over musicFadeInMs and musicFadeOutMs).
    expect(scene.audio).toMatchObject({ musicFadeInMs: 300, musicFadeOutMs: 1000 });
    const before = span(scene.audio.musicFadeInMs + 50, v.startMs - d.attackMs - 50);
    const during = span(v.startMs + 100, v.startMs + 900);
    const after = span(v.startMs + 1000 + d.releaseMs + 100, scene.durationMs - scene.audio.musicFadeOutMs);
    expect(span(0, 100)).toBeLessThan(0.5 * before); // fading in
    expect(span(scene.durationMs - 200, scene.durationMs)).toBeLessThan(0.2 * before); // fading out
    expect(before).toBeGreaterThan(0.02);
    expect(20 * Math.log10(during / before)).toBeCloseTo(-12, 0);
    expect(after / before).toBeGreaterThan(0.9);
    // The 0.8 s music file keeps playing past its end: it loops.
    const loopEnd = Math.min(1000, v.startMs - d.attackMs);
    expect(loopEnd).toBeGreaterThan(850);
    expect(after - before).toBeLessThan(1e-9 + 0.1 * before);
    expect(span(820, loopEnd)).toBeGreaterThan(0.8 * before);
  });
});

describe('a processing scene\'s clip sound', () => {
  // Two clips with sound across a 500 ms fade: the engine crossfades them with equal-power ramps
  // (VoiceTrack: sine in, cosine out, the fade out measured from the clip's set length). Clip A's
  // sound ends 400 ms before its picture, so a fade out measured from where the sound ends instead
  // would fade it over [1100, 1600) ms rather than [1500, 2000): 5-12 dB too quiet there. Tones of
  // 400 and 1000 Hz are orthogonal over each 10 ms window, so equal power reads as steady RMS.
  it('crossfades the clips across a transition as the engine\'s render does', async () => {
    const clip = (name, hz, soundS, color) => {
      const file = path.join(dir, name);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${color}:s=160x120:r=30:d=2`, '-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${soundS}:sample_rate=48000`,
        '-c:v', 'libvpx', '-b:v', '200k', '-c:a', 'libopus', file]);
      return file;
    };
    const config = {
      video: { width: 160, height: 120, fps: 30 },
      clips: [clip('a.webm', 400, 1.6, '0x406030'), clip('b.webm', 1000, 2, '0xA05040')],
      effects: { transitions: { enabled: true, type: 'fade', duration: 500 } },
    };
    const scene = await engine.compileScene(config);
    expect(scene.audio.voices).toMatchObject([{ startMs: 0, durationMs: 2000, fadeOutMs: 500 }, { startMs: 1500, durationMs: 2000, fadeInMs: 500 }]);
    const out = path.join(dir, 'clips.mp4');
    await engine.processVideo('', out, config);
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', out, '-vn', '-ac', '1', '-ar', '48000', '-f', 'f32le', '-'], { maxBuffer: 1 << 26 });
    const pcm = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    const rendered = [];
    for (let i = 0; i + 480 <= pcm.length; i += 480) {
      let sum = 0;
      for (let k = i; k < i + 480; k++) sum += pcm[k] * pcm[k];
      rendered.push(Math.sqrt(sum / 480));
    }
    const preview = await previewNode.audioLevelsInBrowser(scene, 0, scene.durationMs);
    // Every 10 ms window but the three either side of A's sound ending at 1600 ms (AAC's pre-echo smears that step).
    const windows = [];
    for (let w = 0; w < Math.min(preview.length, rendered.length) - 2; w++) if (Math.abs(w - 160) > 3) windows.push(w);
    const dB = windows.map((w) => Math.abs(20 * Math.log10(preview[w] / rendered[w])));
    const worst = Math.max(...dB);
    // Measured: worst 0.22 dB (the AAC encode's ripple on the steady tones); a fade out measured from where A's sound ends: 14 dB.
    expect(worst).toBeLessThan(0.5);
    // The crossfade is there: B rises from 0 at 1500 ms to full at 2000 ms while A (silent from 1600 ms) is gone.
    expect(preview[161] / preview[199]).toBeLessThan(0.4);
    expect(preview[150]).toBeGreaterThan(0.08);
  });
});

describe('playback', () => {
  it('plays the same mix from any time (loadAudio mixes it in the worker, scheduleAudio starts it at fromMs)', async () => {
    const scene = await engine.compileScene({ ...story(tone, true), voiceAudioSettings: { ...story(tone, true).voiceAudioSettings, messageSoundEffect: 'pop' } });
    expect(scene.audio.popsMs.length).toBe(2);
    const from = 700;
    const whole = await previewNode.audioLevelsInBrowser(scene, 0, scene.durationMs);
    const played = await previewNode.audioLevelsInBrowser(scene, from, scene.durationMs - from, { playback: true });
    const expected = whole.slice(from / 10, from / 10 + played.length);
    expect(played.length).toBeGreaterThan(100);
    let worst = 0;
    played.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - expected[i])); });
    expect(worst).toBeLessThan(1e-4);
    expect(Math.max(...played)).toBeGreaterThan(0.05);
  });
});

describe('the mix\'s meters (plain JavaScript, as the engine\'s)', () => {
  const sine = (hz, amp, seconds, phase = 0) => Float32Array.from({ length: 48000 * seconds }, (_, i) => amp * Math.sin(2 * Math.PI * hz * i / 48000 + phase));

  it('measures integrated loudness as BS.1770-4: a 1 kHz sine at -20 dBFS on both channels is -20 LUFS, silence -Infinity', () => {
    const s = sine(1000, 0.1, 3);
    expect(integratedLoudness(s, s)).toBeCloseTo(-20, 1);
    const z = new Float32Array(48000);
    expect(integratedLoudness(z, z)).toBe(-Infinity);
  });

  it('measures a real file\'s loudness as FFmpeg\'s EBU R128 meter does', () => {
    const file = path.join(dir, 'music.f32');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path.join(ROOT, 'examples', 'assets', 'lofi-loop.m4a'), '-ac', '2', '-ar', '48000', '-f', 'f32le', file]);
    const b = fs.readFileSync(file);
    const inter = new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    const l = new Float32Array(inter.length / 2), r = new Float32Array(inter.length / 2);
    for (let i = 0; i < l.length; i++) { l[i] = inter[2 * i]; r[i] = inter[2 * i + 1]; }
    const out = execFileSync('bash', ['-c', `ffmpeg -hide_banner -nostats -f f32le -ar 48000 -ac 2 -i ${file} -af ebur128 -f null - 2>&1 | grep -A3 Summary | grep 'I:'`], { encoding: 'utf8' });
    expect(integratedLoudness(l, r)).toBeCloseTo(Number(/I:\s*(-?[0-9.]+)/.exec(out)[1]), 0);
  });

  it('finds the true peak between samples (4x oversampling): a quarter-rate sine sampled 45 degrees off its crests', () => {
    const s = sine(12000, 0.5, 1, Math.PI / 4);
    expect(Math.max(...s.map(Math.abs))).toBeCloseTo(0.354, 3);
    expect(truePeak(s, s)).toBeCloseTo(20 * Math.log10(0.5), 0);
  });

  it('synthesises the engine\'s pop: 50 ms, peak under 0.5, silent at both ends', () => {
    const pop = synthesizePop();
    expect(pop.length).toBe(2400);
    expect(pop[0]).toBe(0);
    expect(Math.abs(pop[pop.length - 1])).toBeLessThan(1e-3);
    const peak = Math.max(...pop.map(Math.abs));
    expect(peak).toBeGreaterThan(0.3);
    expect(peak).toBeLessThanOrEqual(0.5);
  });
});
