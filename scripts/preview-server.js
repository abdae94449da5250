#!/usr/bin/env node
'use strict';
// npm run preview: serves examples/preview/ on 127.0.0.1 (default port 5180, --port N or
// $PORT; 0 picks a free one): a config editor, the Scene compiled by the engine (POST
// /api/scene calls compileScene, paths resolved against examples/), and the browser preview
// playing it. Only the compiled Scenes' own files are served from the disk.

const fs = require('node:fs');
const path = require('node:path');
const { startServer, sendFile } = require('../preview/server.js');
const engine = require('../js/index.js');

const ROOT = path.resolve(__dirname, '..');
const PAGE_DIR = path.join(ROOT, 'examples', 'preview');
const EXAMPLES = path.join(ROOT, 'examples');
const MAX_BODY = 1024 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) { reject(Object.assign(new Error('request body over 1 MB'), { status: 413 })); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The example configs the page offers: examples/chat-story.json and examples/templates/*.json. */
function exampleList() {
  const list = [{ name: 'chat-story', file: path.join(EXAMPLES, 'chat-story.json') }];
  for (const f of fs.readdirSync(path.join(EXAMPLES, 'templates')).sort()) {
    if (f.endsWith('.json')) list.push({ name: `templates/${f.slice(0, -5)}`, file: path.join(EXAMPLES, 'templates', f) });
  }
  return list;
}

async function main() {
  const argPort = process.argv.indexOf('--port');
  const port = Number(argPort > 0 ? process.argv[argPort + 1] : process.env.PORT ?? 5180);
  let server;
  server = await startServer({
    port,
    routes: async (req, res, url) => {
      const p = url.pathname;
      if (req.method === 'GET' && (p === '/' || p === '/index.html')) { sendFile(res, path.join(PAGE_DIR, 'index.html')); return true; }
      if (req.method === 'GET' && /^\/[a-z0-9-]+\.(mjs|css)$/.test(p)) { sendFile(res, path.join(PAGE_DIR, p.slice(1))); return true; }
      if (req.method === 'GET' && p === '/api/examples') {
        json(res, 200, exampleList().map((e) => ({ name: e.name, config: JSON.parse(fs.readFileSync(e.file, 'utf8')) })));
        return true;
      }
      if (req.method === 'POST' && p === '/api/scene') {
        let config;
        try {
          const body = JSON.parse(await readBody(req));
          config = body.config;
          const baseDir = body.example?.startsWith('templates/') ? path.join(EXAMPLES, 'templates') : EXAMPLES;
          const scene = await engine.compileScene(config, { baseDir });
          server.allow(scene.assets);
          json(res, 200, scene);
        } catch (e) {
          json(res, e.status ?? 400, { error: e.message, code: e.code ?? 'ERR_INVALID_CONFIG' });
        }
        return true;
      }
      return false;
    },
  });
  console.log(`reelspeed preview: ${server.url}/  (Ctrl+C to stop)`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`preview: ${e.message}`);
  process.exit(1);
});
