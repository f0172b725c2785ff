// Telegram on the channel contract: grammY's bot (bot.ts) with its webhook, and staff replies as messages.
import type { Middleware } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Channel, ChannelContext } from '../../src/channel.ts';
import { createTelegramBot, type TelegramBot } from './bot.ts';
import { LIMIT } from './render.ts';

export interface TelegramChannelOptions {
  /** Updates come to POST /telegram/webhook (else long polling, started by the Node runtime). */
  webhook: boolean;
  botInfo?: UserFromGetMe;
  first?: Middleware[];
  fetch?: typeof fetch;
}

export type TelegramChannel = Channel & { telegram: TelegramBot };

export function telegramChannel(options: TelegramChannelOptions = { webhook: true }) {
  return (ctx: ChannelContext): TelegramChannel | undefined => {
    const { config } = ctx;
    if (!config.TELEGRAM_BOT_TOKEN) return undefined;
    const telegram = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN,
      assistant: ctx.assistant,
      ledger: ctx.ledger,
      apiRoot: config.TELEGRAM_API_ROOT,
      webhookReply: config.TELEGRAM_WEBHOOK_REPLY,
      ...(options.botInfo ? { botInfo: options.botInfo } : {}),
      ...(options.first ? { first: options.first } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(ctx.waitUntil ? { waitUntil: ctx.waitUntil } : {}),
      onError: (error, context) => ctx.onError(error, `telegram: ${context}`),
    });
    return {
      name: 'telegram',
      limits: { text: LIMIT, unit: 'chars', choices: 'buttons' },
      telegram,
      // Staff replies reach private chats (a group is never handed to staff).
      owns: (conversationId) => /^telegram:\d+$/.test(conversationId),
      ...(options.webhook ? { mount: (app) => telegram.mount(app, config.TELEGRAM_WEBHOOK_SECRET) } : {}),
      deliver: (conversationId, text) => telegram.notify(conversationId, text),
      state: () => (options.webhook ? 'webhook' : 'polling'),
    };
  };
}
