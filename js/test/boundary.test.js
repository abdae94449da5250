// The Node boundary: VideoEngine is the addon's class (released with its JS object, close()),
// AbortSignals are passed natively and leave no listener behind, ErrorCodes come from the engine.
import path from 'node:path';
import { getEventListeners } from 'node:events';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, engine, makeTempDir, removeTempDir, tinyConfig } from './helpers.mjs';

let dir;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeTempDir(dir));

describe('Node boundary', () => {
  it('ErrorCodes is the engine\'s list, frozen', () => {
    expect(Object.isFrozen(engine.ErrorCodes)).toBe(true);
    expect(engine.ErrorCodes.INVALID_ARG).toBe('ERR_INVALID_ARG_TYPE');
    expect(engine.ErrorCodes.ENGINE_CLOSED).toBe('ERR_ENGINE_CLOSED');
  });

  it('one AbortSignal shared by many jobs keeps no listener once they ended', async () => {
    const ac = new AbortController();
    const config = tinyConfig({ videoSettings: { duration: 0.2, resolution: '64x112', fps: 10 } });
    for (let i = 0; i < 3; i++) {
      const r = await engine.processVideo('', path.join(dir, `shared-${i}.mp4`), config, { signal: ac.signal });
      expect(r.success).toBe(true);
    }
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('a VideoEngine is a class whose instances are collected like any JS object', () => {
    const ve = new engine.VideoEngine({ maxConcurrentJobs: 2 });
    expect(ve).toBeInstanceOf(engine.VideoEngine);
    expect(ve.options).toEqual({ maxConcurrentJobs: 2 });
    expect(Object.isFrozen(ve.options)).toBe(true);
    // In a child with --expose-gc: engines dropped by JS are finalized (nothing else holds them).
    const script = `
      const { VideoEngine } = require(${JSON.stringify(path.join(ROOT, 'js', 'index.js'))});
      let collected = 0;
      const registry = new FinalizationRegistry(() => { collected++; });
      for (let i = 0; i < 50; i++) registry.register(new VideoEngine({ maxConcurrentJobs: 1 }), i);
      (async () => {
        for (let i = 0; i < 20 && collected < 50; i++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
        console.log(collected);
      })();`;
    const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(Number(child.stdout.trim())).toBe(50);
  });

  it('close() refuses new jobs but lets a running one finish', async () => {
    const ve = new engine.VideoEngine({ maxConcurrentJobs: 1 });
    const running = ve.processVideo('', path.join(dir, 'running.mp4'), tinyConfig());
    ve.close();
    await expect(ve.processVideo('', path.join(dir, 'late.mp4'), tinyConfig())).rejects.toMatchObject({ code: 'ERR_ENGINE_CLOSED' });
    expect((await running).success).toBe(true);
    expect(() => ve.close()).not.toThrow();
  });
});
