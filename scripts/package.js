#!/usr/bin/env node
'use strict';
// Builds the publishable npm tarballs into dist/ (npm run package), from the NativeAOT publish:
//   reelspeed-engine                  JavaScript and types only, no native code, no install scripts;
//                                     its optionalDependencies name every platform package (npm/*/),
//                                     its dependencies the fonts package
//   @reelspeed/engine-<platform>      the .node with Skia's and HarfBuzz's libraries, nothing else
//   @reelspeed/engine-fonts           the Noto/DejaVu fonts the engine renders with (from the Debian
//                                     font packages installed by scripts/setup-system.sh)
// Options: --platform <id> (default: this machine, e.g. linux-x64-gnu), --from <dir> (default build/),
// --only main,platform,fonts, --out <dir> (default dist/). The release workflow runs the same script
// on each OS's runner with --only platform, and once on Linux for main and fonts.
//
// The repository's own package.json lists no optionalDependencies: npm would fetch the platform
// packages from the registry while developing here (the local build is used instead); they are
// written into the packed main package.json only.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { runtimeId, MIN_GLIBC } = require('../js/native.js');

const ROOT = path.join(__dirname, '..');
const NPM = path.join(ROOT, 'npm');

/** Fonts bundled in @reelspeed/engine-fonts: every face of FontChain's chain except the CJK collection. */
const FONT_FILES = [
  'NotoSans-Regular.ttf', 'NotoSans-Bold.ttf', 'NotoColorEmoji.ttf',
  'NotoSansArabic-Regular.ttf', 'NotoSansHebrew-Regular.ttf', 'NotoSansDevanagari-Regular.ttf', 'NotoSansThai-Regular.ttf',
  'NotoSansArmenian-Regular.ttf', 'NotoSansGeorgian-Regular.ttf', 'NotoSansBengali-Regular.ttf',
  'NotoSansSymbols-Regular.ttf', 'NotoSansSymbols2-Regular.ttf', 'NotoSansMath-Regular.ttf',
  'DejaVuSans.ttf',
];
const FONT_DIRS = (process.env.REELSPEED_PACKAGE_FONT_DIRS || '/usr/share/fonts/truetype/noto:/usr/share/fonts/truetype/dejavu').split(path.delimiter);
const FONT_LICENSES = {
  'fonts-noto-core.txt': '/usr/share/doc/fonts-noto-core/copyright',
  'fonts-noto-color-emoji.txt': '/usr/share/doc/fonts-noto-color-emoji/copyright',
  'fonts-dejavu-core.txt': '/usr/share/doc/fonts-dejavu-core/copyright',
};

function parseArgs(argv) {
  const args = { platform: null, from: path.join(ROOT, 'build'), only: ['main', 'platform', 'fonts'], out: path.join(ROOT, 'dist') };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--platform': args.platform = value(); break;
      case '--from': args.from = path.resolve(value()); break;
      case '--only': args.only = value().split(','); break;
      case '--out': args.out = path.resolve(value()); break;
      default: throw new Error(`unknown argument ${argv[i]} (use --platform, --from, --only, --out)`);
    }
  }
  args.platform ??= runtimeId();
  return args;
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const writeJson = (file, value) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

/** The platform templates: { id: template } for every folder of npm/ but fonts. */
function platformTemplates() {
  const out = {};
  for (const dir of fs.readdirSync(NPM)) {
    if (dir === 'fonts' || !fs.existsSync(path.join(NPM, dir, 'package.json'))) continue;
    out[dir] = readJson(path.join(NPM, dir, 'package.json'));
  }
  return out;
}

function freshDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function withCommon(pkg, root) {
  const out = { ...pkg, version: root.version };
  if (root.repository) out.repository = { ...(typeof root.repository === 'string' ? { type: 'git', url: root.repository } : root.repository), directory: pkg.repository?.directory };
  if (root.homepage) out.homepage = root.homepage;
  return out;
}

