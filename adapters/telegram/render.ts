// Turns a core turn into Telegram messages: HTML with escaping, split under the 4,096-character
// limit, choices as inline keyboards, the phone step as a "share my phone number" keyboard.
import type { InlineKeyboardButton, ReplyKeyboardMarkup } from 'grammy/types';
import { splitText } from '../../src/channel.ts';
import type { Lang, Reply, Turn } from '../../src/core/types.ts';

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
export const split = (text: string, limit = LIMIT): string[] => splitText(text, limit);

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
 * The messages for one turn. HTML-escaped (core text is plain). Replies are joined into one message
 * where the earlier has no buttons and the whole fits (an answer given mid-dialog and the step asked
 * again arrive as one message: one notification, and less of Telegram's one-message-a-second-per-chat
 * allowance); what does not fit is split, with the buttons under the last piece. At the phone step of
 * a private chat the keyboard offers to share the contact instead (plus the step's text buttons).
 */
export function render(turn: Turn, options: { privateChat: boolean }): OutgoingMessage[] {
  const blocks: { text: string; choices?: Reply['choices'] }[] = [];
  for (const reply of turn.replies) {
    const text = escapeHtml(reply.text);
    const last = blocks[blocks.length - 1];
    if (last && !last.choices?.length && last.text.length + 2 + text.length <= LIMIT) {
      last.text = `${last.text}\n\n${text}`;
      last.choices = reply.choices;
    } else blocks.push({ text, choices: reply.choices });
  }
  const out: OutgoingMessage[] = [];
  const phoneStep = turn.meta.kind === 'dialog' && turn.meta.field === 'phone' && options.privateChat;
  blocks.forEach((block, b) => {
    const pieces = split(block.text);
    pieces.forEach((text, i) => {
      const lastPiece = i === pieces.length - 1;
      const message: OutgoingMessage = { text };
      if (lastPiece && phoneStep && b === blocks.length - 1) {
        message.reply_markup = {
          keyboard: [
            [{ text: SHARE_PHONE[turn.meta.lang], request_contact: true }],
            ...(block.choices ?? []).map((c) => [{ text: c.label }]),
          ],
          resize_keyboard: true,
          one_time_keyboard: true,
        };
      } else if (lastPiece && block.choices?.length) {
        message.reply_markup = { inline_keyboard: rows(block.choices) };
      }
      out.push(message);
    });
  });
  return out;
}
