// The WeChat Official Account channel end to end over real HTTP: a fake WeChat platform on loopback
// (test/helpers/fake-wechat.ts) that checks signatures, XML, lengths and access tokens as the real
// one does, playing both the server that pushes users' messages and the API the bot calls.
import { spawn } from 'node:child_process';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from '../adapters/wechat/codec.ts';
import { safeMode, signature } from '../adapters/wechat/crypto.ts';
import { MENU } from '../adapters/wechat/menu.ts';
import { parseConfig } from '../src/config.ts';
import { postStaffReply, WECHAT_REGISTRATION } from './helpers/contract.ts';
import { backends } from './helpers/db.ts';
import { type FakeSlack, startFakeSlack } from './helpers/fake-slack.ts';
import { type FakeWeChat, startFakeWeChat } from './helpers/fake-wechat.ts';
import { openRuntime, type TestRuntime } from './helpers/runtime.ts';
import { freePort } from './helpers/server.ts';
import { until } from './helpers/until.ts';
import { wechatDecrypt, wechatEncrypt, wechatSignature } from './helpers/wechat-crypto.ts';
import { type WeChatUser, wechatUser } from './helpers/wechat-user.ts';

const TOKEN = 'kupWeChatToken2026';
const APP_ID = 'wx5e1c2b3a4d6f7081';
const APP_SECRET = 'secret-of-the-test-account';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const SLACK_SECRET = 'slack-secret-for-wechat';
const DESK = 'CDESK01';
const STAFF = 'USTAFF01';

describe('WeChat safe mode with WebCrypto', () => {
  it('reads what node:crypto sealed, and seals what it reads, for every padding length', async () => {
    const sealed = await safeMode(AES_KEY, APP_ID);
    for (let n = 0; n < 40; n++) {
      const xml = `<xml><Content><![CDATA[${'问'.repeat(n)}x]]></Content></xml>`;
      expect(await sealed.decrypt(wechatEncrypt(AES_KEY, APP_ID, xml))).toEqual({ xml, appId: APP_ID });
      expect(wechatDecrypt(AES_KEY, await sealed.encrypt(xml))).toMatchObject({ xml, appId: APP_ID });
    }
    expect(await signature('b', 'a', 'c')).toBe(wechatSignature('b', 'a', 'c'));
    await expect(sealed.decrypt('not base64!')).rejects.toThrow();
    await expect(sealed.decrypt(Buffer.alloc(32).toString('base64'))).rejects.toThrow();
  });
});

