// Slack end to end over real HTTP: signed requests to /slack/events, a fake Web API and response_url,
// numbers checked against activity created through the web chat and Telegram.
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySlackRequest } from '../adapters/slack/verify.ts';
import { chatter, fillRegistration } from './helpers/chat.ts';
import { backends } from './helpers/db.ts';
import { type FakeSlack, startFakeSlack } from './helpers/fake-slack.ts';
import { type FakeTelegram, startFakeTelegram, updates } from './helpers/fake-telegram.ts';
import { openRuntime, type TestRuntime } from './helpers/runtime.ts';
import { freePort } from './helpers/server.ts';
import { slackClient } from './helpers/slack-client.ts';
import { slackHeaders } from './helpers/slack-sign.ts';
import { until } from './helpers/until.ts';

const SECRET = 'slack-signing-secret-for-tests';
const STAFF = 'USTAFF01';
const VISITOR = 'UVISIT02';
const TG_TOKEN = '654321:TEST';

/** Signs like Slack does, independently of adapters/slack/verify.ts. */
const sign = (body: string, ts?: number) => slackHeaders(SECRET, body, ts);

describe.each(backends)('Slack for staff on %s', (backend) => {
  let slack: FakeSlack;
  let telegram: FakeTelegram;
  let t: TestRuntime;
  let server: ReturnType<typeof serve>;
  let base: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    telegram = await startFakeTelegram(TG_TOKEN);
    t = await openRuntime(backend, {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.apiUrl,
      SLACK_STAFF_USER_IDS: STAFF,
      TELEGRAM_BOT_TOKEN: TG_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: 'tg-secret',
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    const port = await freePort();
    server = serve({ fetch: t.rt.app.fetch, port, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    client = slackClient(base, slack, SECRET);

    // Activity: questions and a registration on the web chat, a question and a registration on Telegram.
    const web = chatter(t.rt.app, 'slack-web-user');
    await web.say('高研班每年办多少期？');
    await web.say('What are the priority fields?');
    await web.say('How do I cook rice?');
    await fillRegistration(web, 'zh');
    await web.pick('d:review:confirm');
    const u = updates();
    const post = (update: unknown) =>
      fetch(`${base}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg-secret' },
        body: JSON.stringify(update),
      });
    await post(u.text(701, 'en', 'How many digital technology engineers a year?'));
    for (const step of [
      '/register',
      'd:consent:agree',
      'Tele Gram',
      '13700001234',
      'd:email:skip',
      'TG Org',
      'd:title:junior',
      'd:field:it',
      'd:subproject:digital-engineer',
      'Beijing',
      'd:experience:0-2',
      'd:review:confirm',
    ]) {
      await post(step.startsWith('d:') ? u.callback(701, step, 'en') : u.text(701, 'en', step));
    }
    await t.rt.log.flush();
  });
  afterAll(async () => {
    server?.close();
    await t?.close();
    await slack?.close();
    await telegram?.close();
  });

  /** Sends a signed /kup command and returns what was posted to its response_url. */
  let client: ReturnType<typeof slackClient>;
  const kup = (text: string, user = STAFF) => client.command(text, user);

  it('answers url_verification with the challenge', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' });
    const res = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body) },
      body,
    });
    expect(await res.json()).toEqual({ challenge: 'abc123' });
  });

  it('/kup stats all gives the numbers of the activity on the web chat and Telegram', async () => {
    const r = await kup('stats all');
    expect(r.response_type).toBe('ephemeral');
    expect(r.all).toContain('*Unique users:* 2');
    expect(r.all).toContain(
      '*Questions:* 4   *answered:* 3 (0 from taught entries)   *not answered:* 1   *fallback rate:* 25.0%',
    );
    expect(r.all).toContain('*Registrations:* 2');
    expect(r.all).toMatch(/` 1 {2}Advanced training \(高级研修项目\)/);
    expect(r.all).toMatch(/` 1 {2}Digital technology engineer training/);
    expect(r.all).toMatch(/` 1 {2}web/);
    expect(r.all).toMatch(/` 1 {2}telegram/);
    // Both registrations went through every step; the funnel counts conversations per step.
    expect(r.all).toMatch(/` 2 {2}consent/);
    expect(r.all).toMatch(/` 2 {2}registered/);
    expect(r.all).toContain('Asia/Shanghai');
  });

  it('/kup stats today and 7d work; a bad period is explained', async () => {
    expect((await kup('stats today')).all).toContain('*Registrations:* 2');
    expect((await kup('stats')).all).toContain('the last 7 days');
    expect((await kup('stats yesterday')).all).toContain('Unknown period');
  });

  it('/kup registrations shows personal data to staff only', async () => {
    const staff = await kup('registrations 5');
    expect(staff.all).toContain('张伟');
    expect(staff.all).toContain('13812345678');
    expect(staff.all).toContain('Tele Gram');
    const visitor = await kup('registrations 5', VISITOR);
    expect(visitor.all).toContain('*Registrations:* 2 in all');
    expect(visitor.all).toMatch(/only to programme staff/);
  });

  it('never gives a non-staff user personal data, in any response', async () => {
    const uploadsBefore = slack.uploads.length;
    for (const text of [
      'stats all',
      'stats today',
      'registrations 50',
      'export',
      'gaps',
      'help',
      'nonsense',
    ]) {
      const r = await kup(text, VISITOR);
      for (const personal of [
        '张伟',
        '13812345678',
        'zhang.wei@example.com',
        'Tele Gram',
        '13700001234',
        '中国科学院',
        'TG Org',
      ]) {
        expect(r.all.includes(personal), `${text} leaked ${personal}`).toBe(false);
      }
    }
    expect(slack.uploads.length).toBe(uploadsBefore);
  });

  it('/kup export sends staff a CSV by direct message whose rows match the database', async () => {
    const r = await kup('export');
    expect(r.all).toMatch(/Sent you 2 registrations/);
    const open = slack.calls.filter((c) => c.method === 'conversations.open').at(-1);
    expect(open?.payload.users).toBe(STAFF);
    const complete = slack.calls.filter((c) => c.method === 'files.completeUploadExternal').at(-1);
    expect(complete?.payload.channel_id).toBe(`D${STAFF}`);
    const csv = slack.uploads.at(-1)?.content ?? '';
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      '"reference","created_at","channel","subproject","name","phone","email","organization","title","field","province","experience","lang"',
    );
    const rows = await t.rt.db.selectFrom('registrations').selectAll().orderBy('id').execute();
    expect(lines.slice(1)).toHaveLength(rows.length);
    rows.forEach((row, i) => {
      const line = lines[i + 1] ?? '';
      for (const value of [
        row.reference,
        row.channel,
        row.subproject,
        row.name,
        row.phone,
        row.organization ?? '',
      ]) {
        expect(line).toContain(value);
      }
    });
  });

  it('/kup gaps lists the unanswered questions with counts; help and unknown subcommands', async () => {
    expect((await kup('gaps')).all).toMatch(/\*1×\* how do i cook rice\?/);
    // What people typed is for programme staff only.
    const visitor = await kup('gaps', VISITOR);
    expect(visitor.all).not.toContain('cook rice');
    expect(visitor.all).toMatch(/only for programme staff/);
    expect((await kup('help')).all).toContain('/kup stats');
    expect((await kup('frobnicate')).all).toContain('Unknown subcommand');
  });

  it('publishes the dashboard on App Home, and does not process a retry twice', async () => {
    const event = (id: string) =>
      JSON.stringify({
        token: 'x',
        team_id: 'T0001',
        api_app_id: 'A0001',
        type: 'event_callback',
        event_id: id,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'app_home_opened', user: STAFF, channel: 'D0001', tab: 'home', event_ts: '1.2' },
      });
    const before = slack.calls.filter((c) => c.method === 'views.publish').length;
    const body = event('Ev001');
    const first = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body) },
      body,
    });
    expect(first.status).toBe(200);
    await until('the Slack response', () =>
      slack.calls.filter((c) => c.method === 'views.publish').length > before ? true : undefined,
    );
    const retry = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-retry-num': '1',
        'x-slack-retry-reason': 'http_timeout',
        ...sign(body),
      },
      body,
    });
    expect(retry.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const published = slack.calls.filter((c) => c.method === 'views.publish');
    expect(published.length).toBe(before + 1);
    expect(JSON.stringify(published.at(-1)?.payload)).toContain('Registrations');
  });

  it('refuses a bad signature, a stale timestamp and an unsigned body with 401', async () => {
    const body =
      'command=%2Fkup&text=registrations&user_id=USTAFF01&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fx';
    const send = (headers: Record<string, string>) =>
      fetch(`${base}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const good = sign(body);
    expect(
      // One hex digit changed (to a different digit: a 0 replaced by 0 would change nothing).
      (
        await send({
          ...good,
          'x-slack-signature': good['x-slack-signature'].replace(/.$/, (d) => (d === '0' ? '1' : '0')),
        })
      ).status,
    ).toBe(401);
    expect((await send(sign(body, Math.floor(Date.now() / 1000) - 6 * 60))).status).toBe(401);
    expect((await send({})).status).toBe(401);
    const tampered = `${body}&extra=1`;
    expect(
      (await fetch(`${base}/slack/events`, { method: 'POST', headers: good, body: tampered })).status,
    ).toBe(401);
    const badJson = '{"type": ';
    expect(
      (
        await fetch(`${base}/slack/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sign(badJson) },
          body: badJson,
        })
      ).status,
    ).toBe(400);
  });
});

describe("Slack's published example", () => {
  // From Slack's documentation "Verifying requests from Slack".
  const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
  const DOC_TS = '1531420618';
  const DOC_BODY =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const DOC_SIG = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

  it('verifies with the clock fixed to its timestamp, and not five minutes later', async () => {
    const at = (now: number) =>
      verifySlackRequest({ secret: DOC_SECRET, body: DOC_BODY, timestamp: DOC_TS, signature: DOC_SIG, now });
    expect(await at(Number(DOC_TS))).toEqual({ ok: true });
    expect(await at(Number(DOC_TS) + 299)).toEqual({ ok: true });
    expect(await at(Number(DOC_TS) + 301)).toEqual({ ok: false, reason: 'stale or invalid timestamp' });
    expect(
      (
        await verifySlackRequest({
          secret: DOC_SECRET,
          body: `${DOC_BODY}x`,
          timestamp: DOC_TS,
          signature: DOC_SIG,
          now: Number(DOC_TS),
        })
      ).ok,
    ).toBe(false);
  });

  it('passes the route too (not 401) with that secret and clock', async () => {
    const slack = await startFakeSlack();
    const t = await openRuntime('pglite', {
      SLACK_SIGNING_SECRET: DOC_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-doc',
      SLACK_API_URL: slack.apiUrl,
    });
    try {
      // The same runtime, with Slack's clock fixed to the example's timestamp.
      await t.rt.close();
      const { createRuntime } = await import('../src/runtime.ts');
      const { parseConfig } = await import('../src/config.ts');
      const rt = await createRuntime(
        parseConfig({
          SLACK_SIGNING_SECRET: DOC_SECRET,
          SLACK_BOT_TOKEN: 'xoxb-doc',
          SLACK_API_URL: slack.apiUrl,
        }),
        {
          memory: true,
          logger: { info() {}, error() {} },
          slackNow: () => Number(DOC_TS),
        },
      );
      const res = await rt.app.request('/slack/events', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': DOC_TS,
          'x-slack-signature': DOC_SIG,
        },
        body: DOC_BODY,
      });
      expect(res.status).toBe(200);
      await rt.close();
    } finally {
      await slack.close();
    }
  });
});
