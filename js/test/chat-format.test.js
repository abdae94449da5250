// The complete chat-story format through the JS surface: compileScene, background video as
// inputPath, green screen, templates and the CLI's scene/frame commands.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI, ROOT, colorDistance, engine, extractFrame, makeTempDir, partFiles, removeTempDir, tinyConfig,
} from './helpers.mjs';

let dir;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeTempDir(dir));

/** A solid-colour H.264 clip made with the ffmpeg CLI. */
function solidClip(name, color, seconds = 1) {
  const file = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${color}:s=320x568:r=30:d=${seconds}`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
  return file;
}

/** Decodes PNG/JPEG bytes to RGB24 with the ffmpeg CLI. */
function decodeImage(bytes, width, height) {
  const file = path.join(dir, `frame-${Date.now()}-${Math.random().toString(16).slice(2)}.png`);
  fs.writeFileSync(file, bytes);
  const buf = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: width * height * 3 + 1024 });
  expect(buf.length).toBe(width * height * 3);
  return (x, y) => {
    const o = (y * width + x) * 3;
    return [buf[o], buf[o + 1], buf[o + 2]];
  };
}

describe('compileScene', () => {
  it('returns the versioned Scene with resolved geometry, keyframes and assets', async () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'templates', 'whatsapp.json'), 'utf8'));
    const scene = await engine.compileScene(config);
    expect(scene.schemaVersion).toBe(1);
    expect(scene).toMatchObject({ width: 1080, height: 1920, fps: 30, template: 'whatsapp', bubbleStyle: 'whatsApp' });
    expect(scene.messages).toHaveLength(config.messages.length);
    expect(scene.header.title.lines.length).toBeGreaterThan(0);
    const first = scene.messages[0];
    expect(first.bounds.width).toBeGreaterThan(0);
    expect(first.animation.startMs).toBe(config.animationSettings.baseDelay);
    expect(first.tail).toBe('topNotch');
    expect(first.textBlock.lines[0].runs[0].glyphs.length).toBeGreaterThan(0);
    expect(scene.typingIndicators.length).toBeGreaterThan(0);
    expect(scene.assets.some((a) => a.endsWith('.ttf') || a.endsWith('.ttc'))).toBe(true);
    expect(scene.frameCount).toBe(Math.round((scene.durationMs * 30) / 1000));
  });

  it('resolves relative assets against baseDir and rejects bad configs with a coded error', async () => {
    const png = path.join(dir, 'pic.png');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=64x32', '-frames:v', '1', png]);
    const scene = await engine.compileScene(tinyConfig({ messages: [{ sender: 'them', imageUrl: 'pic.png' }] }), { baseDir: dir });
    expect(scene.messages[0].picture.image).toBe(png);
    expect(scene.assets).toContain(png);
    await expect(engine.compileScene({ template: 'myspace', messages: [] })).rejects.toMatchObject({
      code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('template'),
    });
  });
});

describe('processVideo with a background video', () => {
  it('uses inputPath as the looping, cover-fitted background', async () => {
    const clip = solidClip('bg.mp4', '0x22AA55', 0.5);
    const out = path.join(dir, 'over-video.mp4');
    const result = await engine.processVideo(clip, out, tinyConfig({ videoSettings: { duration: 1.5, resolution: '360x640', fps: 30 } }));
    expect(result.success).toBe(true);
    const frame = extractFrame(out, 1.2, 360, 640); // after the 0.5 s clip looped twice
    expect(colorDistance(frame.pixel(10, 600), [0x22, 0xaa, 0x55])).toBeLessThanOrEqual(12);
  });

  it('rejects a missing inputPath naming it, leaving nothing behind', async () => {
    const out = path.join(dir, 'never.mp4');
    await expect(engine.processVideo(path.join(dir, 'nope.mp4'), out, tinyConfig())).rejects.toMatchObject({
      code: 'ERR_INPUT_NOT_FOUND', message: expect.stringContaining('inputPath'),
    });
    expect(fs.existsSync(out)).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it('rejects an inputPath that is not a video', async () => {
    const bogus = path.join(dir, 'bogus.mp4');
    fs.writeFileSync(bogus, 'not a video at all');
    await expect(engine.processVideo(bogus, path.join(dir, 'bogus-out.mp4'), tinyConfig())).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA' });
    expect(partFiles(dir)).toEqual([]);
  });
});

describe('renderFrame across the format', () => {
  it('green screen frames are pure #00FF00 around the chat', async () => {
    const png = await engine.renderFrame(tinyConfig({ videoSettings: { resolution: '360x640', greenScreen: true } }), 500);
    const px = decodeImage(png, 360, 640);
    for (const [x, y] of [[0, 0], [359, 0], [0, 639], [359, 639]]) expect(px(x, y)).toEqual([0, 255, 0]);
  });

  it.each(['modern-light', 'modern-dark', 'imessage', 'whatsapp', 'instagram', 'discord'])('renders the %s template', async (template) => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'templates', `${template}.json`), 'utf8'));
    config.videoSettings.resolution = '360x640';
    const png = await engine.renderFrame(config, 9500);
    expect(png.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(png.length).toBeGreaterThan(5000);
  });
});

describe('CLI', () => {
  it('scene prints the compiled Scene; render --input takes a background clip', () => {
    const cfgFile = path.join(dir, 'cli.json');
    fs.writeFileSync(cfgFile, JSON.stringify(tinyConfig()));
    const scene = spawnSync(process.execPath, [CLI, 'scene', cfgFile], { encoding: 'utf8' });
    expect(scene.status).toBe(0);
    expect(JSON.parse(scene.stdout).schemaVersion).toBe(1);
    const clip = solidClip('cli-bg.mp4', '0x884422');
    const out = path.join(dir, 'cli-out.mp4');
    const render = spawnSync(process.execPath, [CLI, 'render', cfgFile, '-o', out, '--input', clip, '--quiet'], { encoding: 'utf8' });
    expect(render.status, render.stderr).toBe(0);
    expect(fs.existsSync(out)).toBe(true);
  });
});

describe('voiced stories', () => {
  it('times messages by their clips, starts each clip with its bubble and reports loudness', async () => {
    const clip = path.join(dir, 'voice.mp3');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=0.9', '-ar', '22050', '-ac', '1', clip]);
    const out = path.join(dir, 'voiced.mp4');
    const result = await engine.processVideo('', out, tinyConfig({
      videoSettings: { resolution: '360x640', fps: 30 },
      animationSettings: { messageAnimationType: 'none', baseDelay: 300, messageDelay: 200 },
      voiceAudioSettings: { loudnessTarget: -16 },
      messages: [{ text: 'one', sender: 'them', audioUrl: 'voice.mp3' }, { text: 'two', sender: 'me', audioUrl: 'voice.mp3' }],
    }), { baseDir: dir });
    const [a, b] = result.metadata.timeline;
    expect(a.holdSource).toBe('audioClip');
    expect(a.audioFile).toBe(clip);
    expect(b.startMs - a.startMs).toBeCloseTo(900 + 200, 0);
    expect(result.metadata.loudness.normalized).toBe(true);
    expect(Math.abs(result.metadata.loudness.integratedLufs + 16)).toBeLessThan(0.6);
    expect(result.metadata.loudness.truePeakDbtp).toBeLessThanOrEqual(-1);
  });

  it('rejects a missing voice clip naming its message', async () => {
    await expect(engine.processVideo('', path.join(dir, 'nv.mp4'), tinyConfig({ messages: [{ text: 'x', sender: 'me', audioUrl: 'gone.wav' }] }), { baseDir: dir }))
      .rejects.toMatchObject({ code: 'ERR_INPUT_NOT_FOUND', message: expect.stringContaining('messages[0].audioUrl') });
  });
});
