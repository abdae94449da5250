// processVideo end to end: a real render, probed and decoded with the ffmpeg CLI.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  colorDistance, engine, extractFrame, hexToRgb, makeTempDir, makeTone, meanVolumeDb, partFiles, removeTempDir,
} from './helpers.mjs';

const W = 1080;
const H = 1920;
const FPS = 30;
const FRAME_S = 1 / FPS;
const TOLERANCE = 12; // H.264 + yuv420p on flat areas

const BACKGROUND = '#203040';
const THEM = '#FF0000'; // receiver bubble and text: no text/bubble ambiguity
const ME = '#00C000'; // sender bubble and text

const BASE_DELAY = 500;
const MESSAGE_DELAY = 200;

const storyConfig = {
  videoSettings: { duration: 3, resolution: `${W}x${H}`, fps: FPS },
  template: 'modern-dark',
  backgroundSettings: { backgroundType: 'color', backgroundColor: BACKGROUND },
  colorCustomization: {
    receiverBubbleColor: THEM, receiverTextColor: THEM,
    senderBubbleColor: ME, senderTextColor: ME,
  },
  animationSettings: { messageAnimationType: 'none', baseDelay: BASE_DELAY, messageDelay: MESSAGE_DELAY },
  messages: [
    { text: 'hello there', sender: 'them', audioDuration: 0.8 },
    { text: 'hi!', sender: 'me', audioDuration: 0.6 },
    { text: 'what are you doing', sender: 'them' },
  ],
};

// Layout at 1080x1920 (scale 1): viewport top y=150; "them" bubbles from x=40, "me" bubbles end at x=1040.
// One-line bubble: ceil(46 * 1.3) line + 2 * 22 padding ≈ 104 px; gap between different senders 22.
const THEM0_POINT = [60, 150 + 52]; // left padding of bubble 0, vertical middle
const ME1_POINT = [1020, 150 + 104 + 22 + 52]; // right padding of bubble 1, vertical middle

