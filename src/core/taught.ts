/**
 * Entries staff teach from Slack: example questions, an answer in both languages, the source they
 * cite, an optional expiry. Every change is a new version; the newest version of an id is the
 * entry, and it is used while it is active and not past its expiry. Platform-neutral: the store is
 * an interface (Postgres in src/db/taught.ts).
 */

export interface TaughtDraft {
  /** Given when an entry is edited; a new entry gets one ("KB-…"). */
  id?: string;
  questions: string[];
  answer: { zh: string; en: string };
  source: string;
  /** The last day it is used (YYYY-MM-DD). */
  expires?: string;
}

export interface TaughtEntry extends Required<Omit<TaughtDraft, 'expires'>> {
  expires?: string;
  version: number;
  status: 'active' | 'retired';
  author: string;
  at: Date;
}

export interface TaughtStore {
  /** A number that changes with every change (cheap to read: servers poll it, not the table). */
  version(): Promise<number>;
  /** The newest version of every entry, retired and expired ones too. */
  current(): Promise<TaughtEntry[]>;
  /** Every version of one entry, newest first. */
  history(id: string): Promise<TaughtEntry[]>;
  /** Stores a new version (a new entry without an id). */
  save(draft: TaughtDraft, author: string): Promise<TaughtEntry>;
  /** Retires or restores an entry (a new version too); undefined for an unknown id. */
  setStatus(id: string, status: 'active' | 'retired', author: string): Promise<TaughtEntry | undefined>;
}

/** A phone screen's worth: an answer longer than this is cut short in a chat bubble. */
export const MAX_ANSWER = 600;
export const MAX_QUESTIONS = 20;
const MAX_QUESTION = 300;
const MAX_SOURCE = 300;
export const TAUGHT_ID = /^KB-[0-9A-Z]{4,12}$/;

/** In use today: active and not past its last day. */
export const isLive = (e: TaughtEntry, today: string) =>
  e.status === 'active' && (!e.expires || e.expires >= today);

/** Markup a channel could render (HTML tags, Markdown links, bold, code). */
const MARKUP = /<\/?[a-z][^>]*>|\[[^\]]*\]\([^)]*\)|\*\*|`|__/i;
const clean = (s: string) => s.replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === '\n' ? '\n' : '')).trim();

/**
 * What is wrong with a draft, by field (`questions`, `answer_zh`, `answer_en`, `source`, `expires`),
 * in words for staff; empty when it can be saved. Also returns the draft cleaned.
 */
export function checkDraft(
  draft: TaughtDraft,
  today: string,
): { errors: Record<string, string>; draft: TaughtDraft } {
  const errors: Record<string, string> = {};
  const questions = draft.questions.map(clean).filter(Boolean);
  const answer = { zh: clean(draft.answer.zh), en: clean(draft.answer.en) };
  const source = clean(draft.source);
  if (!questions.length) errors.questions = 'Give at least one example question, one per line.';
  else if (questions.length > MAX_QUESTIONS) errors.questions = `At most ${MAX_QUESTIONS} example questions.`;
  else if (questions.some((q) => q.length > MAX_QUESTION))
    errors.questions = `Each example question must be under ${MAX_QUESTION} characters.`;
  for (const lang of ['zh', 'en'] as const) {
    const key = `answer_${lang}`;
    const text = answer[lang];
    if (!text) errors[key] = lang === 'zh' ? 'The Chinese answer is empty.' : 'The English answer is empty.';
    else if (text.length > MAX_ANSWER)
      errors[key] = `At most ${MAX_ANSWER} characters (a phone screen): this one has ${text.length}.`;
    else if (MARKUP.test(text)) errors[key] = 'Plain text only: no HTML, Markdown links, bold or code.';
  }
  if (!source) errors.source = 'Say where this comes from (a notice, a page, a phone call with the office).';
  else if (source.length > MAX_SOURCE) errors.source = `At most ${MAX_SOURCE} characters.`;
  const expires = draft.expires?.trim() || undefined;
  if (expires && (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(expires))))
    errors.expires = 'A date, like 2027-06-30.';
  else if (expires && expires < today) errors.expires = 'This date has passed.';
  if (draft.id !== undefined && !TAUGHT_ID.test(draft.id))
    errors.questions = `Unknown entry id "${draft.id}".`;
  return {
    errors,
    draft: {
      ...(draft.id ? { id: draft.id } : {}),
      questions,
      answer,
      source,
      ...(expires ? { expires } : {}),
    },
  };
}
