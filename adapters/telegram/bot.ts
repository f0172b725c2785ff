// The Telegram channel: grammY parses updates, core answers, render.ts draws the reply.
import { autoRetry } from '@grammyjs/auto-retry';
import { type Api, Bot, type Context, GrammyError, type Middleware } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Hono, Context as HonoContext } from 'hono';
import type { Assistant } from '../../src/core/assistant.ts';
import type { DeliveryLedger, IncomingMessage, Lang } from '../../src/core/types.ts';
import { type OutgoingMessage, render, split } from './render.ts';
import { mountWebhook } from './webhook.ts';

export interface TelegramDeps {
  token: string;
  assistant: Assistant;
  ledger: DeliveryLedger;
  /** Bot API base (tests point it at a local fake). */
  apiRoot?: string;
  /** Skips the getMe call at start-up (required on the edge). */
  botInfo?: UserFromGetMe;
  /** Send the first reply of each update in the webhook response (see canUseWebhookReply). */
  webhookReply?: boolean;
  /** How long a webhook request waits for its update to be handled before it is answered anyway (8 s). */
  webhookTimeoutMs?: number;
  /** Keeps a turn that outlives its webhook response going (Workers: executionCtx.waitUntil). */
  waitUntil?: (c: HonoContext, work: Promise<unknown>) => void;
  /** The HTTP client for Bot API calls (Node: a faster one than grammY's default). */
  fetch?: typeof fetch;
  /** Middleware that must run first (long polling: one chat at a time, chats in parallel). */
  first?: Middleware[];
  onError?: (error: unknown, context: string) => void;
}

const ONLY_TEXT: Record<Lang, string> = {
  zh: '我只能读文字消息。请直接输入您的问题，或输入 /help 查看帮助。',
  en: 'I can only read text messages. Please type your question, or /help for help.',
};
const PRIVATE_ONLY: Record<Lang, string> = {
  zh: '为保护个人信息，请私聊我办理登记：',
  en: 'To keep your details private, please register in a private chat with me:',
};
const PRIVATE_COMMANDS = new Set(['register', 'status', 'forget', 'cancel', 'human']);

const hint = (code: string | undefined): Lang => (code?.toLowerCase().startsWith('zh') ? 'zh' : 'en');

