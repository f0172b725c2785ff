// Turns a core turn into Telegram messages: HTML with escaping, split under the 4,096-character
// limit, choices as inline keyboards, the phone step as a "share my phone number" keyboard.
import type { InlineKeyboardButton, ReplyKeyboardMarkup } from 'grammy/types';
import type { Lang, Turn } from '../../src/core/types.ts';

export const LIMIT = 4_096;

export interface OutgoingMessage {
  text: string;
  reply_markup?:
    | { inline_keyboard: InlineKeyboardButton[][] }
    | ReplyKeyboardMarkup
    | { remove_keyboard: true };
}

export const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Splits text into pieces of at most `limit` characters, at paragraph, line or word breaks. */
export function split(text: string, limit = LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > limit / 2 ? cut : limit;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

const SHARE_PHONE: Record<Lang, string> = { zh: '📱 分享我的手机号', en: '📱 Share my phone number' };
/** Telegram allows 64 bytes of callback data. */
const fits = (id: string) => new TextEncoder().encode(id).length <= 64;

/** Two short buttons to a row, long ones alone. */
function rows(choices: { id: string; label: string }[]): InlineKeyboardButton[][] {
  const out: InlineKeyboardButton[][] = [];
  for (const c of choices.filter((c) => fits(c.id))) {
    const button = { text: c.label, callback_data: c.id };
    const last = out[out.length - 1];
    if (last && last.length === 1 && [...c.label].length <= 14 && [...(last[0]?.text ?? '')].length <= 14)
      last.push(button);
    else out.push([button]);
  }
  return out;
}

/**
 * The messages for one turn. HTML-escaped (core text is plain); each reply becomes one or more
 * messages, its choices under the last. At the phone step of a private chat the keyboard offers to
 * share the contact instead (plus the step's text buttons).
 */
export function render(turn: Turn, options: { privateChat: boolean }): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  const phoneStep = turn.meta.kind === 'dialog' && turn.meta.field === 'phone' && options.privateChat;
  turn.replies.forEach((reply, r) => {
    const pieces = split(escapeHtml(reply.text));
    pieces.forEach((text, i) => {
      const lastPiece = i === pieces.length - 1;
      const lastReply = r === turn.replies.length - 1;
      const message: OutgoingMessage = { text };
      if (lastPiece && phoneStep && lastReply) {
        message.reply_markup = {
          keyboard: [
            [{ text: SHARE_PHONE[turn.meta.lang], request_contact: true }],
            ...(reply.choices ?? []).map((c) => [{ text: c.label }]),
          ],
          resize_keyboard: true,
          one_time_keyboard: true,
        };
      } else if (lastPiece && reply.choices?.length) {
        message.reply_markup = { inline_keyboard: rows(reply.choices) };
      }
      out.push(message);
    });
  });
  return out;
}
