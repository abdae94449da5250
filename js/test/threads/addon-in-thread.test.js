// Runs in the vitest project "threads" (pool: 'threads'): this file executes inside a
// worker_thread that vitest terminates afterwards, as jest --workerThreads and piscina do.
import { describe, expect, it } from 'vitest';
import { isMainThread } from 'node:worker_threads';
import { engine, tinyConfig } from '../helpers.mjs';

describe('the addon in a vitest worker thread', () => {
  it('runs in a worker thread', () => {
    expect(isMainThread).toBe(false);
  });

  it('renders a frame and compiles a scene', async () => {
    const png = await engine.renderFrame(tinyConfig(), 500);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const scene = await engine.compileScene(tinyConfig());
    expect(scene).toBeTypeOf('object');
  });

  it('reports its dependencies', () => {
    expect(engine.version().ffmpeg).toMatch(/^\d/);
  });
});
