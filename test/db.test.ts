import { type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import type { InteractionRecord } from '../src/core/types.ts';
import { connectPostgres } from '../src/db/connect.ts';
import { createDeliveryLedger } from '../src/db/deliveries.ts';
import { createDialogStore } from '../src/db/dialogs.ts';
import { createInteractionLog, insertInteractions } from '../src/db/interactions.ts';
import { createPseudonyms } from '../src/db/pseudonym.ts';
import { TEST_PSEUDONYM_KEY } from './helpers/server.ts';

const pseudonyms = createPseudonyms('db-test-pseudonym-key-0123456789abcdef');

import { purgeExpired } from '../src/db/maintenance.ts';
import { migrateToLatest, pendingMigrations } from '../src/db/migrate.ts';
import { createPreferenceStore } from '../src/db/preferences.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import {
  adminUrl,
  backends,
  createPostgresDatabase,
  openTestDatabase,
  type TestDatabase,
} from './helpers/db.ts';
import { startProxy } from './helpers/tcp-proxy.ts';

const quiet = { info: () => {}, error: () => {} };
const chat = (rt: Runtime, userId: string, text: string) =>
  rt.app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, text }),
  });

describe.each(backends)('database on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('migrations are applied once and nothing is pending', async () => {
    expect(await pendingMigrations(t.handle.db)).toEqual([]);
    expect(await migrateToLatest(t.handle.db)).toEqual([]);
  });

  it('stores interactions with a pseudonymous conversation id', async () => {
    const at = new Date('2026-11-27T08:00:00Z');
    await insertInteractions(t.handle.db, pseudonyms, [
      {
        at,
        channel: 'web',
        conversationId: 'web:abc',
        turnId: 't1',
        direction: 'in',
        text: '你好',
        lang: 'zh',
      },
      {
        at,
        channel: 'web',
        conversationId: 'web:abc',
        turnId: 't1',
        direction: 'out',
        text: 'answer',
        kind: 'answer',
        sources: ['overview', 'scale'],
        confidence: 0.75,
        lang: 'zh',
        latencyMs: 3,
      },
    ]);
    const rows = await t.handle.db
      .selectFrom('interactions')
      .selectAll()
      .where('turn_id', '=', 't1')
      .orderBy('id')
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]?.conversation).toBe(await pseudonyms.of('web:abc'));
    expect(rows[0]?.conversation).not.toContain('abc');
    expect(rows[1]).toMatchObject({
      direction: 'out',
      kind: 'answer',
      sources: ['overview', 'scale'],
      latency_ms: 3,
    });
    expect(rows[1]?.confidence).toBeCloseTo(0.75);
    expect(new Date(rows[0]?.created_at as Date).toISOString()).toBe(at.toISOString());
  });

  it('stores text with NUL characters and unpaired surrogates, cleaned', async () => {
    await insertInteractions(t.handle.db, pseudonyms, [
      {
        at: new Date(),
        channel: 'web',
        conversationId: 'web:nul',
        turnId: 'nul',
        direction: 'in',
        text: 'a\u0000b\uD800c',
      },
    ]);
    const row = await t.handle.db
      .selectFrom('interactions')
      .select('text')
      .where('turn_id', '=', 'nul')
      .executeTakeFirst();
    expect(row?.text).toBe('ab\uFFFDc');
  });

  it('sets aside a row Postgres refuses and writes the others of its batch', async () => {
    const log = createInteractionLog(t.handle.db, pseudonyms, { intervalMs: 0 });
    const row = (turnId: string, direction: string) =>
      ({
        at: new Date(),
        channel: 'web',
        conversationId: 'web:batch',
        turnId,
        direction,
        text: 'x',
      }) as InteractionRecord;
    for (const r of [row('b1', 'in'), row('b2', 'sideways'), row('b3', 'out')]) log.record(r);
    await log.close();
    expect(log.stats()).toMatchObject({ pending: 0, rejected: 1, written: 2 });
    const rows = await t.handle.db
      .selectFrom('interactions')
      .select('turn_id')
      .where('turn_id', 'in', ['b1', 'b2', 'b3'])
      .execute();
    expect(rows.map((r) => r.turn_id).sort()).toEqual(['b1', 'b3']);
  });

  it('refuses a row that breaks the schema', async () => {
    await expect(
      insertInteractions(t.handle.db, pseudonyms, [
        // @ts-expect-error: direction must be in or out
        { at: new Date(), channel: 'web', conversationId: 'x', turnId: 't', direction: 'sideways', text: '' },
      ]),
    ).rejects.toThrow();
  });

  it('deletes expired dialogs and registrations past retention, and nothing else', async () => {
    const day = 86_400_000;
    const now = new Date('2027-06-01T00:00:00Z');
    const ago = (days: number) => new Date(now.getTime() - days * day);
    const state = JSON.stringify({ flow: 'register', step: 'name', data: {}, attempts: 0, lang: 'zh' });
    await t.handle.db
      .insertInto('dialogs')
      .values([
        { conversation_id: 'purge:old-dialog', state, updated_at: ago(8) },
        { conversation_id: 'purge:new-dialog', state, updated_at: ago(6) },
      ])
      .execute();
    const registration = (id: string, updated: Date) => ({
      reference: `KUP-${id}`,
      conversation_id: `purge:${id}`,
      channel: 'web',
      subproject: 'advanced-training',
      name: 'n',
      phone: '13800000000',
      lang: 'zh',
      created_at: updated,
      updated_at: updated,
    });
    await t.handle.db
      .insertInto('registrations')
      .values([registration('OLD', ago(366)), registration('NEW', ago(300))])
      .execute();
    expect(await purgeExpired(t.handle.db, { dialogTtlMs: 7 * day, retentionDays: 365, now })).toEqual({
      dialogs: 1,
      registrations: 1,
      texts: 0,
    });
    const dialogs = await t.handle.db
      .selectFrom('dialogs')
      .select('conversation_id')
      .where('conversation_id', 'like', 'purge:%')
      .execute();
    expect(dialogs.map((d) => d.conversation_id)).toEqual(['purge:new-dialog']);
    const regs = await t.handle.db
      .selectFrom('registrations')
      .select('reference')
      .where('reference', 'like', 'KUP-%')
      .execute();
    expect(regs.map((r) => r.reference)).toContain('KUP-NEW');
    expect(regs.map((r) => r.reference)).not.toContain('KUP-OLD');
  });

  it('claims a delivery once; a claim that never finished can be taken again after a while', async () => {
    const ledger = createDeliveryLedger(t.handle.db, { staleAfterMs: 20_000 });
    expect(await ledger.claim('telegram:1:1')).toBe(true);
    expect(await Promise.all([ledger.claim('telegram:1:1'), ledger.claim('telegram:1:1')])).toEqual([
      false,
      false,
    ]);
    // The process died while handling it: after the stale period a retry gets it.
    await t.handle.db
      .updateTable('deliveries')
      .set({ claimed_at: new Date(Date.now() - 30_000) })
      .where('key', '=', 'telegram:1:1')
      .execute();
    expect(await ledger.claim('telegram:1:1')).toBe(true);
    await ledger.done('telegram:1:1');
    await ledger.flush(); // marks are batched
    await t.handle.db
      .updateTable('deliveries')
      .set({ claimed_at: new Date(Date.now() - 30_000) })
      .where('key', '=', 'telegram:1:1')
      .execute();
    // Handled: never again.
    expect(await ledger.claim('telegram:1:1')).toBe(false);
    // A mark made after shutdown began is written at once.
    expect(await ledger.claim('telegram:1:2')).toBe(true);
    await ledger.close();
    await ledger.done('telegram:1:2');
    const row = await t.handle.db
      .selectFrom('deliveries')
      .select('status')
      .where('key', '=', 'telegram:1:2')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('done');
  });

  it('writes dialogs that are saved together in one statement; each write still wins or loses alone', async () => {
    const dialogs = createDialogStore(t.handle.db);
    const state = (step: string) => ({ flow: 'register', step, data: {}, attempts: 0, lang: 'zh' }) as const;
    // New dialogs for three conversations and a second insert for one of them, together.
    expect(
      await Promise.all([
        dialogs.put('put:a', state('name'), undefined),
        dialogs.put('put:b', state('name'), undefined),
        dialogs.put('put:a', state('phone'), undefined),
        dialogs.put('put:c', state('name'), undefined),
      ]),
    ).toEqual([true, true, false, true]);
    // Updates at the version read: the first for a conversation wins, a stale version loses.
    expect(
      await Promise.all([
        dialogs.put('put:a', state('email'), 1),
        dialogs.put('put:a', state('title'), 1),
        dialogs.put('put:b', state('email'), 7),
        dialogs.put('put:c', state('email'), 1),
      ]),
    ).toEqual([true, false, false, true]);
    const read = async (id: string) => (await dialogs.get(id))?.state.step;
    expect([await read('put:a'), await read('put:b'), await read('put:c')]).toEqual([
      'email',
      'name',
      'email',
    ]);
    // The same, one at a time: Postgres decides.
    expect(await dialogs.put('put:a', state('title'), 1)).toBe(false);
    expect(await dialogs.put('put:a', state('title'), 2)).toBe(true);
  });

  it('starts a turn in one call: claims the delivery and reads the dialog and the language', async () => {
    const dialogs = createDialogStore(t.handle.db);
    const id = 'telegram:begin-1';
    expect(await dialogs.begin(id)).toEqual({ fresh: true });
    expect(await dialogs.begin(id, 'telegram:9:1')).toEqual({ fresh: true });
    expect(await dialogs.begin(id, 'telegram:9:1')).toEqual({ fresh: false });
    const state = { flow: 'register', step: 'name', data: {}, attempts: 0, lang: 'en' } as const;
    expect(await dialogs.put(id, state, undefined)).toBe(true);
    await createPreferenceStore(t.handle.db).setLanguage(id, 'zh');
    const started = await dialogs.begin(id, 'telegram:9:2');
    expect(started).toMatchObject({ fresh: true, lang: 'zh', dialog: { state, version: 1 } });
    expect(started.dialog?.updatedAt).toBeInstanceOf(Date);
    // Twenty concurrent copies of one delivery: exactly one is fresh.
    const copies = await Promise.all(Array.from({ length: 20 }, () => dialogs.begin(id, 'telegram:9:3')));
    expect(copies.filter((c) => c.fresh)).toHaveLength(1);
    // Turns that start together share a round trip; each still gets its own conversation's rows.
    await createPreferenceStore(t.handle.db).setLanguage('telegram:begin-2', 'en');
    const together = await Promise.all([
      dialogs.begin('telegram:begin-2', 'telegram:9:4'),
      dialogs.begin(id, 'telegram:9:5'),
      dialogs.begin('telegram:begin-3'),
      dialogs.begin(id, 'telegram:9:4'),
    ]);
    expect(together).toEqual([
      { fresh: true, lang: 'en' },
      expect.objectContaining({ fresh: true, lang: 'zh', dialog: expect.objectContaining({ state }) }),
      { fresh: true },
      expect.objectContaining({ fresh: false }),
    ]);
    // Copies that arrive apart are caught by Postgres instead.
    const apart = [];
    for (let i = 0; i < 3; i++) apart.push((await dialogs.begin(id, 'telegram:9:6')).fresh);
    expect(apart).toEqual([true, false, false]);
    // Hostile ids are data, not SQL.
    const hostile = "x'); drop table dialogs; --";
    expect(await dialogs.begin(hostile, hostile)).toEqual({ fresh: true });
    expect(await dialogs.begin(id)).toMatchObject({ dialog: { state } });
  });

  it('remembers and updates a language preference', async () => {
    const prefs = createPreferenceStore(t.handle.db);
    expect(await prefs.getLanguage('telegram:1')).toBeUndefined();
    await prefs.setLanguage('telegram:1', 'en');
    await prefs.setLanguage('telegram:1', 'zh');
    expect(await prefs.getLanguage('telegram:1')).toBe('zh');
  });
});