export function createTelegramBot(deps: TelegramDeps) {
  const bot = new Bot(deps.token, {
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
    client: {
      apiRoot: deps.apiRoot ?? 'https://api.telegram.org',
      // A fetch of our own replaces grammY's node-fetch settings (its keep-alive agent) as well.
      ...(deps.fetch ? { fetch: deps.fetch, baseFetchConfig: {} } : {}),
      // Telegram takes one method call in the webhook's HTTP response, saving a request of its own,
      // but its result is never seen. Always for answerCallbackQuery (its only failure is a spinner
      // that stops by itself); optionally for a turn's only message (see reply), where a blocked user
      // (403) or a rate limit (429) would go unseen.
      canUseWebhookReply: (method) =>
        method === 'answerCallbackQuery' || (Boolean(deps.webhookReply) && method === 'sendMessage'),
    },
  });
  const report = deps.onError ?? (() => {});
  // Telegram's 429 "retry after N seconds" is honoured (and 5xx retried) before giving up.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));

  for (const m of deps.first ?? []) bot.use(m);

  // Exactly once: a redelivered update (same update_id) is acknowledged and ignored. Core claims
  // the deliveries it answers (with the turn's first read); other replies claim here.
  const deliveryId = (ctx: Context) => `telegram:${ctx.me.id}:${ctx.update.update_id}`;
  async function once(ctx: Context, send: () => Promise<unknown>) {
    const key = deliveryId(ctx);
    if (!(await deps.ledger.claim(key))) return;
    await send();
    await deps.ledger.done(key);
  }

  /** Sends messages in order; a user who blocked the bot (403) is not an error: the rest is dropped. */
  async function sendAll(api: Api, chatId: number, messages: OutgoingMessage[], html: boolean) {
    for (const m of messages) {
      try {
        await api.sendMessage(chatId, m.text, {
          ...(html ? { parse_mode: 'HTML' as const } : {}),
          ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
        });
      } catch (error) {
        if (error instanceof GrammyError && error.error_code === 403) return; // blocked or kicked
        throw error;
      }
    }
  }

  /** Sends a core turn, rendered. */
  async function reply(ctx: Context, message: IncomingMessage) {
    const chat = ctx.chat;
    if (!chat) return;
    // Spreads come after the added keys (see the log rows in core/assistant.ts: Node 20).
    const turn = await deps.assistant.handle({ deliveryId: deliveryId(ctx), ...message });
    if (turn.meta.kind === 'duplicate') return;
    const messages = render(turn, { privateChat: chat.type === 'private' });
    // Only a turn of one message may ride on the webhook response: that response leaves when the
    // update is done, so a first message sent there would reach the user after the others.
    await sendAll(messages.length === 1 ? ctx.api : bot.api, chat.id, messages, true);
    await deps.ledger.done(deliveryId(ctx));
  }

  const base = (ctx: Context): Omit<IncomingMessage, 'text'> => {
    const user = ctx.from;
    const chat = ctx.chat;
    const privateChat = chat?.type === 'private';
    return {
      channel: 'telegram',
      conversationId: privateChat ? `telegram:${user?.id}` : `telegram:group:${chat?.id}`,
      ...(privateChat ? {} : { group: true, privateLink: `https://t.me/${ctx.me.username}?start=register` }),
      langHint: hint(user?.language_code),
      raw: ctx.update,
    };
  };

  const pm = bot.chatType('private');
  pm.on('message:text', (ctx) => reply(ctx, { text: ctx.message.text, ...base(ctx) }));
  pm.on('message:contact', (ctx) =>
    reply(ctx, {
      ...base(ctx),
      contact: {
        phone: String(ctx.message.contact.phone_number ?? ''),
        own: ctx.from !== undefined && ctx.message.contact.user_id === ctx.from.id,
      },
    }),
  );
  // Stickers, photos, voice, files…: say politely what works.
  pm.on('message', (ctx) => once(ctx, () => ctx.reply(ONLY_TEXT[hint(ctx.from?.language_code)])));

  // Groups: only commands and messages that mention the bot (or reply to it).
  const group = bot.chatType(['group', 'supergroup']);
  group.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    const command = ctx.message.entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
    const name = command ? text.slice(1, command.length).split('@')[0]?.toLowerCase() : undefined;
    const addressed = command
      ? !text.slice(0, command.length).includes('@') ||
        text.slice(0, command.length).endsWith(`@${ctx.me.username}`)
      : text.includes(`@${ctx.me.username}`) || ctx.message.reply_to_message?.from?.id === ctx.me.id;
    if (!addressed) return;
    if (name && PRIVATE_COMMANDS.has(name)) {
      const lang = hint(ctx.from?.language_code);
      await once(ctx, () =>
        ctx.reply(`${PRIVATE_ONLY[lang]} https://t.me/${ctx.me.username}?start=register`),
      );
      return;
    }
    const clean = text.replace(new RegExp(`@${ctx.me.username}\\b`, 'g'), '').trim();
    await reply(ctx, { text: clean || '/help', ...base(ctx) });
  });

  // A pressed button: acknowledge it, take the keyboard away so it cannot be pressed twice, answer.
  // (The acknowledgement rides on the webhook response; the rest go out together, so a button
  // answers as fast as a message.)
  bot.on('callback_query:data', async (ctx) => {
    const acknowledged = Promise.all([
      ctx.answerCallbackQuery().catch((error: unknown) => report(error, 'answering a callback query')),
      ctx.callbackQuery.message
        ? ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {})
        : null,
    ]);
    if (ctx.chat?.type === 'private' || !ctx.callbackQuery.data.startsWith('d:')) {
      await reply(ctx, { choice: ctx.callbackQuery.data, ...base(ctx) });
    }
    await acknowledged;
  });
  // Edited messages, channel posts and everything else are acknowledged and ignored.

  bot.catch((err) => report(err.error, `handling Telegram update ${err.ctx.update.update_id}`));

  return {
    bot,
    /** Sends a message outside a turn (a staff reply) to a private chat; plain text, split as needed. */
    async notify(conversationId: string, text: string) {
      const chatId = /^telegram:(\d+)$/.exec(conversationId)?.[1];
      if (chatId)
        await sendAll(
          bot.api,
          Number(chatId),
          split(text).map((part) => ({ text: part })),
          false,
        );
    },
    /** Mounts POST /telegram/webhook: secret token checked (401), malformed bodies refused (400). */
    mount(app: Hono, secretToken: string | undefined) {
      mountWebhook(app, bot, {
        secretToken,
        report,
        ...(deps.webhookTimeoutMs ? { respondWithinMs: deps.webhookTimeoutMs } : {}),
        ...(deps.waitUntil ? { waitUntil: deps.waitUntil } : {}),
      });
    },
  };
}

export type TelegramBot = ReturnType<typeof createTelegramBot>;
