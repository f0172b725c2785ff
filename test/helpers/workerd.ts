// Runs src/worker.ts in workerd itself (wrangler's local runtime, from the npm package, offline).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './server.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wrangler = fileURLToPath(new URL('../../node_modules/.bin/wrangler', import.meta.url));
export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: 'true',
};

export async function startWorker(vars: Record<string, string>, timeoutMs = 90_000, healthy = 200) {
  const port = await freePort();
  const args = [
    'dev',
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--log-level',
    'warn',
    '--show-interactive-dev-session=false',
  ];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const started = performance.now();
  const child: ChildProcess = spawn(wrangler, args, { cwd: root, env: wranglerEnv, detached: true });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        resolve();
      }
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === healthy)
        return {
          url,
          stop,
          output: () => output,
          coldStartMs: performance.now() - started,
          pid: child.pid as number,
        };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`wrangler dev did not become healthy:\n${output}`);
}