describe.each(backends)('every turn is logged through the app on %s', (backend) => {
  let rt: Runtime;
  let drop = async () => {};
  beforeAll(async () => {
    if (backend === 'pglite') {
      rt = await createRuntime(parseConfig({}), { memory: true, logger: quiet, log: { intervalMs: 0 } });
    } else {
      const created = await createPostgresDatabase();
      drop = created.drop;
      rt = await setupPostgresRuntime(created.url);
    }
  });
  afterAll(async () => {
    await rt?.close();
    await drop();
  });

  it('writes a question row and an answer row per turn, with kind and sources', async () => {
    const texts = ['什么是知识更新工程', 'How many advanced training courses a year?', 'How do I cook rice?'];
    for (const text of texts) expect((await chat(rt, 'logged-user', text)).status).toBe(200);
    await rt.log.flush();
    const rows = await rt.db.selectFrom('interactions').selectAll().orderBy('id').execute();
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => r.direction === 'in').map((r) => r.text)).toEqual(texts);
    expect(rows.filter((r) => r.direction === 'out').map((r) => r.kind)).toEqual([
      'answer',
      'answer',
      'fallback',
    ]);
    expect(rows.every((r) => r.channel === 'web' && r.conversation === rows[0]?.conversation)).toBe(true);
    expect(rows[3]?.sources).toEqual(['advanced-training']);
  });
});

