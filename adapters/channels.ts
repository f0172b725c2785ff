// Every channel the server wires, on one contract (src/channel.ts): a new channel is a folder of
// adapters/ and one line here.
import type { ChannelFactory } from '../src/channel.ts';
import { type TelegramChannelOptions, telegramChannel } from './telegram/channel.ts';
import { type WebChannelOptions, webChannel } from './web/channel.ts';
import { type WeChatChannelOptions, wechatChannel } from './wechat/channel.ts';

export interface ChannelOptions {
  web?: WebChannelOptions;
  telegram?: TelegramChannelOptions;
  wechat?: WeChatChannelOptions;
}

/** By name (a channel not configured shows as "off" in /healthz). */
export const channelFactories = (o: ChannelOptions = {}): Record<string, ChannelFactory> => ({
  web: webChannel(o.web),
  telegram: telegramChannel(o.telegram),
  wechat: wechatChannel(o.wechat),
});