describe.each(backends)('WeChat on %s', (backend) => {
  let wechat: FakeWeChat;
  let slack: FakeSlack;
  let t: TestRuntime;
  let server: ReturnType<typeof serve>;
  let base: string;
  let plain: WeChatUser;
  let safe: WeChatUser;
  let tSafe: TestRuntime;
  let safeServer: ReturnType<typeof serve>;
  let safeUrl = '';
  let n = 0;
  const openid = () => `oUser${backend}${++n}x`;
  /** What the user read after an exchange: the passive reply, or what followed by the API. */
  const said = async (user: string, r: { reply?: { content?: string } }, pattern: RegExp) =>
    r.reply?.content ??
    (await until(`an answer to ${user}`, () => wechat.textsTo(user).find((x) => pattern.test(x))));

  beforeAll(async () => {
    wechat = await startFakeWeChat({ appId: APP_ID, appSecret: APP_SECRET });
    slack = await startFakeSlack();
    // Plain mode here; safe mode on a server of its own (with a key, only sealed messages are taken).
    t = await openRuntime(backend, {
      WECHAT_TOKEN: TOKEN,
      WECHAT_APP_ID: APP_ID,
      WECHAT_APP_SECRET: APP_SECRET,
      WECHAT_API_ROOT: wechat.apiRoot,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-wechat',
      SLACK_API_URL: slack.apiUrl,
      SLACK_STAFF_USER_IDS: STAFF,
      SLACK_HANDOFF_CHANNEL: DESK,
      SLACK_BOT_ID: 'BBOT',
      SLACK_BOT_USER_ID: 'UBOT',
    });
    const port = await freePort();
    server = serve({ fetch: t.rt.app.fetch, port, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    plain = wechatUser({ url: `${base}/wechat`, token: TOKEN, appId: APP_ID, platform: wechat });
    tSafe = await openRuntime(backend, {
      WECHAT_TOKEN: TOKEN,
      WECHAT_APP_ID: APP_ID,
      WECHAT_APP_SECRET: APP_SECRET,
      WECHAT_ENCODING_AES_KEY: AES_KEY,
      WECHAT_API_ROOT: wechat.apiRoot,
    });
    const safePort = await freePort();
    safeServer = serve({ fetch: tSafe.rt.app.fetch, port: safePort, hostname: '127.0.0.1' });
    safeUrl = `http://127.0.0.1:${safePort}/wechat`;
    safe = wechatUser({
      url: safeUrl,
      token: TOKEN,
      appId: APP_ID,
      aesKey: AES_KEY,
      platform: wechat,
    });
  });
  afterAll(async () => {
    // Nothing the bot answered would the real platform refuse.
    expect([...(plain?.problems ?? []), ...(safe?.problems ?? [])]).toEqual([]);
    server?.close();
    safeServer?.close();
    await t?.close();
    await tSafe?.close();
    await wechat?.close();
    await slack?.close();
  });

  it('answers the server check with echostr, and only when signed with the token', async () => {
    expect(await plain.verify('echo-7788')).toEqual({ status: 200, body: 'echo-7788' });
    const forged = await plain.verify('echo-7788', { signature: 'f'.repeat(40) });
    expect(forged.status).toBe(401);
    expect((await plain.verify('x', { timestamp: null })).status).toBe(401);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { channels: Record<string, string> };
    expect(health.channels.wechat).toBe('on');
  });

  it('answers in the passive reply when one plain message will do (plain and safe mode), else by the API', async () => {
    // A turn of one message without choices: the passive reply, no API call.
    const calls = wechat.calls.length;
    const zh = await plain.text(openid(), '/cancel');
    expect(zh.status).toBe(200);
    expect(zh.reply?.content).toMatch(/登记/);
    const en = await safe.text(openid(), '/cancel');
    expect(en.reply?.content).toMatch(/登记/);
    expect(en.body).toContain('<Encrypt>');
    expect(en.body).not.toContain('登记');
    expect(wechat.calls.length).toBe(calls);
    // An answer with choices: "success" at once, then a menu message (the fake checks its shape).
    const user = openid();
    const menu = await safe.text(user, '高研班每年办多少期？');
    expect(await said(user, menu, /300期/)).toContain('300期');
    expect(wechat.sent.find((s) => s.touser === user)?.msgtype).toBe('msgmenu');
  });

  it('refuses what is not signed or sealed for this account, and malformed or hostile bodies, never with a 5xx', async () => {
    const user = openid();
    const xml = `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>1</MsgId></xml>`;
    expect((await plain.raw(xml, { signature: '0'.repeat(40) })).status).toBe(401);
    // Sealed for another account (a valid signature over it).
    const other = wechatEncrypt(AES_KEY, 'wxOTHERACCOUNT0001', xml);
    const envelope = `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${other}]]></Encrypt></xml>`;
    const q = safe.signedQuery(other);
    expect((await safe.raw(envelope, q)).status).toBe(401);
    // With a key, a plain message is refused: its signature does not cover the body.
    const plainToSafe = wechatUser({ url: safeUrl, token: TOKEN, appId: APP_ID });
    expect((await plainToSafe.raw(xml)).status).toBe(401);
    // A signature from a log, replayed later (WeChat's retries come within seconds).
    const old = String(Math.floor(Date.now() / 1000) - 3_600);
    const replayed = { timestamp: old, nonce: '42', signature: wechatSignature(TOKEN, old, '42') };
    expect((await plain.raw(xml, replayed)).status).toBe(401);
    // Plain mode: one signature, one body. A retry (the same body) is taken; another body is not.
    const signedOnce = plain.signedQuery();
    const ask = (content: string, id: string) =>
      `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${id}</MsgId></xml>`;
    expect((await plain.raw(ask('/cancel', '5550001'), signedOnce)).status).toBe(200);
    expect((await plain.raw(ask('/cancel', '5550001'), signedOnce)).status).toBe(200);
    expect((await plain.raw(ask('/forget', '5550002'), signedOnce)).status).toBe(401);
    // The query's sender and the message's must agree.
    expect((await plain.raw(xml, { openid: 'oSomeoneElse' })).status).toBe(401);
    // A CDATA section never closed is refused at once (no backtracking over the body).
    expect((await plain.raw(`<xml><Content><![CDATA[${'<a>'.repeat(15_000)}</Content></xml>`)).status).toBe(
      400,
    );
    for (const body of [
      '',
      'not xml',
      '<xml><Content>unclosed',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
      `<xml>${'<a>'.repeat(10_000)}</xml>`,
    ]) {
      const r = await plain.raw(body);
      expect(r.status, body.slice(0, 40)).toBeGreaterThanOrEqual(200);
      expect(r.status, body.slice(0, 40)).toBeLessThan(500);
    }
    expect((await plain.raw(`<xml><Content>${'x'.repeat(70_000)}</Content></xml>`)).status).toBe(413);
    // Content with "]]>" and markup is text, answered as text.
    const odd = await plain.text(openid(), '<b>高研班</b> ]]> 每年办多少期？');
    expect(odd.status).toBe(200);
  });

  it('answers a message once however often WeChat retries it (MsgId), and an event once (sender + CreateTime)', async () => {
    const user = openid();
    const first = await plain.text(user, '高研班每年办多少期？', { msgId: '9000000000000000001' });
    const again = await plain.text(user, '高研班每年办多少期？', { msgId: '9000000000000000001' });
    expect(await said(user, first, /300期/)).toContain('300期');
    expect(again.body).toBe('success');
    // Once every send after a response has ended, there was one: a retry scheduled none of its own.
    await t.rt.settled();
    expect(wechat.textsTo(user).filter((x) => x.includes('300期'))).toHaveLength(1);
    const who = openid();
    await plain.event(who, 'subscribe', { createTime: 1_760_000_000 });
    await plain.event(who, 'subscribe', { createTime: 1_760_000_000 });
    await t.rt.settled();
    expect(wechat.sent.filter((s) => s.touser === who)).toHaveLength(1);
  });

  it('welcomes a follower with a tappable menu; a tap is a choice; menu clicks map to topics', async () => {
    const user = openid();
    expect((await plain.event(user, 'subscribe')).body).toBe('success');
    const welcome = await until('the welcome', () => wechat.sent.find((s) => s.touser === user));
    expect(welcome.msgtype).toBe('msgmenu');
    const item = welcome.msgmenu?.list.find((i) => i.id.startsWith('topic:'));
    expect(item).toBeDefined();
    const tap = await plain.text(user, item?.content ?? '', { bizmsgmenuid: item?.id ?? '' });
    expect(tap.status).toBe(200);
    const click = await plain.event(user, 'CLICK', { eventKey: 'topic:priority-fields' });
    expect(await said(user, click, /领域/)).toMatch(/领域/);
  });

  it('says images, voice and video are not read; logs an unsubscribe', async () => {
    const user = openid();
    for (const kind of ['image', 'voice', 'video'] as const) {
      expect((await plain.media(user, kind)).reply?.content).toContain('文字');
    }
    expect((await plain.event(user, 'unsubscribe')).body).toBe('success');
    await t.rt.log.flush();
    const rows = await t.rt.db
      .selectFrom('interactions')
      .select('text')
      .where('text', '=', '[unsubscribe]')
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(1);
  });

  it('registers a trainee end to end: menu taps and typed answers, the phone typed', async () => {
    const user = openid();
    for (const [value, label] of WECHAT_REGISTRATION) {
      const r = label
        ? await plain.text(user, label, { bizmsgmenuid: value })
        : await plain.text(user, value);
      expect(r.status).toBe(200);
    }
    const registration = await until('the registration', async () =>
      (await t.rt.db.selectFrom('registrations').selectAll().where('channel', '=', 'wechat').execute()).find(
        (r) => r.phone === '13700005678',
      ),
    );
    expect(registration).toMatchObject({ name: '微信 契约', subproject: 'digital-engineer' });
  });

  it('keeps the access token, and gets a new one when WeChat refuses it (42001, 40001)', async () => {
    const before = wechat.tokensIssued;
    const user = openid();
    await plain.event(user, 'subscribe');
    await plain.event(user, 'CLICK', { eventKey: 'cmd:status' });
    await until('two messages', () =>
      wechat.sent.filter((s) => s.touser === user).length >= 1 ? true : undefined,
    );
    expect(wechat.tokensIssued).toBeLessThanOrEqual(Math.max(before, 1));
    wechat.expireTokens();
    const next = openid();
    await plain.event(next, 'subscribe');
    await until('the welcome after a refresh', () => wechat.sent.find((s) => s.touser === next));
    expect(wechat.tokensIssued).toBe(Math.max(before, 1) + 1);
    // Refused as invalid (40001, e.g. the AppSecret was reset): a new token, the message still goes.
    wechat.failNext(
      40001,
      'invalid credential, access_token is invalid or not latest',
      '/cgi-bin/message/custom/send',
    );
    const third = openid();
    const calls = wechat.calls.length;
    await plain.event(third, 'subscribe');
    await until('the welcome after 40001', () => wechat.sent.find((s) => s.touser === third));
    expect(
      wechat.calls
        .slice(calls)
        .filter((c) => c.path === '/cgi-bin/stable_token')
        .map((c) => (c.body as { force_refresh?: boolean }).force_refresh),
    ).toEqual([false, true]);
    // Shared with every other server and isolate.
    const row = await t.rt.db.selectFrom('channel_tokens').selectAll().executeTakeFirst();
    expect(row?.channel).toBe(`wechat:${APP_ID}`);
  });

  it('relays staff replies from the Slack desk, and tells staff when the 48-hour window of WeChat has closed', async () => {
    const user = openid();
    await plain.text(user, '我的单位能不能报销差旅费');
    await plain.text(user, '人工客服');
    const opened = await until('the case in Slack', () =>
      slack.calls.find(
        (c) => c.method === 'chat.postMessage' && c.payload.channel === DESK && !c.payload.thread_ts,
      ),
    );
    const ts = String(opened.ts);
    const reply = (text: string, at: number) =>
      postStaffReply(
        { base, slackSecret: SLACK_SECRET, handoffChannel: DESK },
        String(ts),
        text,
        `EvW${at}`,
        STAFF,
      );
    await reply('您好，差旅费以所在单位规定为准。', 1);
    await until('the staff reply on WeChat', () =>
      wechat.textsTo(user).find((t) => t.includes('差旅费以所在单位')),
    );
    // A long reply arrives whole, in messages within 2,048 bytes (the fake refuses longer ones).
    const long = `${'培训安排以当地通知为准。'.repeat(150)}完`;
    const before = wechat.textsTo(user).length;
    await reply(long, 3);
    const parts = await until('the long reply', () => {
      const got = wechat.textsTo(user).slice(before);
      return got.join('').includes('完') ? got : undefined;
    });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(2048);
    expect(parts.join('').replace('工作人员：', '')).toBe(long);
    wechat.outsideWindow.add(user);
    await reply('还有其他问题吗？', 2);
    const note = await until('the note in the case thread', () =>
      slack.calls.find(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.payload.thread_ts === ts &&
          String(c.payload.text).includes('45015'),
      ),
    );
    expect(String(note.payload.text)).toContain('48 hours');
  });
});

describe('WeChat messages within its limits', () => {
  it('splits text at 2,048 bytes, never inside a character, the choices under the last piece', () => {
    const text = `${'数字技术工程师培育项目😀'.repeat(120)}`;
    const out = render({
      replies: [{ text, choices: [{ id: 'topic:overview', label: '工程概况' }] }],
      meta: { kind: 'answer', sources: [], confidence: 1, lang: 'zh' },
    });
    expect(out.length).toBeGreaterThan(2);
    for (const m of out) {
      expect(Buffer.byteLength(m.text)).toBeLessThanOrEqual(2048);
      expect(m.text.isWellFormed()).toBe(true);
    }
    expect(out.map((m) => m.text).join('')).toBe(text);
    expect(out.slice(0, -1).every((m) => !m.choices)).toBe(true);
    expect(out.at(-1)?.choices).toEqual([{ id: 'topic:overview', label: '工程概况' }]);
  });

  it('keeps a menu to 10 choices, with back and cancel, and says the rest can be typed', () => {
    const provinces = Array.from({ length: 34 }, (_, i) => ({ id: `d:province:p${i}`, label: `省${i}` }));
    const [out] = render({
      replies: [
        {
          text: '您在哪个省份？',
          choices: [
            ...provinces,
            { id: 'd:province:back', label: '上一步' },
            { id: 'd:province:cancel', label: '取消登记' },
          ],
        },
      ],
      meta: { kind: 'dialog', sources: [], confidence: 1, lang: 'zh' },
    });
    expect(out?.choices).toHaveLength(10);
    expect(out?.choices?.slice(-2).map((c) => c.id)).toEqual(['d:province:back', 'd:province:cancel']);
    expect(out?.text).toContain('也可以直接输入');
  });

  it('shows in /healthz: "on" when configured, "off" when not', async () => {
    const t = await openRuntime('pglite');
    try {
      const health = (await (await t.rt.app.request('/healthz')).json()) as {
        channels: Record<string, string>;
      };
      expect(health.channels).toMatchObject({ web: 'on', telegram: 'off', wechat: 'off', slack: 'off' });
    } finally {
      await t.close();
    }
  });

  it('refuses WeChat settings without the Token, naming it', () => {
    expect(() => parseConfig({ WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: APP_SECRET })).toThrow(
      /WECHAT_TOKEN/,
    );
    expect(() => parseConfig({ WECHAT_TOKEN: TOKEN })).toThrow(/WECHAT_APP_ID/);
    expect(() =>
      parseConfig({
        WECHAT_TOKEN: TOKEN,
        WECHAT_APP_ID: APP_ID,
        WECHAT_APP_SECRET: 'x',
        WECHAT_ENCODING_AES_KEY: 'short',
      }),
    ).toThrow(/WECHAT_ENCODING_AES_KEY/);
  });
});

describe('WeChat past its 5 seconds', () => {
  it('answers "success" at once and sends the turn as customer-service messages', async () => {
    const wechat = await startFakeWeChat({ appId: APP_ID, appSecret: APP_SECRET });
    // A deadline of 1 ms: no turn is ready in time, as when the database is slow.
    const t = await openRuntime(
      'pglite',
      {
        WECHAT_TOKEN: TOKEN,
        WECHAT_APP_ID: APP_ID,
        WECHAT_APP_SECRET: APP_SECRET,
        WECHAT_API_ROOT: wechat.apiRoot,
      },
      { wechat: { passiveMs: 1 } },
    );
    const port = await freePort();
    const server = serve({ fetch: t.rt.app.fetch, port, hostname: '127.0.0.1' });
    try {
      const user = wechatUser({
        url: `http://127.0.0.1:${port}/wechat`,
        token: TOKEN,
        appId: APP_ID,
        platform: wechat,
      });
      const r = await user.text('oLateUser01', '高研班每年办多少期？');
      expect(r.body).toBe('success');
      expect(
        await until('the answer by the API', () =>
          wechat.textsTo('oLateUser01').find((x) => x.includes('300期')),
        ),
      ).toBeTruthy();
      expect(user.problems).toEqual([]);
    } finally {
      server.close();
      await t.close();
      await wechat.close();
    }
  });
});

describe('npm run wechat:setup', () => {
  it('creates the custom menu from one file (checked as the platform checks it) and says what to enter', async () => {
    const wechat = await startFakeWeChat({ appId: APP_ID, appSecret: APP_SECRET });
    try {
      const run = (env: Record<string, string>) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', 'scripts/wechat-setup.ts', 'https://kup.example.org'],
            {
              env: { PATH: process.env.PATH ?? '', ...env },
            },
          );
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          child.on('exit', (code) => resolve({ code, out }));
        });
      const ok = await run({
        WECHAT_TOKEN: TOKEN,
        WECHAT_APP_ID: APP_ID,
        WECHAT_APP_SECRET: APP_SECRET,
        WECHAT_ENCODING_AES_KEY: AES_KEY,
        WECHAT_API_ROOT: wechat.apiRoot,
      });
      expect(ok.out).toContain('custom menu created');
      expect(ok.out).toContain('https://kup.example.org/wechat');
      expect(ok.out).toContain('安全模式');
      expect(ok.code).toBe(0);
      expect(wechat.menus).toEqual([MENU]);
      const missing = await run({ WECHAT_TOKEN: TOKEN, WECHAT_API_ROOT: wechat.apiRoot });
      expect(missing.code).toBe(1);
      expect(missing.out).toMatch(/WECHAT_APP_ID/);
    } finally {
      await wechat.close();
    }
  });
});
