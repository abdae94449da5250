// The platform's §5.2 integration layer on the engine (issue 11): the spec's own class, compiled
// by tsc --strict with only its import lines changed, runs against the built engine; and the
// drop-in ReelSpeedIntegration renders a stored chat config through the full chat-story path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, engine, makeTempDir, removeTempDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
let dir;

/** A chat config as the platform stores it (§6.1 names), with the values §5.2 reads. */
const stored = () => ({
  videoSettings: { resolution: '1080x1920', fps: 30, quality: 'medium' },
  template: 'imessage',
  backgroundSettings: { backgroundType: 'gradient', backgroundOpacity: 100 },
  animationSettings: { messageAnimationType: 'slide', transitionDuration: 500, showMessageAnimations: true },
  voiceAudioSettings: { enableAudio: true, masterVolume: 80 },
  chatOverlay: { contactName: 'Sam' },
  messages: [
    { text: 'are you awake??', sender: 'them', audioDuration: 1.2 },
    { text: "barely. what's up", sender: 'me', audioDuration: 1.0 },
  ],
});

beforeAll(() => {
  dir = makeTempDir();
});

afterAll(() => {
  removeTempDir(dir);
});

describe('the spec\'s engine options', () => {
  it('accepts §5.2\'s options as written and creates the temp folder; initialize() reports what it loaded', async () => {
    const temp = path.join(dir, 'rust-video-processing');
    const ve = new engine.VideoEngine({ enableHardwareAcceleration: true, maxConcurrentJobs: 4, memoryLimit: 2048, tempDirectory: temp });
    expect(fs.statSync(temp).isDirectory()).toBe(true);
    const info = await ve.initialize();
    expect(info.ffmpeg).toMatch(/^5\./);
    expect(fs.existsSync(info.fonts.primary)).toBe(true);
    expect(info.hardware.policy).toBe('required');
    expect(() => new engine.VideoEngine({ memoryLimits: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(() => new engine.VideoEngine({ tempDirectory: path.join(dir, 'file', 'sub') }))
      .toThrow(expect.objectContaining({ code: 'ERR_OUTPUT', message: expect.stringContaining('options.tempDirectory') }));
  });
});

describe('§5.2 unchanged but for its import line', () => {
  let compiled;
  const outputs = [];

  beforeAll(() => {
    // Compiled inside the repository, so 'reelspeed-engine/integration' resolves to this package.
    fs.mkdirSync(path.join(ROOT, 'out'), { recursive: true });
    const out = fs.mkdtempSync(path.join(ROOT, 'out', 'spec-layer-'));
    fs.writeFileSync(path.join(out, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'],
        outDir: path.join(out, 'dist'), rootDir: path.join(ROOT, 'js', 'test', 'fixtures'), noEmitOnError: true,
      },
      files: [path.join(ROOT, 'js', 'test', 'fixtures', 'spec-rust-engine.ts')],
    }));
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', out], { stdio: 'pipe' });
    compiled = path.join(out, 'dist', 'spec-rust-engine.js');
  }, 120000);

  afterAll(() => {
    fs.rmSync(path.dirname(path.dirname(compiled)), { recursive: true, force: true });
    for (const f of outputs) fs.rmSync(f, { force: true });
  });

  it('renders a stored ReelSpeed config through convertToRustConfig, and optimizes', async () => {
    const { RustVideoEngineIntegration } = require(compiled);
    const layer = new RustVideoEngineIntegration();
    await expect(layer.enhanceVideoProcessing({ type: 'chat', settings: {}, input: { config: stored() } })).rejects.toThrow('not initialized');
    await layer.initialize();
    const result = await layer.enhanceVideoProcessing({ type: 'chat', settings: { width: 360, height: 640, fps: 30 }, input: { config: stored() } });
    outputs.push(result.outputPath);
    expect(result.success).toBe(true);
    expect(result.outputPath).toMatch(/rust-processed\/chat_\d+_\w+\.mp4$/);
    expect(result.sizeInBytes).toBe(fs.statSync(result.outputPath).size);
    // Two overlays, one after the other, for their audioDuration (1.2 s + 1.0 s).
    expect(result.durationInSeconds).toBeCloseTo(2.2, 1);
    const meta = await engine.getVideoMetadata(result.outputPath);
    const video = meta.streams.find((s) => s.type === 'video');
    expect([video.width, video.height]).toEqual([360, 640]);
    expect(result.metadata.width).toBe(360);

    const optimized = await layer.optimizeExistingVideo(result.outputPath, { targetSizeMB: 0.1 });
    expect(optimized.success).toBe(true);
    expect(optimized.originalSize).toBe(result.sizeInBytes);
    expect(optimized.qualityScore).toBeGreaterThan(0.5);
    expect(optimized.qualityScore).toBeLessThanOrEqual(1);
    outputs.push(result.outputPath.replace(/\.mp4$/, '.optimized.mp4'));
  }, 120000);
});

describe('ReelSpeedIntegration (reelspeed-engine/integration)', () => {
  it('renders the chat config itself, with request.settings and inputPath, from CJS and ESM', async () => {
    const cjs = require('reelspeed-engine/integration');
    const esm = await import('reelspeed-engine/integration');
    expect(typeof esm.ReelSpeedIntegration).toBe('function');
    expect(typeof esm.RustVideoEngine).toBe('function');
    const integration = new cjs.ReelSpeedIntegration({ tempDirectory: path.join(dir, 'jobs'), enableHardwareAcceleration: false });
    await integration.initialize();
    const clip = path.join(dir, 'bg.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=blue:s=180x320:r=30:d=1', '-pix_fmt', 'yuv420p', clip]);
    const config = stored();
    config.videoSettings.brainrotMode = true;
    const r = await integration.enhanceVideoProcessing({ type: 'story', inputPath: clip, settings: { width: 360, height: 640 }, input: { config } });
    expect(r.success).toBe(true);
    expect(r.outputPath.startsWith(path.join(dir, 'jobs', 'rust-processed'))).toBe(true);
    expect(r.metadata.template).toBe('imessage'); // the chat-story path, not text overlays
    expect(r.metadata.timeline).toHaveLength(2);
    expect([r.metadata.width, r.metadata.height]).toEqual([360, 640]);
    expect(r.renderTimeMs).toBeGreaterThan(0);
    expect(r.durationInSeconds).toBeGreaterThan(2);
    const opt = await integration.optimizeExistingVideo(r.outputPath, { targetSizeMB: 0.1 });
    expect(opt).toMatchObject({ success: true, originalSize: r.sizeInBytes });
    expect(opt.compressionRatio).toBeGreaterThan(0);
  }, 120000);
});
