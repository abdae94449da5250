// Job control: AbortSignal, VideoEngine queueing and limits, Prometheus metrics.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, makeTempDir, partFiles, removeTempDir, tinyConfig } from './helpers.mjs';

let dir;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeTempDir(dir));

const longConfig = () => tinyConfig({ videoSettings: { duration: 30, resolution: '720x1280', fps: 30 } });

/** Parses Prometheus text exposition into { name: value }, failing on malformed lines. */
function parseMetrics(text) {
  const values = {};
  const types = {};
  for (const line of text.split('\n')) {
    if (!line) continue;
    let m = line.match(/^# HELP (reelspeed_engine_[a-z_]+) \S/);
    if (m) continue;
    m = line.match(/^# TYPE (reelspeed_engine_[a-z_]+) (counter|gauge)$/);
    if (m) { types[m[1]] = m[2]; continue; }
    m = line.match(/^(reelspeed_engine_[a-z_]+) (-?[0-9.eE+]+)$/);
    expect(m, `invalid exposition line: ${line}`).not.toBeNull();
    expect(types[m[1]], `${m[1]} has no TYPE`).toBeDefined();
    values[m[1]] = Number(m[2]);
  }
  return values;
}

describe('AbortSignal', () => {
  it('aborting stops the render promptly, removes the partial output and rejects with AbortError', async () => {
    const out = path.join(dir, 'aborted.mp4');
    const ac = new AbortController();
    let abortedAt = 0;
    const started = Date.now();
    const error = await engine.processVideo('', out, longConfig(), {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.frame > 20 && !ac.signal.aborted) {
          abortedAt = Date.now();
          ac.abort();
        }
      },
    }).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AbortError');
    expect(error.code).toBe('ERR_ABORTED');
    expect(Date.now() - abortedAt).toBeLessThan(2000); // generous: CI machines are noisy; typically < 50 ms
    expect(Date.now() - started).toBeLessThan(20000);
    expect(fs.existsSync(out)).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it('an already aborted signal rejects at once without starting', async () => {
    const out = path.join(dir, 'never.mp4');
    await expect(engine.processVideo('', out, tinyConfig(), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError', code: 'ERR_ABORTED' });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('rejects a signal that is not an AbortSignal', async () => {
    await expect(engine.processVideo('', path.join(dir, 'x.mp4'), tinyConfig(), { signal: {} })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('VideoEngine', () => {
  it('queues jobs beyond maxConcurrentJobs and completes every one', async () => {
    const ve = new engine.VideoEngine({ maxConcurrentJobs: 1 });
    const stages = [[], [], []];
    const jobs = [0, 1, 2].map((i) => ve.processVideo('', path.join(dir, `q${i}.mp4`), tinyConfig(), {
      onProgress: (p) => stages[i].push(p.stage),
    }));
    await new Promise((r) => setTimeout(r, 50));
    const during = parseMetrics(ve.metrics());
    expect(during.reelspeed_engine_jobs_running).toBeLessThanOrEqual(1);
    const results = await Promise.all(jobs);
    expect(results.every((r) => r.success)).toBe(true);
    for (const s of stages) expect(s[0]).toBe('queued');
    const after = parseMetrics(ve.metrics());
    expect(after.reelspeed_engine_jobs_started_total).toBe(3);
    expect(after.reelspeed_engine_jobs_succeeded_total).toBe(3);
    expect(after.reelspeed_engine_frames_rendered_total).toBe(90);
    expect(after.reelspeed_engine_queue_depth).toBe(0);
    expect(after.reelspeed_engine_max_concurrent_jobs).toBe(1);
  });

  it('fails a job that could never fit the memory limit with ERR_RESOURCE_LIMIT, and the process lives on', async () => {
    const ve = new engine.VideoEngine({ memoryLimitMb: 64 });
    await expect(ve.processVideo('', path.join(dir, 'big.mp4'), tinyConfig({ videoSettings: { duration: 1, resolution: '2160x3840' } })))
      .rejects.toMatchObject({ code: 'ERR_RESOURCE_LIMIT', message: expect.stringContaining('memoryLimitMb') });
    const m = parseMetrics(ve.metrics());
    expect(m.reelspeed_engine_jobs_failed_total).toBe(1);
    expect(m.reelspeed_engine_memory_limit_bytes).toBe(64e6);
    const small = await ve.processVideo('', path.join(dir, 'small.mp4'), tinyConfig());
    expect(small.success).toBe(true);
  });

  it('validates its options', () => {
    expect(() => new engine.VideoEngine({ maxConcurrentJobs: 0 })).toThrow(expect.objectContaining({ message: expect.stringContaining('maxConcurrentJobs') }));
    expect(() => new engine.VideoEngine({ enableHardwareAcceleration: 'yes' })).toThrow(/enableHardwareAcceleration: expected true, false or "auto"/);
    expect(() => new engine.VideoEngine({ speed: 'max' })).toThrow(/options.speed/);
  });

  it('module-level metrics() is valid Prometheus text', () => {
    const m = parseMetrics(engine.metrics());
    expect(m.reelspeed_engine_jobs_started_total).toBeGreaterThan(0);
  });
});
