// The preview page: edit a config, compile it with the engine (POST /api/scene), play it with
// reelspeed-engine/preview (served here as /preview/index.mjs).
import { createPreview, exportVideo } from '/preview/index.mjs';
// No bundler here (and a CSP without inline scripts, so no import map): the muxer by its URL.
import * as mediabunny from '/mediabunny/mediabunny.min.mjs';

const $ = (id) => document.getElementById(id);
const status = (text, error = false) => { $('status').textContent = text; $('status').className = error ? 'error' : ''; };
let examples = [];
let scene = null;
let preview = null;

async function compile() {
  status('compiling…');
  let config;
  try {
    config = JSON.parse($('config').value);
  } catch (e) {
    status(`config is not JSON: ${e.message}`, true);
    return;
  }
  const r = await fetch('/api/scene', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config, example: $('example').value }) });
  const body = await r.json();
  if (!r.ok) {
    status(`${body.code}: ${body.error}`, true);
    return;
  }
  scene = body;
  await show(0);
}

async function show(at) {
  preview?.destroy();
  preview = null;
  // A canvas keeps its first context (2d for exact mode, WebGL for fast): each preview gets a fresh one.
  const fresh = $('canvas').cloneNode();
  $('canvas').replaceWith(fresh);
  $('play').disabled = true;
  $('scrub').disabled = true;
  try {
    status('loading fonts and pictures…');
    preview = await createPreview($('canvas'), scene, { assetBase: '/asset?p=', mode: $('mode').value, canvasKitBase: '/canvaskit/', audio: true });
  } catch (e) {
    status(`${e.code ?? 'error'}: ${e.message}`, true);
    return;
  }
  $('scrub').max = String(Math.floor(scene.durationMs));
  $('scrub').disabled = false;
  $('play').disabled = false;
  $('export').disabled = false;
  $('play').textContent = 'Play';
  preview.on('time', (ms) => {
    $('scrub').value = String(Math.round(ms));
    $('time').textContent = `${(ms / 1000).toFixed(2)} s`;
  });
  preview.on('ended', () => { $('play').textContent = 'Play'; });
  preview.seek(at);
  status(`${scene.width}x${scene.height}, ${(scene.durationMs / 1000).toFixed(1)} s, ${scene.messages.length} messages, ${preview.mode} mode`);
  document.body.dataset.ready = 'true';
}

$('export').addEventListener('click', async () => {
  if (!scene) return;
  $('export').disabled = true;
  $('download').hidden = true;
  try {
    const r = await exportVideo(scene, {
      assetBase: '/asset?p=', canvasKitBase: '/canvaskit/', mediabunny,
      onProgress: (p) => status(`exporting… ${p.percent.toFixed(0)} %`),
    });
    const link = $('download');
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([r.data], { type: r.mimeType }));
    link.download = `reelspeed.${r.container}`;
    link.textContent = `download ${r.container} (${(r.data.length / 1e6).toFixed(1)} MB)`;
    link.hidden = false;
    status(`exported: ${r.videoCodec}${r.audioCodec ? ` + ${r.audioCodec}` : ''} in ${r.container.toUpperCase()}, ${(r.data.length / 1e6).toFixed(1)} MB`);
  } catch (e) {
    status(`${e.code ?? 'error'}: ${e.message}`, true);
  } finally {
    $('export').disabled = false;
  }
});
$('compile').addEventListener('click', () => compile().catch((e) => status(e.message, true)));
$('play').addEventListener('click', () => {
  if (!preview) return;
  if (preview.playing) { preview.pause(); $('play').textContent = 'Play'; } else { preview.play(); $('play').textContent = 'Pause'; }
});
$('scrub').addEventListener('input', () => { preview?.pause(); $('play').textContent = 'Play'; preview?.seek(Number($('scrub').value)); });
$('mode').addEventListener('change', () => { if (scene) show(preview?.currentTime ?? 0).catch((e) => status(e.message, true)); });
$('example').addEventListener('change', () => {
  const e = examples.find((x) => x.name === $('example').value);
  if (e) $('config').value = JSON.stringify(e.config, null, 2);
});

examples = await (await fetch('/api/examples')).json();
for (const e of examples) $('example').append(new Option(e.name, e.name));
$('config').value = JSON.stringify(examples[0].config, null, 2);
await compile();
