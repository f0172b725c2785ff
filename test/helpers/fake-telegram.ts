// A local fake of the Telegram Bot API: records every method call with its payload, answers like
// the real one (`{ ok, result }`), serves getUpdates for long polling, and can fail on demand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Call {
  method: string;
  payload: Record<string, unknown>;
  /** The fake refused this call (failNext). */
  failed?: boolean;
}

export const BOT = {
  id: 4242,
  is_bot: true,
  first_name: 'KUP Assistant',
  username: 'kup_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};

export async function startFakeTelegram(token: string, options: { record?: boolean } = {}) {
  const record = options.record ?? true;
  const calls: Call[] = [];
  let callCount = 0;
  const updates: Record<string, unknown>[] = [];
  const failures: Array<{ method: string; chatId?: number; error: Record<string, unknown> }> = [];
  let messageId = 100;
  // As on the real Bot API: while a webhook is set, getUpdates is refused with 409.
  let webhook = '';

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const prefix = `/bot${token}/`;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!path.startsWith(prefix))
      return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = path.slice(prefix.length);
    const raw = Buffer.concat(chunks).toString('utf8');
    const payload = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const failure = failures.findIndex(
      (f) => f.method === method && (f.chatId === undefined || f.chatId === payload.chat_id),
    );
    if (method !== 'getUpdates') {
      callCount++;
      // A benchmark sends tens of thousands: it counts them instead of keeping every payload.
      if (record) calls.push({ method, payload, ...(failure >= 0 ? { failed: true } : {}) });
    }
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      return send(Number(f?.error.error_code ?? 400), { ok: false, ...f?.error });
    }
    switch (method) {
      case 'getMe':
        return send(200, { ok: true, result: BOT });
      case 'sendMessage':
        return send(200, {
          ok: true,
          result: {
            message_id: ++messageId,
            date: Math.floor(Date.now() / 1000),
            chat: { id: payload.chat_id, type: Number(payload.chat_id) < 0 ? 'group' : 'private' },
            from: BOT,
            text: payload.text,
          },
        });
      case 'setWebhook':
        webhook = String(payload.url ?? '');
        return send(200, { ok: true, result: true });
      case 'deleteWebhook':
        webhook = '';
        return send(200, { ok: true, result: true });
      case 'getWebhookInfo':
        return send(200, {
          ok: true,
          result: { url: webhook, has_custom_certificate: false, pending_update_count: 0 },
        });
      case 'getUpdates': {
        if (webhook)
          return send(409, {
            ok: false,
            error_code: 409,
            description:
              "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          });
        const offset = Number(payload.offset ?? 0);
        const deadline = Date.now() + Math.min(Number(payload.timeout ?? 0), 1) * 1000;
        while (Date.now() < deadline && !updates.some((u) => Number(u.update_id) >= offset)) {
          await new Promise((r) => setTimeout(r, 20));
        }
        return send(200, { ok: true, result: updates.filter((u) => Number(u.update_id) >= offset) });
      }
      default:
        return send(200, { ok: true, result: true });
    }
  });
  // Idle connections stay open a minute, not Node's default 5 s: with 5 s, a client that keeps
  // connections without heeding the server's keep-alive hint (grammY's default, node-fetch)
  // sometimes reuses one just as the fake closes it, and the echo bot in `npm run bench` answered
  // 1 in 60,000 updates with a 500 ("socket hang up").
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    /** Every call received, also when not recorded. */
    count: () => callCount,
    /** Successful calls of one method, optionally to one chat. */
    sent(method = 'sendMessage', chatId?: number) {
      return calls.filter(
        (c) => !c.failed && c.method === method && (chatId === undefined || c.payload.chat_id === chatId),
      );
    },
    /** Queues an update for getUpdates (long polling). */
    queue(update: Record<string, unknown>) {
      updates.push(update);
    },
    /** Sets a webhook as setWebhook would (getUpdates then answers 409). */
    setWebhook(url: string) {
      webhook = url;
    },
    webhook: () => webhook,
    /** The next call of `method` (to `chatId`) fails with this Bot API error. */
    failNext(method: string, error: Record<string, unknown>, chatId?: number) {
      failures.push({ method, error, ...(chatId !== undefined ? { chatId } : {}) });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeTelegram = Awaited<ReturnType<typeof startFakeTelegram>>;

/** Real-shaped updates. */
export function updates(firstUpdateId = 1_000) {
  let updateId = firstUpdateId;
  let messageId = 1;
  const now = () => Math.floor(Date.now() / 1000);
  const user = (id: number, lang: string) => ({
    id,
    is_bot: false,
    first_name: `User${id}`,
    language_code: lang,
  });
  const privateChat = (id: number) => ({ id, type: 'private', first_name: `User${id}` });
  const group = { id: -100123, type: 'supergroup', title: 'Programme office' };

  const message = (
    userId: number,
    lang: string,
    fields: Record<string, unknown>,
    chat: unknown = privateChat(userId),
  ) => ({
    update_id: ++updateId,
    message: { message_id: ++messageId, date: now(), from: user(userId, lang), chat, ...fields },
  });
  const commandEntities = (text: string) =>
    text.startsWith('/')
      ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 0 }] }
      : {};

  return {
    text: (userId: number, lang: string, text: string) =>
      message(userId, lang, { text, ...commandEntities(text) }),
    groupText: (userId: number, text: string, extra: Record<string, unknown> = {}) =>
      message(userId, 'zh-hans', { text, ...commandEntities(text), ...extra }, group),
    contact: (userId: number, phone: string, ownerId = userId) =>
      message(userId, 'zh-hans', { contact: { phone_number: phone, first_name: 'Me', user_id: ownerId } }),
    sticker: (userId: number) =>
      message(userId, 'en', {
        sticker: {
          file_id: 'CAACAgIAAxk',
          file_unique_id: 'AgAD',
          type: 'regular',
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
        },
      }),
    edited: (userId: number, text: string) => ({
      update_id: ++updateId,
      edited_message: {
        message_id: messageId,
        date: now(),
        edit_date: now(),
        from: user(userId, 'en'),
        chat: privateChat(userId),
        text,
      },
    }),
    channelPost: (text: string) => ({
      update_id: ++updateId,
      channel_post: {
        message_id: ++messageId,
        date: now(),
        chat: { id: -100999, type: 'channel', title: 'News' },
        text,
      },
    }),
    callback: (userId: number, data: string, lang = 'zh-hans', inGroup = false) => ({
      update_id: ++updateId,
      callback_query: {
        id: String(++updateId * 7),
        from: user(userId, lang),
        chat_instance: '-123456789',
        data,
        message: {
          message_id: messageId,
          date: now(),
          chat: inGroup ? group : privateChat(userId),
          from: { id: 4242, is_bot: true, first_name: 'KUP Assistant', username: 'kup_test_bot' },
          text: '…',
        },
      },
    }),
  };
}
