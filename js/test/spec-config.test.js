// The spec's §5.2 integration layer feeds processVideo('', out, convertToRustConfig(request)): that
// output, in its units (percent volumes and opacities, millisecond transitions, overlays in seconds
// styled by a template name, a background object, a 50 MB ceiling), must render what it describes.
// And §7.1's test config (no messages, a duration) renders its background for that long.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colorDistance, engine, extractFrame, makeTempDir, removeTempDir } from './helpers.mjs';

let dir;
beforeAll(() => { dir = makeTempDir(); });
afterAll(() => removeTempDir(dir));

// §5.2's convertToRustConfig and convertEffectsConfig, transcribed (only `this.` and types removed).
function convertToRustConfig(request) {
  return {
    video: {
      width: request.settings.width || 1080,
      height: request.settings.height || 1920,
      fps: request.settings.fps || 30,
      codec: 'h264',
      quality: 'high',
    },
    audio: {
      enabled: !!request.input.config?.voiceAudioSettings?.enableAudio,
      volume: request.input.config?.voiceAudioSettings?.masterVolume || 80,
    },
    effects: convertEffectsConfig(request.input.config),
    optimization: {
      target_size_mb: 50,
      // The spec writes true here; how hardware_acceleration is parsed is another change's.
      hardware_acceleration: false,
      memory_optimization: true,
    },
  };
}

function convertEffectsConfig(config) {
  if (!config) return {};
  return {
    text_overlays: config.messages?.map((msg) => ({
      text: msg.text,
      duration: msg.audioDuration || 2.0,
      style: config.template || 'modern-light',
    })) || [],
    background: {
      type: config.backgroundSettings?.backgroundType || 'gradient',
      source: config.backgroundSettings?.backgroundUrl || '',
      opacity: config.backgroundSettings?.backgroundOpacity || 100,
    },
    transitions: {
      enabled: config.animationSettings?.showMessageAnimations !== false,
      type: config.animationSettings?.messageAnimationType || 'slide',
      duration: config.animationSettings?.transitionDuration || 500,
    },
  };
}

const stored = {
  videoSettings: { duration: 0, resolution: '1080x1920', fps: 30, quality: 'high' },
  template: 'imessage',
  messages: [
    { text: 'did you see that?', sender: 'them', audioDuration: 1.2 },
    { text: 'no way 😱', sender: 'me', audioDuration: 0.8 },
  ],
  backgroundSettings: { backgroundType: 'gradient', backgroundUrl: '', backgroundOpacity: 100 },
  animationSettings: { messageAnimationType: 'pop', transitionDuration: 300, showMessageAnimations: true },
  voiceAudioSettings: { enableAudio: true, masterVolume: 80 },
};

