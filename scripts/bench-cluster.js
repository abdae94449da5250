#!/usr/bin/env node
'use strict';
// The distributed-rendering benchmark (issue 15): a 60 s 1080x1920 story (examples/bench-story.json's
// messages twice over) rendered by one process (processVideo), then by 1, 2 and 4 workers
// (`reelspeed worker` child processes, one job each) on a private redis-server, through
// reelspeed-engine/cluster. Each distributed output is checked against the single-process one:
// frame count, every frame's SSIM (ffmpeg's ssim filter), the decoded audio sample by sample.
// Prints a Markdown table, writes out/bench-cluster.json. A measure, not a test: a missed target
// is reported, not an exit code.
//
//   node scripts/bench-cluster.js [--workers 1,2,4] [--seconds 60] [--chunk-frames 150] [--kill]
//   (npm run bench:cluster -- --workers 1,2)
//
// --kill: one more 2-worker run in which one worker is SIGKILLed once the render is under way and
// another started (the stalled chunk is taken over); checked like the others.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const STORY = path.join(ROOT, 'examples', 'bench-story.json');
const JSON_OUT = path.join(ROOT, 'out', 'bench-cluster.json');
const OVERHEAD_TARGET = 0.10; // one worker vs one process
const FAST_STALL = ['--lock-duration', '5000', '--stalled-interval', '2000'];

function args(argv) {
  const o = { workers: [1, 2, 4], seconds: 60, chunkFrames: 150, kill: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--workers') o.workers = argv[++i].split(',').map(Number);
    else if (argv[i] === '--seconds') o.seconds = Number(argv[++i]);
    else if (argv[i] === '--chunk-frames') o.chunkFrames = Number(argv[++i]);
    else if (argv[i] === '--kill') o.kill = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

const log = (m) => process.stderr.write(`bench-cluster: ${m}\n`);

function story(seconds) {
  const config = JSON.parse(fs.readFileSync(STORY, 'utf8'));
  config.videoSettings.duration = seconds;
  config.messages = [...config.messages, ...config.messages];
  return config;
}

function frameSsim(a, b, dir) {
  const stats = path.join(dir, 'ssim.log');
  execFileSync('ffmpeg', ['-v', 'error', '-i', a, '-i', b, '-lavfi', `[0:v][1:v]ssim=stats_file=${stats}`, '-f', 'null', '-']);
  const values = fs.readFileSync(stats, 'utf8').trim().split('\n').map((l) => Number(/All:([0-9.]+)/.exec(l)[1]));
  fs.rmSync(stats);
  return values;
}

function pcm(file) {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a', '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
}

async function main() {
  const o = args(process.argv.slice(2));
  const { startRedis, startWorker } = await import(path.join(ROOT, 'js', 'test', 'cluster-redis.mjs'));
  const engine = require(path.join(ROOT, 'js', 'index.js'));
  const { renderDistributed } = require(path.join(ROOT, 'js', 'cluster', 'index.js'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-bench-cluster-'));
  const shared = path.join(tmp, 'shared');
  const config = story(o.seconds);
  const baseDir = path.dirname(STORY);
  const redis = await startRedis();
  const rows = [];
  try {
    log(`single process, ${o.seconds} s ${config.videoSettings.resolution}`);
    let t = process.hrtime.bigint();
    const single = await engine.processVideo('', path.join(tmp, 'single.mp4'), config, { baseDir });
    const singleMs = Number(process.hrtime.bigint() - t) / 1e6;
    log(`  ${(singleMs / 1000).toFixed(1)} s`);
    rows.push({ setup: 'single process', workers: 0, wallMs: singleMs, frames: single.metadata.frames });
    const singleAudio = pcm(single.outputPath);

    const runs = [...o.workers.map((n) => ({ n, kill: false })), ...(o.kill ? [{ n: 2, kill: true }] : [])];
    for (const { n, kill } of runs) {
      log(`${n} worker${n > 1 ? 's' : ''}${kill ? ' (one killed mid-render)' : ''}: starting`);
      const workers = [];
      for (let i = 0; i < n; i++) workers.push(await startWorker({ url: redis.url, shared, name: `w${i + 1}`, extra: FAST_STALL }));
      let killed;
      const output = path.join(tmp, `distributed-${n}${kill ? '-kill' : ''}.mp4`);
      t = process.hrtime.bigint();
      const result = await renderDistributed(config, output, {
        connection: redis.url, sharedDirectory: shared, chunkFrames: o.chunkFrames, baseDir,
        onProgress: (p) => {
          if (kill && !killed && p.percent > 20) {
            log('  SIGKILL w1');
            killed = workers[0].kill('SIGKILL').then(async () => { workers.push(await startWorker({ url: redis.url, shared, name: 'w-replacement', extra: FAST_STALL })); });
          }
        },
      });
      const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
      await killed;
      await Promise.all(workers.map((w) => w.stop()));
      log(`  ${(wallMs / 1000).toFixed(1)} s; comparing with the single-process render`);
      const ssim = frameSsim(output, single.outputPath, tmp);
      const audioSame = pcm(output).equals(singleAudio);
      rows.push({
        setup: `${n} worker${n > 1 ? 's' : ''}${kill ? ', one killed' : ''}`, workers: n, wallMs, frames: result.metadata.frames,
        chunks: result.chunks.length, stalledChunks: result.chunks.filter((c) => c.stalled > 0).length,
        ssimMin: Math.min(...ssim), ssimMean: ssim.reduce((a, b) => a + b, 0) / ssim.length, ssimFrames: ssim.length,
        audioIdentical: audioSame, chunkWallMs: result.chunks.map((c) => c.wallMs), stitchMs: result.stitch.wallMs, audioMs: result.audioJob.wallMs,
      });
      fs.rmSync(output, { force: true });
    }
  } finally {
    await redis.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const single = rows[0].wallMs;
  const one = rows.find((r) => r.workers === 1 && !r.setup.includes('killed'));
  const overhead = one ? one.wallMs / single - 1 : NaN;
  const lines = [
    `| setup | wall (s) | vs single | chunks | frames | min SSIM vs single | audio identical |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | --- |`,
    ...rows.map((r) => `| ${r.setup} | ${(r.wallMs / 1000).toFixed(1)} | ${(single / r.wallMs).toFixed(2)}x | ${r.chunks ?? '-'} | ${r.frames} | ${r.ssimMin?.toFixed(4) ?? '-'} | ${r.audioIdentical === undefined ? '-' : r.audioIdentical ? 'yes' : 'NO'} |`),
  ];
  process.stdout.write(`\n${o.seconds} s ${story(o.seconds).videoSettings.resolution} story, ${o.chunkFrames}-frame chunks, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n${lines.join('\n')}\n\n`);
  if (one) {
    process.stdout.write(`chunking overhead (1 worker vs 1 process): ${(overhead * 100).toFixed(1)} % (target < ${OVERHEAD_TARGET * 100} %)${overhead < OVERHEAD_TARGET ? '' : ' — MISSED'}\n`);
  }
  fs.mkdirSync(path.dirname(JSON_OUT), { recursive: true });
  fs.writeFileSync(JSON_OUT, `${JSON.stringify({ date: new Date().toISOString(), cores: os.cpus().length, options: o, rows, overhead }, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, JSON_OUT)}`);
}

main().catch((e) => {
  process.stderr.write(`bench-cluster: ${e.stack || e}\n`);
  process.exit(1);
});
