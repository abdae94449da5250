'use strict';
// Locates and loads the NativeAOT addon, then checks its native dependencies. One place, one
// actionable error. Order: REELSPEED_ENGINE_BINARY, a local build in the repository
// (build/reelspeed_engine.node, so a developer's build wins), then the platform package that npm
// installed from reelspeed-engine's optionalDependencies (@reelspeed/engine-<os>-<arch>[-<libc>]).
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const ADDON_FILE = 'reelspeed_engine.node';

/** The oldest glibc the Linux packages run on (checked against the binary by scripts/package.js). */
const MIN_GLIBC = '2.34';

/** Platforms with a prebuilt package (.github/workflows/release.yml builds each on its own runner). */
const PREBUILT = ['linux-x64-gnu', 'linux-arm64-gnu', 'darwin-arm64', 'darwin-x64', 'win32-x64'];

/** Versions of the C library on Linux: { family: 'glibc'|'musl', version } (null elsewhere). */
function detectLibc() {
  if (process.platform !== 'linux') return null;
  let header;
  try {
    if (process.report) process.report.excludeNetwork = true;
    header = process.report?.getReport?.().header;
  } catch { /* report unavailable: fall through to musl detection */ }
  if (header?.glibcVersionRuntime) return { family: 'glibc', version: header.glibcVersionRuntime };
  const musl = fs.existsSync('/lib') && fs.readdirSync('/lib').some((f) => f.startsWith('ld-musl-'));
  return { family: musl ? 'musl' : 'unknown', version: null };
}

/** This machine's platform id as the package names spell it: linux-x64-gnu, darwin-arm64, win32-x64. */
function runtimeId(libc = detectLibc()) {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return base;
  return `${base}-${libc?.family === 'musl' ? 'musl' : 'gnu'}`;
}

function platformPackage(id = runtimeId()) {
  return `@reelspeed/engine-${id}`;
}

function versionBelow(found, min) {
  const a = String(found).split('.').map(Number);
  const b = String(min).split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0);
  }
  return false;
}

/** Where the addon may be, in order: [{ file, from }]. */
function candidates() {
  const list = [];
  if (process.env.REELSPEED_ENGINE_BINARY) {
    list.push({ file: path.resolve(process.env.REELSPEED_ENGINE_BINARY), from: 'REELSPEED_ENGINE_BINARY' });
  }
  list.push({ file: path.join(ROOT, 'build', ADDON_FILE), from: 'local build' });
  const pkg = platformPackage();
  try {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }));
    list.push({ file: path.join(dir, ADDON_FILE), from: pkg });
  } catch {
    list.push({ file: null, from: pkg });
  }
  return list;
}

/** Folders of the fonts bundled in @reelspeed/engine-fonts, when it is installed. */
function bundledFontDirectories() {
  try {
    const dir = path.dirname(require.resolve('@reelspeed/engine-fonts/package.json', { paths: [ROOT] }));
    const fonts = path.join(dir, 'fonts');
    return fs.existsSync(fonts) ? [fonts] : [];
  } catch {
    return [];
  }
}

function dependencyError(message, extra = {}) {
  const err = new Error(message);
  err.code = 'ERR_DEPENDENCY';
  Object.assign(err, extra);
  return err;
}

function notFoundError(tried) {
  const libc = detectLibc();
  const id = runtimeId(libc);
  const pkg = platformPackage(id);
  const libcText = libc ? `, ${libc.family}${libc.version ? ` ${libc.version}` : ''}` : '';
  const lines = [
    `ReelSpeed engine: no native addon could be loaded for ${process.platform} ${process.arch}${libcText}.`,
    `Expected the package ${pkg}, an optional dependency of reelspeed-engine that npm installs on this platform.`,
  ];
  if (!PREBUILT.includes(id)) {
    lines.push(`There is no prebuilt package for ${id}; prebuilt: ${PREBUILT.join(', ')}.`);
  } else {
    lines.push('Install it with `npm install --include=optional reelspeed-engine` (optional dependencies are skipped by',
      '--omit=optional, and a package-lock.json made on another OS may lack this platform: delete it and node_modules, then install).',
      'Installing for another machine than this one, e.g. a Linux image built on a Mac: `npm install --os=linux --cpu=x64 --libc=glibc`',
      '(or --cpu=arm64), or run npm install inside the image (examples/docker/Dockerfile).');
  }
  if (process.platform === 'linux') {
    lines.push(`Linux packages need glibc ${MIN_GLIBC} or newer${libc?.version ? ` (found ${libc.version})` : ''}; musl (Alpine) is not supported.`);
    if (libc?.version && versionBelow(libc.version, MIN_GLIBC)) lines.push(`This glibc is too old: use Debian 12, Ubuntu 22.04, RHEL 9 or newer.`);
  }
  lines.push(`Tried: ${tried.join('; ')}`);
  return dependencyError(lines.join('\n'), { platform: process.platform, arch: process.arch, libc: libc?.family ?? null, package: pkg });
}

/** Runs the addon's dependency check (FFmpeg, Skia, HarfBuzz; registers the bundled fonts). */
function checkDependencies(addon, file, options = {}) {
  if (typeof addon.checkDependencies !== 'function') return null; // an older build given by REELSPEED_ENGINE_BINARY
  const request = { fontDirectories: bundledFontDirectories(), addonDirectory: path.dirname(file), ...options };
  const report = JSON.parse(addon.checkDependencies(JSON.stringify(request)));
  if (!report.ok) {
    const libraries = report.errors.map((e) => e.library);
    const details = report.errors.map((e) => `- ${e.message.replaceAll('@reelspeed/engine-<os>-<arch>', platformPackage())}`);
    throw dependencyError(`ReelSpeed engine: missing native dependencies (${libraries.join(', ')}):\n${details.join('\n')}`,
      { libraries, report });
  }
  return report;
}

let loaded = null;

function loadNative() {
  if (loaded) return loaded.addon;
  const tried = [];
  let addon = null;
  let source = null;
  for (const { file, from } of candidates()) {
    if (!file) { tried.push(`${from} (not installed)`); continue; }
    if (!fs.existsSync(file)) { tried.push(`${from}: ${file} (missing)`); continue; }
    try {
      addon = require(file);
      source = { file, from };
      break;
    } catch (e) {
      tried.push(`${from}: ${file} (${e.message})`);
    }
  }
  if (!addon) throw notFoundError(tried);
  checkDependencies(addon, source.file);
  // A program that calls process.exit() while jobs run: before the process ends, its jobs are
  // cancelled and their partial outputs removed (the addon waits for them, bounded). A worker
  // thread that is terminated or exits gets the same from the addon's environment cleanup hook.
  if (typeof addon.cancelJobsForExit === 'function') process.once('exit', () => addon.cancelJobsForExit());
  loaded = { addon, source };
  return addon;
}

/**
 * What the loaded addon found: its file and origin, FFmpeg/Skia versions, and the fonts the
 * engine renders with (loads the font chain).
 */
function dependencyReport() {
  const addon = loadNative();
  return { addon: loaded.source, ...checkDependencies(addon, loaded.source.file, { fonts: true }) };
}

module.exports = {
  loadNative, candidates, dependencyReport, runtimeId, platformPackage, detectLibc, bundledFontDirectories, notFoundError,
  MIN_GLIBC, PREBUILT,
};