describe('processVideo: a 3 s chat story at 1080x1920', () => {
  let dir;
  let out;
  let result;
  const progress = [];

  beforeAll(async () => {
    dir = makeTempDir();
    out = path.join(dir, 'story.mp4');
    result = await engine.processVideo('', out, storyConfig, { onProgress: (p) => progress.push(p) });
  });

  afterAll(() => removeTempDir(dir));

  it('resolves a success result describing the file written', () => {
    expect(result.success).toBe(true);
    expect(result.outputPath).toBe(path.resolve(out));
    expect(fs.existsSync(out)).toBe(true);
    expect(result.fileSize).toBeGreaterThan(0);
    expect(result.fileSize).toBe(fs.statSync(out).size);
    expect(result.durationMs).toBeCloseTo(3000, 0);
    expect(result.metadata).toMatchObject({ width: W, height: H, fps: FPS, frames: 3 * FPS });
    expect(typeof result.metadata.encoder).toBe('string');
    expect(result.metadata.warnings).toEqual([]);
    expect(partFiles(dir)).toEqual([]);
  });

  it('writes an h264 + aac file of the requested size, rate and length', async () => {
    const info = await engine.getVideoMetadata(out);
    expect(info.size).toBe(result.fileSize);
    expect(Math.abs(info.duration - 3)).toBeLessThanOrEqual(FRAME_S + 1e-6);
    const video = info.streams.filter((s) => s.type === 'video');
    const audio = info.streams.filter((s) => s.type === 'audio');
    expect(video).toHaveLength(1);
    expect(audio).toHaveLength(1); // a silent track when there is no music
    expect(video[0]).toMatchObject({ codec: 'h264', width: W, height: H, fps: FPS });
    expect(Math.abs(video[0].duration - 3)).toBeLessThanOrEqual(FRAME_S + 1e-6);
    expect(audio[0].codec).toBe('aac');
    expect(Math.abs(audio[0].duration - 3)).toBeLessThanOrEqual(FRAME_S + 1e-6);
  });

  it('has a silent audio track without music', () => {
    expect(result.metadata.music).toBe(false);
    expect(meanVolumeDb(out)).toBeLessThan(-80);
  });

  it('times the messages from baseDelay, audioDuration and messageDelay', () => {
    const { timeline } = result.metadata;
    expect(timeline).toHaveLength(storyConfig.messages.length);
    let expectedStart = BASE_DELAY;
    storyConfig.messages.forEach((m, i) => {
      expect(timeline[i].index).toBe(i);
      expect(timeline[i].sender).toBe(m.sender);
      expect(timeline[i].startMs).toBeCloseTo(expectedStart, 3);
      if (m.audioDuration !== undefined) {
        expect(timeline[i].endMs).toBeCloseTo(expectedStart + m.audioDuration * 1000, 3);
        expectedStart += m.audioDuration * 1000 + MESSAGE_DELAY;
      }
    });
    expect(timeline.map((t) => t.startMs)).toEqual([500, 1500, 2300]);
  });

  it('reports progress with non-decreasing frames, ending at totalFrames and 100 %', () => {
    expect(progress.length).toBeGreaterThan(0);
    const total = result.metadata.frames;
    for (const p of progress) {
      expect(p.totalFrames).toBe(total);
      expect(p.frame).toBeGreaterThanOrEqual(0);
      expect(p.frame).toBeLessThanOrEqual(total);
    }
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i].frame).toBeGreaterThanOrEqual(progress[i - 1].frame);
      expect(progress[i].percent).toBeGreaterThanOrEqual(progress[i - 1].percent);
    }
    const last = progress[progress.length - 1];
    expect(last.frame).toBe(total);
    expect(last.percent).toBe(100);
  });

  it('shows only the background before baseDelay', () => {
    const frame = extractFrame(out, 0.3, W, H);
    const bg = hexToRgb(BACKGROUND);
    expect(colorDistance(frame.pixel(...THEM0_POINT), bg)).toBeLessThanOrEqual(TOLERANCE);
    expect(colorDistance(frame.pixel(...ME1_POINT), bg)).toBeLessThanOrEqual(TOLERANCE);
    expect(colorDistance(frame.pixel(540, 1000), bg)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('shows message 0 ("them", left) once it started and message 1 ("me", right) only after its start', () => {
    const bg = hexToRgb(BACKGROUND);
    const at1 = extractFrame(out, 1.0, W, H); // after message 0 (500 ms), before message 1 (1500 ms)
    expect(colorDistance(at1.pixel(...THEM0_POINT), hexToRgb(THEM))).toBeLessThanOrEqual(TOLERANCE);
    expect(colorDistance(at1.pixel(...ME1_POINT), bg)).toBeLessThanOrEqual(TOLERANCE);
    // left of the bubble (x < 40) stays background
    expect(colorDistance(at1.pixel(20, THEM0_POINT[1]), bg)).toBeLessThanOrEqual(TOLERANCE);

    const at18 = extractFrame(out, 1.8, W, H); // after message 1
    expect(colorDistance(at18.pixel(...THEM0_POINT), hexToRgb(THEM))).toBeLessThanOrEqual(TOLERANCE);
    expect(colorDistance(at18.pixel(...ME1_POINT), hexToRgb(ME))).toBeLessThanOrEqual(TOLERANCE);
    // right of the bubble (x > 1040) stays background
    expect(colorDistance(at18.pixel(1060, ME1_POINT[1]), bg)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('processVideo: background music', () => {
  let dir;
  const musicConfig = (url) => ({
    videoSettings: { duration: 2, resolution: '360x640', fps: 30 },
    animationSettings: { messageAnimationType: 'none' },
    voiceAudioSettings: { backgroundMusicUrl: url },
    messages: [{ text: 'listen to this', sender: 'them', audioDuration: 1 }],
  });

  beforeAll(() => {
    dir = makeTempDir();
    fs.mkdirSync(path.join(dir, 'assets'));
    makeTone(path.join(dir, 'assets', 'tone.wav'), 2);
  });

  afterAll(() => removeTempDir(dir));

  async function expectMusicMixed(out, result) {
    expect(result.success).toBe(true);
    expect(result.metadata.music).toBe(true);
    expect(result.fileSize).toBe(fs.statSync(out).size);
    const info = await engine.getVideoMetadata(out);
    const audio = info.streams.filter((s) => s.type === 'audio');
    expect(audio).toHaveLength(1);
    expect(audio[0]).toMatchObject({ codec: 'aac', channels: 2, sampleRate: 48000 });
    expect(Math.abs(info.duration - 2)).toBeLessThanOrEqual(FRAME_S + 1e-6);
    expect(meanVolumeDb(out)).toBeGreaterThan(-60);
  }

  it('mixes a relative backgroundMusicUrl resolved against options.baseDir', async () => {
    const out = path.join(dir, 'relative.mp4');
    const result = await engine.processVideo('', out, musicConfig('assets/tone.wav'), { baseDir: dir });
    await expectMusicMixed(out, result);
  });

  it('mixes an absolute backgroundMusicUrl', async () => {
    const out = path.join(dir, 'absolute.mp4');
    const result = await engine.processVideo('', out, musicConfig(path.join(dir, 'assets', 'tone.wav')));
    await expectMusicMixed(out, result);
  });

  it('leaves the track silent when the same story has no music', async () => {
    const out = path.join(dir, 'silent.mp4');
    const config = musicConfig('');
    delete config.voiceAudioSettings;
    const result = await engine.processVideo('', out, config);
    expect(result.metadata.music).toBe(false);
    const info = await engine.getVideoMetadata(out);
    expect(info.streams.filter((s) => s.type === 'audio')).toHaveLength(1);
    expect(meanVolumeDb(out)).toBeLessThan(-80);
    expect(partFiles(dir)).toEqual([]);
  });
});
