'use strict';
// A small HTTP server on 127.0.0.1 for the browser preview: the preview module, CanvasKit, the
// files of registered Scenes (and nothing else from the disk), and optional extra routes
// (npm run preview adds its page and a compileScene endpoint).

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const PREVIEW_DIR = __dirname;

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif', '.ttf': 'font/ttf', '.otf': 'font/otf',
  '.ttc': 'font/collection', '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
};

function canvasKitDir() {
  return path.dirname(require.resolve('canvaskit-wasm/bin/canvaskit.js'));
}

/** Sends a file, honouring a single byte range (video elements seek with them). */
/** mediabunny's self-contained ES module (the muxer exportVideo imports as 'mediabunny'). */
function mediabunnyBundle() {
  return path.join(path.dirname(require.resolve('mediabunny')), 'mediabunny.min.mjs'); // dist/bundles/
}

function sendFile(res, file, req) {
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers = {
      'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'accept-ranges': 'bytes',
    };
    const m = /^bytes=(\d*)-(\d*)$/.exec(req?.headers.range ?? '');
    if (m && (m[1] || m[2])) {
      let start = m[1] ? Number(m[1]) : Math.max(0, st.size - Number(m[2]));
      let end = m[1] && m[2] ? Math.min(Number(m[2]), st.size - 1) : st.size - 1;
      if (start > end || start >= st.size) {
        res.writeHead(416, { 'content-range': `bytes */${st.size}` }).end();
        return;
      }
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${st.size}`, 'content-length': end - start + 1 });
      fs.createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': st.size });
    fs.createReadStream(file).pipe(res);
  });
}

/** Serves `name` from `dir` when it names a file directly inside it. */
function serveFrom(res, dir, name) {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    res.writeHead(404).end('not found');
    return;
  }
  sendFile(res, path.join(dir, name));
}

/**
 * Starts the server. Routes: /preview/<file> (this folder's modules), /canvaskit/<file>,
 * /asset?p=<absolute path> (only paths added with allow()), then `routes(req, res, url)` for the rest.
 * Resolves with { url, allow(paths), close() }.
 */
function startServer({ port = 0, routes } = {}) {
  const allowed = new Set();
  const ckDir = canvasKitDir();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname.startsWith('/preview/')) return serveFrom(res, PREVIEW_DIR, url.pathname.slice(9));
    if (req.method === 'GET' && url.pathname.startsWith('/canvaskit/')) return serveFrom(res, ckDir, url.pathname.slice(11));
    if (req.method === 'GET' && url.pathname === '/mediabunny/mediabunny.min.mjs') return sendFile(res, mediabunnyBundle());
    if (req.method === 'GET' && url.pathname === '/asset') {
      const p = url.searchParams.get('p');
      if (!p || !allowed.has(p)) {
        res.writeHead(403).end('not an asset of a registered scene');
        return;
      }
      return sendFile(res, p, req);
    }
    if (routes) {
      Promise.resolve(routes(req, res, url)).then((handled) => {
        if (!handled && !res.headersSent) res.writeHead(404).end('not found');
      }, (err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err?.message ?? err));
      });
      return;
    }
    res.writeHead(404).end('not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({
        url: `http://127.0.0.1:${p}`,
        allow(paths) { for (const a of paths) if (typeof a === 'string' && path.isAbsolute(a)) allowed.add(a); },
        close() { return new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }); },
        server,
      });
    });
  });
}

module.exports = { startServer, sendFile, TYPES };
