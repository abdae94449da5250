// Resource limits and memory accounting through the real addon: each engine limit's error names
// the field, the value, the limit and the option that raises it; a job whose estimate is over
// memoryLimitMb is refused; and a story of big pictures stays within 1.2x of its estimate,
// measured as peak resident memory in a child process (a memory bound, not a timing).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, engine, engineCores, makeTempDir, partFiles, removeTempDir, x264Settings } from './helpers.mjs';

let dir;
let picture; // 3000x2000 PNG, a few KB on disk, 24 MB decoded
beforeAll(() => {
  dir = makeTempDir();
  picture = path.join(dir, 'big.png');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=teal:s=3000x2000', '-frames:v', '1', picture]);
});
afterAll(() => removeTempDir(dir));

const story = (overrides = {}) => ({
  videoSettings: { resolution: '360x640', duration: 1, fps: 30 },
  animationSettings: { messageAnimationType: 'none', baseDelay: 100 },
  messages: [{ text: 'hi', sender: 'me', audioDuration: 0.3 }],
  ...overrides,
});

const limited = (code, ...parts) => expect.objectContaining({ code, message: expect.stringMatching(new RegExp(parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'))) });

describe('engine resource limits', () => {
  it('maxFramePixels: the default refuses 4096x4096, the option allows it', async () => {
    const ve = new engine.VideoEngine({});
    await expect(ve.renderFrame(story({ videoSettings: { resolution: '4096x4096', duration: 1 } }), 0))
      .rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'videoSettings.resolution: the frame is 4096x4096 = 16,777,216 pixels', 'above maxFramePixels (8,294,400 pixels)', 'raise the engine option maxFramePixels'));
    const big = new engine.VideoEngine({ maxFramePixels: 4096 * 4096 });
    const scene = await big.compileScene(story({ videoSettings: { resolution: "4096x4096", duration: 1 } }));
    expect(scene.width).toBe(4096);
  });

  it('maxDurationSeconds, maxMessages and maxTextLength name their field and option', async () => {
    const ve = new engine.VideoEngine({ maxDurationSeconds: 5, maxMessages: 2, maxTextLength: 10 });
    await expect(ve.compileScene(story({ videoSettings: { resolution: '360x640', duration: 6 } })))
      .rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'videoSettings.duration: the video lasts 6 s', 'above maxDurationSeconds (5 s)', 'raise the engine option maxDurationSeconds'));
    const three = [{ text: 'a', sender: 'me' }, { text: 'b', sender: 'them' }, { text: 'c', sender: 'me' }];
    await expect(ve.renderFrame(story({ messages: three }), 0))
      .rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'messages: 3 messages', 'above maxMessages (2)', 'raise the engine option maxMessages'));
    await expect(ve.processVideo('', path.join(dir, 'text.mp4'), story({ messages: [{ text: 'a', sender: 'me' }, { text: 'twelve chars', sender: 'them' }] })))
      .rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'messages[1].text: the text is 12 characters', 'above maxTextLength (10 characters)', 'raise the engine option maxTextLength'));
    expect(fs.existsSync(path.join(dir, 'text.mp4'))).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it('maxPicturePixels is checked from the picture header, before any decoding', async () => {
    const ve = new engine.VideoEngine({ maxPicturePixels: 1e6 });
    const config = story({ messages: [{ text: 'hi', sender: 'me' }, { text: 'look', sender: 'them', imageUrl: picture }] });
    await expect(ve.renderFrame(config, 0))
      .rejects.toEqual(limited('ERR_RESOURCE_LIMIT', `messages[1].imageUrl: the picture is 3000x2000 = 6 MP`, 'above maxPicturePixels (1 MP)', 'raise the engine option maxPicturePixels'));
    // Only the header of a file cut after it can be read: the limit still gives its size.
    const cut = path.join(dir, 'cut.png');
    fs.writeFileSync(cut, fs.readFileSync(picture).subarray(0, 64));
    await expect(ve.compileScene(story({ backgroundSettings: { backgroundType: 'image', backgroundUrl: cut } })))
      .rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'backgroundSettings.backgroundUrl: the picture is 3000x2000'));
    const png = await new engine.VideoEngine({ maxPicturePixels: 6e6 }).renderFrame(config, 900);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('processing configs are held to the frame size and overlay text limits', async () => {
    const ve = new engine.VideoEngine({ maxFramePixels: 100000, maxTextLength: 5 });
    const config = { video: { width: 640, height: 360 }, effects: { background: { type: 'color', source: '#102030' }, text_overlays: [{ text: 'hi', duration: 1 }] } };
    await expect(ve.compileScene(config)).rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'video: the frame is 640x360', 'maxFramePixels'));
    config.video = { width: 320, height: 240 };
    config.effects.text_overlays[0].text = 'too long';
    await expect(ve.compileScene(config)).rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'effects.text_overlays[0].text: the text is 8 characters', 'maxTextLength'));
  });

  it('validates the limit options', () => {
    expect(() => new engine.VideoEngine({ maxMessages: 0 })).toThrow(/options.maxMessages: expected an integer 1..500/);
    expect(() => new engine.VideoEngine({ maxPicturePixels: 'lots' })).toThrow(/options.maxPicturePixels/);
    expect(() => new engine.VideoEngine({ maxFramePixels: 1e9 })).toThrow(/options.maxFramePixels/);
  });
});

