// Telegram end to end over real HTTP: the app on a port, a fake Bot API recording what the bot sent,
// real-shaped updates posted to the webhook (and, once, served by getUpdates for long polling).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramBot } from '../adapters/telegram/bot.ts';
import { escapeHtml, render, split } from '../adapters/telegram/render.ts';
import type { Assistant } from '../src/core/assistant.ts';
import type { Turn, TurnMeta } from '../src/core/types.ts';
import { backends } from './helpers/db.ts';
import { BOT, type FakeTelegram, startFakeTelegram, updates } from './helpers/fake-telegram.ts';
import { openRuntime, type TestRuntime } from './helpers/runtime.ts';
import { freePort, runScript } from './helpers/server.ts';
import { until } from './helpers/until.ts';

const TOKEN = '123456:TEST-token_abc';
const SECRET = 'webhook-secret_123';

describe.each(backends)('Telegram webhook on %s', (backend) => {
  let fake: FakeTelegram;
  let t: TestRuntime;
  let server: ReturnType<typeof serve>;
  let url: string;
  const u = updates();

  beforeAll(async () => {
    fake = await startFakeTelegram(TOKEN);
    t = await openRuntime(backend, {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: fake.apiRoot,
    });
    const port = await freePort();
    server = serve({ fetch: t.rt.app.fetch, port, hostname: '127.0.0.1' });
    url = `http://127.0.0.1:${port}/telegram/webhook`;
  });
  afterAll(async () => {
    server?.close();
    await t?.close();
    await fake?.close();
  });

  const post = (update: unknown, secret: string | null = SECRET) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
      },
      body: JSON.stringify(update),
    });
  /** Posts an update and returns what the bot sent to that chat because of it. */
  async function deliver(chatId: number, update: unknown) {
    const before = fake.sent('sendMessage', chatId).length;
    const res = await post(update);
    expect(res.status).toBe(200);
    return fake.sent('sendMessage', chatId).slice(before);
  }
  const last = (sent: { payload: Record<string, unknown> }[]) => sent[sent.length - 1]?.payload ?? {};
  const buttons = (payload: Record<string, unknown>) =>
    ((payload.reply_markup as { inline_keyboard?: { callback_data: string }[][] })?.inline_keyboard ?? [])
      .flat()
      .map((b) => b.callback_data);

  it('answers a question in Chinese and in English, in HTML with buttons', async () => {
    const zh = await deliver(501, u.text(501, 'zh-hans', '高研班每年办多少期？'));
    expect(zh).toHaveLength(1);
    expect(last(zh)).toMatchObject({ chat_id: 501, parse_mode: 'HTML' });
    expect(String(last(zh).text)).toContain('300期');
    expect(buttons(last(zh))).toContain('topic:how-to-take-part');
    const en = await deliver(
      502,
      u.text(502, 'en', 'How many digital technology engineers are trained a year?'),
    );
    expect(String(last(en).text)).toContain('80,000');
  });

  it('uses language_code until the user picks a language with /lang, and remembers it', async () => {
    let sent = await deliver(503, u.text(503, 'en-US', '/start'));
    expect(String(last(sent).text)).toMatch(/^Hello!/);
    sent = await deliver(503, u.text(503, 'en-US', '/lang zh'));
    expect(String(last(sent).text)).toContain('中文');
    sent = await deliver(503, u.text(503, 'en-US', '/help'));
    expect(String(last(sent).text)).toContain('命令');
    const row = await t.rt.db
      .selectFrom('preferences')
      .select('lang')
      .where('conversation_id', '=', 'telegram:503')
      .executeTakeFirst();
    expect(row?.lang).toBe('zh');
  });

  it('registers with buttons, a shared contact and typed answers, then /status and /forget', async () => {
    const id = 504;
    let sent = await deliver(id, u.text(id, 'zh-hans', '/start register'));
    expect(buttons(last(sent))).toEqual(['d:consent:agree', 'd:consent:decline']);
    // The button is acknowledged in the webhook response (one call fewer), as a JSON method call.
    const before = fake.sent('sendMessage', id).length;
    const press = u.callback(id, 'd:consent:agree');
    const res = await post(press);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({
      method: 'answerCallbackQuery',
      callback_query_id: press.callback_query.id,
    });
    expect(fake.sent('answerCallbackQuery')).toHaveLength(0);
    sent = fake.sent('sendMessage', id).slice(before);
    expect(fake.sent('editMessageReplyMarkup').length).toBeGreaterThan(0);
    expect(String(last(sent).text)).toContain('姓名');
    sent = await deliver(id, u.text(id, 'zh-hans', '王小明'));
    // The phone step offers to share the contact (a reply keyboard).
    const keyboard = (last(sent).reply_markup as { keyboard: { request_contact?: boolean }[][] }).keyboard;
    expect(keyboard[0]?.[0]?.request_contact).toBe(true);
    // A question at that step: answered, and the step asked again, in one message with the keyboard.
    sent = await deliver(id, u.text(id, 'zh-hans', '高研班每年办多少期？'));
    expect(sent).toHaveLength(1);
    expect(String(last(sent).text)).toMatch(/300期[\s\S]*手机/);
    expect(last(sent).reply_markup).toEqual(last(fake.sent('sendMessage', id).slice(0, -1)).reply_markup);
    // Someone else's contact is refused; the user's own is taken.
    sent = await deliver(id, u.contact(id, '+86 139 1111 2222', 999));
    expect(String(last(sent).text)).toContain('您自己的联系方式');
    sent = await deliver(id, u.contact(id, '+86 139 1111 2222'));
    expect(buttons(last(sent))).toContain('d:email:skip');
    for (const step of [
      'd:email:skip',
      '华为技术有限公司',
      'd:title:intermediate',
      'd:field:it',
      'd:subproject:digital-engineer',
      '粤',
      'd:experience:6-10',
    ]) {
      sent = await deliver(id, step.startsWith('d:') ? u.callback(id, step) : u.text(id, 'zh-hans', step));
    }
    expect(String(last(sent).text)).toContain('139****2222');
    sent = await deliver(id, u.callback(id, 'd:review:confirm'));
    const ref = /KUP-\w{6}/.exec(String(last(sent).text))?.[0];
    expect(ref).toBeDefined();
    const rows = await t.rt.db
      .selectFrom('registrations')
      .selectAll()
      .where('conversation_id', '=', `telegram:${id}`)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: 'telegram', phone: '13911112222', reference: ref });

    sent = await deliver(id, u.text(id, 'zh-hans', '/status'));
    expect(String(last(sent).text)).toContain(ref);
    sent = await deliver(id, u.text(id, 'zh-hans', '/forget'));
    sent = await deliver(id, u.callback(id, 'd:confirm:yes'));
    expect(String(last(sent).text)).toContain('已删除');
    expect(
      await t.rt.db
        .selectFrom('registrations')
        .select('id')
        .where('conversation_id', '=', `telegram:${id}`)
        .execute(),
    ).toEqual([]);
  });

  it('handles an update delivered three times, at once, exactly once', async () => {
    const update = u.text(505, 'en', 'What are the four sub-projects?');
    const before = fake.sent('sendMessage', 505).length;
    const responses = await Promise.all([post(update), post(update), post(update)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await post(update).then((r) => r.status)).toBe(200);
    expect(fake.sent('sendMessage', 505).length - before).toBe(1);
  });

  it('refuses a wrong or missing secret and malformed bodies without crashing', async () => {
    expect((await post(u.text(506, 'en', 'hi'), 'wrong-secret')).status).toBe(401);
    expect((await post(u.text(506, 'en', 'hi'), null)).status).toBe(401);
    const malformed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: '{"update_id": 1, "message": ',
    });
    expect(malformed.status).toBe(400);
    expect((await post({ hello: 'world' })).status).toBe(400);
    expect((await post([1, 2, 3])).status).toBe(400);
    expect(fake.sent('sendMessage', 506)).toHaveLength(0);
    expect((await deliver(506, u.text(506, 'en', 'hello'))).length).toBe(1);
  });

  it('answers stickers politely and ignores edits, channel posts and unaddressed group chatter', async () => {
    const sticker = await deliver(507, u.sticker(507));
    expect(String(last(sticker).text)).toMatch(/only read text/);
    expect(await deliver(507, u.edited(507, 'edited text'))).toHaveLength(0);
    expect((await post(u.channelPost('news'))).status).toBe(200);
    const group = -100123;
    expect(await deliver(group, u.groupText(508, '大家好，今天开会'))).toHaveLength(0);
    const mentioned = await deliver(group, u.groupText(508, '@kup_test_bot 高研班每年多少人？'));
    expect(String(last(mentioned).text)).toContain('2万');
    const register = await deliver(group, u.groupText(508, '/register@kup_test_bot'));
    expect(String(last(register).text)).toContain('https://t.me/kup_test_bot?start=register');
    // No personal dialog runs in a group, however it is asked for: a pointer to a private chat.
    for (const ask of [
      '@kup_test_bot 我要报名',
      '@kup_test_bot I want to sign up for the training',
      '@kup_test_bot /forget',
    ]) {
      const turn = await deliver(group, u.groupText(508, ask));
      expect(String(last(turn).text), ask).toContain('https://t.me/kup_test_bot?start=register');
      expect(JSON.stringify(last(turn).reply_markup ?? {}), ask).not.toContain('d:consent');
    }
    const button = await deliver(group, u.callback(508, 'start:register', 'zh-hans', true));
    expect(String(last(button).text)).toContain('私聊');
    const dialogs = await t.rt.db
      .selectFrom('dialogs')
      .select('conversation_id')
      .where('conversation_id', 'like', 'telegram:group:%')
      .execute();
    expect(dialogs).toEqual([]);
  });

  it('treats a blocked user (403) as normal and honours 429 retry_after', async () => {
    fake.failNext(
      'sendMessage',
      { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
      509,
    );
    expect((await post(u.text(509, 'en', 'hello'))).status).toBe(200);
    fake.failNext(
      'sendMessage',
      { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
      510,
    );
    const started = Date.now();
    const sent = await deliver(510, u.text(510, 'en', 'hello'));
    expect(sent).toHaveLength(1);
    expect(fake.calls.filter((c) => c.failed && c.payload.chat_id === 510)).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('logs Telegram turns with their channel', async () => {
    await t.rt.log.flush();
    const rows = await t.rt.db
      .selectFrom('interactions')
      .select(['channel'])
      .where('channel', '=', 'telegram')
      .execute();
    expect(rows.length).toBeGreaterThan(10);
  });
});

describe('Telegram webhook replies', () => {
  it('with TELEGRAM_WEBHOOK_REPLY=1 the first reply comes back in the webhook response', async () => {
    const fake = await startFakeTelegram(TOKEN);
    const t = await openRuntime('pglite', {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_WEBHOOK_REPLY: '1',
    });
    try {
      const res = await t.rt.app.request('/telegram/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(updates(70_000).text(701, 'zh-hans', '高研班每年办多少期？')),
      });
      expect(res.status).toBe(200);
      const reply = (await res.json()) as Record<string, unknown>;
      expect(reply).toMatchObject({ method: 'sendMessage', chat_id: 701, parse_mode: 'HTML' });
      expect(String(reply.text)).toContain('300期');
      expect(fake.sent('sendMessage', 701)).toHaveLength(0);
    } finally {
      await t.close();
      await fake.close();
    }
  });

  it('a turn of several messages sends them all, in order, never the first in the response', async () => {
    const fake = await startFakeTelegram(TOKEN);
    // Two replies, the first with buttons: two messages (whatever core answers).
    const turn: Turn = {
      replies: [{ text: 'first', choices: [{ id: 'topic:aims', label: 'Aims' }] }, { text: 'second' }],
      meta: { kind: 'answer', sources: [], confidence: 1, lang: 'en' },
    };
    const tg = createTelegramBot({
      token: TOKEN,
      assistant: { handle: async () => turn, entries: [] } as unknown as Assistant,
      ledger: { claim: async () => true, done: async () => {} },
      apiRoot: fake.apiRoot,
      botInfo: BOT as never,
      webhookReply: true,
    });
    const app = new Hono();
    tg.mount(app, SECRET);
    try {
      const post = (update: unknown) =>
        app.request('/telegram/webhook', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body: JSON.stringify(update),
        });
      const u = updates(80_000);
      let res = await post(u.text(801, 'en', 'anything'));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      expect(fake.sent('sendMessage', 801).map((m) => m.payload.text)).toEqual(['first', 'second']);
      // One message: that one rides on the response.
      turn.replies = [{ text: 'only' }];
      res = await post(u.text(801, 'en', 'anything else'));
      expect(await res.json()).toMatchObject({ method: 'sendMessage', chat_id: 801, text: 'only' });
      expect(fake.sent('sendMessage', 801)).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });
});

describe('Telegram webhook edge cases', () => {
  const post = (app: Hono, update: unknown) =>
    app.request('/telegram/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
  const oneReply: Turn = {
    replies: [{ text: 'late but here' }],
    meta: { kind: 'answer', sources: [], confidence: 1, lang: 'en' },
  };

  it('answers Telegram in time when a turn is slow, and the late reply still reaches the user', async () => {
    const fake = await startFakeTelegram(TOKEN);
    const errors: string[] = [];
    const kept: Promise<unknown>[] = [];
    const tg = createTelegramBot({
      token: TOKEN,
      assistant: {
        handle: () => new Promise((resolve) => setTimeout(() => resolve(oneReply), 300)),
        entries: [],
      } as unknown as Assistant,
      ledger: { claim: async () => true, done: async () => {} },
      apiRoot: fake.apiRoot,
      botInfo: BOT as never,
      // The reply would ride on the response, but the response has gone by then.
      webhookReply: true,
      webhookTimeoutMs: 50,
      // What keeps the turn going after its response (Workers' waitUntil; Node awaits it at shutdown).
      waitUntil: (_c, work) => kept.push(work),
      onError: (error) => errors.push(String(error)),
    });
    const app = new Hono();
    tg.mount(app, SECRET);
    try {
      const started = performance.now();
      const res = await post(app, updates(90_000).text(901, 'en', 'anything'));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      expect(performance.now() - started).toBeLessThan(250);
      expect(kept).toHaveLength(1);
      expect(fake.sent('sendMessage', 901)).toHaveLength(0);
      await kept[0];
      expect(fake.sent('sendMessage', 901).map((m) => m.payload.text)).toEqual(['late but here']);
      expect(errors).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('without the bot’s identity (getMe fails) it refuses with 503, so Telegram delivers again', async () => {
    const fake = await startFakeTelegram(TOKEN);
    const errors: string[] = [];
    const tg = createTelegramBot({
      token: TOKEN,
      assistant: { handle: async () => oneReply, entries: [] } as unknown as Assistant,
      ledger: { claim: async () => true, done: async () => {} },
      apiRoot: fake.apiRoot,
      onError: (_error, context) => errors.push(context),
    });
    const app = new Hono();
    tg.mount(app, SECRET);
    try {
      const u = updates(91_000);
      fake.failNext('getMe', { error_code: 401, description: 'Unauthorized' });
      const refused = await post(app, u.text(911, 'en', 'first try'));
      expect(refused.status).toBe(503);
      expect(errors).toEqual(['getting the bot’s identity (getMe)']);
      expect(fake.sent('sendMessage', 911)).toHaveLength(0);
      // Telegram's next delivery finds the Bot API answering.
      const again = await post(app, u.text(911, 'en', 'second try'));
      expect(again.status).toBe(200);
      expect(fake.sent('sendMessage', 911).map((m) => m.payload.text)).toEqual(['late but here']);
    } finally {
      await fake.close();
    }
  });
});

describe('Telegram long polling', () => {
  it('answers updates served by getUpdates, one chat in order', async () => {
    const fake = await startFakeTelegram(TOKEN);
    const t = await openRuntime('pglite', {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_POLLING: '1',
      TELEGRAM_API_ROOT: fake.apiRoot,
    });
    try {
      const u = updates();
      fake.queue(u.text(601, 'zh-hans', '/start'));
      fake.queue(u.text(601, 'zh-hans', '数字技术工程师每年培养多少人'));
      fake.queue(u.text(602, 'en', 'Which ministries issued the plan?'));
      const zh = await until('the Telegram reply', () =>
        fake.sent('sendMessage', 601).length >= 2 ? fake.sent('sendMessage', 601) : undefined,
      );
      expect(String(zh[0]?.payload.text)).toContain('您好');
      expect(String(zh[1]?.payload.text)).toContain('8万');
      const en = await until('the Telegram reply', () => fake.sent('sendMessage', 602)[0]);
      expect(String(en.payload.text)).toContain('Ministry of Human Resources');
    } finally {
      await t.close();
      await fake.close();
    }
  });
});

describe('npm run telegram:setup', () => {
  it('registers the command menu in both languages and sets the webhook with the secret', async () => {
    const fake = await startFakeTelegram(TOKEN);
    try {
      const env = {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_API_ROOT: fake.apiRoot,
      };
      const { code, output } = await runScript('scripts/telegram-setup.ts', env, [
        'https://kup.example.org/',
      ]);
      expect(output).toContain('webhook set to https://kup.example.org/telegram/webhook');
      expect(code).toBe(0);
      const commands = fake.sent('setMyCommands');
      expect(commands.map((c) => c.payload.language_code)).toEqual(['zh', 'en', undefined]);
      expect(JSON.stringify(commands[0]?.payload.commands)).toContain('意向预登记');
      expect(fake.sent('setWebhook')[0]?.payload).toMatchObject({
        url: 'https://kup.example.org/telegram/webhook',
        secret_token: SECRET,
      });
      const refused = await runScript('scripts/telegram-setup.ts', { TELEGRAM_API_ROOT: fake.apiRoot });
      expect(refused.code).toBe(1);
      expect(refused.output).toMatch(/TELEGRAM_BOT_TOKEN: required/);
    } finally {
      await fake.close();
    }
  });
});

describe('Telegram rendering', () => {
  it('escapes HTML and splits long text under 4,096 characters', () => {
    expect(escapeHtml('<b>a & b</b>')).toBe('&lt;b&gt;a &amp; b&lt;/b&gt;');
    const long = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const pieces = split(long);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(4_096);
    expect(pieces.join(' ')).toBe(long);
    const messages = render(
      {
        replies: [{ text: `<x>${'y'.repeat(5_000)}`, choices: [{ id: 'topic:aims', label: 'Aims' }] }],
        meta: { kind: 'answer', sources: [], confidence: 1, lang: 'en' },
      },
      { privateChat: true },
    );
    expect(messages).toHaveLength(2);
    expect(messages[0]?.text.startsWith('&lt;x&gt;')).toBe(true);
    expect(messages[0]?.reply_markup).toBeUndefined();
    expect(messages[1]?.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Aims', callback_data: 'topic:aims' }]],
    });
  });

  it('joins replies into one message unless buttons sit between them or it would not fit', () => {
    const meta: TurnMeta = { kind: 'dialog', sources: [], confidence: 1, lang: 'en', field: 'name' };
    const prompt = { text: 'Your name?', choices: [{ id: 'd:cancel', label: 'Cancel' }] };
    // An answer mid-dialog and the step asked again: one message, the step's buttons under it.
    let messages = render({ replies: [{ text: 'An <answer>.' }, prompt], meta }, { privateChat: true });
    expect(messages).toEqual([
      {
        text: 'An &lt;answer&gt;.\n\nYour name?',
        reply_markup: { inline_keyboard: [[{ text: 'Cancel', callback_data: 'd:cancel' }]] },
      },
    ]);
    // Buttons stay under the reply they belong to.
    const withButtons = { text: 'An answer.', choices: [{ id: 'topic:aims', label: 'Aims' }] };
    messages = render({ replies: [withButtons, prompt], meta }, { privateChat: true });
    expect(messages.map((m) => m.text)).toEqual(['An answer.', 'Your name?']);
    expect(messages.every((m) => m.reply_markup)).toBe(true);
    // Together over 4,096 characters: two messages, each whole.
    const long = { text: 'z'.repeat(4_090) };
    messages = render({ replies: [long, prompt], meta }, { privateChat: true });
    expect(messages.map((m) => m.text)).toEqual([long.text, 'Your name?']);
  });
});
