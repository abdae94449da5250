// renderFrame: one still frame as PNG or JPEG bytes, and argument checking.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { colorDistance, engine, hexToRgb, tinyConfig } from './helpers.mjs';

const { ErrorCodes } = engine;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const BACKGROUND = '#203040';
const THEM = '#FF0000';
const config = tinyConfig({
  videoSettings: { duration: 2, resolution: '1080x1920', fps: 30 },
  backgroundSettings: { backgroundType: 'color', backgroundColor: BACKGROUND },
  colorCustomization: { receiverBubbleColor: THEM, receiverTextColor: THEM },
  animationSettings: { messageAnimationType: 'none', baseDelay: 500 },
  messages: [{ text: 'hello there', sender: 'them', audioDuration: 1 }],
});

/** Decodes an image buffer (PNG/JPEG) to RGB24 with the ffmpeg CLI. */
function decode(bytes, width, height) {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    input: bytes, maxBuffer: width * height * 3 + 1024 * 1024,
  });
  expect(raw.length).toBe(width * height * 3);
  return (x, y) => {
    const o = (y * width + x) * 3;
    return [raw[o], raw[o + 1], raw[o + 2]];
  };
}

describe('renderFrame', () => {
  it('returns PNG bytes of the configured size by default', async () => {
    const png = await engine.renderFrame(config, 1000);
    expect(Buffer.isBuffer(png)).toBe(true);
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(1080);
    expect(png.readUInt32BE(20)).toBe(1920);
  });

  it('draws the bubble once its message started, and only the background before', async () => {
    const before = decode(await engine.renderFrame(config, 200), 1080, 1920);
    const after = decode(await engine.renderFrame(config, 1000), 1080, 1920);
    // left padding of the first "them" bubble: x = 40 + 20, y = 150 + 52
    expect(colorDistance(before(60, 202), hexToRgb(BACKGROUND))).toBeLessThanOrEqual(2);
    expect(colorDistance(after(60, 202), hexToRgb(THEM))).toBeLessThanOrEqual(2);
    expect(colorDistance(after(20, 202), hexToRgb(BACKGROUND))).toBeLessThanOrEqual(2);
  });

  it('returns JPEG bytes for format "jpeg"', async () => {
    const jpeg = await engine.renderFrame(tinyConfig(), 500, { format: 'jpeg', quality: 80 });
    expect(Buffer.isBuffer(jpeg)).toBe(true);
    expect(jpeg[0]).toBe(0xff);
    expect(jpeg[1]).toBe(0xd8);
    expect(jpeg[jpeg.length - 2]).toBe(0xff);
    expect(jpeg[jpeg.length - 1]).toBe(0xd9);
    decode(jpeg, 360, 640); // decodes at the configured size
  });

  it('accepts the config as a JSON string', async () => {
    const png = await engine.renderFrame(JSON.stringify(tinyConfig()), 0);
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(png.readUInt32BE(16)).toBe(360);
    expect(png.readUInt32BE(20)).toBe(640);
  });

  it.each([
    ['format "gif"', 100, { format: 'gif' }, 'options.format'],
    ['format 42', 100, { format: 42 }, 'options.format'],
    ['quality 0', 100, { format: 'jpeg', quality: 0 }, 'options.quality'],
    ['quality 101', 100, { format: 'jpeg', quality: 101 }, 'options.quality'],
    ['quality 50.5', 100, { format: 'jpeg', quality: 50.5 }, 'options.quality'],
    ['quality "high"', 100, { quality: 'high' }, 'options.quality'],
    ['timeMs -1', -1, undefined, 'timeMs'],
    ['timeMs NaN', Number.NaN, undefined, 'timeMs'],
    ['timeMs Infinity', Number.POSITIVE_INFINITY, undefined, 'timeMs'],
    ['timeMs "5"', '5', undefined, 'timeMs'],
    ['timeMs undefined', undefined, undefined, 'timeMs'],
  ])('rejects %s with ERR_INVALID_ARG_TYPE', async (_label, timeMs, options, field) => {
    const error = await engine.renderFrame(tinyConfig(), timeMs, options).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(ErrorCodes.INVALID_ARG);
    expect(error.message).toContain(field);
  });

  it('rejects an invalid config with ERR_INVALID_CONFIG', async () => {
    const error = await engine.renderFrame({ messages: [{ text: 'x', sender: 7 }] }, 0).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(ErrorCodes.INVALID_CONFIG);
    expect(error.message).toContain('messages[0].sender');
  });
});
