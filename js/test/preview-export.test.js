// Export in the browser (exportVideo: WebCodecs + mediabunny) in headless Chromium, on the page's
// thread and in the export worker: the file is probed by getVideoMetadata and its frames are
// compared with the engine's renderFrame.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, engine, makeTempDir, removeTempDir } from './helpers.mjs';
import { ssim } from './preview-support.mjs';

const require = createRequire(import.meta.url);
const previewNode = require('../../preview/node.js');

let dir;
beforeAll(() => { dir = makeTempDir('reelspeed-preview-export-'); });
afterAll(async () => {
  await previewNode.close();
  removeTempDir(dir);
});

async function imessageScene() {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'templates', 'imessage.json'), 'utf8'));
  config.videoSettings = { resolution: '360x640', fps: 30, duration: 3 };
  config.voiceAudioSettings = { enableAudio: true, backgroundMusicUrl: path.join(ROOT, 'examples', 'assets', 'lofi-loop.m4a'), backgroundMusicVolume: 40 };
  const baseDir = path.join(ROOT, 'examples', 'templates');
  return { config, baseDir, scene: await engine.compileScene(config, { baseDir }) };
}

describe('exportVideo (WebCodecs in the browser)', () => {
  for (const worker of [false, true]) {
    it(`writes a file with every frame of the Scene and its soundtrack, frames as the engine renders them (${worker ? 'in the export worker' : 'on the page\'s thread'})`, async () => {
      const { config, baseDir, scene } = await imessageScene();
      const r = await previewNode.exportInBrowser(scene, { worker });
      expect(r.progress).toBe(scene.frameCount);
      // Debian's chromium encodes H.264 but not AAC: H.264 + Opus in MP4 (the result says so).
      expect(r).toMatchObject({ container: 'mp4', mimeType: 'video/mp4', videoCodec: 'h264' });
      expect(['aac', 'opus']).toContain(r.audioCodec);
      const file = path.join(dir, `export-${worker ? 'worker' : 'page'}.${r.container}`);
      fs.writeFileSync(file, r.data);

      const md = await engine.getVideoMetadata(file);
      const video = md.streams.find((s) => s.type === 'video');
      const audio = md.streams.find((s) => s.type === 'audio');
      expect(video).toMatchObject({ codec: 'h264', width: 360, height: 640, frames: scene.frameCount, fps: 30 });
      expect(audio.codec).toBe(r.audioCodec);
      expect(Math.abs(md.durationMs - scene.durationMs)).toBeLessThan(100);

      for (const t of [400, 1500, 2700]) {
        const frame = execFileSync('ffmpeg', ['-v', 'error', '-ss', String(t / 1000), '-i', file, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-']);
        const native = await engine.renderFrame(config, t, { baseDir });
        expect(ssim(frame, native), `frame at ${t} ms`).toBeGreaterThanOrEqual(0.98);
      }
    });
  }

  it('aborts a worker export with ERR_ABORTED (the worker is ended) and exports again after', async () => {
    const { scene } = await imessageScene();
    await expect(previewNode.exportInBrowser(scene, { worker: true, abortAfterFrames: 5 })).rejects.toMatchObject({ code: 'ERR_ABORTED', message: expect.stringContaining('aborted') });
    const r = await previewNode.exportInBrowser(scene, { worker: true, audio: false });
    expect(r).toMatchObject({ videoCodec: 'h264', audioCodec: null, progress: scene.frameCount });
  });

  // The engine's mix in the browser (audio.mjs): voices, music looped, faded and ducked, pops,
  // normalisation to the loudness target and the true-peak limiter. Measured here: correlation
  // 0.985, RMS equal within 0.01 dB, integrated loudness -14.0 against the engine's -14.1 LUFS
  // (AAC in the render, Opus in the export).
  it('exports the soundtrack the engine renders (voice, pops, ducked music, normalised and limited)', async () => {
    const voice = path.join(dir, 'voice.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1.2:sample_rate=48000', '-af', 'volume=0.8', voice]);
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'templates', 'imessage.json'), 'utf8'));
    config.videoSettings = { resolution: '360x640', fps: 30, duration: 4 };
    config.voiceAudioSettings = { enableAudio: true, backgroundMusicUrl: path.join(ROOT, 'examples', 'assets', 'lofi-loop.m4a'), backgroundMusicVolume: 40, messageSoundEffect: 'pop', duckMusicUnderVoice: true };
    config.messages[1].audioUrl = voice;
    const baseDir = path.join(ROOT, 'examples', 'templates');
    const scene = await engine.compileScene(config, { baseDir });
    expect(scene.audio.popsMs.length).toBeGreaterThan(1);
    expect(scene.audio.voices.length).toBe(1);
    const rendered = path.join(dir, 'engine.mp4');
    const result = await engine.processVideo('', rendered, config, { baseDir });
    expect(result.metadata.loudness.gainDb).toBeGreaterThan(3); // normalisation moves this mix a lot
    const exported = path.join(dir, 'export-audio.mp4');
    fs.writeFileSync(exported, (await previewNode.exportInBrowser(scene, { worker: true })).data);

    const pcm = (f) => {
      const b = execFileSync('ffmpeg', ['-v', 'error', '-i', f, '-map', '0:a', '-f', 'f32le', '-ac', '2', '-ar', '48000', '-'], { maxBuffer: 1 << 28 });
      return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    };
    const a = pcm(rendered), b = pcm(exported);
    expect(Math.abs(a.length - b.length)).toBeLessThan(48000 * 2 * 0.05);
    const n = Math.min(a.length, b.length);
    let aa = 0, bb = 0, ab = 0;
    for (let i = 0; i < n; i++) { aa += a[i] * a[i]; bb += b[i] * b[i]; ab += a[i] * b[i]; }
    expect(ab / Math.sqrt(aa * bb), 'correlation').toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(10 * Math.log10(bb / aa)), 'RMS difference, dB').toBeLessThanOrEqual(0.5);
  });
});
