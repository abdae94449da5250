// optimizeVideo through the real addon: a clip made by the ffmpeg CLI, shrunk to a target,
// its size and score checked (the score against ffmpeg's own ssim filter), errors and abort.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, engine, makeTempDir, partFiles, removeTempDir } from './helpers.mjs';

let dir;
let input;

beforeAll(() => {
  dir = makeTempDir();
  input = path.join(dir, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=480x270:r=30:d=4', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=4',
    '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', input,
  ]);
});

afterAll(() => removeTempDir(dir));

function ffmpegSsim(distorted, reference) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-i', distorted, '-i', reference, '-lavfi', 'ssim', '-f', 'null', '-'], { encoding: 'utf8' });
  return Number(/All:([0-9.]+)/.exec(r.stderr)[1]);
}

describe('optimizeVideo', () => {
  it('fits the target, reports measured quality and never touches the input', async () => {
    const before = fs.statSync(input).size;
    const stages = new Set();
    const percents = [];
    const r = await engine.optimizeVideo(input, 0.3, { onProgress: (p) => { stages.add(p.stage); percents.push(p.percent); } });
    expect(r.outputPath).toBe(path.join(dir, 'clip.optimized.mp4'));
    const size = fs.statSync(r.outputPath).size;
    expect(r.optimizedSize).toBe(size);
    expect(size / 300_000).toBeGreaterThanOrEqual(0.95);
    expect(size / 300_000).toBeLessThanOrEqual(1.02);
    expect(r.originalSize).toBe(before);
    expect(fs.statSync(input).size).toBe(before);
    expect(r.compressionRatio).toBeCloseTo(before / size, 3);
    expect(Math.abs(r.qualityScore - ffmpegSsim(r.outputPath, input))).toBeLessThan(0.01);
    expect(r.psnr).toBeGreaterThan(20);
    expect(r.encoder).toBe('libx264');
    expect([r.width, r.height]).toEqual([480, 270]);
    // A full-size yuv420p re-encode measures its quality while it encodes: no separate 'quality' stage.
    expect(r.stages.quality).toBe('in-flight');
    expect(r.stages.qualityMs).toBeLessThan(r.stages.encodeMs);
    expect(r.quality.framesCompared).toBe(120);
    expect(stages).toEqual(new Set(['queued', 'pass-1', 'encode', 'finalize', 'done']));
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1]), percents.join(' ')).toBe(true);
    expect(percents.at(-1)).toBe(100);
    const meta = await engine.getVideoMetadata(r.outputPath);
    expect(meta.streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
  });

  it('decides a tight budget\'s picture size by x264\'s first passes at both sizes and says why', async () => {
    const tall = path.join(dir, 'tall.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=360x640:r=30:d=3',
      '-c:v', 'libx264', '-crf', '12', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', tall]);
    const stages = [];
    const percents = [];
    // ~170 kbit/s: 0.025 bits per pixel, inside the measured band.
    const r = await engine.optimizeVideo(tall, 0.066, { measureQuality: false, onProgress: (p) => { stages.push(p.stage); percents.push(p.percent); } });
    const d = r.sizeDecision;
    expect(d.method).toBe('first-passes');
    expect(d.sampleSegments).toBe(0);
    expect(d.candidates).toHaveLength(2);
    const [full, small] = d.candidates;
    expect([full.width, full.height]).toEqual([360, 640]);
    const winner = small.sampleSsim > full.sampleSsim ? small : full;
    expect([r.width, r.height, d.width, d.height]).toEqual([winner.width, winner.height, winner.width, winner.height]);
    expect(d.reason).toContain(small.sampleSsim > full.sampleSsim ? 'scaled down' : 'kept full size');
    // x264's first pass at full size: the test pattern is starved (quantiser over 30), so the smaller size's first pass, which ran
    // beside it from the same decoded frames, counts too; both are scored as they encode.
    expect(d.reason).toMatch(/first pass at full size averaged quantiser (3[0-9]|[4-9][0-9])/);
    expect(d.reason).toContain('first passes over the whole clip');
    expect(stages).toEqual(expect.arrayContaining(['pass-1-sizing', 'encode', 'done']));
    expect(stages.includes('pass-1-sizing-small'), 'no pass of its own: one decode serves both').toBe(false);
    expect(stages.some((s) => s.includes('-sizing-reference') || s.includes('encode-sizing'))).toBe(false);
    // Whichever size wins, the encode reuses its first pass.
    const lastSizing = stages.findLastIndex((s) => s.includes('sizing'));
    expect(stages.slice(lastSizing + 1).includes('pass-1')).toBe(false);
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1]), percents.join(' ')).toBe(true);
    // The whole call's time, not the last encode's: the size decision's passes are in it.
    expect(r.stages.sizingMs).toBeGreaterThan(0);
    expect(r.wallMs).toBeGreaterThanOrEqual(r.stages.sizingMs + r.stages.encodeMs + r.stages.qualityMs - 0.5);
  });

  it('keeps the full size without samples when x264\'s first pass shows it is not starved, and reuses that pass', async () => {
    const face = path.join(dir, 'face.mp4');
    // A slow gradient with a flat box and light noise, like a talking head: at ~0.033 bits per pixel x264's
    // first pass averages a quantiser near 25, so the full size stays (whole-clip two-pass encodes of this
    // content at 540x960 and 1080x1920 scored the same or better at full size than scaled down). Seeded: lavfi's
    // gradients picks random colours otherwise, and at 0.066 MB seeds 1-6 put the quantiser anywhere in 27.2-29.8; seed 5
    // gives 27.2 there and 25.3 at 0.09 MB. libx264's output depends on the heap (its mbtree reads memory it never wrote):
    // at 0.066 MB the full suite's process once took this clip's pass over 30, hence the higher rate.
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i',
      'gradients=s=360x640:r=30:d=3:speed=0.02:seed=5,drawbox=x=iw/3:y=ih/3:w=iw/3:h=ih/3:c=0xc09070:t=fill,noise=alls=4:allf=t',
      '-c:v', 'libx264', '-crf', '12', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', face]);
    const stages = [];
    const r = await engine.optimizeVideo(face, 0.09, { outputPath: path.join(dir, 'face.out.mp4'), onProgress: (p) => stages.push(p.stage) });
    const d = r.sizeDecision;
    expect(d.method).toBe('first-pass');
    expect([r.width, r.height, d.width, d.height]).toEqual([360, 640, 360, 640]);
    expect(d.sampleSegments).toBe(0);
    expect(d.candidates.map((c) => c.sampleSsim)).toEqual([null, null]);
    expect(d.reason).toMatch(/averaged quantiser (1?[0-9]|2[0-9])(\.[0-9])?, under 30/);
    expect(stages.filter((s) => s.startsWith('pass-1'))).toEqual(expect.arrayContaining(['pass-1-sizing']));
    expect(stages.filter((s) => s.startsWith('pass-1') && s !== 'pass-1-sizing'), 'no other first pass: the encode and its retries reuse it').toEqual([]);
    expect(r.stages.quality).toBe('in-flight');
    expect(r.ssim).toBeGreaterThan(0.95);
    // x264's size jumps between neighbouring rates on this clip (three encodes, 0.995 of the target here), and libx264's
    // output depends on the heap it is handed (its mbtree reads memory it never wrote), so in a process that has run other
    // encodes the third can land under the window: then it is kept with a warning that says so, never over the target's +2 %.
    const error = r.optimizedSize / r.targetSize - 1;
    expect(error).toBeLessThanOrEqual(0.02);
    if (error < -0.05) expect(r.warnings.join(' ')).toMatch(/target size: the encode used/);
  });

  it('measures a downscaled output in flight, with the same score as ffmpeg', async () => {
    const big = path.join(dir, 'big.mp4');
    // A zooming fractal at ~0.008 bits per pixel: its samples measure the smaller size better.
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'mandelbrot=s=1280x720:r=30,trim=duration=2',
      '-c:v', 'libx264', '-crf', '18', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', big]);
    const stages = new Set();
    const r = await engine.optimizeVideo(big, 0.07, { onProgress: (p) => stages.add(p.stage) });
    expect(r.width).toBeLessThan(1280);
    // Measured in flight against the input frames it was scaled from: no separate decode afterwards.
    expect(r.stages.quality).toBe('in-flight');
    expect(stages.has('quality')).toBe(false);
    const scaled = spawnSync('ffmpeg', ['-hide_banner', '-i', r.outputPath, '-i', big, '-lavfi', '[0:v]scale=1280:720:flags=bicubic[d];[d][1:v]ssim', '-f', 'null', '-'], { encoding: 'utf8' });
    expect(Math.abs(r.ssim - Number(/All:([0-9.]+)/.exec(scaled.stderr)[1]))).toBeLessThan(0.002);
  });

  it('stops on abort in the in-flight measured encode and leaves nothing behind', async () => {
    const ac = new AbortController();
    const out = path.join(dir, 'aborted-encode.mp4');
    const job = engine.optimizeVideo(input, 0.3, { outputPath: out, signal: ac.signal, onProgress: (p) => { if (p.stage === 'encode' && p.frame > 30) ac.abort(); } });
    await expect(job).rejects.toMatchObject({ name: 'AbortError', code: 'ERR_ABORTED' });
    expect(fs.existsSync(out)).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it('rejects bad arguments with coded errors and leaves nothing behind', async () => {
    await expect(engine.optimizeVideo(input, -1)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(engine.optimizeVideo(input, 0.0005)).rejects.toMatchObject({ code: 'ERR_TARGET_UNREACHABLE', message: expect.stringContaining('smallest achievable size') });
    await expect(engine.optimizeVideo(input, 1, { outputPath: input })).rejects.toMatchObject({ code: 'ERR_OUTPUT' });
    await expect(engine.optimizeVideo(input, 1, { codec: 'av1' })).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('options.codec') });
    await expect(engine.optimizeVideo(input, 1, { speed: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(engine.optimizeVideo(path.join(dir, 'missing.mp4'), 1)).rejects.toMatchObject({ code: 'ERR_INPUT_NOT_FOUND' });
    expect(partFiles(dir)).toEqual([]);
  });

  it('stops on abort and removes the partial output', async () => {
    // Ten times: an abort can land in the middle of a read of the input, which libav may answer with
    // a partial packet flagged corrupt; that is the abort (ERR_ABORTED), not a corrupt input (ERR_DECODE).
    for (let i = 0; i < 10; i++) {
      const ac = new AbortController();
      const out = path.join(dir, 'aborted.mp4');
      const job = engine.optimizeVideo(input, 0.3, { outputPath: out, signal: ac.signal, onProgress: () => ac.abort() });
      await expect(job).rejects.toMatchObject({ name: 'AbortError', code: 'ERR_ABORTED' });
      expect(fs.existsSync(out)).toBe(false);
      expect(partFiles(dir)).toEqual([]);
    }
  });

  it('runs from the CLI', () => {
    const out = path.join(dir, 'cli.mp4');
    const r = spawnSync(process.execPath, [CLI, 'optimize', input, '0.25', '-o', out, '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SSIM 0\.\d{4}, PSNR \d+\.\d\d dB/);
    expect(fs.statSync(out).size).toBeLessThanOrEqual(255_000);
  });
});