async function setupPostgresRuntime(url: string) {
  const t = await import('../src/db/connect.ts');
  const h = await t.connectPostgres(url);
  await migrateToLatest(h.db);
  await h.close();
  return createRuntime(parseConfig({ DATABASE_URL: url, PSEUDONYM_KEY: TEST_PSEUDONYM_KEY }), {
    logger: quiet,
    log: { intervalMs: 0 },
  });
}

/** Fails every query while `down` is set: an unreachable embedded database. */
function faultPlugin() {
  const state = { down: false };
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      if (state.down) throw new Error('database unreachable (simulated)');
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { state, plugin };
}

describe.each(backends)('logging survives the database being unreachable on %s', (backend) => {
  let rt: Runtime;
  let cut: () => Promise<void>;
  let restore: () => Promise<void>;
  let cleanup = async () => {};

  beforeAll(async () => {
    if (backend === 'pglite') {
      const fault = faultPlugin();
      rt = await createRuntime(parseConfig({}), {
        memory: true,
        logger: quiet,
        log: { intervalMs: 0, maxBuffer: 10 },
        dbPlugins: [fault.plugin],
      });
      cut = async () => {
        fault.state.down = true;
      };
      restore = async () => {
        fault.state.down = false;
      };
    } else {
      const created = await createPostgresDatabase();
      const target = new URL(created.url);
      const proxy = await startProxy(Number(target.port), target.hostname);
      const viaProxy = new URL(created.url);
      viaProxy.port = String(proxy.port);
      const t = await import('../src/db/connect.ts');
      const h = await t.connectPostgres(created.url);
      await migrateToLatest(h.db);
      await h.close();
      rt = await createRuntime(
        parseConfig({ DATABASE_URL: viaProxy.toString(), PSEUDONYM_KEY: TEST_PSEUDONYM_KEY }),
        {
          logger: quiet,
          log: { intervalMs: 0, maxBuffer: 10 },
        },
      );
      cut = () => proxy.cut();
      restore = () => proxy.restore();
      cleanup = async () => {
        proxy.close();
        await created.drop();
      };
    }
  });
  afterAll(async () => {
    await rt?.close();
    await cleanup();
  });

  it('keeps answering, buffers within its bound, and writes the rows when the database returns', async () => {
    expect((await chat(rt, 'outage', 'What are the four sub-projects?')).status).toBe(200);
    await rt.log.flush();
    await cut();
    expect((await rt.app.request('/healthz')).status).toBe(503);
    for (let i = 0; i < 4; i++) {
      const res = await chat(rt, 'outage', `每年培训多少人 ${i}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { meta: { kind: string } }).meta.kind).toBe('answer');
    }
    await rt.log.flush();
    expect(rt.log.stats()).toMatchObject({ pending: 8, dropped: 0 });
    // Two more turns overflow the bound of 10 rows: the two oldest are dropped and counted.
    await chat(rt, 'outage', '高研班');
    await rt.log.flush();
    expect(rt.log.stats()).toMatchObject({ pending: 10, dropped: 0 });
    await chat(rt, 'outage', '数字工程师');
    expect(rt.log.stats()).toMatchObject({ pending: 10, dropped: 2 });

    await restore();
    await rt.log.flush();
    expect(rt.log.stats().pending).toBe(0);
    expect((await rt.app.request('/healthz')).status).toBe(200);
    const rows = await rt.db.selectFrom('interactions').select(['text', 'direction']).orderBy('id').execute();
    const questions = rows.filter((r) => r.direction === 'in').map((r) => r.text);
    expect(questions).toEqual([
      'What are the four sub-projects?',
      '每年培训多少人 1',
      '每年培训多少人 2',
      '每年培训多少人 3',
      '高研班',
      '数字工程师',
    ]);
    expect(rows).toHaveLength(12);
    const count = await sql<{ n: number }>`select count(*)::int as n from interactions`.execute(rt.db);
    expect(count.rows[0]?.n).toBe(12);
  });
});

describe.runIf(adminUrl)('prepared statements on Postgres', () => {
  it('prepares a turn’s marked statements once per connection, and nothing else', async () => {
    const created = await createPostgresDatabase();
    const handle = await connectPostgres(created.url, { max: 1 }); // one connection: one session to look at
    try {
      await migrateToLatest(handle.db);
      const dialogs = createDialogStore(handle.db);
      for (let i = 0; i < 3; i++) await dialogs.begin('web:prepared', `web:prepared:${i}`);
      await insertInteractions(handle.db, pseudonyms, [
        {
          at: new Date(),
          channel: 'web',
          conversationId: 'web:prepared',
          turnId: 't',
          direction: 'in',
          text: 'hi',
        },
      ]);
      await insertInteractions(handle.db, pseudonyms, [
        {
          at: new Date(),
          channel: 'web',
          conversationId: 'web:prepared',
          turnId: 'u',
          direction: 'in',
          text: 'hi',
        },
      ]);
      // Marks of any number of deliveries: one statement.
      const ledger = createDeliveryLedger(handle.db, { intervalMs: 0 });
      for (const keys of [['mark:a'], ['mark:b', 'mark:c', 'mark:d']]) {
        for (const key of keys) {
          expect(await ledger.claim(key)).toBe(true);
          await ledger.done(key);
        }
        await ledger.flush();
      }
      await ledger.close();
      const marked = await sql<{ status: string }>`
        select status from deliveries where key like 'mark:%'`.execute(handle.db);
      expect(marked.rows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
      const { rows } = await sql<{ name: string; statement: string }>`
        select name, statement from pg_prepared_statements`.execute(handle.db);
      const statements = rows.map((r) => r.statement);
      expect(rows.every((r) => r.name.startsWith('kup_'))).toBe(true);
      expect(statements).toHaveLength(3);
      expect(statements.filter((s) => s.includes("set status = 'done'"))).toHaveLength(1);
      expect(statements.filter((s) => s.includes('insert into interactions'))).toHaveLength(1);
      expect(statements.filter((s) => s.includes('left join dialogs'))).toHaveLength(1);
    } finally {
      await handle.close();
      await created.drop();
    }
  });

  it('prepares nothing with DATABASE_PREPARED_STATEMENTS=0 (for poolers that cannot keep them)', async () => {
    const created = await createPostgresDatabase();
    const handle = await connectPostgres(created.url, { max: 1, prepare: false });
    try {
      await migrateToLatest(handle.db);
      await createDialogStore(handle.db).begin('web:unprepared', 'web:unprepared:1');
      const { rows } = await sql`select name from pg_prepared_statements`.execute(handle.db);
      expect(rows).toEqual([]);
    } finally {
      await handle.close();
      await created.drop();
    }
  });
});
