// getVideoMetadata through the built addon: the full metadata of real files made by the ffmpeg
// CLI, compared with ffprobe, and the coded errors for junk and truncated files.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, removeTempDir } from './helpers.mjs';

const { ErrorCodes } = engine;

function ffmpeg(...args) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
}

function ffprobe(file) {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-show_chapters', '-of', 'json', file], { encoding: 'utf8' }));
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to reject');
}

describe('getVideoMetadata', () => {
  let dir;
  const file = (name) => path.join(dir, name);

  beforeAll(() => {
    dir = makeTempDir('reelspeed-metadata-');
    // H.264 + 5.1 AAC with chapters, a title and a creation time; a keyframe every 10 frames.
    fs.writeFileSync(file('meta.txt'), ';FFMETADATA1\ntitle=Launch teaser\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=One\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\ntitle=Two\n');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=30:d=2', '-f', 'lavfi', '-i', 'sine=d=2', '-i', file('meta.txt'),
      '-map', '0:v', '-map', '1:a', '-map_metadata', '2', '-map_chapters', '2',
      '-c:v', 'libx264', '-g', '10', '-sc_threshold', '0', '-c:a', 'aac', '-ac', '6', '-channel_layout', '5.1',
      '-metadata', 'creation_time=2025-01-02T03:04:05Z', '-metadata:s:a:0', 'language=spa', file('story.mp4'));
    // Shown turned 90 degrees clockwise (ffmpeg 5.1's stream-copy "rotate" tag turns counterclockwise).
    ffmpeg('-i', file('story.mp4'), '-map', '0:v', '-c', 'copy', '-metadata:s:v:0', 'rotate=270', file('portrait.mp4'));
    // 10-bit HEVC tagged PQ / BT.2020.
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=25:d=0.4', '-c:v', 'libx265', '-x265-params', 'log-level=error',
      '-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', file('hdr.mp4'));
  });

  afterAll(() => removeTempDir(dir));

  it('reports container, tags, chapters and stream counts as ffprobe does', async () => {
    const info = await engine.getVideoMetadata(file('story.mp4'));
    const probe = ffprobe(file('story.mp4'));
    expect(info).toMatchObject({
      kind: 'video',
      container: probe.format.format_name,
      size: Number(probe.format.size),
      bitRate: Number(probe.format.bit_rate),
      startTime: 0,
      title: 'Launch teaser',
      creationTime: '2025-01-02T03:04:05.000000Z',
      tags: probe.format.tags,
      streamCounts: { video: 1, audio: 1, subtitle: 0, data: 1, attachment: 0, other: 0 },
      chapterCount: 2,
      chapters: [{ id: 0, start: 0, end: 1, title: 'One' }, { id: 1, start: 1, end: 2, title: 'Two' }],
    });
    expect(info.encoder).toMatch(/^Lavf/);
    expect(info.duration).toBeCloseTo(Number(probe.format.duration), 6);
  });

  it('reports video and audio stream details', async () => {
    const info = await engine.getVideoMetadata(file('story.mp4'));
    const video = info.streams.find((s) => s.type === 'video');
    const audio = info.streams.find((s) => s.type === 'audio');
    const pv = ffprobe(file('story.mp4')).streams.find((s) => s.codec_type === 'video');
    expect(video).toMatchObject({
      codec: 'h264', profile: pv.profile, level: pv.level, width: 64, height: 48, displayWidth: 64, displayHeight: 48,
      rotation: 0, sampleAspectRatio: '1:1', displayAspectRatio: '4:3', fps: 30, avgFrameRate: 30, nominalFrameRate: 30,
      frames: 60, pixelFormat: 'yuv420p', bitDepth: 8, hdr: false, colorTransfer: null, stillImage: false,
      keyframeInterval: { frames: 10, seconds: 0.333333, keyframes: 6, sampledFrames: 60, complete: true, estimate: true },
    });
    expect(audio).toMatchObject({ codec: 'aac', channels: 6, channelLayout: '5.1', sampleRate: 44100, language: 'spa' });
    expect(audio.bitRate).toBe(Number(ffprobe(file('story.mp4')).streams.find((s) => s.codec_type === 'audio').bit_rate));
  });

  it('reports the clockwise rotation and the shown size of a portrait clip', async () => {
    const [video] = (await engine.getVideoMetadata(file('portrait.mp4'))).streams;
    expect(video).toMatchObject({ width: 64, height: 48, rotation: 90, displayWidth: 48, displayHeight: 64 });
    // ffprobe gives the display matrix's counterclockwise angle.
    const side = ffprobe(file('portrait.mp4')).streams[0].side_data_list.find((d) => 'rotation' in d);
    expect((360 - side.rotation) % 360).toBe(90);
  });

  it('flags 10-bit PQ HEVC as HDR', async () => {
    const [video] = (await engine.getVideoMetadata(file('hdr.mp4'))).streams;
    expect(video).toMatchObject({
      codec: 'hevc', profile: 'Main 10', bitDepth: 10, hdr: true,
      colorTransfer: 'smpte2084', colorPrimaries: 'bt2020', colorSpace: 'bt2020nc',
    });
  });

  it('rejects random bytes with ERR_UNSUPPORTED_MEDIA and an empty file too, naming the file', async () => {
    const junk = file('junk.mov');
    fs.writeFileSync(junk, Buffer.from(Array.from({ length: 100000 }, (_, i) => (i * 7919 + (i >> 3) * 104729) & 255)));
    let e = await rejection(engine.getVideoMetadata(junk));
    expect(e.code).toBe(ErrorCodes.UNSUPPORTED_MEDIA);
    expect(e.message).toContain(junk);

    const empty = file('empty.mp4');
    fs.writeFileSync(empty, '');
    e = await rejection(engine.getVideoMetadata(empty));
    expect(e.code).toBe(ErrorCodes.UNSUPPORTED_MEDIA);
    expect(e.message).toContain(empty);
  });

  it('rejects truncated MP4 and Matroska files with ERR_DECODE "truncated"', async () => {
    const bytes = fs.readFileSync(file('story.mp4'));
    const cutMp4 = file('story-cut.mp4'); // moov written last: cut before it
    fs.writeFileSync(cutMp4, bytes.subarray(0, bytes.length >> 1));

    ffmpeg('-i', file('story.mp4'), '-map', '0:v', '-map', '0:a', '-c', 'copy', '-movflags', '+faststart', file('fast.mp4'));
    const fast = fs.readFileSync(file('fast.mp4'));
    const cutFast = file('fast-cut.mp4'); // whole index, half the media: libavformat opens it
    fs.writeFileSync(cutFast, fast.subarray(0, fast.length >> 1));

    ffmpeg('-i', file('story.mp4'), '-map', '0:v', '-map', '0:a', '-c', 'copy', file('story.mkv'));
    const mkv = fs.readFileSync(file('story.mkv'));
    const cutMkv = file('story-cut.mkv');
    fs.writeFileSync(cutMkv, mkv.subarray(0, Math.floor(mkv.length * 0.6)));

    for (const f of [cutMp4, cutFast, cutMkv]) {
      const e = await rejection(engine.getVideoMetadata(f));
      expect(e.code, e.message).toBe(ErrorCodes.DECODE);
      expect(e.message).toContain(f);
      expect(e.message).toContain('truncated');
    }
    // The whole files still probe.
    expect((await engine.getVideoMetadata(file('story.mkv'))).streams).toHaveLength(2);
  });
});
