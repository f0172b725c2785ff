// Staff teach the assistant from Slack: the entry modal (/kup teach, a gap's Answer button, an
// entry's Edit button), the list and history of taught entries (/kup kb), retire and restore.
import type { App } from '@slack/bolt';
import { checkDraft, isLive, MAX_ANSWER, type TaughtBook, type TaughtEntry } from '../../src/core/taught.ts';
import { type Block, button, context, header, mrkdwn, plainText, section } from './blocks.ts';

/** What the modal carries from where it was opened: the entry edited, or the gap answered. */
interface ModalMeta {
  id?: string;
  gap?: string;
}
/** A gap's text in the modal's private_metadata (3,000 characters with the JSON around it). */
const MAX_GAP = 1_000;

const input = (
  block_id: string,
  label: string,
  element: Block,
  extra: { hint?: string; optional?: boolean } = {},
): Block => ({
  type: 'input',
  block_id,
  label: plainText(label),
  element: { action_id: 'value', ...element },
  ...(extra.hint ? { hint: plainText(extra.hint) } : {}),
  ...(extra.optional ? { optional: true } : {}),
});
const textInput = (initial: string | undefined, multiline: boolean, placeholder: string): Block => ({
  type: 'plain_text_input',
  multiline,
  max_length: 3_000,
  placeholder: plainText(placeholder),
  ...(initial ? { initial_value: initial.slice(0, 3_000) } : {}),
});

/** The entry modal (callback_id `kb_entry`), empty or filled in. */
export function entryModal(entry: Partial<TaughtEntry> = {}, meta: ModalMeta = {}): Block {
  return {
    type: 'modal',
    callback_id: 'kb_entry',
    private_metadata: JSON.stringify(meta),
    title: plainText(entry.id ? `Edit ${entry.id}` : 'Teach the assistant'),
    submit: plainText('Save'),
    close: plainText('Cancel'),
    blocks: [
      context(
        'Used where the shipped knowledge has no answer, on every channel within 30 seconds. Plain text only: Telegram, WeChat and the web show it as written.',
      ),
      input(
        'questions',
        'Example questions',
        textInput(entry.questions?.join('\n'), true, '2027年广东省高研班什么时候报名？'),
        { hint: 'One per line, in either language: the ways people ask it.' },
      ),
      input('answer_zh', 'Answer in Chinese (中文回答)', textInput(entry.answer?.zh, true, '…'), {
        hint: `At most ${MAX_ANSWER} characters, a phone screen.`,
      }),
      input('answer_en', 'Answer in English', textInput(entry.answer?.en, true, '…'), {
        hint: `At most ${MAX_ANSWER} characters, a phone screen.`,
      }),
      input(
        'source',
        'Source',
        textInput(entry.source, false, 'A notice, a page, a call with the provincial office'),
        { hint: 'Shown under the answer: where this comes from.' },
      ),
      input(
        'expires',
        'Last day to use it',
        { type: 'datepicker', ...(entry.expires ? { initial_date: entry.expires } : {}) },
        { optional: true, hint: 'After this day the answer is no longer given (and shows as expired).' },
      ),
    ],
  };
}

interface ViewState {
  values?: Record<string, Record<string, { value?: string | null; selected_date?: string | null }>>;
}
const field = (state: ViewState | undefined, block: string) => state?.values?.[block]?.value;

/** The modal's fields as a draft. */
function readDraft(state: ViewState | undefined, id: string | undefined) {
  const text = (block: string) => field(state, block)?.value ?? '';
  const expires = field(state, 'expires')?.selected_date ?? undefined;
  return {
    ...(id ? { id } : {}),
    questions: text('questions').split(/\r?\n/),
    answer: { zh: text('answer_zh'), en: text('answer_en') },
    source: text('source'),
    ...(expires ? { expires } : {}),
  };
}

function parseMeta(raw: unknown): ModalMeta {
  try {
    const meta = JSON.parse(String(raw ?? '{}')) as ModalMeta;
    return {
      ...(typeof meta.id === 'string' ? { id: meta.id } : {}),
      ...(typeof meta.gap === 'string' ? { gap: meta.gap } : {}),
    };
  } catch {
    return {};
  }
}

/** `<@U…>` for a Slack user id (Slack shows the name), else the text as it is. */
const who = (author: string) => (/^[UW][A-Z0-9]{2,20}$/.test(author) ? `<@${author}>` : mrkdwn(author));
const day = (at: Date) => at.toISOString().slice(0, 10);

