// Running it as an operator would, over real processes: one channel's failure never stops the
// HTTP server (an unreachable Bot API, a webhook left set, a 409), and start-up problems get one
// clear line (a busy port, a second server on the same data directory).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './helpers/fake-telegram.ts';
import { freePort, root, type Started, startServer, TEST_PSEUDONYM_KEY } from './helpers/server.ts';
import { until } from './helpers/until.ts';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kup-ops-'));
  dirs.push(d);
  return join(d, 'data');
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const health = async (s: Started) =>
  (await (await fetch(`${s.url}/healthz`)).json()) as { ok: boolean; channels: Record<string, string> };
const ask = async (s: Started) => {
  const res = await fetch(`${s.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'ops', text: '高研班每年办多少期？' }),
  });
  return { status: res.status, text: JSON.stringify(await res.json()) };
};
const stop = async (s: Started) => {
  s.child.kill('SIGTERM');
  await s.exited;
};
/** Runs the server to its end (it is expected to refuse to start). */
const refused = (env: Record<string, string>) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
      cwd: root,
      env: { ...process.env, HOST: '127.0.0.1', PSEUDONYM_KEY: TEST_PSEUDONYM_KEY, ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });

describe('Telegram cannot take the web chat down', () => {
  let telegram: FakeTelegram;
  afterAll(() => telegram?.close());

  it('serves /api/chat and /healthz at once with the Bot API unreachable, and says so in one line', async () => {
    // A Bot API that takes connections and never answers, as from behind a firewall that drops them.
    const held: net.Socket[] = [];
    const blackHole = net.createServer((socket) => void held.push(socket));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const apiRoot = `http://127.0.0.1:${(blackHole.address() as net.AddressInfo).port}`;
    const server = await startServer(
      {
        TELEGRAM_BOT_TOKEN: '777:UNREACHABLE',
        TELEGRAM_POLLING: '1',
        TELEGRAM_API_ROOT: apiRoot,
        DATA_DIR: dataDir(),
      },
      30_000,
    );
    try {
      // Healthy and answering before the Bot API's 10 s timeout has run out (its line comes then):
      // the server never waited for Telegram, however long a loaded machine takes to start it.
      expect((await ask(server)).text).toContain('300期');
      expect(server.output()).not.toMatch(/Bot API unreachable/);
      const line = await until(
        'the line about Telegram',
        () => server.output().match(/^telegram: Bot API unreachable at .*retrying in 30 s$/m)?.[0],
        15_000,
      );
      expect(line).toContain(apiRoot);
      expect((await health(server)).channels.telegram).toBe('unreachable');
      expect(server.output()).not.toMatch(/^\s+at /m);
      expect((await ask(server)).status).toBe(200);
    } finally {
      await stop(server);
      for (const s of held) s.destroy();
      blackHole.close();
    }
  }, 40_000);

  it('deletes a webhook left set to poll, and a 409 from getUpdates ends nothing', async () => {
    telegram = await startFakeTelegram('778:CONFLICT');
    telegram.setWebhook('https://old.example/telegram/webhook');
    const server = await startServer({
      TELEGRAM_BOT_TOKEN: '778:CONFLICT',
      TELEGRAM_POLLING: '1',
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATA_DIR: dataDir(),
    });
    try {
      await until('polling', async () =>
        (await health(server)).channels.telegram === 'polling' ? true : undefined,
      );
      expect(server.output()).toMatch(
        /^telegram: a webhook is set \(https:\/\/old\.example\/telegram\/webhook\): deleting it to poll$/m,
      );
      expect(telegram.webhook()).toBe('');
      // Another instance starts polling with the same token: Telegram answers 409.
      telegram.failNext('getUpdates', {
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
      await until(
        'the 409 line',
        () => server.output().match(/^telegram: polling refused: 409 Conflict.*retrying in 30 s$/m)?.[0],
      );
      expect(server.child.exitCode).toBeNull();
      expect((await health(server)).channels.telegram).toBe('conflict');
      expect((await ask(server)).text).toContain('300期');
    } finally {
      await stop(server);
    }
  }, 60_000);
});

describe('start-up problems get one clear line', () => {
  it('a busy port exits non-zero naming PORT; a second server on the same data directory refuses', async () => {
    const dir = dataDir();
    const first = await startServer({ DATA_DIR: dir });
    try {
      const port = new URL(first.url).port;
      const busy = await refused({ PORT: port, DATA_DIR: dataDir() });
      expect(busy.code).not.toBe(0);
      expect(busy.output).toMatch(new RegExp(`^PORT ${port} is already in use`, 'm'));
      expect(busy.output).not.toMatch(/^\s+at /m);
      const twice = await refused({ PORT: String(await freePort()), DATA_DIR: dir });
      expect(twice.code).not.toBe(0);
      expect(twice.output.trim()).toMatch(
        /^another server \(process \d+\) is using the embedded database in .*: stop it, or give this one its own DATA_DIR$/,
      );
      // The first server is unharmed.
      expect((await ask(first)).text).toContain('300期');
    } finally {
      await stop(first);
    }
    // Once it has stopped, the folder is free again.
    const again = await startServer({ DATA_DIR: dir });
    await stop(again);
  }, 90_000);
});
