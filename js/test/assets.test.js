// Remote assets through the built addon: a chat story whose picture and music come from a
// local HTTP server on 127.0.0.1, allowed through the engine option allowedHosts.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, extractFrame, makeTempDir, makeTone, removeTempDir, tinyConfig } from './helpers.mjs';

let dir;
let server;
let base;
const hits = {};

beforeAll(async () => {
  dir = makeTempDir();
  const tone = fs.readFileSync(makeTone(path.join(dir, 'tone.wav'), 1));
  // A 16x16 solid red PNG, made with ffmpeg through the tone helper's sibling: the CLI.
  const { execFileSync } = await import('node:child_process');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=16x16', '-frames:v', '1', path.join(dir, 'red.png')]);
  const png = fs.readFileSync(path.join(dir, 'red.png'));
  server = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    hits[p] = (hits[p] ?? 0) + 1;
    if (p === '/bg.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else if (p === '/music.wav') res.writeHead(200, { 'content-type': 'audio/wav' }).end(tone);
    else res.writeHead(404).end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  removeTempDir(dir);
});

describe('remote assets', () => {
  it('renders a story whose background picture and music are http URLs, once per URL', async () => {
    const ve = new engine.VideoEngine({ allowedHosts: ['127.0.0.1'], tempDirectory: dir, assetCacheMb: 64 });
    const config = tinyConfig({
      backgroundSettings: { backgroundType: 'image', backgroundUrl: `${base}/bg.png?sig=abc` },
      voiceAudioSettings: { backgroundMusicUrl: `${base}/music.wav` },
    });
    for (const name of ['a.mp4', 'b.mp4']) {
      const result = await ve.processVideo('', path.join(dir, name), config);
      expect(result.success).toBe(true);
    }
    const meta = await engine.getVideoMetadata(path.join(dir, 'b.mp4'));
    expect(meta.streams.some((s) => s.type === 'audio' || s.codecType === 'audio')).toBe(true);
    const [r, g, b] = extractFrame(path.join(dir, 'b.mp4'), 0.1, 360, 640).pixel(5, 630);
    expect(r).toBeGreaterThan(180);
    expect(g + b).toBeLessThan(120);
    expect(hits['/bg.png']).toBe(1);
    expect(hits['/music.wav']).toBe(1);
    const metrics = ve.metrics();
    expect(metrics).toMatch(/reelspeed_engine_asset_cache_misses_total 2\n/);
    expect(metrics).toMatch(/reelspeed_engine_asset_cache_hits_total [2-9]/);
  });

  it('refuses a private address unless allowedHosts lists it, and names the field and URL on a 404', async () => {
    const config = (url) => tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: url } });
    const plain = new engine.VideoEngine({ tempDirectory: dir });
    await expect(plain.processVideo('', path.join(dir, 'x.mp4'), config(`${base}/music.wav`)))
      .rejects.toMatchObject({ code: 'ERR_ASSET_FORBIDDEN' });
    const ve = new engine.VideoEngine({ allowedHosts: ['127.0.0.1'], tempDirectory: dir });
    const e = await ve.processVideo('', path.join(dir, 'y.mp4'), config(`${base}/gone.wav?token=secret`)).catch((x) => x);
    expect(e.code).toBe('ERR_ASSET_FETCH');
    expect(e.message).toContain('voiceAudioSettings.backgroundMusicUrl');
    expect(e.message).toContain(`${base}/gone.wav`);
    expect(e.message).toContain('404');
    expect(e.message).not.toContain('secret');
  });

  it("applies an engine's allowedHosts to its renderFrame and compileScene too", async () => {
    const config = tinyConfig({ backgroundSettings: { backgroundType: 'image', backgroundUrl: `${base}/bg.png` } });
    await expect(engine.renderFrame(config, 100)).rejects.toMatchObject({ code: 'ERR_ASSET_FORBIDDEN' });
    const ve = new engine.VideoEngine({ allowedHosts: ['127.0.0.1'], tempDirectory: dir });
    const png = await ve.renderFrame(config, 100);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const scene = await ve.compileScene(config);
    expect(scene.background.type).toBe('image');
  });
});
