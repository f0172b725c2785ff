// What an attack review found (issue 16), each fixed and kept fixed: bounded analysis of long
// questions, limits per client address, the web page's identity, personal data in free text,
// personal dialogs in groups, keyed pseudonyms, headers, and the Slack desk's edges.
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../adapters/slack/blocks.ts';
import { caseBlocks, createSlackDesk, listenForCases, userText } from '../adapters/slack/handoff.ts';
import { createHandoffs } from '../src/core/handoff.ts';
import { parseOfficeHours } from '../src/core/office-hours.ts';
import { redactPersonal } from '../src/core/redact.ts';
import type { StaffDesk } from '../src/core/types.ts';
import { ANALYSED, createUnderstand } from '../src/core/understanding/understand.ts';
import { connectEmbedded } from '../src/db/connect-embedded.ts';
import { createHandoffStore } from '../src/db/handoffs.ts';
import { purgeExpired } from '../src/db/maintenance.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { migrationsFor } from '../src/db/migrations/index.ts';
import { createPseudonyms, legacyDigest } from '../src/db/pseudonym.ts';
import { pseudonymKey } from '../src/db/pseudonym-key.ts';
import { limitServer } from '../src/http/node-server.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import { chatter, fillRegistration } from './helpers/chat.ts';
import { openRuntime } from './helpers/runtime.ts';

const understanding = createUnderstand(knowledgeBase, { cachedReadings: 0 });

describe('long questions', () => {
  it('are analysed only as far as a question goes, and logged whole', async () => {
    const filler = '的了吗呢吧'.repeat(795);
    const reading = understanding.read(`${filler}高研班每年办多少期？`);
    expect(reading.analysis.text.length).toBeLessThanOrEqual(ANALYSED);
    // What a question says near the start is still read.
    const asked = understanding.understand(`高研班每年办多少期？${filler}`);
    expect(asked.resolution.parts.map((p) => p.kind)).toContain('facts');
    // A surrogate pair at the cut is not split into a lone half.
    const astral = `${'a'.repeat(ANALYSED - 1)}😀${'b'.repeat(100)}`;
    expect(understanding.read(astral).analysis.text.isWellFormed()).toBe(true);

    const t = await openRuntime('pglite');
    try {
      const long = `${filler}高研班每年办多少期？`;
      await chatter(t.rt.app, 'long-question').say(long);
      await t.rt.log.flush();
      const row = await sql<{ text: string }>`
        select text from interactions where direction = 'in' order by id desc limit 1`.execute(t.rt.db);
      expect(row.rows[0]?.text).toBe(long);
    } finally {
      await t.close();
    }
  });
});

