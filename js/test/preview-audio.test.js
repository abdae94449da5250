// The preview's audio through Web Audio (rendered offline in headless Chromium): voices at their
// start times, the music looped under the video and ducked by the Scene's ducking while voices play.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, removeTempDir } from './helpers.mjs';

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
    const before = span(100, v.startMs - d.attackMs - 50);
    const during = span(v.startMs + 100, v.startMs + 900);
    const after = span(v.startMs + 1000 + d.releaseMs + 100, scene.durationMs - 100);
    expect(before).toBeGreaterThan(0.02);
    expect(20 * Math.log10(during / before)).toBeCloseTo(-12, 0);
    expect(after / before).toBeGreaterThan(0.9);
    // The 0.8 s music file keeps playing past its end: it loops.
    const loopEnd = Math.min(1000, v.startMs - d.attackMs);
    expect(loopEnd).toBeGreaterThan(850);
    expect(span(820, loopEnd)).toBeGreaterThan(0.8 * before);
  });
});
