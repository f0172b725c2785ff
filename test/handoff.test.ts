// Handing a conversation to a person, end to end over real HTTP: Telegram and web chat users on
// one side, a fake Slack Web API as the staff desk on the other, signed Slack events in between.
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatter } from './helpers/chat.ts';
import { backends } from './helpers/db.ts';
import { type FakeSlack, startFakeSlack } from './helpers/fake-slack.ts';
import { type FakeTelegram, startFakeTelegram, updates } from './helpers/fake-telegram.ts';
import { openRuntime, type TestRuntime } from './helpers/runtime.ts';
import { freePort } from './helpers/server.ts';
import { slackHeaders } from './helpers/slack-sign.ts';
import { until } from './helpers/until.ts';

const SECRET = 'slack-signing-secret-for-handoff';
const DESK = 'C0HANDOFF1';
const STAFF = 'USTAFF01';
const TG_TOKEN = '777001:HANDOFF';

const sign = (body: string) => slackHeaders(SECRET, body);

describe.each(backends)('handoff to staff on %s', (backend) => {
  let slack: FakeSlack;
  let telegram: FakeTelegram;
  let t: TestRuntime;
  let server: ReturnType<typeof serve>;
  let base: string;
  const u = updates(50_000);
  let events = 0;

  const env = () => ({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-handoff',
    SLACK_API_URL: slack.apiUrl,
    SLACK_STAFF_USER_IDS: STAFF,
    SLACK_HANDOFF_CHANNEL: DESK,
    SLACK_BOT_ID: 'BBOT',
    SLACK_BOT_USER_ID: 'UBOT',
    TELEGRAM_BOT_TOKEN: TG_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: 'tg-secret',
    TELEGRAM_API_ROOT: telegram.apiRoot,
  });
  const listen = async () => {
    const port = await freePort();
    server = serve({ fetch: t.rt.app.fetch, port, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    slack = await startFakeSlack();
    telegram = await startFakeTelegram(TG_TOKEN);
    t = await openRuntime(backend, env(), { persistent: true });
    await listen();
  });
  afterAll(async () => {
    server?.close();
    await t?.close();
    await slack?.close();
    await telegram?.close();
  });

  const tg = (update: unknown) =>
    fetch(`${base}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg-secret' },
      body: JSON.stringify(update),
    });
  const toUser = (chatId: number) => telegram.sent('sendMessage', chatId).map((c) => String(c.payload.text));
  /** Cases posted to the desk (top-level messages in the handoff channel). */
  const cases = () =>
    slack.calls.filter(
      (c) => c.method === 'chat.postMessage' && c.payload.channel === DESK && !c.payload.thread_ts,
    );
  const inThread = (ts: string) =>
    slack.calls.filter((c) => c.method === 'chat.postMessage' && c.payload.thread_ts === ts);
  /** The conversation's case once it is on the desk: its id, its thread's ts, what was posted. */
  const caseOf = (conversationId: string) =>
    until(`the case of ${conversationId} on the desk`, async () => {
      const found = await t.rt.db
        .selectFrom('handoffs')
        .select(['id', 'desk_ref'])
        .where('conversation_id', '=', conversationId)
        .where('desk_ref', 'is not', null)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const call = cases().find((c) => String(c.payload.text).startsWith(`Case ${found?.id}:`));
      return found && call
        ? { id: String(found.id), ts: String(found.desk_ref).split(':')[1] as string, call }
        : undefined;
    });
  const poll = async (userId: string, after = '0') => {
    const res = await fetch(`${base}/api/chat/messages?userId=${userId}&after=${after}`);
    expect(res.status).toBe(200);
    return (await res.json()) as {
      messages: Array<{ id: string; text: string }>;
      handoff: { open: boolean };
    };
  };

  /** A signed Events API `message` event, as Slack sends it. */
  const slackEvent = (event: Record<string, unknown>, eventId = `Ev${++events}`) =>
    JSON.stringify({
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel_type: 'channel', event_ts: String(Date.now() / 1000), ...event },
    });
  const postSlack = async (body: string, contentType = 'application/json') => {
    const res = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...sign(body) },
      body,
    });
    expect(res.status).toBe(200);
  };
  let staffTs = 0;
  const staffReply = (threadTs: string, text: string, extra: Record<string, unknown> = {}) => ({
    channel: DESK,
    user: STAFF,
    text,
    ts: `${Math.floor(Date.now() / 1000) + 100}.${String(++staffTs).padStart(6, '0')}`,
    thread_ts: threadTs,
    ...extra,
  });
  /** A signed block_actions request: a staff member pressing one of the case's buttons. */
  const press = async (
    actionId: 'handoff_close' | 'handoff_return',
    caseId: string,
    messageTs: string,
    user = STAFF,
  ) => {
    const payload = {
      type: 'block_actions',
      user: { id: user, username: 'staff', team_id: 'T0001' },
      api_app_id: 'A0001',
      token: 'x',
      container: { type: 'message', message_ts: messageTs, channel_id: DESK, is_ephemeral: false },
      trigger_id: '1.2.3',
      team: { id: 'T0001', domain: 'kup' },
      channel: { id: DESK, name: 'handoffs' },
      message: {
        type: 'message',
        ts: messageTs,
        text: 'case',
        blocks: [
          { type: 'section', block_id: 's1', text: { type: 'mrkdwn', text: 'Case' } },
          { type: 'actions', block_id: 'handoff', elements: [] },
        ],
      },
      response_url: slack.responseUrl(`a${++events}`),
      actions: [
        {
          type: 'button',
          action_id: actionId,
          block_id: 'handoff',
          value: caseId,
          action_ts: String(Date.now() / 1000),
          text: { type: 'plain_text', text: 'x' },
        },
      ],
    };
    await postSlack(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  };
  it('Telegram: a user asks for a person, staff answer in the thread, the user gets it once; hand back returns them to the bot', async () => {
    const user = 9101;
    await tg(u.text(user, 'zh-hans', '高研班每年办多少期？'));
    await tg(u.text(user, 'zh-hans', '我的单位能不能报销差旅费'));
    const before = toUser(user).length;
    expect((await tg(u.text(user, 'zh-hans', '人工客服'))).status).toBe(200);
    const told = toUser(user).slice(before).join('\n');
    expect(told).toContain('工作人员');
    expect(told).toContain('/bot');
    expect(told).toMatch(/工作时间：周一至周五 09:00–17:00（北京时间）/);

    const { id: caseId, call, ts } = await caseOf(`telegram:${user}`);
    const posted = JSON.stringify(call.payload);
    expect(posted).toContain('我的单位能不能报销差旅费'); // the unanswered question
    expect(posted).toContain('Telegram');
    expect(posted).toContain('Chinese');
    expect(posted).toContain('not registered');
    expect(posted).toContain('Last turns');
    expect(posted).toContain('handoff_close');

    // While the case is open, the user's words go to the thread and the bot stays quiet.
    const quiet = toUser(user).length;
    await tg(u.text(user, 'zh-hans', '我在北京工作，想参加明年的高研班'));
    await until('the user message in the thread', () => (inThread(ts).length >= 1 ? true : undefined));
    expect(String(inThread(ts)[0]?.payload.text)).toContain('我在北京工作，想参加明年的高研班');
    // Phone numbers, ID numbers and e-mail addresses typed to staff do not reach the channel.
    await tg(u.text(user, 'zh-hans', '我的电话是13812345678，邮箱li@example.com'));
    await until('the redacted message in the thread', () =>
      inThread(ts).some((c) => String(c.payload.text).includes('我的电话是[phone]，邮箱[email]'))
        ? true
        : undefined,
    );
    expect(JSON.stringify(slack.calls)).not.toMatch(/13812345678|li@example\.com/);
    expect(toUser(user).length).toBe(quiet);

    // A staff reply in the thread reaches the user through sendMessage, once, however often Slack sends it.
    const reply = staffReply(ts, '您好，明年的计划一般在年初公布，请关注省人社厅通知。');
    const body = slackEvent(reply, 'EvDup1');
    await postSlack(body);
    await until('the staff reply on Telegram', () =>
      toUser(user).some((m) => m.includes('明年的计划一般在年初公布')) ? true : undefined,
    );
    await postSlack(body); // the same delivery again, without a retry header
    await postSlack(slackEvent(reply, 'EvDup2')); // the same message in another envelope
    await new Promise((r) => setTimeout(r, 300));
    const relayed = toUser(user).filter((m) => m.includes('明年的计划一般在年初公布'));
    expect(relayed).toEqual(['工作人员：您好，明年的计划一般在年初公布，请关注省人社厅通知。']);

    // Hand back: the user is told, the buttons go from the case, and the bot answers again.
    await press('handoff_return', caseId, ts);
    await until('the hand-back notice', () =>
      toUser(user).some((m) => m.includes('交回智能助手')) ? true : undefined,
    );
    // The case post is updated too (after the notice or before it: the two calls run side by side).
    const update = await until('the case post updated', () =>
      slack.calls.find((c) => c.method === 'chat.update'),
    );
    expect(update?.payload.ts).toBe(ts);
    expect(JSON.stringify(update?.payload)).not.toContain('"actions"');
    expect(JSON.stringify(update?.payload)).toContain('handed back to the assistant');
    const n = toUser(user).length;
    await tg(u.text(user, 'zh-hans', '高研班每年办多少期？'));
    expect(toUser(user).slice(n).join('\n')).toMatch(/300/);
    const stored = await t.rt.db
      .selectFrom('handoffs')
      .selectAll()
      .where('conversation_id', '=', `telegram:${user}`)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'closed', outcome: 'returned' });
    expect(stored.first_reply_at).not.toBeNull();
  });

  it('relays nothing from other threads, top-level messages, edits, other channels or the bot itself', async () => {
    const user = 9102;
    await tg(u.text(user, 'en', 'I want to talk to a person'));
    const { ts } = await caseOf(`telegram:${user}`);
    const base0 = toUser(user).length;
    const others: Array<Record<string, unknown>> = [
      staffReply('1700000000.000001', 'in some other thread'),
      { ...staffReply(ts, 'top level'), thread_ts: undefined },
      staffReply(ts, 'from the bot', { bot_id: 'BBOT', user: 'UBOT' }),
      staffReply(ts, 'from another bot', { bot_id: 'BOTHER', subtype: 'bot_message', user: undefined }),
      staffReply(ts, 'an edit', { subtype: 'message_changed' }),
      staffReply(ts, 'a join', { subtype: 'channel_join' }),
      staffReply(ts, 'another channel', { channel: 'C0OTHER99' }),
    ];
    for (const event of others) await postSlack(slackEvent(event));
    // A message that is relayed, sent last: when it arrives, the others have been handled. (It is
    // also sent to the channel, and has Slack's markup, which the user sees as plain text.)
    const markup = 'The real answer: Q&amp;A at <https://www.mohrss.gov.cn|the ministry site> &lt;3';
    await postSlack(slackEvent(staffReply(ts, markup, { subtype: 'thread_broadcast' })));
    await until('the real answer', () =>
      toUser(user).some((m) => m.includes('The real answer')) ? true : undefined,
    );
    expect(toUser(user).slice(base0)).toEqual([
      'Programme staff: The real answer: Q&A at the ministry site (https://www.mohrss.gov.cn) <3',
    ]);

    // /bot: the user leaves; the thread is told; the next question is the bot's again.
    await tg(u.text(user, 'en', '/bot'));
    expect(toUser(user).at(-1)).toContain('back with the assistant');
    await until('the note in the thread', () =>
      inThread(ts).some((c) => String(c.payload.text).includes('ended by the user')) ? true : undefined,
    );
    // A late reply to a closed case goes nowhere.
    await postSlack(slackEvent(staffReply(ts, 'too late')));
    await tg(u.text(user, 'en', 'What are the priority fields?'));
    expect(toUser(user).some((m) => m.includes('too late'))).toBe(false);
    expect(toUser(user).at(-1)).toMatch(/field/i);
  });

  it('web chat: the page polls staff replies; closing the case returns the user to the bot', async () => {
    const web = chatter(t.rt.app, 'handoff-web-1');
    await web.say('How do I cook rice?');
    const turn = await web.say('talk to a person');
    expect(turn.meta.kind).toBe('handoff');
    expect(turn.replies[0]?.text).toMatch(/Office hours: Mon–Fri 09:00–17:00 \(Beijing time\)/);
    expect(turn.replies[0]?.text).toContain('/bot');
    const { id: caseId, call, ts } = await caseOf('web:handoff-web-1');
    expect(JSON.stringify(call.payload)).toContain('web chat');
    expect(JSON.stringify(call.payload)).toContain('English');
    expect(JSON.stringify(call.payload)).toContain('How do I cook rice?');

    expect(await poll('handoff-web-1')).toEqual({ messages: [], handoff: { open: true } });
    const waiting = await web.say('Is anyone there?');
    expect(waiting).toMatchObject({ replies: [], meta: { kind: 'handoff' } });
    await until('the web message in the thread', () =>
      inThread(ts).some((c) => String(c.payload.text).includes('Is anyone there?')) ? true : undefined,
    );

    const reply = slackEvent(staffReply(ts, 'Yes, hello! How can I help?'));
    await postSlack(reply);
    await postSlack(reply);
    const got = await until('the reply in the poll', async () => {
      const r = await poll('handoff-web-1');
      return r.messages.length ? r : undefined;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect((await poll('handoff-web-1')).messages.map((m) => m.text)).toEqual([
      'Programme staff: Yes, hello! How can I help?',
    ]);
    const last = got.messages[0]?.id as string;
    expect((await poll('handoff-web-1', last)).messages).toEqual([]);

    await press('handoff_close', caseId, ts);
    const after = await until('the case closed', async () => {
      const r = await poll('handoff-web-1', last);
      return r.handoff.open ? undefined : r;
    });
    expect(after.messages.map((m) => m.text)).toEqual([
      'The programme staff closed this conversation, and you are back with the assistant. Type /human if you need a person again.',
    ]);
    // Pressing close again changes nothing.
    await press('handoff_close', caseId, ts);
    await new Promise((r) => setTimeout(r, 200));
    expect((await poll('handoff-web-1', last)).messages).toHaveLength(1);
    expect((await web.say('What are the priority fields?')).meta.kind).toBe('answer');
  });

  it('offers a person after three unanswered questions in a row; the button opens a case', async () => {
    const web = chatter(t.rt.app, 'handoff-web-2');
    const first = await web.say('How do I cook rice?');
    expect(first.meta.kind).toBe('fallback');
    expect(JSON.stringify(first)).not.toContain('handoff:open');
    await web.say('What is the weather in Paris?');
    const third = await web.say('Recommend me a good film');
    expect(third.replies.flatMap((r) => r.choices ?? []).map((c) => c.id)).toContain('handoff:open');
    // An answer in between resets the count.
    const other = chatter(t.rt.app, 'handoff-web-3');
    await other.say('How do I cook rice?');
    await other.say('What are the priority fields?');
    await other.say('What is the weather in Paris?');
    expect(JSON.stringify(await other.say('Recommend me a good film'))).not.toContain('handoff:open');

    const casesBefore = cases().length;
    expect((await web.pick('handoff:open')).meta.kind).toBe('handoff');
    await caseOf('web:handoff-web-2');
    // Asking again while it is open opens nothing new.
    expect((await web.say('人工客服')).replies[0]?.text).toContain('/bot');
    await new Promise((r) => setTimeout(r, 200));
    expect(cases().length).toBe(casesBefore + 1);
  });

  it('open cases survive a restart; /kup stats counts cases, answers and the time to the first reply', async () => {
    const web = chatter(t.rt.app, 'handoff-web-4');
    await web.say('我想找工作人员');
    const { ts } = await caseOf('web:handoff-web-4');
    server.close();
    await t.restart();
    await listen();
    const again = chatter(t.rt.app, 'handoff-web-4');
    expect((await again.say('还在吗？')).meta.kind).toBe('handoff');
    await postSlack(slackEvent(staffReply(ts, '在的，请讲。')));
    const got = await until('the reply after the restart', async () => {
      const r = await poll('handoff-web-4');
      return r.messages.length ? r : undefined;
    });
    expect(got.messages.map((m) => m.text)).toEqual(['工作人员：在的，请讲。']);

    const id = `r-stats-${backend}`;
    const body = new URLSearchParams({
      token: 'legacy',
      team_id: 'T0001',
      channel_id: 'C0001',
      user_id: STAFF,
      command: '/kup',
      text: 'stats all',
      api_app_id: 'A0001',
      response_url: slack.responseUrl(id),
      trigger_id: '1.2.3',
    }).toString();
    await postSlack(body, 'application/x-www-form-urlencoded');
    const answer = await until('the stats', () => slack.responses.find((r) => r.path.endsWith(id)));
    const text = JSON.stringify(answer.body);
    const opened = await t.rt.db
      .selectFrom('handoffs')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const answered = await t.rt.db
      .selectFrom('handoffs')
      .where('first_reply_at', 'is not', null)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(opened?.n)).toBeGreaterThanOrEqual(4);
    expect(text).toContain(`*Handed to staff:* ${Number(opened?.n)}`);
    expect(text).toContain(`*answered by staff:* ${Number(answered?.n)}`);
    expect(text).toMatch(/\*median time to first staff reply:\* \d+ s/);
  });

  it('groups are sent to a private chat; bad polling requests get a clear 400', async () => {
    const n = telegram.sent('sendMessage').length;
    await tg(u.groupText(9103, '/human'));
    expect(String(telegram.sent('sendMessage').slice(n)[0]?.payload.text)).toContain('t.me/');
    for (const query of [
      '',
      'userId=',
      `userId=${'x'.repeat(200)}`,
      'userId=a%00b',
      'userId=a&after=abc',
      'userId=a&after=-1',
      `userId=a&after=${'9'.repeat(30)}`,
    ]) {
      const res = await fetch(`${base}/api/chat/messages?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
    const stranger = await fetch(`${base}/api/chat/messages?userId=nobody-here`);
    expect(await stranger.json()).toEqual({ messages: [], handoff: { open: false } });
    // A client polling far faster than the page does is slowed down, with a clear answer.
    const burst = await Promise.all(
      Array.from({ length: 15 }, () => fetch(`${base}/api/chat/messages?userId=impatient`)),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(10);
    expect(statuses.filter((st) => st === 429)).toHaveLength(5);
    const slowed = burst[statuses.indexOf(429)] as Response;
    expect(((await slowed.json()) as { error: string }).error).toMatch(/poll at most/);
  });

  it('one case for two requests at once; long messages whole; files noted; colleagues stay in Slack', async () => {
    const web = chatter(t.rt.app, 'handoff-web-6');
    const before = cases().length;
    const both = await Promise.all([web.say('转人工'), web.say('人工客服')]);
    expect(both.map((b) => b.meta.kind)).toEqual(['handoff', 'handoff']);
    const { id, ts } = await caseOf('web:handoff-web-6');
    await new Promise((r) => setTimeout(r, 200));
    expect(cases().length).toBe(before + 1);

    // A message as long as the web chat takes reaches the thread whole.
    const long = `我的问题是：${'继续教育'.repeat(990)}`;
    expect(long.length).toBeGreaterThan(3_900);
    await web.say(long);
    await until('the long message', () =>
      inThread(ts).some((c) => String(c.payload.text).includes(long)) ? true : undefined,
    );
    // Asking for a person again is passed on too, with a reminder for the user.
    const again = await web.say('能帮我联系工作人员吗，我的证书丢了');
    expect(again.text).toContain('/bot');
    await until('the request in the thread', () =>
      inThread(ts).some((c) => String(c.payload.text).includes('我的证书丢了')) ? true : undefined,
    );

    // A colleague who is not programme staff talks in the thread: that stays in Slack.
    await postSlack(slackEvent({ ...staffReply(ts, 'internal: who takes this one?'), user: 'UCOLLEAGUE' }));
    // A staff reply with a file: the words go, with a note about the file.
    await postSlack(slackEvent(staffReply(ts, '请看附件中的通知', { subtype: 'file_share' })));
    const got = await until('the reply with a file', async () => {
      const r = await poll('handoff-web-6');
      return r.messages.length ? r : undefined;
    });
    expect(got.messages.map((m) => m.text)).toEqual([
      '工作人员：请看附件中的通知\n(A file was attached in Slack; files are not forwarded.)',
    ]);

    // Only staff can close a case: anyone else is told so, and the case stays open.
    const responses = slack.responses.length;
    await press('handoff_close', id, ts, 'UCOLLEAGUE');
    await until('the refusal', () => (slack.responses.length > responses ? true : undefined));
    expect(JSON.stringify(slack.responses.at(-1)?.body)).toContain('Only programme staff');
    expect((await poll('handoff-web-6')).handoff.open).toBe(true);
  });

  it('a reply that cannot reach the user is flagged in the thread; a case never posted does not trap the user', async () => {
    const user = 9104;
    await tg(u.text(user, 'en', 'Can I speak to a human?'));
    const { ts } = await caseOf(`telegram:${user}`);
    telegram.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found' }, user);
    await postSlack(slackEvent(staffReply(ts, 'Hello there')));
    await until('the warning in the thread', () =>
      inThread(ts).some((c) => String(c.payload.text).includes('could not be delivered')) ? true : undefined,
    );

    // A case whose server stopped before posting it: after a while it is dropped, and the bot answers.
    await t.rt.db
      .insertInto('handoffs')
      .values({
        conversation_id: 'web:handoff-web-7',
        channel: 'web',
        lang: 'en',
        status: 'open',
        opened_at: new Date(Date.now() - 60_000),
      })
      .execute();
    const web = chatter(t.rt.app, 'handoff-web-7');
    expect((await web.say('What are the priority fields?')).meta.kind).toBe('answer');
    expect((await web.say('talk to a person')).meta.kind).toBe('handoff');
    await caseOf('web:handoff-web-7');
  });

  it('/forget during a case ends it and deletes it with everything else', async () => {
    const web = chatter(t.rt.app, 'handoff-web-5');
    await web.say('转人工');
    await caseOf('web:handoff-web-5');
    const forget = await web.say('/forget');
    expect(forget.meta.kind).toBe('dialog');
    await web.pick('d:confirm:yes');
    const left = await t.rt.db
      .selectFrom('handoffs')
      .select('id')
      .where('conversation_id', '=', 'web:handoff-web-5')
      .execute();
    expect(left).toEqual([]);
  });
});