function state(e: TaughtEntry, today: string): string {
  if (e.status === 'retired') return 'retired';
  if (!isLive(e, today)) return `expired ${e.expires}`;
  return e.expires ? `live until ${e.expires}` : 'live';
}

export function kbListBlocks(entries: TaughtEntry[], today: string): Block[] {
  if (!entries.length)
    return [section('Nothing taught yet. `/kup teach` adds an answer, or use *Answer* in `/kup gaps`.')];
  const shown = entries.slice(0, 40);
  return [
    header(`Taught entries (${entries.length})`),
    ...shown.map((e) =>
      section(
        [
          `*${e.id}* v${e.version} · ${state(e, today)}${e.shipped ? ' · shipped in knowledge/taught/' : ''}`,
          mrkdwn((e.questions[0] ?? '').slice(0, 150)),
          `_${who(e.author)}, ${day(e.at)}${e.expires ? `, expires ${e.expires}` : ''}_`,
        ].join('\n'),
        button('kb_edit', 'Edit', e.id),
      ),
    ),
    context(
      `${entries.length > shown.length ? `The newest ${shown.length} of ${entries.length}. ` : ''}\`/kup kb show ID\` for one entry and its history · \`/kup kb retire ID\` · \`/kup kb restore ID\` · \`/kup teach\``,
    ),
  ];
}

