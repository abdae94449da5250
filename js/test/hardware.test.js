// Hardware encoders through the built addon: getHardwareInfo() and the per-job fallback.
// The test machines have no encoder hardware (no /dev/dri, no CUDA driver); the expectations
// that depend on that are skipped where hardware exists.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, partFiles, removeTempDir, tinyConfig } from './helpers.mjs';

const noHardware = !fs.existsSync('/dev/dri') && !['/usr/lib/x86_64-linux-gnu/libcuda.so.1', '/usr/lib/libcuda.so.1'].some((p) => fs.existsSync(p));

let dir;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeTempDir(dir));

function probeCodec(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file]);
  return out.toString().trim();
}

describe('getHardwareInfo', () => {
  it('describes device types, devices and encoders, each unusable one with a reason', async () => {
    const info = await engine.getHardwareInfo();
    expect(Object.keys(info)).toEqual(['ffmpeg', 'deviceTypes', 'devices', 'encoders', 'auto', 'software', 'hardwareAvailable', 'probeMs']);
    expect(info.ffmpeg).toMatch(/^5\.1/);
    expect(info.deviceTypes).toEqual(expect.arrayContaining(['cuda', 'vaapi', 'qsv']));
    expect(info.devices.map((d) => d.type)).toEqual(['cuda', 'qsv', 'vaapi', 'videotoolbox']);
    for (const d of info.devices) {
      expect(Object.keys(d)).toEqual(['type', 'inBuild', 'available', 'error']);
      if (!d.available) expect(d.error).toEqual(expect.any(String));
    }
    expect(info.encoders.map((e) => e.name)).toEqual(expect.arrayContaining(['h264_nvenc', 'hevc_nvenc', 'h264_qsv', 'h264_vaapi', 'vp9_vaapi', 'h264_videotoolbox']));
    for (const e of info.encoders) {
      expect(Object.keys(e)).toEqual(['name', 'codec', 'device', 'inBuild', 'usable', 'input', 'error']);
      expect(['h264', 'h265', 'vp9']).toContain(e.codec);
      if (e.usable) expect(e.error).toBeNull();
      else expect(e.error.length).toBeGreaterThan(0);
    }
    expect(info.software).toEqual({ h264: 'libx264', h265: 'libx265', vp9: 'libvpx-vp9' });
    expect(info.devices.find((d) => d.type === 'videotoolbox')).toMatchObject({ inBuild: false, available: false });
    // Cached per process: the same answer, without probing again.
    expect(await new engine.VideoEngine().getHardwareInfo()).toEqual(info);
    if (noHardware) {
      expect(info.hardwareAvailable).toBe(false);
      expect(info.auto).toEqual(info.software);
      expect(info.encoders.find((e) => e.name === 'h264_nvenc')).toMatchObject({ inBuild: true, usable: false, error: expect.stringContaining('libcuda') });
    }
  });
});

describe('enableHardwareAcceleration', () => {
  it.skipIf(!noHardware)('true without hardware: the job is encoded by libx264 and says why', async () => {
    const ve = new engine.VideoEngine({ enableHardwareAcceleration: true });
    const out = path.join(dir, 'required.mp4');
    const result = await ve.processVideo('', out, tinyConfig());
    expect(result.metadata).toMatchObject({ videoCodec: 'h264', encoder: 'libx264', hardwareEncoder: false });
    expect(result.metadata.hardwareFallback).toMatch(/^no working hardware h264 encoder on this machine \(h264_nvenc: .*; libx264 was used$/);
    expect(probeCodec(out)).toBe('h264');
    expect(partFiles(dir)).toEqual([]);
  });

  it.skipIf(!noHardware)('"auto" without hardware: libx264, no fallback reported', async () => {
    const ve = new engine.VideoEngine({ enableHardwareAcceleration: 'auto' });
    const result = await ve.processVideo('', path.join(dir, 'auto.mp4'), tinyConfig());
    expect(result.metadata.encoder).toBe('libx264');
    expect(result.metadata).not.toHaveProperty('hardwareFallback');
  });

  it('false (the default): software, no fallback reported', async () => {
    const result = await new engine.VideoEngine({ enableHardwareAcceleration: false }).processVideo('', path.join(dir, 'off.mp4'), tinyConfig());
    expect(result.metadata).toMatchObject({ encoder: 'libx264', hardwareEncoder: false, rateControl: 'crf', audioCodec: 'aac' });
    expect(result.metadata).not.toHaveProperty('hardwareFallback');
  });

  it('rejects other values with the option named', () => {
    for (const bad of ['yes', 1, {}]) {
      expect(() => new engine.VideoEngine({ enableHardwareAcceleration: bad }))
        .toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('options.enableHardwareAcceleration: expected true, false or "auto"') }));
    }
  });
});

describe('containers', () => {
  it('a chat story renders into .mkv', async () => {
    const out = path.join(dir, 'story.mkv');
    const result = await engine.processVideo('', out, tinyConfig());
    expect(result.outputPath).toBe(out);
    expect(probeCodec(out)).toBe('h264');
  });

  it('a chat story (H.264) into .webm is an invalid config and leaves nothing behind', async () => {
    const sub = makeTempDir();
    try {
      await expect(engine.processVideo('', path.join(sub, 'story.webm'), tinyConfig()))
        .rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('a .webm file holds VP9 video only, got "h264"') });
      expect(fs.readdirSync(sub)).toEqual([]);
    } finally {
      removeTempDir(sub);
    }
  });
});
