// The Workers build: bundle size, and the shared end-to-end contract against the Node server and
// against src/worker.ts running in workerd, both on a real Postgres.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { connectPostgres } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createTaughtStore } from '../src/db/taught.ts';
import { runContract } from './helpers/contract.ts';
import { adminUrl, createPostgresDatabase } from './helpers/db.ts';
import { type FakeSlack, startFakeSlack } from './helpers/fake-slack.ts';
import { type FakeTelegram, startFakeTelegram } from './helpers/fake-telegram.ts';
import { type FakeWeChat, startFakeWeChat } from './helpers/fake-wechat.ts';
import { root, startServer, TEST_PSEUDONYM_KEY } from './helpers/server.ts';
import { wechatUser } from './helpers/wechat-user.ts';
import { startWorker, wranglerEnv } from './helpers/workerd.ts';

const run = promisify(execFile);

describe('the Workers bundle', () => {
  it('builds without an account and stays under 500 KiB gzipped, without PGlite', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kup-worker-'));
    onTestFinished(() => rmSync(out, { recursive: true, force: true }));
    await run(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out], {
      cwd: root,
      env: wranglerEnv,
    });
    const bundle = readFileSync(join(out, 'worker.js'));
    const gz = gzipSync(bundle).length;
    console.log(
      `Workers bundle: ${(bundle.length / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped`,
    );
    expect(gz).toBeLessThan(500 * 1024);
    expect(bundle.includes('pglite')).toBe(false);
  }, 120_000);
});