describe('limits per client address', () => {
  const post = (base: string, userId: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ userId, text: '高研班每年办多少期？' }),
    });

  it('hold whatever user ids a client rotates through, and trust X-Forwarded-For only from a trusted proxy', async () => {
    for (const trusted of [false, true]) {
      const t = await openRuntime('pglite', {
        RATE_LIMIT_PER_IP_PER_MINUTE: '6',
        ...(trusted ? { TRUSTED_PROXIES: '127.0.0.1' } : {}),
      });
      const server = serve({ fetch: t.rt.app.fetch, port: 0, hostname: '127.0.0.1' });
      try {
        await once(server, 'listening');
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        // Ten user ids, one address (a forged X-Forwarded-For changes nothing unless trusted).
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++)
          statuses.push((await post(base, `rotating-${i}`, { 'x-forwarded-for': `198.51.100.${i}` })).status);
        if (!trusted) {
          expect(statuses.filter((s) => s === 200)).toHaveLength(5);
          expect(statuses.filter((s) => s === 429)).toHaveLength(5);
          const refused = await post(base, 'one-more');
          expect(refused.status).toBe(429);
          expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(((await refused.json()) as { error: string }).error).toMatch(/too many requests/);
          // Polling for staff replies counts too.
          expect((await fetch(`${base}/api/chat/messages?userId=x`)).status).toBe(429);
        } else {
          // Behind a trusted proxy each forwarded client has a limit of its own…
          expect(statuses.every((s) => s === 200)).toBe(true);
          // …and one client is still limited, whatever user ids it sends.
          const one: number[] = [];
          for (let i = 0; i < 7; i++)
            one.push((await post(base, `same-${i}`, { 'x-forwarded-for': '203.0.113.7' })).status);
          expect(one.filter((s) => s === 429).length).toBeGreaterThan(0);
        }
      } finally {
        server.close();
        await t.close();
      }
    }
  });

  it('cap new registrations per address at the review card, keeping the answers', async () => {
    const t = await openRuntime('pglite', { REGISTRATIONS_PER_IP_PER_HOUR: '1' });
    const server = serve({ fetch: t.rt.app.fetch, port: 0, hostname: '127.0.0.1' });
    try {
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const http = { request: (path: string, init?: RequestInit) => fetch(`${base}${path}`, init) };
      const first = chatter(http, 'reg-first');
      await fillRegistration(first, 'en');
      expect((await first.pick('d:review:confirm')).text).toContain('You are pre-registered');
      const second = chatter(http, 'reg-second');
      await fillRegistration(second, 'en');
      const held = await second.pick('d:review:confirm');
      expect(held.text).toContain('Many registrations came from your network');
      expect(held.meta).toMatchObject({ kind: 'dialog', field: 'confirm' });
      expect(held.choiceIds).toContain('d:review:confirm');
      const count = await sql<{ n: string }>`select count(*) as n from registrations`.execute(t.rt.db);
      expect(Number(count.rows[0]?.n)).toBe(1);
    } finally {
      server.close();
      await t.close();
    }
  });
});

describe('new staff cases', () => {
  const desk: StaffDesk = {
    open: async () => 'thread',
    post: async () => {},
    closed: async () => {},
    note: async () => {},
  } as unknown as StaffDesk;

  it('are capped over every channel per minute, and per address, with "staff are busy"', async () => {
    const t = await openRuntime('pglite');
    try {
      const handoffs = createHandoffs({
        store: createHandoffStore(t.rt.db),
        desk,
        hours: parseOfficeHours('mon-sun 00:00-24:00', 'Asia/Shanghai'),
        casesPerMinute: 2,
      });
      const ask = (conversationId: string, client?: string) =>
        handoffs.request({
          conversationId,
          channel: 'web',
          lang: 'en',
          registration: 'not registered',
          privateChat: true,
          ...(client ? { client } : {}),
        });
      expect((await ask('web:a')).meta.kind).toBe('handoff');
      expect((await ask('web:b')).meta.kind).toBe('handoff');
      const third = await ask('telegram:3');
      expect(third.replies[0]?.text).toMatch(/staff are busy/);
      // A case already open is still found.
      expect((await ask('web:a')).meta.kind).toBe('handoff');

      const perAddress = createHandoffs({
        store: createHandoffStore(t.rt.db),
        desk,
        hours: parseOfficeHours('mon-sun 00:00-24:00', 'Asia/Shanghai'),
        casesPerMinute: 1_000,
      });
      const kinds: string[] = [];
      for (let i = 0; i < 5; i++)
        kinds.push(
          (
            await perAddress.request({
              conversationId: `web:rot-${i}`,
              channel: 'web',
              lang: 'en',
              registration: 'not registered',
              privateChat: true,
              client: '198.51.100.9',
            })
          ).meta.kind,
        );
      expect(kinds).toEqual(['handoff', 'handoff', 'handoff', 'fallback', 'fallback']);
    } finally {
      await t.close();
    }
  });
});

