// Failures: each rejects with a coded Error naming the culprit, leaves no file behind,
// and leaves the process able to render again.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, partFiles, removeTempDir, tinyConfig } from './helpers.mjs';

const { ErrorCodes } = engine;

describe('error handling', () => {
  let dir;
  const failedTargets = [];

  beforeAll(() => {
    dir = makeTempDir();
  });

  afterAll(() => removeTempDir(dir));

  function target(name) {
    const file = path.join(dir, name);
    failedTargets.push(file);
    return file;
  }

  async function expectReject(promise, code, ...mentions) {
    let error;
    try {
      await promise;
    } catch (e) {
      error = e;
    }
    expect(error, 'the call should reject').toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    for (const m of mentions) expect(error.message).toContain(m);
    return error;
  }

  it('exposes the error codes', () => {
    expect(ErrorCodes).toMatchObject({
      INVALID_CONFIG: 'ERR_INVALID_CONFIG', INVALID_ARG: 'ERR_INVALID_ARG_TYPE', INPUT_NOT_FOUND: 'ERR_INPUT_NOT_FOUND',
      UNSUPPORTED_MEDIA: 'ERR_UNSUPPORTED_MEDIA', OUTPUT: 'ERR_OUTPUT',
    });
  });

  it('the JavaScript layers (preview, cluster, CLI, loader) throw only the engine\'s codes', () => {
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
    const files = [
      ...fs.readdirSync(path.join(root, 'preview')).filter((f) => /\.(m?js)$/.test(f)).map((f) => path.join(root, 'preview', f)),
      ...fs.readdirSync(path.join(root, 'js/cluster')).filter((f) => /\.(m?js)$/.test(f)).map((f) => path.join(root, 'js/cluster', f)),
      ...['cli.js', 'index.js', 'native.js', 'integration.js'].map((f) => path.join(root, 'js', f)),
    ];
    const known = new Set(Object.values(ErrorCodes));
    const used = new Map();
    for (const file of files) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/['"`](ERR_[A-Z_]+)['"`]/g)) used.set(m[1], path.relative(root, file));
    }
    expect(used.size).toBeGreaterThan(5);
    const unknown = [...used].filter(([code]) => !known.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(unknown).toEqual([]);
  });

  it('rejects a malformed config with ERR_INVALID_CONFIG naming every bad field', async () => {
    const out = target('bad-fields.mp4');
    const config = tinyConfig({
      videoSettings: { duration: 1, resolution: '360x640', fps: 'thirty' },
      messages: [{ text: 'hi', sender: '' }],
    });
    await expectReject(engine.processVideo('', out, config), ErrorCodes.INVALID_CONFIG, 'videoSettings.fps', 'messages[0].sender');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('rejects invalid JSON text with ERR_INVALID_CONFIG', async () => {
    const out = target('bad-json.mp4');
    await expectReject(engine.processVideo('', out, '{"videoSettings": {'), ErrorCodes.INVALID_CONFIG, 'JSON');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('rejects a config that is not an object with ERR_INVALID_CONFIG', async () => {
    for (const config of [42, null, true, [1, 2], '[1, 2]', '"text"', '']) {
      const out = target('not-object.mp4');
      await expectReject(engine.processVideo('', out, config), ErrorCodes.INVALID_CONFIG, 'config');
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it('rejects a missing music file with ERR_INPUT_NOT_FOUND naming the path', async () => {
    const out = target('missing-music.mp4');
    const music = path.join(dir, 'no-such-music.mp3');
    const config = tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: music } });
    await expectReject(engine.processVideo('', out, config), ErrorCodes.INPUT_NOT_FOUND, music);
    expect(fs.existsSync(out)).toBe(false);

    // relative: resolved against baseDir, and the message names the resolved file
    const rel = tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: 'sub/nothing.wav' } });
    await expectReject(engine.processVideo('', out, rel, { baseDir: dir }), ErrorCodes.INPUT_NOT_FOUND, path.join(dir, 'sub', 'nothing.wav'));
    expect(fs.existsSync(out)).toBe(false);
  });

  it('rejects an output whose folder cannot be created with ERR_OUTPUT', async () => {
    const file = path.join(dir, 'a-regular-file');
    fs.writeFileSync(file, 'keep me');
    const out = path.join(file, 'out.mp4');
    await expectReject(engine.processVideo('', out, tinyConfig()), ErrorCodes.OUTPUT, 'outputPath');
    expect(fs.statSync(file).isFile()).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');

    const procOut = '/proc/reelspeed-nope/out.mp4';
    await expectReject(engine.processVideo('', procOut, tinyConfig()), ErrorCodes.OUTPUT, 'outputPath');
    expect(fs.existsSync(procOut)).toBe(false);
    expect(fs.existsSync(path.dirname(procOut))).toBe(false);
  });

  it('rejects an output extension it cannot write with ERR_OUTPUT', async () => {
    const out = target('out.txt');
    await expectReject(engine.processVideo('', out, tinyConfig()), ErrorCodes.OUTPUT, '.txt');
    expect(fs.existsSync(out)).toBe(false);
    const dirOut = path.join(dir, 'is-a-dir.mp4');
    fs.mkdirSync(dirOut);
    await expectReject(engine.processVideo('', dirOut, tinyConfig()), ErrorCodes.OUTPUT, 'is-a-dir.mp4');
    expect(fs.statSync(dirOut).isDirectory()).toBe(true);
  });

  it('getVideoMetadata: missing file -> ERR_INPUT_NOT_FOUND, junk or empty file -> ERR_UNSUPPORTED_MEDIA', async () => {
    const missing = path.join(dir, 'missing.mp4');
    await expectReject(engine.getVideoMetadata(missing), ErrorCodes.INPUT_NOT_FOUND, missing);

    const junk = path.join(dir, 'junk.mp4');
    fs.writeFileSync(junk, 'this is not a video, just some junk text\n'.repeat(20));
    await expectReject(engine.getVideoMetadata(junk), ErrorCodes.UNSUPPORTED_MEDIA, junk);

    const empty = path.join(dir, 'empty.mp4');
    fs.writeFileSync(empty, '');
    await expectReject(engine.getVideoMetadata(empty), ErrorCodes.UNSUPPORTED_MEDIA, empty);
  });

  it('a failure during rendering (music that is not audio) rejects and leaves no output', async () => {
    const music = path.join(dir, 'music.mp3');
    fs.writeFileSync(music, 'definitely not an mp3\n'.repeat(50));
    const out = target('bad-music.mp4');
    const config = tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: 'music.mp3' } });
    await expectReject(engine.processVideo('', out, config, { baseDir: dir }), ErrorCodes.UNSUPPORTED_MEDIA, 'music.mp3');
    expect(fs.existsSync(out)).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it('a failed render does not replace an existing file at the output path', async () => {
    const music = path.join(dir, 'music2.mp3');
    fs.writeFileSync(music, 'still not an mp3\n'.repeat(50));
    const out = path.join(dir, 'existing.mp4');
    fs.writeFileSync(out, 'previous contents');
    const config = tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: music } });
    await expectReject(engine.processVideo('', out, config), ErrorCodes.UNSUPPORTED_MEDIA, 'music2.mp3');
    expect(fs.readFileSync(out, 'utf8')).toBe('previous contents');
    expect(partFiles(dir)).toEqual([]);
  });

  it('after all failures: the process is alive, nothing partial is left, and a render still works', async () => {
    expect(process.kill(process.pid, 0)).toBe(true);
    expect(partFiles(dir)).toEqual([]);
    expect(partFiles(path.join(dir, 'is-a-dir.mp4'))).toEqual([]);
    for (const f of failedTargets) expect(fs.existsSync(f), f).toBe(false);

    const out = path.join(dir, 'after-errors.mp4');
    const result = await engine.processVideo('', out, tinyConfig());
    expect(result.success).toBe(true);
    expect(result.metadata).toMatchObject({ width: 360, height: 640, fps: 30, frames: 30 });
    expect(result.fileSize).toBe(fs.statSync(out).size);
    const info = await engine.getVideoMetadata(out);
    expect(info.streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
    expect(partFiles(dir)).toEqual([]);
  });
});

// Found by the fuzzer (npm run fuzz; its seeds are in the test names).
describe('errors the fuzzer found', () => {
  it('a lone surrogate in a processing clip path is ERR_INVALID_CONFIG naming clips[0], not ERR_INTERNAL (config:3465139160)', async () => {
    for (const config of [{ clips: ['\udfff lone'] }, JSON.stringify({ clips: ['\ud800'] })]) {
      const err = await engine.compileScene(config).catch((e) => e);
      expect(err).toMatchObject({ code: 'ERR_INVALID_CONFIG' });
      expect(err.message).toContain('clips[0]: contains invalid UTF-16');
    }
  });

  it('an out-of-range number argument is quoted in the message (renderFrame timeMs -1 said "got number")', async () => {
    await expect(engine.renderFrame(tinyConfig(), -1)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('got -1') });
    await expect(engine.renderFrame(tinyConfig(), NaN)).rejects.toMatchObject({ message: expect.stringContaining('got NaN') });
  });
});
