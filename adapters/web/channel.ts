// The web chat on the channel contract: the page and POST /api/chat. Staff replies are not pushed:
// the page polls them (GET /api/chat/messages), so delivering one is keeping it, which core does.
import type { Channel, ChannelContext } from '../../src/channel.ts';
import type { AddressLimiter, RateLimiter } from '../../src/core/rate-limit.ts';
import type { AddressOf } from '../../src/http/client-address.ts';
import { createWebChat, MAX_TEXT } from './routes.ts';

export interface WebChannelOptions {
  polls?: RateLimiter;
  addressOf?: AddressOf;
  addresses?: AddressLimiter;
}

export function webChannel(options: WebChannelOptions = {}) {
  return (ctx: ChannelContext): Channel => ({
    name: 'web',
    limits: { text: MAX_TEXT, unit: 'chars', choices: 'page' },
    owns: (conversationId) => /^web(-session)?:/.test(conversationId),
    mount: (app) =>
      app.route(
        '/',
        createWebChat({
          assistant: ctx.assistant,
          ...(ctx.handoffs ? { handoffs: ctx.handoffs } : {}),
          ...(options.polls ? { polls: options.polls } : {}),
          ...(options.addressOf ? { addressOf: options.addressOf } : {}),
          ...(options.addresses ? { addresses: options.addresses } : {}),
        }),
      ),
    deliver: async () => {},
    state: () => 'on',
  });
}