describe('the Worker without a database', () => {
  it('says so at /healthz, and the chat API refuses clearly', async () => {
    const worker = await startWorker({}, 90_000, 503);
    try {
      const health = await fetch(`${worker.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        ok: false,
        database: 'none',
        error: expect.stringMatching(/HYPERDRIVE/),
      });
      const chat = await fetch(`${worker.url}/api/chat`, {
        method: 'POST',
        body: '{"userId":"a","text":"hi"}',
      });
      expect(chat.status).toBe(503);
      await expect.poll(() => worker.output(), { timeout: 5_000 }).toMatch(/no database/);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

describe('a misconfigured Worker', () => {
  it('logs what is wrong and answers a bare 503, telling callers nothing of its configuration', async () => {
    const worker = await startWorker(
      { RATE_LIMIT_PER_MINUTE: 'lots', SLACK_BOT_TOKEN: 'xoxb-secret' },
      90_000,
      503,
    );
    try {
      const res = await fetch(`${worker.url}/api/chat`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('Service Unavailable');
      await expect
        .poll(() => worker.output(), { timeout: 5_000 })
        .toMatch(/RATE_LIMIT_PER_MINUTE: must be a number/);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

describe.runIf(adminUrl)('the shared contract on Node and in workerd, on Postgres', () => {
  const TG = '424242:CONTRACT';
  const TG_SECRET = 'contract-secret';
  const SLACK_SECRET = 'contract-slack-secret';
  let telegram: FakeTelegram;
  let slack: FakeSlack;
  let wechat: FakeWeChat;
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let vars: Record<string, string>;
  const WECHAT = {
    token: 'contractToken',
    appId: 'wxCONTRACT0000001',
    aesKey: 'ContractAesKey0123456789abcdefghijklmnopqrs',
  };

  beforeAll(async () => {
    telegram = await startFakeTelegram(TG);
    slack = await startFakeSlack();
    wechat = await startFakeWeChat({ appId: WECHAT.appId, appSecret: 'contract-wechat-secret' });
    db = await createPostgresDatabase();
    const h = await connectPostgres(db.url);
    await migrateToLatest(h.db);
    await h.close();
    vars = {
      DATABASE_URL: db.url,
      TELEGRAM_BOT_TOKEN: TG,
      TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-contract',
      SLACK_API_URL: slack.apiUrl,
      SLACK_BOT_ID: 'BBOT',
      SLACK_BOT_USER_ID: 'UBOT',
      SLACK_HANDOFF_CHANNEL: 'C0CONTRACT',
      SLACK_STAFF_USER_IDS: 'USTAFF',
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      WECHAT_TOKEN: WECHAT.token,
      WECHAT_APP_ID: WECHAT.appId,
      WECHAT_APP_SECRET: 'contract-wechat-secret',
      WECHAT_ENCODING_AES_KEY: WECHAT.aesKey,
      WECHAT_API_ROOT: wechat.apiRoot,
    };
  });
  afterAll(async () => {
    await telegram?.close();
    await slack?.close();
    await wechat?.close();
    await db?.drop();
  });

  const target = (base: string) => ({
    base,
    telegram,
    telegramSecret: TG_SECRET,
    slack,
    slackSecret: SLACK_SECRET,
    handoffChannel: 'C0CONTRACT',
    wechat,
    wechatToken: WECHAT.token,
    wechatAppId: WECHAT.appId,
    wechatAesKey: WECHAT.aesKey,
  });

  it('holds on the Node server', async () => {
    const server = await startServer(vars);
    try {
      await runContract(target(server.url), 'node');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);

  it('limits each client address in workerd with the rate-limiting binding, whatever user ids it sends', async () => {
    const worker = await startWorker({ DATABASE_URL: db.url, PSEUDONYM_KEY: TEST_PSEUDONYM_KEY });
    try {
      // The binding (wrangler.toml: 300 a minute) lives outside the Worker's isolate, as on Cloudflare.
      const statuses = async (ip: string, n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          const res = await fetch(`${worker.url}/api/chat/messages?userId=rotating-${ip}-${i}`, {
            headers: { 'cf-connecting-ip': ip },
          });
          await res.arrayBuffer();
          out.push(res.status);
          if (res.status === 429) expect(res.headers.get('retry-after')).toBe('60');
        }
        return out;
      };
      const attacker = await statuses('203.0.113.1', 305);
      expect(attacker.filter((s) => s === 200)).toHaveLength(300);
      expect(attacker.slice(300).every((s) => s === 429)).toBe(true);
      expect((await statuses('203.0.113.2', 3)).every((s) => s === 200)).toBe(true);
    } finally {
      await worker.stop();
    }
  }, 180_000);

  it('picks up an entry staff taught within 30 s in workerd, reading only a counter in between', async () => {
    const worker = await startWorker({ DATABASE_URL: db.url, PSEUDONYM_KEY: TEST_PSEUDONYM_KEY });
    try {
      const question = '2027年广东省高研班什么时候报名？';
      const ask = async () => {
        const res = await fetch(`${worker.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: `taught-${Date.now()}`, text: question }),
        });
        return (await res.json()) as { meta: { kind: string; sources: string[] } };
      };
      expect((await ask()).meta.kind).toBe('fallback');
      const h = await connectPostgres(db.url);
      const entry = await createTaughtStore(h.db).save(
        {
          questions: [question],
          answer: { zh: '广东省2027年高级研修班计划于3月公布。', en: 'In March 2027.' },
          source: '广东省人社厅通知',
        },
        'USTAFF',
      );
      await h.close();
      const taughtAt = Date.now();
      // Asked once a second (the address limit counts every request).
      const sources = await vi.waitFor(
        async () => {
          const s = (await ask()).meta.sources;
          if (!s.includes(`kb:${entry.id}`)) throw new Error('not yet');
          return s;
        },
        { timeout: 40_000, interval: 1_000 },
      );
      expect(sources).toEqual([`kb:${entry.id}`]);
      expect(Date.now() - taughtAt).toBeLessThan(32_000);
    } finally {
      await worker.stop();
    }
  }, 120_000);

  it('answers WeChat in workerd: signed and sealed, passive reply or customer-service API, once per MsgId', async () => {
    const wechat = await startFakeWeChat({ appId: 'wxWORKERD00000001', appSecret: 'workerd-secret' });
    const aesKey = 'WorkerdAesKey0123456789abcdefghijklmnopqrst';
    const worker = await startWorker({
      DATABASE_URL: db.url,
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      WECHAT_TOKEN: 'workerdToken',
      WECHAT_APP_ID: 'wxWORKERD00000001',
      WECHAT_APP_SECRET: 'workerd-secret',
      WECHAT_ENCODING_AES_KEY: aesKey,
      WECHAT_API_ROOT: wechat.apiRoot,
    });
    try {
      const user = wechatUser({
        url: `${worker.url}/wechat`,
        token: 'workerdToken',
        appId: 'wxWORKERD00000001',
        aesKey,
        platform: wechat,
      });
      expect(await user.verify('echo-workerd')).toEqual({ status: 200, body: 'echo-workerd' });
      const passive = await user.text('oWorkerd1', '/cancel');
      expect(passive.reply?.content).toMatch(/登记/);
      const asked = await user.text('oWorkerd1', '高研班每年办多少期？', { msgId: '7100000000000000001' });
      const again = await user.text('oWorkerd1', '高研班每年办多少期？', { msgId: '7100000000000000001' });
      expect([asked.body, again.body]).toEqual(['success', 'success']);
      await vi.waitFor(
        () => expect(wechat.textsTo('oWorkerd1').some((t) => t.includes('300期'))).toBe(true),
        {
          timeout: 15_000,
          interval: 200,
        },
      );
      expect(wechat.textsTo('oWorkerd1').filter((t) => t.includes('300期'))).toHaveLength(1);
      expect(user.problems).toEqual([]);
      // The token is kept for every isolate.
      const h = await connectPostgres(db.url);
      const row = await h.db
        .selectFrom('channel_tokens')
        .selectAll()
        .where('channel', '=', 'wechat:wxWORKERD00000001')
        .executeTakeFirst();
      await h.close();
      expect(row?.token).toMatch(/^\d+_/);
    } finally {
      await worker.stop();
      await wechat.close();
    }
  }, 120_000);

  it('holds in workerd (wrangler dev)', async () => {
    const worker = await startWorker(vars);
    try {
      await runContract(target(worker.url), 'workerd').catch((error: unknown) => {
        console.log(worker.output().slice(-3000));
        throw error;
      });
      // The interaction log was written through waitUntil.
      const h = await connectPostgres(db.url);
      const rows = await h.db
        .selectFrom('interactions')
        .select('id')
        .where('channel', '=', 'telegram')
        .execute();
      await h.close();
      expect(rows.length).toBeGreaterThanOrEqual(4);
    } finally {
      await worker.stop();
    }
  }, 180_000);
});
