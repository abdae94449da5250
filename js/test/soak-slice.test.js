// A seeded slice of the soak and storm (npm run soak, scripts/soak.js; issue #13 item 7): renders,
// renderFrames and probes in one process; two rounds of 20 concurrent jobs with random aborts on a
// VideoEngine limited to 3; worker threads that render and exit or are terminated mid-render.
// Every job settles, nothing is left in the output or temp folders, the metrics add up. (The RSS
// bound needs the full run's warm-up: the slice reports RSS, `npm run soak` checks it.)
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { runSoak, formatReport } = require(path.join(ROOT, 'scripts', 'soak.js'));

describe('soak slice (seeded)', () => {
  it('renders, frames, probes, a storm with random aborts and worker threads: all settle, nothing left, metrics add up', async () => {
    const r = await runSoak({ seed: 1303, renders: 30, frames: 60, probes: 60, rounds: 2, jobs: 20, workers: 4 });
    console.log(formatReport(r));
    expect(r.problems).toEqual([]);
    expect(r.soak).toMatchObject({ renders: 30, frames: 60, probes: 60 });
    expect(r.storm.succeeded + r.storm.aborted + r.storm.failed).toBe(40);
    expect(r.storm.failed).toBe(0);
    expect(r.storm.metrics.jobs_started_total).toBe(40);
    expect(r.workers.completed + r.workers.terminated).toBe(4);
    expect(r.metrics.jobs_running).toBe(0);
  });
});
