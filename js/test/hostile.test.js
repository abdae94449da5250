// Hostile inputs through the built addon (issue #13): text files and playlists are not media,
// FIFOs and devices are refused at once (a timeout makes a regression fail instead of hang),
// an output never replaces the job's input, and odd paths get coded errors, not ERR_INTERNAL.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, partFiles, removeTempDir, tinyConfig } from './helpers.mjs';

const { ErrorCodes } = engine;

/** Rejects within `ms` with a coded error, or fails (instead of hanging the suite). */
async function refused(promise, code, mentions = [], ms = 10_000) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  let error;
  const outcome = await Promise.race([promise.then(() => 'resolved', (e) => { error = e; return 'rejected'; }), timeout]);
  clearTimeout(timer);
  expect(outcome, 'the call settles at once with an error').toBe('rejected');
  expect(error.code, error.message).toBe(code);
  for (const m of mentions) expect(error.message).toContain(m);
  return error;
}

describe('hostile inputs', () => {
  let dir;
  let clip;

  beforeAll(() => {
    dir = makeTempDir();
    clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=96x64:r=30:d=0.5', '-f', 'lavfi', '-i', 'sine=d=0.5',
      '-shortest', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]);
  });

  afterAll(() => removeTempDir(dir));

  it('never draws a text file as a background', async () => {
    const nfo = path.join(dir, 'secrets.nfo');
    fs.writeFileSync(nfo, 'API_KEY=hunter2\n');
    const config = tinyConfig({ backgroundSettings: { backgroundType: 'video', backgroundUrl: nfo } });
    await refused(engine.renderFrame(config, 0), ErrorCodes.UNSUPPORTED_MEDIA, [nfo]);
    await refused(engine.getVideoMetadata(nfo), ErrorCodes.UNSUPPORTED_MEDIA, [nfo]);
  });

  it('does not follow a concat playlist given as music', async () => {
    const list = path.join(dir, 'list.ffconcat');
    fs.writeFileSync(list, `ffconcat version 1.0\nfile ${path.basename(clip)}\n`);
    const out = path.join(dir, 'concat.mp4');
    await refused(engine.processVideo('', out, tinyConfig({ audioSettings: { backgroundMusicUrl: list } })), ErrorCodes.UNSUPPORTED_MEDIA, [list]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses a FIFO and device files at once', async () => {
    const fifo = path.join(dir, 'pipe.mp4');
    execFileSync('mkfifo', [fifo]);
    await refused(engine.getVideoMetadata(fifo), ErrorCodes.UNSUPPORTED_MEDIA, [fifo, 'named pipe']);
    await refused(engine.getVideoMetadata('/dev/zero'), ErrorCodes.UNSUPPORTED_MEDIA, ['/dev/zero']);
    await refused(engine.processVideo(fifo, path.join(dir, 'fifo-out.mp4'), { video: {} }), ErrorCodes.UNSUPPORTED_MEDIA, [fifo]);
    await refused(engine.processVideo('', path.join(dir, 'fifo-music.mp4'), tinyConfig({ audioSettings: { backgroundMusicUrl: fifo } })),
      ErrorCodes.UNSUPPORTED_MEDIA, [fifo]);
    await refused(engine.optimizeVideo(fifo, 1, { outputPath: path.join(dir, 'fifo-opt.mp4') }), ErrorCodes.UNSUPPORTED_MEDIA, [fifo]);
  });

  it('reads a valid MP4 through a symlink like the file itself', async () => {
    const link = path.join(dir, 'link.mp4');
    fs.symlinkSync(clip, link);
    const [direct, viaLink] = await Promise.all([engine.getVideoMetadata(clip), engine.getVideoMetadata(link)]);
    expect(viaLink.kind).toBe('video');
    expect(viaLink.duration).toBeGreaterThan(0.4);
    expect(viaLink.duration).toBe(direct.duration);
    expect(viaLink.size).toBe(fs.statSync(clip).size);
  });

  it('gives a symlink loop a coded error', async () => {
    const a = path.join(dir, 'loop-a.mp4');
    const b = path.join(dir, 'loop-b.mp4');
    fs.symlinkSync(b, a);
    fs.symlinkSync(a, b);
    await refused(engine.getVideoMetadata(a), ErrorCodes.INPUT_NOT_FOUND, ['symlink loop']);
  });

  it('never writes its output over its own input', async () => {
    const before = fs.readFileSync(clip);
    const link = path.join(dir, 'again.mp4');
    fs.symlinkSync(clip, link);
    for (const output of [clip, path.join(dir, 'sub', '..', 'clip.mp4'), link]) {
      await refused(engine.processVideo(clip, output, { video: {} }), ErrorCodes.OUTPUT, ['outputPath', 'own inputs']);
    }
    await refused(engine.optimizeVideo(clip, 1, { outputPath: link }), ErrorCodes.OUTPUT, ['outputPath']);
    expect(fs.readFileSync(clip).equals(before)).toBe(true);
    expect(partFiles(dir)).toEqual([]);
  });

  it('codes a NUL in a path and a lone surrogate in a config string', async () => {
    await refused(engine.getVideoMetadata(path.join(dir, 'a\0.mp4')), ErrorCodes.INVALID_ARG, ['NUL']);
    await refused(engine.processVideo(path.join(dir, 'in\0.mp4'), path.join(dir, 'o.mp4'), { video: {} }), ErrorCodes.INVALID_ARG, ['inputPath']);
    await refused(engine.processVideo('', path.join(dir, 'o\0.mp4'), tinyConfig()), ErrorCodes.INVALID_ARG, ['outputPath']);
    await refused(engine.processVideo('', path.join(dir, 'o.mp4'), tinyConfig({ audioSettings: { backgroundMusicUrl: 'm\0.mp3' } })),
      ErrorCodes.INVALID_CONFIG, ['audioSettings.backgroundMusicUrl']);
    const lone = JSON.stringify(tinyConfig()).replace('"hi"', '"h\uD800i"');
    const e = await refused(engine.compileScene(lone), ErrorCodes.INVALID_CONFIG);
    expect(e.message).not.toContain('ERR_INTERNAL');
  });

  it('bounds the message of 20,000 invalid messages', async () => {
    const messages = Array.from({ length: 20_000 }, () => ({ text: 5, sender: 'me' }));
    const e = await refused(engine.compileScene(tinyConfig({ messages })), ErrorCodes.INVALID_CONFIG, ['at most 500 messages', 'more']);
    expect(e.message.length).toBeLessThan(5_000);
    expect(e.errors.length).toBeGreaterThan(20);
    expect(e.errors.length).toBeLessThanOrEqual(1001);
  });
});