function stageMain(stage, root) {
  // The files `npm pack` would take from the repository (package.json "files"), copied as they are.
  const listing = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8' }));
  for (const { path: file } of listing[0].files) {
    if (file === 'package.json') continue;
    fs.mkdirSync(path.join(stage, path.dirname(file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(stage, file));
  }
  const pkg = { ...root };
  delete pkg.scripts;
  delete pkg.devDependencies;
  delete pkg.os;
  delete pkg.cpu;
  pkg.dependencies = { ...(root.dependencies || {}), '@reelspeed/engine-fonts': root.version };
  pkg.optionalDependencies = Object.fromEntries(Object.values(platformTemplates()).map((t) => [t.name, root.version]).sort());
  const native = listing[0].files.filter((f) => /\.(node|so|dylib|dll|pdb|dbg)$/.test(f.path));
  if (native.length) fail(`the main package must hold no native code, but "files" takes ${native.map((f) => f.path).join(', ')}`);
  writeJson(path.join(stage, 'package.json'), pkg);
}

/** The newest GLIBC_x.y symbol version a Linux binary requires. */
function requiredGlibc(file) {
  const text = fs.readFileSync(file).toString('latin1');
  let max = '0.0';
  for (const m of text.matchAll(/GLIBC_(\d+)\.(\d+)(?:\.\d+)?/g)) {
    const v = `${m[1]}.${m[2]}`;
    const [a, b] = v.split('.').map(Number);
    const [c, d] = max.split('.').map(Number);
    if (a > c || (a === c && b > d)) max = v;
  }
  return max;
}

function stagePlatform(stage, root, id, from) {
  const template = platformTemplates()[id];
  if (!template) fail(`no template npm/${id}/package.json (platforms: ${Object.keys(platformTemplates()).join(', ')})`);
  for (const file of template.files) {
    const src = path.join(from, file);
    if (!fs.existsSync(src)) fail(`${src} is missing: build the addon first (bash scripts/build-addon.sh)`);
    fs.copyFileSync(src, path.join(stage, file));
    if (template.libc) {
      const needs = requiredGlibc(src);
      const [a, b] = needs.split('.').map(Number);
      const [c, d] = MIN_GLIBC.split('.').map(Number);
      if (a > c || (a === c && b > d)) fail(`${file} needs glibc ${needs}, newer than the ${MIN_GLIBC} the loader and README promise: build on an older distribution or raise MIN_GLIBC`);
    }
  }
  fs.writeFileSync(path.join(stage, 'LICENSE'), [
    'ReelSpeed Engine: MIT License (see the reelspeed-engine package).',
    'Bundled native libraries: Skia (BSD-3-Clause, Google) through SkiaSharp (MIT, Microsoft);',
    'HarfBuzz (MIT "Old" license) through HarfBuzzSharp (MIT, Microsoft); the .NET runtime compiled',
    'in with NativeAOT (MIT, .NET Foundation).', '',
  ].join('\n'));
  writeJson(path.join(stage, 'package.json'), withCommon(template, root));
}

function stageFonts(stage, root) {
  const template = readJson(path.join(NPM, 'fonts', 'package.json'));
  fs.mkdirSync(path.join(stage, 'fonts'));
  fs.mkdirSync(path.join(stage, 'LICENSES'));
  for (const file of FONT_FILES) {
    const src = FONT_DIRS.map((d) => path.join(d, file)).find((p) => fs.existsSync(p));
    if (!src) fail(`font ${file} not found in ${FONT_DIRS.join(', ')}: run scripts/setup-system.sh (fonts-noto-core, fonts-noto-color-emoji, fonts-dejavu-core)`);
    fs.copyFileSync(src, path.join(stage, 'fonts', file));
  }
  for (const [name, src] of Object.entries(FONT_LICENSES)) {
    if (!fs.existsSync(src)) fail(`${src} not found (the Debian font package's copyright file)`);
    fs.copyFileSync(src, path.join(stage, 'LICENSES', name));
  }
  writeJson(path.join(stage, 'package.json'), withCommon(template, root));
}

function pack(stage, out) {
  const [info] = JSON.parse(execFileSync('npm', ['pack', stage, '--pack-destination', out, '--json', '--ignore-scripts', '--loglevel=error'], { encoding: 'utf8' }));
  return { name: info.name, version: info.version, file: path.join(out, info.filename), size: info.size, unpackedSize: info.unpackedSize, entryCount: info.entryCount };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const root = readJson(path.join(ROOT, 'package.json'));
  fs.mkdirSync(args.out, { recursive: true });
  const stageRoot = freshDir(path.join(args.out, '.stage'));
  const results = [];
  for (const what of args.only) {
    const stage = freshDir(path.join(stageRoot, what));
    if (what === 'main') stageMain(stage, root);
    else if (what === 'platform') stagePlatform(stage, root, args.platform, args.from);
    else if (what === 'fonts') stageFonts(stage, root);
    else fail(`--only: unknown part ${what} (main, platform, fonts)`);
    results.push(pack(stage, args.out));
  }
  fs.rmSync(stageRoot, { recursive: true, force: true });
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  for (const r of results) console.error(`package: ${path.relative(ROOT, r.file)}  ${mb(r.size)} packed, ${mb(r.unpackedSize)} unpacked, ${r.entryCount} files`);
  const manifest = path.join(args.out, 'packages.json');
  const previous = fs.existsSync(manifest) ? readJson(manifest) : [];
  writeJson(manifest, [...previous.filter((p) => !results.some((r) => r.name === p.name)), ...results.map((r) => ({ ...r, file: path.basename(r.file) }))]);
  const main = results.find((r) => r.name === root.name);
  if (main && main.size > 1e6) fail(`the main package is ${mb(main.size)} packed: it must stay well under 1 MB`);
}

main();