describe('memoryLimitMb', () => {
  it('refuses a job whose estimate is over the limit, and a frame too, without queueing or running it', async () => {
    const ve = new engine.VideoEngine({ memoryLimitMb: 100, maxPicturePixels: 40e6 });
    // A 6000x6000 picture is 144 MB while it decodes: more than the whole limit.
    const huge = path.join(dir, 'huge.png');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=navy:s=6000x6000', '-frames:v', '1', huge]);
    const config = story({ messages: [{ text: 'look', sender: 'them', imageUrl: huge }] });
    const out = path.join(dir, 'huge.mp4');
    await expect(ve.processVideo('', out, config)).rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'this job needs about', 'memoryLimitMb (100 MB)', 'raise the engine option memoryLimitMb'));
    await expect(ve.renderFrame(config, 500)).rejects.toEqual(limited('ERR_RESOURCE_LIMIT', 'this frame needs about', 'memoryLimitMb (100 MB)'));
    expect(fs.existsSync(out)).toBe(false);
    const m = ve.metrics();
    expect(m).toMatch(/^reelspeed_engine_queue_depth 0$/m);
    expect(m).toMatch(/^reelspeed_engine_jobs_running 0$/m);
  });
});

describe('memoryLimitMb and x264 slice threads', () => {
  const config = story({ videoSettings: { resolution: '720x1280', duration: 1, fps: 30 } });

  it('x264Threads: slice threads by default for a chat story on two cores, frame threads over a video background; as asked otherwise', async () => {
    const cores = engineCores();
    const sliced = (file) => Number(x264Settings(file).match(/ sliced_threads=(\d) /)[1]);
    const out = path.join(dir, 'threads.mp4');
    // auto (the default): a job that decodes no video, on at most two cores; nothing to warn about (not the limit's doing).
    const auto = await new engine.VideoEngine({}).processVideo('', out, config);
    expect(sliced(out)).toBe(cores === 2 ? 1 : 0);
    expect(auto.metadata.x264Threads).toBe(cores === 2 ? 'slices' : 'frames'); // the result says what x264 ran
    expect(auto.metadata.warnings.filter((w) => w.startsWith('memoryLimitMb'))).toEqual([]);
    expect((await new engine.VideoEngine({ x264Threads: 'frames' }).processVideo('', out, config)).metadata.x264Threads).toBe('frames');
    expect(sliced(out)).toBe(0);
    await new engine.VideoEngine({ x264Threads: 'slices' }).processVideo('', out, config);
    expect(sliced(out)).toBe(cores > 1 ? 1 : 0); // one thread has nothing to split
    // Over a video background auto keeps frame threads, where slice threads measured up to 18 % slower.
    const clip = path.join(dir, 'bg-clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=360x640:r=30:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
    await new engine.VideoEngine({}).processVideo('', out, story({ videoSettings: { resolution: '360x640', duration: 0.5 }, backgroundSettings: { backgroundType: 'video', backgroundUrl: clip } }));
    expect(sliced(out)).toBe(0);
    expect(() => new engine.VideoEngine({ x264Threads: 'rows' })).toThrow(expect.objectContaining({
      code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('options.x264Threads: expected one of "auto", "frames", "slices", got "rows"'),
    }));
  });

  it.skipIf(engineCores() < 2)('a job that fits the limit only with slice threads renders with them, and says so', async () => {
    // Under both estimates: refused, with both figures (slice threads hold one frame in flight, frame threads a pipeline of them).
    const refusal = await new engine.VideoEngine({ memoryLimitMb: 64, x264Threads: 'frames' }).processVideo('', path.join(dir, 'refused.mp4'), config).catch((e) => e);
    expect(refusal).toEqual(limited('ERR_RESOURCE_LIMIT', 'this job needs about', "even with x264's threads on slices of one frame", 'with its frame threads', 'memoryLimitMb (64 MB)'));
    const [, slices, frames] = refusal.message.match(/needs about (\d+) MB even with x264's threads on slices of one frame \(about (\d+) MB with its frame threads\)/).map(Number);
    expect(frames - slices).toBeGreaterThanOrEqual(20); // 720x1280 on two cores: ~26 bytes a pixel, with headroom
    expect(fs.existsSync(path.join(dir, 'refused.mp4'))).toBe(false);

    // Between them: rendered with slice threads, the result's warning saying why and what it costs.
    const out = path.join(dir, 'sliced.mp4');
    const r = await new engine.VideoEngine({ memoryLimitMb: slices, x264Threads: 'frames' }).processVideo('', out, config);
    expect(r.metadata.warnings).toContainEqual(expect.stringMatching(new RegExp(`^memoryLimitMb: x264 encoded with its threads on slices of one frame .*\\(about ${slices} MB instead of ${frames} MB\\): slower, and a little larger`)));
    expect(x264Settings(out)).toMatch(/ sliced_threads=1 /);
    expect(r.metadata.frames).toBe(30);

    // At the frame threads' estimate: as without a limit.
    const plain = await new engine.VideoEngine({ memoryLimitMb: frames, x264Threads: 'frames' }).processVideo('', out, config);
    expect(plain.metadata.warnings.filter((w) => w.startsWith('memoryLimitMb'))).toEqual([]);
    expect(x264Settings(out)).toMatch(/ sliced_threads=0 /);
  });

  it.skipIf(engineCores() < 2)('a chunk that fits only with slice threads says so, and joins a chunk made with frame threads', async () => {
    const refusal = await new engine.VideoEngine({ memoryLimitMb: 64, x264Threads: 'frames' }).renderChunk(config, { startFrame: 0, endFrame: 15 }, path.join(dir, 'c0.mp4')).catch((e) => e);
    expect(refusal).toEqual(limited('ERR_RESOURCE_LIMIT', 'this job needs about', "even with x264's threads on slices of one frame", 'memoryLimitMb (64 MB)'));
    const slices = Number(refusal.message.match(/needs about (\d+) MB even/)[1]);
    const lean = await new engine.VideoEngine({ memoryLimitMb: slices, x264Threads: 'frames' }).renderChunk(config, { startFrame: 0, endFrame: 15 }, path.join(dir, 'c0.mp4'));
    expect(lean.warnings).toEqual([expect.stringMatching(/^memoryLimitMb: x264 encoded with its threads on slices of one frame/)]);
    expect(lean.x264Threads).toBe('slices');
    expect(x264Settings(lean.outputPath)).toMatch(/ sliced_threads=1 /);
    const ve = new engine.VideoEngine({ x264Threads: 'frames' });
    const plain = await ve.renderChunk(config, { startFrame: 15, endFrame: 30 }, path.join(dir, 'c1.mp4'));
    expect(plain.warnings).toEqual([]);
    expect(plain.x264Threads).toBe('frames');
    expect(x264Settings(plain.outputPath)).toMatch(/ sliced_threads=0 /);
    // The parameter sets are the same either way: the stitch takes both.
    const audio = await ve.renderAudio(config, path.join(dir, 'c-audio.mp4'));
    const joined = await ve.stitch({ segments: [lean.outputPath, plain.outputPath], audio: audio.outputPath }, path.join(dir, 'joined.mp4'));
    expect(joined.frames).toBe(30);
    const meta = await engine.getVideoMetadata(joined.outputPath);
    expect(meta.streams.find((st) => st.type === 'video').frames).toBe(30);
  });

  it.skipIf(engineCores() < 2)('optimizeVideo that fits only with slice threads runs every pass with them, in the size window', async () => {
    const input = path.join(dir, 'clip-720.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=720x1280:r=30:d=2', '-c:v', 'libx264', '-crf', '12', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', input]);
    const out = path.join(dir, 'clip-720-opt.mp4');
    const refusal = await new engine.VideoEngine({ memoryLimitMb: 64, x264Threads: 'frames' }).optimizeVideo(input, 0.3, { outputPath: out }).catch((e) => e);
    expect(refusal).toEqual(limited('ERR_RESOURCE_LIMIT', 'this job needs about', "even with x264's threads on slices of one frame", 'memoryLimitMb (64 MB)'));
    const slices = Number(refusal.message.match(/needs about (\d+) MB even/)[1]);
    const r = await new engine.VideoEngine({ memoryLimitMb: slices, x264Threads: 'frames' }).optimizeVideo(input, 0.3, { outputPath: out });
    expect(r.warnings).toContainEqual(expect.stringMatching(/^memoryLimitMb: x264 encoded with its threads on slices of one frame/));
    expect(x264Settings(out)).toMatch(/ sliced_threads=1 /);
    expect(r.optimizedSize / r.targetSize).toBeGreaterThanOrEqual(0.95);
    expect(r.optimizedSize / r.targetSize).toBeLessThanOrEqual(1.02);
    expect(r.qualityScore).toBeGreaterThan(0.9);
  });

  it("a processing config's optimization.memory_optimization, which the spec's layer always sends, leaves x264's frame threads", async () => {
    const out = path.join(dir, 'low-memory.mp4');
    const processing = { video: { width: 360, height: 640, fps: 30 }, effects: { text_overlays: [{ text: 'low memory', duration: 1 }] }, optimization: { memory_optimization: true } };
    const r = await new engine.VideoEngine({ x264Threads: 'frames' }).processVideo('', out, processing);
    expect(x264Settings(out)).toMatch(/ sliced_threads=0 /);
    expect(r.metadata.warnings.filter((w) => w.startsWith('memoryLimitMb'))).toEqual([]);
  });
});

describe('measured memory', () => {
  it('a story of big pictures peaks within 1.2x of its estimate (peak RSS of a child process)', () => {
    // Three distinct 4000x4000 pictures (64 MB each decoded): kept at full size they would hold
    // 192 MB; decoded one at a time and kept at the size they are drawn at, one 64 MB decode at a time.
    const pictures = [0, 1, 2].map((i) => {
      const file = path.join(dir, `p${i}.png`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x${(0x203040 + i * 0x302010).toString(16)}:s=4000x4000`, '-frames:v', '1', file]);
      return file;
    });
    const config = {
      videoSettings: { resolution: '360x640', fps: 10 },
      animationSettings: { messageAnimationType: 'none', baseDelay: 0, messageDelay: 0 },
      messages: pictures.map((imageUrl, i) => ({ text: `picture ${i}`, sender: i % 2 ? 'me' : 'them', imageUrl, audioDuration: 0.5 })),
    };
    const child = `
      const fs = require('node:fs');
      const engine = require(${JSON.stringify(path.join(ROOT, 'js', 'index.js'))});
      const kb = (f) => Number(fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp('^' + f + ':\\\\s+(\\\\d+) kB', 'm'))[1]) * 1024;
      (async () => {
        const ve = new engine.VideoEngine({});
        const out = ${JSON.stringify(path.join(dir, 'measured.mp4'))};
        await ve.processVideo('', out, { videoSettings: { resolution: '360x640', duration: 0.3 }, messages: [{ text: 'warm', sender: 'me' }] });
        fs.writeFileSync('/proc/self/clear_refs', '5');
        const before = kb('VmRSS');
        let estimate = 0;
        await ve.processVideo('', out, ${JSON.stringify(config)}, { onProgress: () => {
          estimate = Math.max(estimate, Number(ve.metrics().match(/^reelspeed_engine_native_bytes_in_use (\\S+)$/m)[1]));
        } });
        console.log(JSON.stringify({ estimate, job: kb('VmHWM') - before }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { estimate, job } = JSON.parse(r.stdout.trim().split('\n').pop());
    expect(estimate).toBeGreaterThan(64e6); // the largest decode is counted
    expect(job).toBeLessThanOrEqual(1.2 * estimate);
  });
});
