// The public types (types/*.d.ts) held against real results: real outputs of the built addon
// are written into a typed .ts fixture, each as an object literal checked with `satisfies`
// against its type, and `tsc --strict` must accept it. A field the types miss (excess property),
// a field they promise that is not there, or a wrong type fails the test; so does any difference
// between the ErrorCodes the types declare and the ones the engine defines (Engine/Core/EngineException.cs).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, engine, makeTempDir, removeTempDir, tinyConfig } from './helpers.mjs';

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

let dir;
beforeAll(() => {
  dir = makeTempDir('reelspeed-types-');
});
afterAll(() => removeTempDir(dir));

async function rejection(promise) {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e) => e);
}

describe('public types', () => {
  it('type every field of real results, exactly (tsc --strict over a typed fixture)', async () => {
    // Real outputs: a chat story and a processing config rendered, probed, compiled and optimized.
    const clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=s=128x96:r=30:d=1',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1',
      '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
    const chatConfig = tinyConfig({ chatOverlay: { contactName: 'Sam', showHeader: true } });
    const processingConfig = {
      video: { width: 128, height: 96, fps: 30 },
      effects: {
        transitions: { type: 'fade', duration: 200 },
        text_overlays: [{ text: 'Hi', start: 0, duration: 0.3, position: 'top' }],
      },
      clips: [clip, { path: clip, volume: 50 }],
    };
    const progress = [];
    const onProgress = (p) => progress.push(p);
    const chatResult = await engine.processVideo('', path.join(dir, 'chat.mp4'), chatConfig, { onProgress });
    const processResult = await engine.processVideo('', path.join(dir, 'processed.mp4'), processingConfig, { onProgress });
    const optimizeResult = await engine.optimizeVideo(clip, 0.03, { onProgress, qualitySampleEvery: 5 });
    const noQuality = await engine.optimizeVideo(clip, 0.03, { outputPath: path.join(dir, 'nq.mp4'), measureQuality: false });
    const metadata = await engine.getVideoMetadata(chatResult.outputPath);
    const clipMetadata = await engine.getVideoMetadata(clip);
    const chatScene = await engine.compileScene(chatConfig);
    const processingScene = await engine.compileScene(processingConfig);
    const hardware = await engine.getHardwareInfo();
    const invalid = await rejection(engine.processVideo('', path.join(dir, 'x.mp4'), { messages: [{ text: 'x', sender: 7 }] }));
    const aborted = await rejection(engine.processVideo('', path.join(dir, 'y.mp4'), chatConfig, { signal: AbortSignal.abort() }));
    expect(progress.map((p) => p.stage)).toEqual(expect.arrayContaining(['queued', 'encode', 'pass-1', 'done']));

    const literal = (value) => JSON.stringify(value, null, 1);
    const error = (e) => literal({ name: e.name, message: e.message, code: e.code, ...(e.errors ? { errors: e.errors } : {}) });
    const fixture = `import type * as T from ${JSON.stringify(path.join(ROOT, 'types', 'index'))};

export const chatResult = ${literal(chatResult)} satisfies T.ProcessResult;
export const processResult = ${literal(processResult)} satisfies T.ProcessResult;
export const optimizeResult = ${literal(optimizeResult)} satisfies T.OptimizeResult;
export const noQuality = ${literal(noQuality)} satisfies T.OptimizeResult;
export const progress = ${literal(progress)} satisfies T.Progress[];
export const metadata = ${literal(metadata)} satisfies T.VideoMetadata;
export const clipMetadata = ${literal(clipMetadata)} satisfies T.VideoMetadata;
export const chatScene = ${literal(chatScene)} satisfies T.SceneJson;
export const processingScene = ${literal(processingScene)} satisfies T.SceneJson;
export const hardware = ${literal(hardware)} satisfies T.HardwareInfo;
export const version = ${literal(engine.version())} satisfies ReturnType<typeof T.version>;
export const invalid = ${error(invalid)} satisfies Omit<T.EngineError, 'stack'>;
export const aborted = ${error(aborted)} satisfies Omit<T.EngineError, 'stack'>;

// The error codes: exactly those the engine defines, no more, no fewer.
const codes = ${literal(engine.ErrorCodes)} as const;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const sameCodes: Exact<typeof codes, typeof T.ErrorCodes> = true;
`;
    const file = path.join(dir, 'fixture.ts');
    fs.writeFileSync(file, fixture);
    const tsc = spawnSync(process.execPath, [TSC, '--strict', '--noEmit', '--target', 'es2022', '--module', 'commonjs',
      '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--types', 'node', file], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr, 'tsc --strict over the typed fixture').toBe('');
    expect(tsc.status).toBe(0);
  });

  it('a validation failure carries its errors list beside the message', async () => {
    const e = await rejection(engine.renderFrame({
      videoSettings: { duration: 1, resolution: '360x640', fps: 'thirty' },
      messages: [{ text: 'hi', sender: '' }],
    }, 0));
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe(engine.ErrorCodes.INVALID_CONFIG);
    expect(e.errors).toEqual(expect.arrayContaining([
      { path: 'videoSettings.fps', message: expect.stringContaining('thirty') },
      { path: 'messages[0].sender', message: expect.any(String) },
    ]));
    for (const { path: p, message } of e.errors) expect(e.message).toContain(`${p}: ${message}`);
  });

  it('a closed VideoEngine rejects new jobs with ERR_ENGINE_CLOSED', async () => {
    const ve = new engine.VideoEngine({ maxConcurrentJobs: 1 });
    ve.close();
    const e = await rejection(ve.processVideo('', path.join(dir, 'closed.mp4'), tinyConfig()));
    expect(e.code).toBe(engine.ErrorCodes.ENGINE_CLOSED);
    expect(fs.existsSync(path.join(dir, 'closed.mp4'))).toBe(false);
  });
});
