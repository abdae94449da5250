// Worker threads: the addon loads in worker_threads, renders, and the workers exit while the
// process carries on (without `-z nodelete` the process died with SIGSEGV when a worker that
// had loaded the addon exited). Run in a child process so a crash shows as its exit signal.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, ROOT, tinyConfig } from './helpers.mjs';

const dir = makeTempDir('reelspeed-workers-');
afterAll(() => removeTempDir(dir));

const script = `
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const engine = require(${JSON.stringify(path.join(ROOT, 'js', 'index.js'))});
const config = ${JSON.stringify(tinyConfig())};
async function work(name) {
  const png = await engine.renderFrame(config, 500);
  const out = path.join(${JSON.stringify(dir)}, name + '.mp4');
  const result = await engine.processVideo('', out, config);
  const meta = await engine.getVideoMetadata(out);
  return { name, pngBytes: png.length, fileSize: result.fileSize, duration: meta.duration };
}
function runWorker(name) {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: name });
    let result;
    w.on('message', (m) => { result = m; });
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve(result) : reject(new Error(name + ' exited with ' + code))));
  });
}
if (isMainThread) {
  (async () => {
    const results = await Promise.all([runWorker('w1'), runWorker('w2')]);
    // Both workers have exited (and node unloaded the addon from them): the process carries on.
    await new Promise((r) => setTimeout(r, 200));
    results.push(await work('main'));
    results.push(await runWorker('w3'));
    console.log(JSON.stringify(results));
  })().catch((e) => { console.error(e); process.exit(1); });
} else {
  work(workerData).then((r) => parentPort.postMessage(r));
}
`;

describe('worker threads', () => {
  it('two workers load the addon, render and exit; the process carries on and loads it again', () => {
    const file = path.join(dir, 'workers.cjs');
    fs.writeFileSync(file, script);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 110000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout.trim().split('\n').pop());
    expect(results.map((r) => r.name)).toEqual(['w1', 'w2', 'main', 'w3']);
    for (const r of results) {
      expect(r.pngBytes).toBeGreaterThan(1000);
      expect(r.fileSize).toBeGreaterThan(1000);
      expect(r.duration).toBeCloseTo(1, 1);
    }
  });
});
