// The install test: what a backend team does with the published packages. The tarballs that
// `npm run package` builds (main, linux-x64-gnu, fonts) are installed into a fresh temporary app
// from local files (npm --prefer-offline: our packages from their tarballs, canvaskit-wasm and its
// dependencies from npm's cache, or the registry when the cache lacks their metadata: a lock-file
// install caches tarballs, not the metadata an install by name asks for), in an environment whose PATH has node and npm
// only (no .NET SDK), then the app renders and probes from CommonJS and ESM, type-checks with
// `tsc --strict` (module nodenext), and runs a jest suite in worker threads. The same steps as
// examples/docker/Dockerfile.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, ROOT, tinyConfig } from './helpers.mjs';

const supported = process.platform === 'linux' && process.arch === 'x64';
const dir = makeTempDir('reelspeed-install-');
const app = path.join(dir, 'app');
const bin = path.join(dir, 'bin');
const dist = path.join(dir, 'dist');
let packages = [];

afterAll(() => removeTempDir(dir));

/** An environment with node and npm and nothing else on PATH: no dotnet, no compiler. */
function appEnv() {
  const env = { HOME: process.env.HOME, PATH: bin, LANG: 'C.UTF-8', npm_config_cache: process.env.npm_config_cache ?? path.join(process.env.HOME ?? dir, '.npm') };
  return env;
}

