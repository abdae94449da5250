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
});
