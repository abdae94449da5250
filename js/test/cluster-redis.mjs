// Shared by the cluster tests and scripts/bench-cluster.js (not a test file itself): a private
// redis-server on a free loopback port with no persistence, and worker processes (the CLI's
// `reelspeed worker`) started as real child processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli.js');

/** A port nothing listens on now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => { text += d; if (text.includes('\r\n')) { socket.destroy(); resolve(text.startsWith('+PONG')); } });
    socket.on('error', () => resolve(false));
    socket.on('connect', () => socket.write('PING\r\n'));
  });
}

/** Starts redis-server (the Debian package) on a free loopback port; `stop()` ends it and removes its folder. */
export async function startRedis() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 100 && !(await ping(port)); i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `reelspeed worker` as a child process; resolves once it listens. `kill(signal)` sends a
 * signal; `stop()` ends it gracefully (SIGTERM) and waits for it to exit.
 */
export async function startWorker({ url, shared, name, extra = [] }) {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', url, '--shared', shared, '--name', name, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      log += d;
      if (log.includes('listening on queue')) resolve();
    });
    exited.then(({ code, signal }) => reject(new Error(`worker ${name} exited (${code ?? signal}) before listening:\n${log}`)));
  });
  return {
    name,
    child,
    exited,
    log: () => log,
    kill(signal = 'SIGKILL') { child.kill(signal); return exited; },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