describe("the spec's processing config", () => {
  it('renders the converted config with no input: the template background, its bubbles one after another, within the ceiling', async () => {
    const config = convertToRustConfig({ type: 'chat', settings: { width: 360, height: 640 }, input: { config: stored } });
    const out = path.join(dir, 'converted.mp4');
    const result = await engine.processVideo('', out, JSON.stringify(config));
    expect(result.success).toBe(true);
    expect(result.durationMs).toBeCloseTo(2000, 0);
    expect(result.metadata.sizeTarget).toMatchObject({ ceilingMb: 50, action: 'within', encodes: 1 });
    expect(result.metadata.rateControl).toBe('crf');
    expect(result.fileSize).toBeLessThan(1_000_000);
    expect(fs.statSync(out).size).toBe(result.fileSize);
    const frame = extractFrame(out, 0.9, 360, 640);
    expect(colorDistance(frame.pixel(4, 4), [255, 255, 255])).toBeLessThanOrEqual(6); // imessage's white
    // Its blue "me" bubble, centred: a good run of the row through the middle is that blue (the rest is text and background).
    let blue = 0;
    for (let x = 0; x < 360; x++) if (colorDistance(frame.pixel(x, 320), [0x0a, 0x84, 0xff]) <= 12) blue++;
    expect(blue).toBeGreaterThan(30);
    const before = extractFrame(out, 0.05, 360, 640); // the first bubble's pop has just begun
    let early = 0;
    for (let x = 0; x < 360; x++) if (colorDistance(before.pixel(x, 320), [0x0a, 0x84, 0xff]) <= 12) early++;
    expect(early).toBeLessThan(blue);
  });

  it('rejects values in the old units, naming the unit', async () => {
    const base = convertToRustConfig({ type: 'chat', settings: { width: 360, height: 640 }, input: { config: stored } });
    const out = path.join(dir, 'bad.mp4');
    await expect(engine.processVideo('', out, { ...base, audio: { enabled: true, volume: 0.8 } }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringMatching(/audio\.volume.*percentage/) });
    await expect(engine.processVideo('', out, { ...base, effects: { ...base.effects, transitions: { enabled: true, type: 'fade', duration: 0.5 } } }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringMatching(/effects\.transitions\.duration.*milliseconds/) });
    await expect(engine.processVideo('', out, { ...base, effects: { ...base.effects, background: { type: 'color', source: '', opacity: 0.5 } } }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringMatching(/effects\.background\.opacity.*percentage/) });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('treats target_size_mb as a ceiling: a clip that fits is encoded as the quality asks, one over it is re-encoded to fit', async () => {
    const clip = path.join(dir, 'busy.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=2', '-c:v', 'libx264', '-crf', '10', '-pix_fmt', 'yuv420p', clip]);
    const video = { width: 320, height: 240, fps: 30, codec: 'h264', quality: 'high' };
    const plain = await engine.processVideo(clip, path.join(dir, 'plain.mp4'), { video });
    const within = await engine.processVideo(clip, path.join(dir, 'within.mp4'), { video, optimization: { target_size_mb: 50 } });
    expect(within.metadata.sizeTarget).toEqual({ ceilingMb: 50, action: 'within', firstEncodeBytes: within.fileSize, encodes: 1 });
    expect(Math.abs(within.fileSize - plain.fileSize) / plain.fileSize).toBeLessThan(0.02); // not blown up towards 50 MB
    const ceiling = 0.06;
    expect(plain.fileSize).toBeGreaterThan(ceiling * 1e6);
    const fitted = await engine.processVideo(clip, path.join(dir, 'fitted.mp4'), { video, optimization: { target_size_mb: ceiling } });
    expect(fitted.metadata.sizeTarget).toMatchObject({ ceilingMb: ceiling, action: 'reencoded' });
    expect(fitted.metadata.sizeTarget.firstEncodeBytes).toBeGreaterThan(ceiling * 1e6);
    expect(fitted.fileSize).toBeLessThanOrEqual(ceiling * 1e6);
    expect(fitted.fileSize).toBeGreaterThan(ceiling * 1e6 * 0.9);
    expect(fitted.metadata.warnings.join('\n')).toContain('re-encoded two-pass to fit');
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 60_000);

  it("renders §7.1's test config (no messages, 30 s) as its background for 30 s, with a warning", async () => {
    const config = {
      videoSettings: { duration: 30, resolution: '1080x1920', fps: 30, quality: 'high' },
      animationSettings: { messageAnimationType: 'slide', transitionDuration: 500, showMessageAnimations: true },
    };
    const out = path.join(dir, 'spec-7-1.mp4');
    const result = await engine.processVideo('', out, JSON.stringify(config));
    expect(result.success).toBe(true);
    expect(result.durationMs).toBeCloseTo(30000, 0);
    expect(result.metadata.frames).toBe(900);
    expect(result.metadata.timeline).toEqual([]);
    expect(result.metadata.warnings.join('\n')).toContain('messages: none given');
    const meta = await engine.getVideoMetadata(out);
    expect(meta.durationMs ?? meta.duration * 1000).toBeGreaterThan(29900);
  }, 120_000);
});
