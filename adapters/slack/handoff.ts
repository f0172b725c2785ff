// The staff desk in Slack: a case is a message in the handoff channel, its thread is the
// conversation. Staff replies in the thread go to the user; buttons close the case or hand it back.
import type { App } from '@slack/bolt';
import type { Handoffs } from '../../src/core/handoff.ts';
import type { HandoffBrief, HandoffOutcome, StaffDesk } from '../../src/core/types.ts';
import { context, mrkdwn } from './blocks.ts';

type Client = App['client'];

/** Slack's formatting characters, as look-alikes that format nothing. */
const INERT: Record<string, string> = { '*': '＊', _: '＿', '~': '～', '`': '｀' };

/**
 * A user's text as Slack shows it: invisible format characters (bidi overrides, zero-width
 * characters) removed, formatting characters made inert, escaped for mrkdwn, and then cut, on the
 * escaped text (what Slack counts) and never inside an escape.
 */
export function userText(text: string, max = 1_500): string {
  const escaped = mrkdwn(text.replace(/\p{Cf}/gu, '').replace(/[*_~`]/g, (c) => INERT[c] ?? c));
  if (escaped.length <= max) return escaped;
  return `${escaped.slice(0, max).replace(/&[a-z]*$/, '')}…`;
}
/** On one line ("Last turns"). */
const plain = (text: string, max = 1_500) => userText(text.replace(/\s+/g, ' '), max);
/** As a quote that no line of it can leave: every line starts with ">". */
const quoted = (text: string, max = 1_500) =>
  userText(text, max)
    .split(/\r\n|\r|\n/)
    .map((line) => `>${line}`)
    .join('\n');

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', web: 'web chat', wechat: 'WeChat' };
const FILE_NOT_SENT = '(A file was attached in Slack; files are not forwarded.)';
const NOT_RELAYED =
  ':warning: This reply could not be sent to the user just now. Please send it again in a while.';
const OUTCOMES: Record<HandoffOutcome, string> = {
  resolved: 'closed as resolved',
  returned: 'handed back to the assistant',
  left: 'ended by the user (/bot): back with the assistant',
};

/**
 * Slack's message markup as a user elsewhere should read it: links as "label (url)", mentions as
 * "@…", and &amp; &lt; &gt; as the characters staff typed.
 */
export function slackToPlain(text: string): string {
  return text
    .replace(/<![^<>]*>\s?/g, '') // @here, @channel: for staff only
    .replace(/<([^<>|]+)\|([^<>]+)>/g, (_, target: string, label: string) => {
      if (target.startsWith('#')) return `#${label}`;
      if (target.startsWith('@')) return `@${label}`;
      const address = target.replace(/^mailto:/, '');
      return address === label ? label : `${label} (${address})`;
    })
    .replace(/<(?:mailto:)?([^<>|]+)>/g, (_, target: string) =>
      target.startsWith('@') ? '@staff' : target.startsWith('#') ? '#channel' : target,
    )
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** "<channel>:<thread ts>" and back. */
const deskRef = (channel: string, ts: string) => `${channel}:${ts}`;
const parseRef = (ref: string) => {
  const at = ref.indexOf(':');
  return { channel: ref.slice(0, at), ts: ref.slice(at + 1) };
};

export function caseBlocks(brief: HandoffBrief) {
  const { handoff } = brief;
  const recent = brief.recent
    .map((t) => `${t.direction === 'in' ? '*User:*' : '*Assistant:*'} ${plain(t.text, 300)}`)
    .join('\n');
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:raising_hand: *Case ${handoff.id}*: a user asks for a person\n*Question:*\n${brief.question ? quoted(brief.question) : '(none given)'}`,
      },
    },
    {
      type: 'section',
      fields: [
        {
          type: 'mrkdwn',
          text: `*Channel*\n${CHANNEL_NAMES[handoff.channel] ?? plain(handoff.channel, 50)}`,
        },
        { type: 'mrkdwn', text: `*Language*\n${handoff.lang === 'zh' ? 'Chinese' : 'English'}` },
        { type: 'mrkdwn', text: `*Registration*\n${plain(brief.registration, 300)}` },
      ],
    },
    ...(recent ? [context(`Last turns:\n${recent}`)] : []),
    {
      type: 'actions',
      block_id: 'handoff',
      elements: [
        {
          type: 'button',
          action_id: 'handoff_close',
          style: 'primary',
          text: { type: 'plain_text', text: 'Close case' },
          value: handoff.id,
        },
        {
          type: 'button',
          action_id: 'handoff_return',
          text: { type: 'plain_text', text: 'Hand back to the bot' },
          value: handoff.id,
        },
      ],
    },
    context('Reply in this thread: replies from programme staff are sent to the user; files are not.'),
  ];
}

export function createSlackDesk(client: Client, channel: string): StaffDesk {
  return {
    async open(brief) {
      const result = await client.chat.postMessage({
        channel,
        text: `Case ${brief.handoff.id}: a user asks for a person`,
        blocks: caseBlocks(brief) as never,
      });
      if (!result.ts) throw new Error('Slack returned no message ts for the case');
      return deskRef(result.channel ?? channel, result.ts);
    },
    async post(ref, text) {
      const { channel: where, ts } = parseRef(ref);
      // (A message's text takes 40,000 characters; users send at most 4,096.)
      await client.chat.postMessage({
        channel: where,
        thread_ts: ts,
        text: `*User:*\n${quoted(text, 12_000)}`,
      });
    },
    async note(ref, text) {
      const { channel: where, ts } = parseRef(ref);
      await client.chat.postMessage({ channel: where, thread_ts: ts, text });
    },
    async closed(ref, outcome, by) {
      const { channel: where, ts } = parseRef(ref);
      await client.chat.postMessage({
        channel: where,
        thread_ts: ts,
        text: `Case ${OUTCOMES[outcome]}${by ? ` by <@${by}>` : ''}.`,
      });
    },
  };
}

interface SlackMessageEvent {
  channel?: string;
  user?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  subtype?: string;
  bot_id?: string;
}

/** Staff replies in case threads, and the case buttons. */
export function listenForCases(
  app: App,
  options: {
    channel: string;
    handoffs: Handoffs;
    /** Only these people's replies reach users and only they can close cases. */
    staffUserIds: string[];
    /** With no staff list: anyone in the channel acts as staff (SLACK_HANDOFF_ANYONE=1); else no one. */
    anyone?: boolean;
    botUserId?: string;
    onError: (e: unknown, c: string) => void;
  },
) {
  const staff = new Set(options.staffUserIds);
  const isStaff = (user: string) => staff.has(user) || (staff.size === 0 && options.anyone === true);

  app.event('message', async ({ event, client }) => {
    const m = event as SlackMessageEvent;
    // Only people's messages inside a thread of the handoff channel; never the bot's own. A reply
    // "also sent to the channel" (thread_broadcast) or with a file (file_share) is still a reply;
    // edits, deletions and joins are not.
    if (m.channel !== options.channel || typeof m.thread_ts !== 'string' || typeof m.ts !== 'string') return;
    if (m.thread_ts === m.ts || typeof m.text !== 'string' || typeof m.user !== 'string') return;
    if (m.subtype && m.subtype !== 'thread_broadcast' && m.subtype !== 'file_share') return;
    if (m.bot_id || m.user === options.botUserId) return;
    // Colleagues who are not programme staff can talk in the thread: their messages stay in Slack.
    if (!isStaff(m.user)) return;
    const ref = deskRef(m.channel, m.thread_ts);
    const text = `${slackToPlain(m.text)}${m.subtype === 'file_share' ? `\n${FILE_NOT_SENT}` : ''}`;
    try {
      await options.handoffs.fromStaff(ref, m.ts, text);
    } catch (error) {
      options.onError(error, 'relaying a staff reply');
      await client.chat
        .postMessage({ channel: m.channel, thread_ts: m.thread_ts, text: NOT_RELAYED })
        .catch((e: unknown) => options.onError(e, 'noting a reply that was not relayed'));
    }
  });

  app.action(/^handoff_(close|return)$/, async ({ ack, action, body, client, respond }) => {
    await ack();
    const { action_id: id, value } = action as unknown as { action_id: string; value?: string };
    const outcome = id === 'handoff_close' ? 'resolved' : 'returned';
    const user = (body as { user?: { id?: string } }).user?.id ?? '';
    if (!isStaff(user)) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Only programme staff (SLACK_STAFF_USER_IDS) can close a case or hand it back.',
      });
      return;
    }
    const message = (body as { message?: { ts?: string; blocks?: Array<{ type?: string }> } }).message;
    const channel = (body as { channel?: { id?: string } }).channel?.id;
    // The case closed is the one whose message the button is on (a forged value names another).
    if (!message?.ts || !channel) return;
    const where = deskRef(channel, message.ts);
    // A value that names another case than this message's changes nothing, here or there.
    const here = await options.handoffs.caseAt(where);
    if (here && here.id !== value) return;
    const closed = await options.handoffs.closeByStaff(value ?? '', outcome, user, where);
    // The buttons go; a line says what happened (or that it had happened already).
    const blocks = (message.blocks ?? []).filter((b) => b.type !== 'actions');
    const note = closed ? `Case ${OUTCOMES[outcome]} by <@${user}>.` : 'This case was already closed.';
    await client.chat
      .update({
        channel,
        ts: message.ts,
        text: note,
        blocks: [...blocks, context(note)] as never,
      })
      .catch((error: unknown) => options.onError(error, 'updating a case message'));
  });
}
