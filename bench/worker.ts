// Cold start (process start to first answered request) and CPU time per answered request, for the
// Worker in workerd (wrangler dev) and for the Node server, on the same Postgres.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startWorker } from '../test/helpers/workerd.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const TICK_MS = 1000 / 100; // USER_HZ

/** utime + stime of a process, in ms (Linux /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function ask(base: string, i: number) {
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      userId: `cpu-${i % 20}`,
      text: i % 2 ? '高研班每年办多少期？' : 'How many digital engineers a year?',
    }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  await res.json();
}

async function measure(base: string, pid: number, n = 300) {
  for (let i = 0; i < 20; i++) await ask(base, i); // warm
  const before = cpuMs(pid);
  const t = performance.now();
  for (let i = 0; i < n; i++) await ask(base, i);
  return { cpu: (cpuMs(pid) - before) / n, wall: (performance.now() - t) / n };
}

async function nodeServer(databaseUrl: string) {
  const port = 39_000 + Math.floor(Math.random() * 1000);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      await ask(base, 0);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    base,
    pid: child.pid as number,
    coldStartMs: performance.now() - started,
    stop: () => child.kill('SIGTERM'),
  };
}

export async function workerBench(databaseUrl: string | undefined) {
  if (!databaseUrl) {
    console.log('Worker vs Node: skipped (set BENCH_DATABASE_URL to a migrated Postgres database)');
    return;
  }
  const node = await nodeServer(databaseUrl);
  const nodeRun = await measure(node.base, node.pid);
  node.stop();

  const started = performance.now();
  const worker = await startWorker({ DATABASE_URL: databaseUrl });
  await ask(worker.url, 0);
  const workerCold = performance.now() - started;
  const workerd = Number(execFileSync('pgrep', ['-n', 'workerd']).toString().trim());
  const workerRun = await measure(worker.url, workerd);
  await worker.stop();

  const row = (name: string, cold: number, r: { cpu: number; wall: number }) =>
    console.log(
      `${name.padEnd(28)} cold start ${cold.toFixed(0).padStart(5)} ms   CPU ${r.cpu.toFixed(2)} ms/request   wall ${r.wall.toFixed(2)} ms/request`,
    );
  row('Node server (tsx)', node.coldStartMs, nodeRun);
  row('Worker in workerd (wrangler dev)', workerCold, workerRun);
  console.log(
    `ratio Worker : Node  cold start ${(workerCold / node.coldStartMs).toFixed(2)}  CPU per request ${(workerRun.cpu / nodeRun.cpu).toFixed(2)}`,
  );
}