export function kbShowBlocks(entry: TaughtEntry, history: TaughtEntry[], today: string): Block[] {
  const live = entry.status === 'active';
  return [
    header(`${entry.id}: ${state(entry, today)}`),
    section(
      `*Example questions*\n${entry.questions.map((q) => `• ${mrkdwn(q)}`).join('\n')}`.slice(0, 2_990),
    ),
    section(`*中文*\n${mrkdwn(entry.answer.zh)}`),
    section(`*English*\n${mrkdwn(entry.answer.en)}`),
    section(
      `*Source:* ${mrkdwn(entry.source)}\n*Version* ${entry.version}, ${who(entry.author)}, ${entry.at.toISOString().slice(0, 16).replace('T', ' ')} UTC${entry.expires ? `\n*Last day:* ${entry.expires}` : ''}`,
    ),
    {
      type: 'actions',
      block_id: 'kb',
      elements: [
        button('kb_edit', 'Edit', entry.id, 'primary'),
        live
          ? {
              ...button('kb_retire', 'Retire', entry.id, 'danger'),
              confirm: {
                title: plainText('Retire this entry?'),
                text: plainText(
                  'The assistant stops giving this answer. It stays in history and can be restored.',
                ),
                confirm: plainText('Retire'),
                deny: plainText('Keep'),
              },
            }
          : button('kb_restore', 'Restore', entry.id),
      ],
    },
    section(
      `*History*\n${history
        .slice(0, 15)
        .map(
          (v) =>
            `v${v.version} · ${v.at.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${who(v.author)} · ${v.status}${v.shipped ? ' (shipped file)' : ''}${v.expires ? ` · last day ${v.expires}` : ''}\n> ${mrkdwn(v.answer.en.slice(0, 90).replace(/\s+/g, ' '))}`,
        )
        .join('\n')}`,
    ),
  ];
}

export function savedModal(entry: TaughtEntry, note?: string): Block {
  return {
    type: 'modal',
    title: plainText('Saved'),
    close: plainText('Done'),
    blocks: [
      section(
        `*${entry.id}*, version ${entry.version}, is saved. This server answers with it now; every other server and channel within 30 seconds.`,
      ),
      ...(note ? [section(note)] : []),
      context(`\`/kup kb show ${entry.id}\` shows it with its history.`),
    ],
  };
}

export interface TeachingOptions {
  book: TaughtBook;
  isStaff: (user: string) => boolean;
  /** Whether a question asked now is answered (an answered gap leaves /kup gaps). */
  answers: (question: string) => boolean;
  today: () => string;
  onError: (error: unknown, context: string) => void;
}

export const STAFF_ONLY =
  'Teaching the assistant is for programme staff (listed in `SLACK_STAFF_USER_IDS`); ask an administrator if you need it.';

/** /kup kb [show|retire|restore ID]: what to post, for staff. */
export async function kbCommand(
  o: TeachingOptions,
  args: string[],
  user: string,
): Promise<{ blocks: Block[]; text: string }> {
  const verb = (args[0] ?? 'list').toLowerCase();
  const rawId = (args[1] ?? '').slice(0, 40);
  const id = rawId.toUpperCase();
  const today = o.today();
  if (verb === 'list' || verb === '')
    return { blocks: kbListBlocks(await o.book.list(), today), text: 'Taught entries' };
  if (!['show', 'retire', 'restore'].includes(verb) || !id)
    return {
      blocks: [
        section('Use `/kup kb`, `/kup kb show KB-…`, `/kup kb retire KB-…` or `/kup kb restore KB-…`.'),
      ],
      text: 'Unknown kb command',
    };
  const entry =
    verb === 'show'
      ? await o.book.get(id)
      : await o.book.setStatus(id, verb === 'retire' ? 'retired' : 'active', user);
  if (!entry)
    return {
      blocks: [section(`No taught entry ${mrkdwn(rawId)}. \`/kup kb\` lists them.`)],
      text: 'Not found',
    };
  const lead =
    verb === 'show'
      ? []
      : [
          section(
            verb === 'retire'
              ? `Retired ${id}: no longer used (restorable).`
              : `Restored ${id}: in use again.`,
          ),
        ];
  return {
    blocks: [...lead, ...kbShowBlocks(entry, await o.book.history(id), today)],
    text: `${entry.id}`,
  };
}

/** The modal's submission, the Answer, Edit, Retire and Restore buttons. */
export function listenForTeaching(app: App, o: TeachingOptions) {
  app.view('kb_entry', async ({ ack, body, view }) => {
    const user = body.user.id;
    // Only staff change what the assistant says; a submission by anyone else changes nothing.
    if (!o.isStaff(user)) {
      await ack({ response_action: 'errors', errors: { questions: `${STAFF_ONLY} Nothing was saved.` } });
      return;
    }
    const meta = parseMeta(view.private_metadata);
    const { errors, draft } = checkDraft(readDraft(view.state as ViewState, meta.id), o.today());
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    let entry: TaughtEntry | undefined;
    try {
      // An edit of an entry that is not there (any more) saves nothing.
      entry = meta.id && !(await o.book.get(meta.id)) ? undefined : await o.book.save(draft, user);
    } catch (error) {
      o.onError(error, 'saving a taught entry');
      await ack({
        response_action: 'errors',
        errors: {
          questions: 'Could not save just now (the database did not answer). Nothing was saved: try again.',
        },
      });
      return;
    }
    if (!entry) {
      await ack({
        response_action: 'errors',
        errors: { questions: `${meta.id} is not a taught entry: nothing was saved.` },
      });
      return;
    }
    // The gap it was written for: does the assistant answer it now?
    const note =
      meta.gap && !o.answers(meta.gap)
        ? `:warning: The assistant still does not answer “${mrkdwn(meta.gap.slice(0, 200))}” with this entry. Add the way it was asked to the example questions.`
        : undefined;
    await ack({ response_action: 'update', view: savedModal(entry, note) as never });
  });

  const open = async (client: App['client'], trigger: string | undefined, view: Block): Promise<void> => {
    if (!trigger) throw new Error('no trigger_id to open the modal with');
    await client.views.open({ trigger_id: trigger, view: view as never });
  };
  const refuse = (respond: (m: object) => Promise<unknown>) =>
    respond({ response_type: 'ephemeral', replace_original: false, text: STAFF_ONLY });

  app.action(
    /^(gap_answer|kb_edit|kb_retire|kb_restore)$/,
    async ({ ack, action, body, client, respond }) => {
      await ack();
      const { action_id: kind, value = '' } = action as unknown as { action_id: string; value?: string };
      const user = body.user.id;
      if (!o.isStaff(user)) return void (await refuse(respond));
      const trigger = (body as { trigger_id?: string }).trigger_id;
      try {
        if (kind === 'gap_answer') {
          const gap = value.slice(0, MAX_GAP);
          return await open(client, trigger, entryModal({ questions: [gap] }, { gap }));
        }
        const id = value.toUpperCase();
        if (kind === 'kb_edit') {
          const entry = await o.book.get(id);
          if (!entry)
            return void (await respond({
              response_type: 'ephemeral',
              replace_original: false,
              text: `No taught entry ${id}.`,
            }));
          return await open(client, trigger, entryModal(entry, { id }));
        }
        const { blocks, text } = await kbCommand(o, [kind === 'kb_retire' ? 'retire' : 'restore', id], user);
        await respond({ response_type: 'ephemeral', replace_original: true, text, blocks: blocks as never });
      } catch (error) {
        o.onError(error, kind);
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'Sorry, that failed. Please try again in a moment.',
        });
      }
    },
  );
}
