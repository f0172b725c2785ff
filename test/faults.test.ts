// Faults against a real PostgreSQL server that the test stops and starts, and a server process that
// is killed: answers keep flowing, nothing confirmed is lost, nothing is done twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { answers, chatter } from './helpers/chat.ts';
import { type FakeTelegram, startFakeTelegram, updates } from './helpers/fake-telegram.ts';
import { clusterAvailable, startCluster } from './helpers/pg-cluster.ts';
import { startServer } from './helpers/server.ts';

describe.runIf(clusterAvailable)('faults', () => {
  let pg: Awaited<ReturnType<typeof startCluster>>;
  let telegram: FakeTelegram;
  const TG = '999:FAULTS';
  beforeAll(async () => {
    pg = await startCluster();
    const h = await connectPostgres(pg.url);
    await migrateToLatest(h.db);
    await h.close();
    telegram = await startFakeTelegram(TG);
  }, 60_000);
  afterAll(async () => {
    pg?.destroy();
    await telegram?.close();
  });

  const count = async (sql: string) => {
    const h = await connectPostgres(pg.url);
    try {
      const { rows } = await (await import('kysely')).sql.raw<{ n: number }>(sql).execute(h.db);
      return Number(rows[0]?.n ?? 0);
    } finally {
      await h.close();
    }
  };

  it('Postgres stopped during traffic: answers flow, dialog steps say "try again", buffered rows are written after', async () => {
    const server = await startServer({ DATABASE_URL: pg.url, RATE_LIMIT_PER_MINUTE: '100000' });
    const http = { request: (p: string, init?: RequestInit) => fetch(`${server.url}${p}`, init) };
    try {
      // A confirmed registration before the outage.
      const reg = chatter(http, 'fault-confirmed', 'en');
      for (const a of answers.en) await (a.startsWith('d:') ? reg.pick(a) : reg.say(a));
      expect((await reg.pick('d:review:confirm')).text).toMatch(/KUP-/);
      // A registration half-way when the database goes.
      const half = chatter(http, 'fault-half', 'en');
      for (const a of answers.en.slice(0, 3)) await (a.startsWith('d:') ? half.pick(a) : half.say(a));
      await new Promise((r) => setTimeout(r, 1_500)); // the log's timer writes what came so far
      const before = await count('select count(*)::int as n from interactions');

      pg.stop();
      const q = chatter(http, 'fault-asker', 'en');
      for (let i = 0; i < 5; i++) {
        const turn = await q.say('How many advanced training courses are held each year?');
        expect(turn.meta.kind).toBe('answer');
        expect(turn.text).toContain('300');
      }
      const step = await half.say('13800001111');
      expect(step.text).toMatch(/try again in a moment/);

      pg.start();
      // The log retries with backoff; give it a few seconds.
      let after = before;
      for (let i = 0; i < 60 && after < before + 12; i++) {
        await new Promise((r) => setTimeout(r, 500));
        after = await count('select count(*)::int as n from interactions').catch(() => before);
      }
      expect(after).toBeGreaterThanOrEqual(before + 12);
      expect(
        await count(
          "select count(*)::int as n from registrations where conversation_id = 'web:fault-confirmed'",
        ),
      ).toBe(1);
      // The half-done registration is still where it was: the phone step.
      const resumed = await half.say('13800001111');
      expect(resumed.meta.field).toBe('email');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);

  it('SIGKILL mid-registration: after a restart the user continues at the same step', async () => {
    let server = await startServer({ DATABASE_URL: pg.url });
    const http = () => ({ request: (p: string, init?: RequestInit) => fetch(`${server.url}${p}`, init) });
    const user = 'fault-killed';
    for (const a of answers.zh.slice(0, 4))
      await (a.startsWith('d:') ? chatter(http(), user).pick(a) : chatter(http(), user).say(a));
    server.child.kill('SIGKILL');
    await server.exited;
    // Really gone: nothing answers on its port any more.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    server = await startServer({ DATABASE_URL: pg.url });
    try {
      const turn = await chatter(http(), user).say('zhang.wei@example.com');
      expect(turn.meta.field).toBe('organization');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);

  it('SIGTERM: requests in flight finish and the log is flushed before exit', async () => {
    const server = await startServer({ DATABASE_URL: pg.url });
    const before = await count('select count(*)::int as n from interactions');
    const inflight = Array.from({ length: 10 }, (_, i) =>
      fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: `term-${i}`, text: 'What are the priority fields?' }),
      }).then((r) => r.status),
    );
    await new Promise((r) => setTimeout(r, 5));
    server.child.kill('SIGTERM');
    const statuses = await Promise.all(inflight.map((p) => p.catch(() => 0)));
    expect(await server.exited).toBe(0);
    const answered = statuses.filter((s) => s === 200).length;
    expect(answered).toBeGreaterThan(0);
    // Every answered request left its two rows.
    expect(await count('select count(*)::int as n from interactions')).toBe(before + 2 * answered);
  }, 60_000);

  it('SIGTERM after the clients gave up waiting: what the server started still finishes', async () => {
    const server = await startServer({ DATABASE_URL: pg.url, RATE_LIMIT_PER_MINUTE: '100000' });
    const before = await count('select count(*)::int as n from interactions');
    const abandoned = Array.from({ length: 20 }, (_, i) => {
      const give = new AbortController();
      const sent = fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: `term-gone-${i}`, text: '/register' }),
        signal: give.signal,
      }).catch(() => 'abandoned');
      setTimeout(() => give.abort(), 3);
      return sent;
    });
    await Promise.all(abandoned);
    // Every connection is closed now, but not every request is done.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // Nothing was cut off by the database closing under it: each started dialog has its two rows.
    expect(server.output()).not.toMatch(/failed|destroyed|Error/);
    const started = await count(
      "select count(*)::int as n from dialogs where conversation_id like 'web:term-gone-%'",
    );
    expect(started).toBeGreaterThan(0);
    expect(await count('select count(*)::int as n from interactions')).toBe(before + 2 * started);
  }, 60_000);

  it('every update delivered 2-4 times, concurrently and out of order: one reply each, one registration', async () => {
    const server = await startServer({
      DATABASE_URL: pg.url,
      TELEGRAM_BOT_TOKEN: TG,
      TELEGRAM_WEBHOOK_SECRET: 'faults',
      TELEGRAM_API_ROOT: telegram.apiRoot,
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    try {
      const u = updates(50_000);
      const chat = 4242;
      const steps = [
        '/register',
        'd:consent:agree',
        'Dup Licate',
        '13900009999',
        'd:email:skip',
        'Dup Org',
        'd:title:junior',
        'd:field:it',
        'd:subproject:digital-engineer',
        'Beijing',
        'd:experience:0-2',
        'd:review:confirm',
      ];
      const post = (update: unknown) =>
        fetch(`${server.url}/telegram/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'faults' },
          body: JSON.stringify(update),
        });
      let deliveries = 0;
      let previous: unknown;
      for (const step of steps) {
        const update = step.startsWith('d:') ? u.callback(chat, step, 'en') : u.text(chat, 'en', step);
        const copies = 2 + (step.length % 3);
        deliveries += copies + (previous ? 1 : 0);
        // The copies race each other, and a late copy of the previous update arrives among them.
        await Promise.all([
          ...Array.from({ length: copies }, () => post(update)),
          ...(previous ? [post(previous)] : []),
        ]);
        previous = update;
      }
      const sent = telegram.sent('sendMessage', chat);
      expect(sent.length).toBe(steps.length);
      expect(deliveries).toBeGreaterThan(steps.length * 2);
      expect(
        await count(
          `select count(*)::int as n from registrations where conversation_id = 'telegram:${chat}'`,
        ),
      ).toBe(1);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);
});
