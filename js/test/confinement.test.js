// allowedRoots through the built addon (issue #13 item 3): a real `new VideoEngine({ allowedRoots })`
// reads and writes local paths only within its roots. Every entry point and config field gets the
// same tricks (`..`, an absolute path outside, a file:// URL outside, a symlink out, a linked
// folder, the /root-evil prefix); each is refused with ERR_ASSET_FORBIDDEN naming the field, and
// nothing is written outside. Paths inside (a symlink to a file inside included) still work.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, partFiles, removeTempDir, tinyConfig } from './helpers.mjs';

const { VideoEngine, ErrorCodes } = engine;

/** Every file and folder under `dir`, as relative paths (sorted). */
function tree(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

async function forbidden(promise, field) {
  const error = await promise.then(() => null, (e) => e);
  expect(error, `${field}: expected ERR_ASSET_FORBIDDEN, the call succeeded`).not.toBeNull();
  expect(error.code, error.message).toBe(ErrorCodes.ASSET_FORBIDDEN);
  expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
  expect(error.message).toContain('allowedRoots');
  return error;
}

describe('allowedRoots', () => {
  let dir;
  let root;
  let outside;
  let evil;
  let confined;
  let outsideBefore;
  const files = { image: 'pic.png', audio: 'tone.wav', video: 'clip.mp4', font: 'font.ttf' };

  beforeAll(() => {
    dir = makeTempDir('reelspeed-confine-');
    root = path.join(dir, 'root');
    outside = path.join(dir, 'outside');
    evil = `${root}-evil`; // a prefix of the root's name, not inside it
    for (const d of [root, outside, evil]) fs.mkdirSync(d);
    const made = path.join(dir, 'made');
    fs.mkdirSync(made);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=96x64:r=30:d=1', '-f', 'lavfi', '-i', 'sine=d=1',
      '-shortest', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', path.join(made, files.video)]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=32x32', '-frames:v', '1', path.join(made, files.image)]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', path.join(made, files.audio)]);
    fs.copyFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', path.join(made, files.font));
    for (const d of [root, outside, evil]) {
      for (const f of Object.values(files)) fs.copyFileSync(path.join(made, f), path.join(d, f));
    }
    fs.rmSync(made, { recursive: true });
    for (const f of Object.values(files)) {
      fs.symlinkSync(path.join(outside, f), path.join(root, `link-${f}`)); // inside, pointing out
      fs.symlinkSync(f, path.join(root, `alias-${f}`)); // inside, pointing inside
    }
    fs.symlinkSync(outside, path.join(root, 'outdir'));
    fs.mkdirSync(path.join(root, 'out'));
    confined = new VideoEngine({ allowedRoots: [root] });
    outsideBefore = { outside: tree(outside), evil: tree(evil), dir: fs.readdirSync(dir).sort() };
  });

  afterAll(() => {
    // Nothing was written outside the root by any call of this file.
    expect(tree(outside)).toEqual(outsideBefore.outside);
    expect(tree(evil)).toEqual(outsideBefore.evil);
    expect(fs.readdirSync(dir).sort()).toEqual(outsideBefore.dir);
    expect(partFiles(path.join(root, 'out'))).toEqual([]);
    removeTempDir(dir);
  });

  /** The ways a value can point outside the root at `file` (relative values resolve against baseDir = root). */
  const tricks = (file) => ({
    dotdot: `../outside/${file}`,
    absolute: path.join(outside, file),
    fileUrl: pathToFileURL(path.join(outside, file)).href,
    fileUrlDotdot: `file://${root}/../outside/${file}`,
    symlink: `link-${file}`,
    linkedFolder: `outdir/${file}`,
    prefix: path.join(evil, file),
  });

  // Each chat-story asset field: how a value is set, and the kind of file it names.
  const chatFields = [
    ['backgroundSettings.backgroundUrl', 'image', (v) => tinyConfig({ backgroundSettings: { backgroundType: 'image', backgroundUrl: v } })],
    ['chatOverlay.avatarUrl', 'image', (v) => tinyConfig({ chatOverlay: { contactName: 'A', avatarUrl: v } })],
    ['messages[1].imageUrl', 'image', (v) => tinyConfig({ messages: [{ text: 'hi', sender: 'me' }, { sender: 'them', imageUrl: v }] })],
    ['messages[0].audioUrl', 'audio', (v) => tinyConfig({ messages: [{ text: 'hi', sender: 'me', audioUrl: v }] })],
    ['voiceAudioSettings.backgroundMusicUrl', 'audio', (v) => tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: v } })],
    ['voiceAudioSettings.messageSoundEffect', 'audio', (v) => tinyConfig({ voiceAudioSettings: { messageSoundEffect: v } })],
    ['audioSettings.backgroundMusicUrl', 'audio', (v) => tinyConfig({ audioSettings: { backgroundMusicUrl: v } })], // the other key's name
    ['fonts[0].path', 'font', (v) => tinyConfig({ fonts: [{ family: 'Mine', path: v }] })],
  ];

  // Each processing-config path field.
  const processingFields = [
    ['clips[0]', 'video', (v) => ({ clips: [v] })],
    ['clips[1].path', 'video', (v) => ({ clips: ['clip.mp4', { path: v }] })],
    ['audio.music', 'audio', (v) => ({ clips: ['clip.mp4'], audio: { music: v } })],
    ['effects.background.source', 'image', (v) => ({ clips: ['clip.mp4'], effects: { background: { type: 'image', source: v } } })],
  ];

  it('renders, probes and compiles what lies inside the root, symlinks inside included', async () => {
    const all = tinyConfig({
      backgroundSettings: { backgroundType: 'image', backgroundUrl: 'alias-pic.png' },
      chatOverlay: { contactName: 'A', avatarUrl: pathToFileURL(path.join(root, 'pic.png')).href },
      messages: [{ text: 'hi', sender: 'me', audioUrl: 'tone.wav' }, { sender: 'them', imageUrl: 'sub/../pic.png' }],
      voiceAudioSettings: { backgroundMusicUrl: 'alias-tone.wav', messageSoundEffect: path.join(root, 'tone.wav') },
      fonts: [{ family: 'Mine', path: 'font.ttf' }],
    });
    const scene = await confined.compileScene(all, { baseDir: root });
    const text = JSON.stringify(scene);
    expect(text).toContain(path.join(root, 'pic.png'));
    expect(text).not.toContain('alias-'); // opened by their real paths
    const png = await confined.renderFrame(all, 500, { baseDir: root });
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const out = path.join(root, 'out', 'chat.mp4');
    const result = await confined.processVideo('', out, all, { baseDir: root });
    expect(result.success).toBe(true);
    expect((await confined.getVideoMetadata(out)).kind).toBe('video');

    const processed = path.join(root, 'out', 'processed.mp4');
    await confined.processVideo('', processed, { clips: ['alias-clip.mp4', { path: 'clip.mp4' }], audio: { music: 'tone.wav' } }, { baseDir: root });
    expect((await confined.getVideoMetadata(processed)).duration).toBeGreaterThan(1.5);
    await confined.processVideo(path.join(root, 'clip.mp4'), path.join(root, 'out', 'bg.mp4'), tinyConfig());
    const frame = await confined.renderFrame({ video: {} }, 100, { inputPath: 'alias-clip.mp4', baseDir: root });
    expect(frame.length).toBeGreaterThan(100);

    const optimized = await confined.optimizeVideo(path.join(root, 'clip.mp4'), 0.3, { outputPath: path.join(root, 'out', 'small.mp4'), measureQuality: false });
    expect(optimized.outputPath).toBe(path.join(root, 'out', 'small.mp4'));
    expect(fs.existsSync(optimized.outputPath)).toBe(true);
  }, 120_000);

  for (const [field, kind, config] of chatFields) {
    it(`refuses ${field} outside the root`, async () => {
      for (const [trick, value] of Object.entries(tricks(files[kind]))) {
        const error = await forbidden(confined.compileScene(config(value), { baseDir: root }), field);
        expect(error.message, trick).not.toContain('not found');
      }
      // The same through renderFrame and processVideo: refused before anything is written.
      await forbidden(confined.renderFrame(config(`../outside/${files[kind]}`), 0, { baseDir: root }), field);
      const out = path.join(root, 'out', 'refused.mp4');
      await forbidden(confined.processVideo('', out, config(path.join(outside, files[kind])), { baseDir: root }), field);
      expect(fs.existsSync(out)).toBe(false);
    });
  }

  for (const [field, kind, config] of processingFields) {
    it(`refuses the processing config's ${field} outside the root`, async () => {
      for (const value of Object.values(tricks(files[kind]))) {
        await forbidden(confined.compileScene(config(value), { baseDir: root }), field);
      }
      const out = path.join(root, 'out', 'refused.mp4');
      await forbidden(confined.processVideo('', out, config(`link-${files[kind]}`), { baseDir: root }), field);
      expect(fs.existsSync(out)).toBe(false);
    });
  }

  it('refuses an input clip outside the root (processVideo, renderFrame)', async () => {
    const out = path.join(root, 'out', 'refused.mp4');
    for (const input of Object.values(tricks('clip.mp4'))) {
      const value = input.startsWith('file:') || path.isAbsolute(input) ? input : path.join(root, input);
      if (value.startsWith('file:')) continue; // inputPath is a path, not a URL
      await forbidden(confined.processVideo(value, out, tinyConfig()), 'inputPath');
      await forbidden(confined.processVideo(value, out, { video: {} }), 'inputPath');
      await forbidden(confined.renderFrame({ video: {} }, 0, { inputPath: value }), 'inputPath');
      await forbidden(confined.renderFrame(tinyConfig(), 0, { inputPath: value }), 'inputPath');
    }
    await forbidden(confined.renderFrame({ video: {} }, 0, { inputPath: '../outside/clip.mp4', baseDir: root }), 'inputPath');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses an output outside the root, or through a linked folder', async () => {
    const config = tinyConfig();
    for (const out of [path.join(outside, 'x.mp4'), path.join(root, '..', 'outside', 'x.mp4'), path.join(root, 'outdir', 'x.mp4'),
      path.join(root, 'outdir', 'new', 'x.mp4'), path.join(evil, 'x.mp4')]) {
      await forbidden(confined.processVideo('', out, config), 'outputPath');
    }
    // A missing folder inside is created as before.
    const nested = path.join(root, 'out', 'new', 'deeper', 'ok.mp4');
    await confined.processVideo('', nested, config);
    expect(fs.existsSync(nested)).toBe(true);
  }, 60_000);

  it('confines optimizeVideo\'s input and output', async () => {
    const input = path.join(root, 'clip.mp4');
    for (const value of [path.join(outside, 'clip.mp4'), path.join(root, 'link-clip.mp4'), path.join(root, 'outdir', 'clip.mp4'), path.join(evil, 'clip.mp4')]) {
      await forbidden(confined.optimizeVideo(value, 0.05, { outputPath: path.join(root, 'out', 'o.mp4') }), 'inputPath');
    }
    await forbidden(confined.optimizeVideo('../outside/clip.mp4', 0.05, { baseDir: root }), 'inputPath');
    for (const out of [path.join(outside, 'o.mp4'), path.join(root, 'outdir', 'o.mp4'), '../outside/o.mp4']) {
      await forbidden(confined.optimizeVideo(input, 0.05, { outputPath: out, baseDir: root }), 'options.outputPath');
    }
  });

  it('confines the distributed-rendering calls: renderChunk, renderAudio and stitch', async () => {
    const config = tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: 'tone.wav' } });
    const opts = { baseDir: root };
    for (const out of [path.join(outside, 'c.mp4'), path.join(root, 'outdir', 'c.mp4'), path.join(evil, 'c.mp4')]) {
      await forbidden(confined.renderChunk(config, { startFrame: 0, endFrame: 2 }, out, opts), 'outputPath');
      await forbidden(confined.renderAudio(config, out.replace(/\.mp4$/, '-audio.mp4'), opts), 'outputPath');
    }
    await forbidden(confined.renderChunk(tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: '../outside/tone.wav' } }),
      { startFrame: 0, endFrame: 2 }, path.join(root, 'out', 'c.mp4'), opts), 'voiceAudioSettings.backgroundMusicUrl');

    // Inside the root the three calls make a video; segments and soundtrack outside it are refused.
    const segment = path.join(root, 'out', 'seg0.mp4');
    const audio = path.join(root, 'out', 'sound.mp4');
    await confined.renderChunk(config, { startFrame: 0, endFrame: 4 }, segment, opts);
    await confined.renderAudio(config, audio, opts);
    fs.copyFileSync(segment, path.join(outside, 'seg0.mp4'));
    fs.symlinkSync(path.join(outside, 'seg0.mp4'), path.join(root, 'out', 'link-seg.mp4'));
    try {
      const target = path.join(root, 'out', 'stitched.mp4');
      await forbidden(confined.stitch({ segments: [segment, path.join(outside, 'seg0.mp4')], audio }, target), 'segments[1]');
      await forbidden(confined.stitch({ segments: [path.join(root, 'out', 'link-seg.mp4')], audio }, target), 'segments[0]');
      await forbidden(confined.stitch({ segments: [segment], audio: path.join(outside, 'tone.wav') }, target), 'audio');
      await forbidden(confined.stitch({ segments: [segment], audio }, path.join(outside, 'stitched.mp4')), 'outputPath');
      expect(fs.existsSync(target)).toBe(false);
      const stitched = await confined.stitch({ segments: [segment], audio }, target);
      expect(stitched.outputPath ?? target).toBe(target);
      expect((await confined.getVideoMetadata(target)).kind).toBe('video');
    } finally {
      fs.rmSync(path.join(outside, 'seg0.mp4')); // keep the outside tree as it was for afterAll
    }
  }, 120_000);

  it('confines getVideoMetadata', async () => {
    for (const value of [path.join(outside, 'clip.mp4'), path.join(root, 'link-clip.mp4'), path.join(root, 'outdir', 'clip.mp4'),
      path.join(evil, 'clip.mp4'), path.join(root, '..', 'outside', 'clip.mp4'), '/etc/passwd', path.join(outside, 'missing.mp4')]) {
      await forbidden(confined.getVideoMetadata(value), 'filePath');
    }
    expect((await confined.getVideoMetadata(path.join(root, 'alias-clip.mp4'))).kind).toBe('video');
    // The module-level calls use the default engine, which is not confined.
    expect((await engine.getVideoMetadata(path.join(outside, 'clip.mp4'))).kind).toBe('video');
  });

  it('refuses a temp folder outside the roots when the engine is created, and checks the option', () => {
    const temp = path.join(outside, 'tmp');
    const create = (options) => {
      try {
        new VideoEngine(options); // eslint-disable-line no-new
        return null;
      } catch (e) {
        return e;
      }
    };
    for (const t of [temp, path.join(root, 'outdir', 'tmp'), path.join(evil, 'tmp')]) {
      const e = create({ allowedRoots: [root], tempDirectory: t });
      expect(e?.code, e?.message).toBe(ErrorCodes.ASSET_FORBIDDEN);
      expect(e.message.startsWith('options.tempDirectory: ')).toBe(true);
    }
    expect(fs.existsSync(temp)).toBe(false);
    expect(create({ allowedRoots: [root], tempDirectory: path.join(root, 'tmp') })).toBeNull();

    const bad = create({ allowedRoots: [root, path.join(dir, 'missing'), path.join(root, 'pic.png'), 7] });
    expect(bad.code).toBe(ErrorCodes.INVALID_CONFIG);
    expect(bad.errors.map((x) => x.path)).toEqual(['options.allowedRoots[1]', 'options.allowedRoots[2]', 'options.allowedRoots[3]']);
    expect(create({ allowedRoots: root }).errors[0].path).toBe('options.allowedRoots');
  });

  it('allows no local path at all with an empty list', async () => {
    const none = new VideoEngine({ allowedRoots: [] });
    await forbidden(none.getVideoMetadata(path.join(root, 'clip.mp4')), 'filePath');
    await forbidden(none.compileScene(tinyConfig({ chatOverlay: { avatarUrl: 'pic.png' } }), { baseDir: root }), 'chatOverlay.avatarUrl');
    const scene = await none.compileScene(tinyConfig()); // a config naming no file still compiles
    expect(scene.width).toBe(360);
  });
});
