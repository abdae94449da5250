// processVideo with a processing config, through the real addon: clips made by the ffmpeg CLI,
// outputs probed and decoded back.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colorDistance, engine, extractFrame, makeTempDir, partFiles, removeTempDir } from './helpers.mjs';

let dir;
let red;
let blue;

function solidClip(file, color, seconds, hz) {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${color}:s=128x96:r=30:d=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
  ]);
  return file;
}

beforeAll(() => {
  dir = makeTempDir();
  red = solidClip(path.join(dir, 'red.mp4'), '0xDC2828', 1, 440);
  blue = solidClip(path.join(dir, 'blue.mp4'), '0x283CDC', 1, 660);
});

afterAll(() => removeTempDir(dir));

describe('processVideo with a processing config', () => {
  it('joins clips with a transition, applies effects and keeps the audio', async () => {
    const out = path.join(dir, 'joined.mp4');
    const progress = [];
    const result = await engine.processVideo('', out, {
      video: { width: 128, height: 96, fps: 30 },
      clips: [red, { path: blue, volume: 50 }],
      effects: {
        transitions: { type: 'fade', duration: 400 },
        color_correction: { saturation: 0 },
        text_overlays: [{ text: 'Hi', start: 0, duration: 0.3, position: 'top', style: { fontSize: 40 } }],
      },
    }, { onProgress: (p) => progress.push(p) });

    expect(result.success).toBe(true);
    expect(result.durationMs).toBeCloseTo(1600, 0);
    expect(result.metadata.clips.map((c) => [c.startMs, c.endMs])).toEqual([[0, 1000], [600, 1600]]);
    expect(result.metadata.template).toBeUndefined();
    expect(progress.at(-1).percent).toBe(100);

    const meta = await engine.getVideoMetadata(out);
    const video = meta.streams.find((s) => s.type === 'video');
    expect([video.width, video.height, video.fps]).toEqual([128, 96, 30]);
    expect(meta.streams.some((s) => s.type === 'audio')).toBe(true);

    // saturation 0: the red clip is grey in the output.
    const [r, g, b] = extractFrame(out, 0.5, 128, 96).pixel(64, 60);
    expect(Math.max(Math.abs(r - g), Math.abs(g - b))).toBeLessThanOrEqual(6);
    expect(partFiles(dir)).toEqual([]);
  });

  it('compiles to a scene with a composition and renders single frames', async () => {
    const config = { video: { width: 128, height: 96 }, clips: [red, blue], effects: { transitions: { type: 'wipe', direction: 'right', duration: 500 } } };
    const scene = await engine.compileScene(config);
    expect(scene.messages).toEqual([]);
    expect(scene.composition.clips.map((c) => c.startMs)).toEqual([0, 500]);
    expect(scene.composition.transition).toMatchObject({ type: 'wipe', direction: 'right', durationMs: 500 });
    expect(scene.assets).toEqual(expect.arrayContaining([red, blue]));
    const png = await engine.renderFrame(config, 750, { format: 'png' });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // A preview of a one-clip job, the clip given as processVideo would get it.
    const preview = await engine.renderFrame({ effects: { color_correction: { saturation: 0 } } }, 500, { format: 'png', inputPath: red });
    expect(preview.subarray(1, 4).toString()).toBe('PNG');
    await expect(engine.renderFrame({ video: {} }, 0)).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('inputPath') });
  });

  it('processes the inputPath clip with trim, and rejects bad configs naming the field', async () => {
    const out = path.join(dir, 'trimmed.mp4');
    const result = await engine.processVideo(red, out, { video: { fit: 'contain', width: 96, height: 96 }, trim: { start: 0.25, end: 0.75 }, effects: { background: '#00FF00' } });
    expect(result.durationMs).toBeCloseTo(500, 0);
    const frame = extractFrame(out, 0.2, 96, 96);
    expect(colorDistance(frame.pixel(48, 2), [0, 255, 0])).toBeLessThan(20); // letterbox bar
    expect(colorDistance(frame.pixel(48, 48), [220, 40, 40])).toBeLessThan(20);

    const bad = path.join(dir, 'bad.mp4');
    await expect(engine.processVideo(red, bad, { effects: { colour_correction: {} } }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('effects.colour_correction') });
    await expect(engine.processVideo('', bad, { clips: [path.join(dir, 'missing.mp4')] }))
      .rejects.toMatchObject({ code: 'ERR_INPUT_NOT_FOUND', message: expect.stringContaining('clips[0]') });
    await expect(engine.processVideo('', bad, { clips: [red, blue], effects: { transitions: { type: 'custom', shader: 'half4 main(float2 p) { return oops; }' } } }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('effects.transitions.shader') });
    await expect(engine.processVideo(red, bad, { clips: [red, blue] }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('not both') });
    expect(fs.existsSync(bad)).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });
});
