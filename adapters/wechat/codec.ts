// WeChat's messages and core's, both ways: a received message or event as core's message, a turn
// as customer-service messages within WeChat's limits (2,048 bytes of text; choices as a msgmenu,
// whose taps come back as text with `bizmsgmenuid`).
import type { ChannelCodec, ChannelLimits } from '../../src/channel.ts';
import { splitText } from '../../src/channel.ts';
import type { Choice, IncomingMessage, Turn } from '../../src/core/types.ts';

export const LIMITS: ChannelLimits = { text: 2_048, unit: 'bytes', choices: 'menu' };
/** A msgmenu takes at most 10 choices. */
const MAX_CHOICES = 10;
const bytes = (text: string) => new TextEncoder().encode(text).length;

/** One message to send: text, with the turn's choices under the last one. */
export interface WeChatOut {
  text: string;
  choices?: Choice[];
}

/** The fields of a received message (parseXml) as core's message; undefined when core has nothing to do. */
export function parse(fields: Record<string, string>): IncomingMessage | undefined {
  const from = fields.FromUserName ?? '';
  if (!/^[\w-]{1,64}$/.test(from)) return undefined;
  const base = { channel: 'wechat', conversationId: `wechat:${from}`, raw: fields };
  if (fields.MsgType === 'text') {
    const id = fields.MsgId ?? `${from}:${fields.CreateTime ?? ''}`;
    const menuTap = fields.bizmsgmenuid?.trim();
    return {
      ...base,
      deliveryId: `wechat:${id}`,
      ...(menuTap ? { choice: menuTap } : { text: fields.Content ?? '' }),
    };
  }
  if (fields.MsgType !== 'event') return undefined;
  // Events have no MsgId: the sender, the time and what was tapped stand for one.
  const deliveryId = `wechat:${from}:${fields.CreateTime ?? ''}:${fields.Event ?? ''}:${fields.EventKey ?? ''}`;
  switch (fields.Event?.toLowerCase()) {
    case 'subscribe':
      return { ...base, deliveryId, text: '/start' };
    case 'click': {
      const key = fields.EventKey ?? '';
      if (key.startsWith('cmd:')) return { ...base, deliveryId, text: `/${key.slice(4)}` };
      return key ? { ...base, deliveryId, choice: key } : undefined;
    }
    default:
      return undefined;
  }
}

/** Going back, cancelling and skipping: kept in a menu however many options there are. */
const CONTROL = /:(back|cancel|skip)$/;
const TYPE_IT = {
  zh: '（选项较多，未全部列出：也可以直接输入您的回答。）',
  en: '(Not every option is listed: you can also type your answer.)',
};

/** At most 10 choices: the first options and every control; the text says the rest can be typed. */
function withinMenu(text: string, choices: Choice[] | undefined, lang: Turn['meta']['lang']) {
  if (!choices || choices.length <= MAX_CHOICES) return { text, choices };
  const controls = choices.filter((c) => CONTROL.test(c.id));
  const options = choices.filter((c) => !CONTROL.test(c.id)).slice(0, MAX_CHOICES - controls.length);
  return { text: `${text}\n${TYPE_IT[lang]}`, choices: [...options, ...controls].slice(0, MAX_CHOICES) };
}

/** A turn as WeChat messages: each within 2,048 bytes, the choices (at most 10) under the last. */
export function render(turn: Turn): WeChatOut[] {
  const out: WeChatOut[] = [];
  for (const r of turn.replies) {
    const reply = withinMenu(r.text, r.choices, turn.meta.lang);
    const choices = reply.choices;
    // Room for the menu's labels beside the text.
    const room = LIMITS.text - (choices ? choices.reduce((n, c) => n + bytes(c.label) + 16, 0) : 0);
    const pieces = splitText(reply.text, Math.max(512, room), 'bytes');
    pieces.forEach((text, i) => {
      out.push({ text, ...(choices?.length && i === pieces.length - 1 ? { choices } : {}) });
    });
  }
  return out;
}

export const codec: ChannelCodec<Record<string, string>, WeChatOut> = { parse, render };