function run(file, args, options = {}) {
  const r = spawnSync(file, args, { cwd: app, env: appEnv(), encoding: 'utf8', timeout: 120000, ...options });
  if (r.status !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} exited ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function nodeModule(...parts) {
  return path.join(ROOT, 'node_modules', ...parts);
}

const write = (name, text) => fs.writeFileSync(path.join(app, name), text);

beforeAll(() => {
  if (!supported) return;
  fs.mkdirSync(app);
  fs.mkdirSync(bin);
  for (const tool of ['node', 'npm', 'npx']) {
    const real = tool === 'node' ? process.execPath : execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    fs.symlinkSync(fs.realpathSync(real), path.join(bin, tool));
  }
  // What `npm run package` produces, written to a folder of this test.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.js'), '--out', dist], { cwd: ROOT, stdio: 'pipe' });
  packages = JSON.parse(fs.readFileSync(path.join(dist, 'packages.json'), 'utf8'));
  // @types/node (and its one dependency) for the app's devDependencies, packed from local files too.
  for (const mod of [['@types', 'node'], ['undici-types']]) {
    execFileSync('npm', ['pack', nodeModule(...mod), '--pack-destination', dist, '--loglevel=error'], { cwd: dist, stdio: 'pipe' });
  }
  write('package.json', JSON.stringify({ name: 'backend', version: '1.0.0', private: true }, null, 2));
}, 180000);

describe.skipIf(!supported)('installing the packed packages into a fresh app', () => {
  it('packs a main package well under 1 MB with no native code, and a platform package with the addon only', () => {
    const main = packages.find((p) => p.name === 'reelspeed-engine');
    const platform = packages.find((p) => p.name === '@reelspeed/engine-linux-x64-gnu');
    const fonts = packages.find((p) => p.name === '@reelspeed/engine-fonts');
    expect(main.size).toBeLessThan(500_000);
    const list = (p) => execFileSync('tar', ['-tzf', path.join(dist, p.file)], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(list(main).filter((f) => /\.(node|so|dll|dylib|pdb|dbg)$/.test(f) || f.includes('/test/'))).toEqual([]);
    expect(list(platform)).toEqual([
      'package/LICENSE', 'package/libHarfBuzzSharp.so', 'package/libSkiaSharp.so', 'package/package.json', 'package/reelspeed_engine.node',
    ]);
    expect(list(fonts)).toContain('package/fonts/NotoColorEmoji.ttf');
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', path.join(dist, main.file), 'package/package.json'], { encoding: 'utf8' }));
    expect(manifest.os).toBeUndefined();
    expect(manifest.cpu).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
    // canvaskit-wasm: the browser preview (reelspeed-engine/preview) draws with it.
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(['@reelspeed/engine-fonts', 'canvaskit-wasm']);
    expect(list(main)).toEqual(expect.arrayContaining(['package/preview/index.mjs', 'package/preview/node.js', 'package/types/preview.d.ts']));
    expect(manifest.exports['./preview']).toMatchObject({ import: './preview/index.mjs' });
    // reelspeed-engine/cluster's BullMQ and Redis driver: optional peers, installed only by who uses it.
    expect(manifest.peerDependenciesMeta.bullmq.optional).toBe(true);
    expect(manifest.peerDependenciesMeta.ioredis.optional).toBe(true);
    expect(Object.keys(manifest.optionalDependencies)).toContain('@reelspeed/engine-linux-x64-gnu');
  });

  it('installs from the local tarballs with npm alone (no dotnet on PATH)', () => {
    expect(spawnSync('dotnet', ['--version'], { env: appEnv() }).error?.code).toBe('ENOENT');
    const tarballs = fs.readdirSync(dist).filter((f) => f.endsWith('.tgz'));
    const types = tarballs.filter((f) => f.startsWith('types-node') || f.startsWith('undici-types'));
    const ours = tarballs.filter((f) => !types.includes(f));
    run(path.join(bin, 'npm'), ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...ours.map((f) => path.join(dist, f))]);
    run(path.join(bin, 'npm'), ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--save-dev', ...types.map((f) => path.join(dist, f))]);
    expect(fs.existsSync(path.join(app, 'node_modules', '@reelspeed', 'engine-linux-x64-gnu', 'reelspeed_engine.node'))).toBe(true);
  });

  it('renders and probes from CommonJS, with the addon from the platform package and the bundled fonts', () => {
    write('render.cjs', `
const engine = require('reelspeed-engine');
const { dependencyReport } = require('reelspeed-engine/js/native.js');
(async () => {
  const out = require('node:path').join(__dirname, 'cjs.mp4');
  const result = await engine.processVideo('', out, ${JSON.stringify(tinyConfig({ messages: [{ text: 'hi 👋 there', sender: 'me', audioDuration: 0.5 }] }))});
  const meta = await engine.getVideoMetadata(out);
  const png = await engine.renderFrame(${JSON.stringify(tinyConfig())}, 500);
  console.log(JSON.stringify({ fileSize: result.fileSize, duration: meta.duration, png: png.length, report: dependencyReport() }));
})().catch((e) => { console.error(e); process.exit(1); });
`);
    const out = JSON.parse(run(path.join(bin, 'node'), ['render.cjs']).trim().split('\n').pop());
    expect(out.fileSize).toBeGreaterThan(1000);
    expect(out.duration).toBeCloseTo(1, 1);
    expect(out.png).toBeGreaterThan(1000);
    const installed = path.join(app, 'node_modules');
    expect(out.report.addon.file).toBe(path.join(installed, '@reelspeed', 'engine-linux-x64-gnu', 'reelspeed_engine.node'));
    const bundled = path.join(installed, '@reelspeed', 'engine-fonts', 'fonts');
    expect(out.report.fonts.primary).toBe(path.join(bundled, 'NotoSans-Regular.ttf'));
    expect(out.report.fonts.bold).toBe(path.join(bundled, 'NotoSans-Bold.ttf'));
    expect(out.report.fonts.emoji).toBe(path.join(bundled, 'NotoColorEmoji.ttf'));
    // Every face of the chain but the optional CJK collection comes from the package, not the system.
    const fromSystem = out.report.fonts.faces.filter((f) => !f.startsWith(bundled) && !/CJK/.test(f));
    expect(fromSystem).toEqual([]);
  });

  it('renders and probes from ESM (default and named imports)', () => {
    write('render.mjs', `
import engine, { renderFrame, getVideoMetadata, ErrorCodes } from 'reelspeed-engine';
const png = await renderFrame(${JSON.stringify(tinyConfig())}, 200);
const meta = await getVideoMetadata(new URL('./cjs.mp4', import.meta.url).pathname);
let code;
try { await engine.renderFrame({}, -1); } catch (e) { code = e.code; }
// reelspeed-engine/cluster loads; without its optional peers (bullmq, ioredis) a call says what to install.
const { createWorker, renderDistributed } = await import('reelspeed-engine/cluster');
let redis;
try { await createWorker({ connection: 'redis://127.0.0.1:9', sharedDirectory: new URL('./shared', import.meta.url).pathname }); } catch (e) { redis = e.code + ' ' + e.message; }
console.log(JSON.stringify({ png: png.length, streams: meta.streams.length, code, invalid: ErrorCodes.INVALID_ARG, cluster: typeof renderDistributed, redis }));
`);
    const out = JSON.parse(run(path.join(bin, 'node'), ['render.mjs']).trim().split('\n').pop());
    expect(out.png).toBeGreaterThan(1000);
    expect(out.streams).toBeGreaterThanOrEqual(1);
    expect(out.code).toBe(out.invalid);
    expect(out.cluster).toBe('function');
    expect(out.redis).toMatch(/^ERR_DEPENDENCY .*npm install bullmq@6 ioredis@6/);
  });

  it('type-checks with tsc --strict, module nodenext, from CommonJS and ESM TypeScript', () => {
    const source = `
import { processVideo, renderFrame, getVideoMetadata, VideoEngine, type ChatStoryConfig, type ProcessResult } from 'reelspeed-engine';
import { createWorker, renderDistributed, type ClusterWorker, type DistributedResult } from 'reelspeed-engine/cluster';
const config: ChatStoryConfig = { messages: [{ text: 'hi', sender: 'me' }] };
export async function main(): Promise<number> {
  const result: ProcessResult = await processVideo('', 'out.mp4', config, { onProgress: (p) => void p.percent });
  const png: Buffer = await renderFrame(config, 0, { format: 'png' });
  const meta = await getVideoMetadata(result.outputPath);
  const engine = new VideoEngine({ maxConcurrentJobs: 2 });
  const worker: ClusterWorker = await createWorker({ connection: 'redis://127.0.0.1:6379', sharedDirectory: '/shared' });
  const distributed: DistributedResult = await renderDistributed(config, 'out.mp4', { connection: { host: '127.0.0.1', port: 6379 }, sharedDirectory: '/shared', chunkFrames: 150 });
  await worker.close();
  return png.length + meta.duration + engine.metrics().length + distributed.chunks.length;
}
`;
    write('check.ts', source);
    write('check-esm.mts', source);
    write('tsconfig.json', JSON.stringify({
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'], skipLibCheck: false },
      files: ['check.ts', 'check-esm.mts'],
    }, null, 2));
    run(path.join(bin, 'node'), [nodeModule('typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  });

  it('runs a jest suite in worker threads (two test files rendering in parallel workers)', () => {
    for (const name of ['a', 'b']) {
      write(`render-${name}.test.js`, `
const engine = require('reelspeed-engine');
const { isMainThread } = require('node:worker_threads');
test('renders in a jest worker thread', async () => {
  expect(isMainThread).toBe(false);
  const png = await engine.renderFrame(${JSON.stringify(tinyConfig())}, 300);
  expect(png.length).toBeGreaterThan(1000);
});
`);
    }
    write('jest.config.js', 'module.exports = { testEnvironment: "node", transform: {}, workerThreads: true, maxWorkers: 2 };\n');
    const r = spawnSync(path.join(bin, 'node'), [nodeModule('jest', 'bin', 'jest.js'), '--rootDir', app, '--ci', '--maxWorkers=2'],
      { cwd: app, env: appEnv(), encoding: 'utf8', timeout: 120000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Tests:\s+2 passed, 2 total/);
  });
});
