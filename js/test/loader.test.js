// The loader (js/native.js): which addon it picks, and the one explanatory error when none loads
// or a native dependency is missing. Each case runs in a child process (the addon is loaded once
// per process).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, ROOT } from './helpers.mjs';

const dir = makeTempDir('reelspeed-loader-');
afterAll(() => removeTempDir(dir));

/** A copy of the package's JavaScript without the build folder, as an installed package has it. */
function packageCopy(name) {
  const pkg = path.join(dir, name);
  fs.mkdirSync(path.join(pkg, 'js'), { recursive: true });
  for (const f of ['index.js', 'native.js']) fs.copyFileSync(path.join(ROOT, 'js', f), path.join(pkg, 'js', f));
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'reelspeed-engine', main: 'js/index.js' }));
  return pkg;
}

function load(pkg, env = {}) {
  const r = spawnSync(process.execPath, ['-e', `
try { require(${JSON.stringify(path.join(pkg, 'js', 'index.js'))}); console.log(JSON.stringify({ ok: true })); }
catch (e) { console.log(JSON.stringify({ ok: false, code: e.code, message: e.message, package: e.package, libraries: e.libraries })); }`],
  { encoding: 'utf8', env: { ...process.env, REELSPEED_ENGINE_BINARY: '', ...env }, timeout: 60000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

describe('the addon loader', () => {
  it('prefers the local build in the repository over an installed platform package', async () => {
    const { candidates } = await import('../native.js');
    const list = candidates().filter((c) => c.from !== 'REELSPEED_ENGINE_BINARY');
    expect(list[0]).toEqual({ file: path.join(ROOT, 'build', 'reelspeed_engine.node'), from: 'local build' });
    expect(list[1].from).toMatch(/^@reelspeed\/engine-/);
  });

  it('explains, in one ERR_DEPENDENCY error, what it detected and how to install the platform package', () => {
    const out = load(packageCopy('no-addon'));
    expect(out.ok).toBe(false);
    expect(out.code).toBe('ERR_DEPENDENCY');
    expect(out.message).toContain(`${process.platform} ${process.arch}`);
    if (linuxX64) {
      expect(out.package).toBe('@reelspeed/engine-linux-x64-gnu');
      expect(out.message).toMatch(/glibc \d+\.\d+/);
      expect(out.message).toContain('glibc 2.34 or newer');
    }
    expect(out.message).toContain(out.package);
    expect(out.message).toContain('npm install --include=optional reelspeed-engine');
    expect(out.message).toContain('--os=linux --cpu=x64');
    expect(out.message).toMatch(/Tried: .*local build.*missing/);
  });

  it.skipIf(!linuxX64)('reports a missing Skia library at load, naming it, not at the first render', () => {
    // The addon without its neighbours: libSkiaSharp.so and libHarfBuzzSharp.so cannot be found.
    const lonely = path.join(dir, 'lonely');
    fs.mkdirSync(lonely);
    fs.copyFileSync(path.join(ROOT, 'build', 'reelspeed_engine.node'), path.join(lonely, 'reelspeed_engine.node'));
    const out = load(packageCopy('no-skia'), { REELSPEED_ENGINE_BINARY: path.join(lonely, 'reelspeed_engine.node') });
    expect(out.ok).toBe(false);
    expect(out.code).toBe('ERR_DEPENDENCY');
    expect(out.libraries).toContain('libSkiaSharp');
    expect(out.message).toMatch(/libSkiaSharp failed to load/);
    expect(out.message).toContain('npm install --include=optional');
  });

  it('turns a failed FFmpeg check into ERR_DEPENDENCY with the install command', () => {
    // A stand-in addon whose check reports what the native one reports without FFmpeg.
    const fake = path.join(dir, 'fake-addon.js');
    fs.writeFileSync(fake, `module.exports = { checkDependencies: () => JSON.stringify({ ok: false, errors: [
      { library: 'ffmpeg', code: 'ERR_DEPENDENCY', message: 'cannot load libavcodec.so.59: not found; install FFmpeg 5.1: Debian 12: apt-get install libavcodec59' }] }) };`);
    const out = load(packageCopy('no-ffmpeg'), { REELSPEED_ENGINE_BINARY: fake });
    expect(out.code).toBe('ERR_DEPENDENCY');
    expect(out.libraries).toEqual(['ffmpeg']);
    expect(out.message).toContain('apt-get install libavcodec59');
  });

  it('reports the fonts it renders with and the FFmpeg and Skia it loaded', async () => {
    const { dependencyReport } = await import('../native.js');
    const report = dependencyReport();
    expect(report.ok).toBe(true);
    expect(report.ffmpeg).toMatch(/^\d|^n?\d/);
    expect(report.skia).toMatch(/^\d/);
    expect(report.fonts.primary).toMatch(/NotoSans-Regular\.ttf$/);
    expect(report.fonts.emoji).toMatch(/NotoColorEmoji\.ttf$/);
  });
});