describe('the web page’s identity', () => {
  it('is a random id in an HttpOnly cookie that no API user id can reach, and the page can forget it', async () => {
    const t = await openRuntime('pglite');
    try {
      const app = t.rt.app;
      const page = await app.request('http://localhost/');
      const cookie = page.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(
        /^kup_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/,
      );
      const session = cookie.split(';')[0] as string;
      const id = session.split('=')[1] as string;
      // The page carries no identity of its own, and no inline script.
      const html = await page.text();
      expect(html).not.toMatch(/userId|<script>/);
      expect(html).toContain('<script src="/chat.js" defer></script>');
      const script = await (await app.request('/chat.js')).text();
      expect(script).not.toMatch(/userId=|\{ userId|userId }/);
      // Over HTTPS the cookie is Secure.
      expect((await app.request('https://kup.example/')).headers.get('set-cookie')).toContain('Secure');

      const chat = (body: object, headers: Record<string, string> = {}) =>
        app.request('http://localhost/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      const asCookie = { cookie: session, origin: 'http://localhost' };
      const started = await chat({ text: '我要报名' }, asCookie);
      expect(started.status).toBe(200);
      expect(((await started.json()) as { meta: { kind: string } }).meta.kind).toBe('dialog');
      // Whoever knows the cookie's value cannot use it as an API user id: another conversation.
      for (const userId of [id, `web-session:${id}`, `session:${id}`]) {
        const other = await chat({ userId, text: '/status' });
        expect(await other.text()).not.toMatch(/进行中|In progress/);
      }
      // The cookie user's own /status shows the dialog in progress.
      const mine = await (await chat({ text: '/status' }, asCookie)).text();
      expect(mine).toMatch(/进行中|In progress/);

      // Neither a user id nor a session: refused. Another site's page using the cookie: refused.
      expect((await chat({ text: 'hi' })).status).toBe(400);
      expect((await chat({ text: 'hi' }, { cookie: session, origin: 'https://evil.example' })).status).toBe(
        403,
      );
      const polled = await app.request('http://localhost/api/chat/messages?after=0', { headers: asCookie });
      expect(polled.status).toBe(200);
      expect((await app.request('http://localhost/api/chat/messages?after=0')).status).toBe(400);

      // Only JSON: a cross-site form cannot post without a preflight.
      const form = await app.request('http://localhost/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...asCookie },
        body: JSON.stringify({ text: 'hi' }),
      });
      expect(form.status).toBe(415);

      // "Forget this device" ends the cookie.
      const forgot = await app.request('http://localhost/api/chat/session', {
        method: 'DELETE',
        headers: asCookie,
      });
      expect(forgot.status).toBe(204);
      expect(forgot.headers.get('set-cookie')).toMatch(/^kup_session=; Max-Age=0; Path=\//);
    } finally {
      await t.close();
    }
  });
});

describe('headers', () => {
  it('say nosniff and no-referrer everywhere, and the page allows no inline script nor framing', async () => {
    const t = await openRuntime('pglite');
    try {
      for (const path of ['/', '/healthz', '/chat.js', '/nowhere']) {
        const res = await t.rt.app.request(path);
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      }
      const csp = (await t.rt.app.request('/')).headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      for (const d of ["frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"])
        expect(csp).toContain(d);
    } finally {
      await t.close();
    }
  });
});

describe('personal data in free text', () => {
  it('is redacted before it is stored, also when a message is not read, and old texts are blanked', async () => {
    const t = await openRuntime('pglite', { RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const chat = chatter(t.rt.app, 'pii');
      await chat.say(
        '我叫王芳，手机13812345678，身份证11010119900307123X，邮箱wang.fang@example.com，座机010-62345678，高研班怎么收费？',
      );
      // Past the limit nothing is read, and nothing of it is kept.
      for (let i = 0; i < 8; i++) await chat.say(`王芳 ${i}`);
      await t.rt.log.flush();
      const rows = await sql<{ text: string; direction: string }>`
        select text, direction from interactions order by id`.execute(t.rt.db);
      const all = rows.rows.map((r) => r.text).join('\n');
      for (const raw of ['13812345678', '11010119900307123X', 'wang.fang@example.com', '62345678'])
        expect(all).not.toContain(raw);
      expect(all).toContain('手机[phone]，身份证[id number]，邮箱[email]，座机[phone]');
      expect(all).toContain('[not read: too many messages]');
      expect(all).not.toContain('王芳 7');
      // The figures people ask about are left alone.
      expect(redactPersonal('1264.3万人次，2021-2030年，20,000人，12643000，人社部发〔2021〕73号')).toBe(
        '1264.3万人次，2021-2030年，20,000人，12643000，人社部发〔2021〕73号',
      );

      // After LOG_RETENTION_DAYS the texts are blanked; the rows (and so the counts) stay.
      await sql`update interactions set created_at = now() - interval '40 days'`.execute(t.rt.db);
      const purged = await purgeExpired(t.rt.db, {
        dialogTtlMs: 7 * 86_400_000,
        retentionDays: 365,
        logRetentionDays: 30,
      });
      expect(purged.texts).toBe(rows.rows.length);
      const after = await sql<{ n: string; blank: string }>`
        select count(*) as n, count(*) filter (where text = '') as blank from interactions`.execute(t.rt.db);
      expect(Number(after.rows[0]?.n)).toBe(rows.rows.length);
      expect(Number(after.rows[0]?.blank)).toBe(rows.rows.length);
    } finally {
      await t.close();
    }
  });
});

describe('the Slack desk', () => {
  const brief = (question: string) => ({
    handoff: {
      id: '7',
      conversationId: 'web:x',
      channel: 'web',
      lang: 'zh' as const,
      deskRef: null,
      openedAt: new Date(),
    },
    question,
    registration: 'not registered',
    recent: [{ direction: 'in' as const, text: question }],
  });

  it('escapes before it cuts, so an escape-heavy question still makes a valid case post', () => {
    const blocks = caseBlocks(brief('<&>'.repeat(1_500))) as Array<{ text?: { text: string } }>;
    const section = blocks[0]?.text?.text ?? '';
    expect(section.length).toBeLessThanOrEqual(3_000);
    expect(section).not.toMatch(/&[a-z]*…/);
    expect(userText('<'.repeat(2_000), 1_500)).toMatch(/^(&lt;)+…$/);
  });

  it('keeps user text inside its quote: no new lines out of it, no formatting, no invisible characters', async () => {
    const posted: Array<{ text?: string }> = [];
    const client = {
      chat: {
        postMessage: async (args: { text?: string }) => {
          posted.push(args);
          return { ok: true, ts: '1.2', channel: 'C1' };
        },
      },
    };
    const desk = createSlackDesk(client as never, 'C1');
    await desk.post('C1:1.1', 'hi\n*Assistant:* your case is closed, send your ID to\n>`evil`\u202Eexe.txt');
    const text = posted[0]?.text ?? '';
    const lines = text.split('\n');
    expect(lines[0]).toBe('*User:*');
    expect(lines.slice(1).every((l) => l.startsWith('>'))).toBe(true);
    expect(text).not.toMatch(/\*Assistant:\*|`|\u202E/);
    expect(text).toContain('＊Assistant:＊');
  });

  it('lets nobody reply as staff when the staff list is empty, unless SLACK_HANDOFF_ANYONE is set', async () => {
    for (const anyone of [false, true]) {
      const relayed: string[] = [];
      let onMessage: ((args: unknown) => Promise<void>) | undefined;
      const app = {
        event: (_name: string, handler: (args: unknown) => Promise<void>) => {
          onMessage = handler;
        },
        action: () => {},
      };
      listenForCases(app as never, {
        channel: 'C1',
        handoffs: {
          fromStaff: async (_ref: string, _ts: string, text: string) => void relayed.push(text),
        } as never,
        staffUserIds: [],
        ...(anyone ? { anyone: true } : {}),
        onError: () => {},
      });
      await onMessage?.({
        event: { channel: 'C1', user: 'URANDOM', text: 'I am staff, trust me', ts: '2.2', thread_ts: '1.1' },
        client: {},
      });
      expect(relayed).toEqual(anyone ? ['I am staff, trust me'] : []);
    }
  });

  it('closes only the case whose message a button is on, and gives up on a desk that does not answer', async () => {
    const t = await openRuntime('pglite');
    try {
      let posted = 0;
      const handoffs = createHandoffs({
        store: createHandoffStore(t.rt.db),
        desk: {
          open: async () => `C1:${++posted}.0`,
          post: async () => {},
          closed: async () => {},
          note: async () => {},
        },
        hours: parseOfficeHours('mon-sun 00:00-24:00', 'Asia/Shanghai'),
      });
      const open = (conversationId: string) =>
        handoffs.request({
          conversationId,
          channel: 'web',
          lang: 'en',
          registration: '-',
          privateChat: true,
        });
      await open('web:first');
      await open('web:second');
      const first = await handoffs.caseAt('C1:1.0');
      const second = await handoffs.caseAt('C1:2.0');
      expect(first && second).toBeTruthy();
      // The second case's id, pressed on the first case's message: nothing closes.
      expect(await handoffs.closeByStaff(second?.id ?? '', 'resolved', 'USTAFF', 'C1:1.0')).toBe(false);
      expect(await handoffs.caseAt('C1:2.0')).toBeTruthy();
      expect(await handoffs.closeByStaff(second?.id ?? '', 'resolved', 'USTAFF', 'C1:2.0')).toBe(true);

      // Slack down: the user hears so after the desk timeout instead of waiting on it.
      const hanging = createHandoffs({
        store: createHandoffStore(t.rt.db),
        desk: {
          open: () => new Promise<string>(() => {}),
          post: () => new Promise<void>(() => {}),
          closed: async () => {},
          note: async () => {},
        },
        hours: parseOfficeHours('mon-sun 00:00-24:00', 'Asia/Shanghai'),
        deskTimeoutMs: 50,
      });
      const waited = await hanging.request({
        conversationId: 'web:third',
        channel: 'web',
        lang: 'en',
        registration: '-',
        privateChat: true,
      });
      expect(waited.replies[0]?.text).toMatch(/cannot be reached/);
    } finally {
      await t.close();
    }
  });

  it('exports CSV with every field quoted and formula starts neutralised after ; and , too', () => {
    expect(csvCell('x')).toBe('"x"');
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('Acme;=HYPERLINK("http://evil")')).toBe(`"Acme;'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('a, +86 138')).toBe(`"a, '+86 138"`);
    expect(csvCell(null)).toBe('""');
  });
});

describe('the Node server', () => {
  it('bounds how long headers and requests may take, and how many connections are open', () => {
    const server = limitServer(createServer());
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(15_000);
    expect(server.maxConnections).toBeGreaterThan(0);
    server.close();
  });
});

describe('pseudonyms in the interaction log', () => {
  it('are keyed, re-key the rows written before the key, and the key is kept beside the embedded database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kup-keys-'));
    try {
      // No PSEUDONYM_KEY: a key is generated into DATA_DIR, readable by the owner only, and kept.
      const first = pseudonymKey({ dataDir: dir });
      expect(first.from).toBe('generated');
      expect(statSync(join(dir, 'pseudonym.key')).mode & 0o777).toBe(0o600);
      expect(pseudonymKey({ dataDir: dir })).toEqual({ key: first.key, from: 'file' });

      const a = createPseudonyms(first.key);
      const b = createPseudonyms('another-key-of-at-least-thirty-two-chars');
      const id = 'telegram:123456789';
      // The unkeyed digest anyone can compute from a Telegram id is not what is stored.
      expect(await a.of(id)).not.toBe(await legacyDigest(id));
      expect(await a.of(id)).not.toBe(await b.of(id));
      expect(await a.of(id)).toMatch(/^[0-9a-f]{32}$/);
      expect(() => createPseudonyms('short')).toThrow(/at least 32/);

      // A log written before the key: the migration re-keys it, and refuses without a key.
      const handle = await connectEmbedded(undefined);
      try {
        const migrator = new Migrator({
          db: handle.db,
          provider: { getMigrations: async () => migrationsFor() },
        });
        await migrator.migrateTo('2026-12-05T0900-contexts');
        await sql`insert into interactions (channel, conversation, turn_id, direction, text)
          values ('telegram', ${await legacyDigest(id)}, 't', 'in', 'hi'),
                 ('telegram', 'forgotten', 't', 'in', '')`.execute(handle.db);
        await expect(migrateToLatest(handle.db)).rejects.toThrow(/PSEUDONYM_KEY/);
        expect(await migrateToLatest(handle.db, a)).toContain('2026-12-05T1200-keyed-pseudonyms');
        const rows = await sql<{
          conversation: string;
        }>`select conversation from interactions order by id`.execute(handle.db);
        expect(rows.rows.map((r) => r.conversation)).toEqual([await a.of(id), 'forgotten']);
      } finally {
        await handle.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
