/**
 * Entries staff teach from Slack: example questions, an answer in both languages, the source they
 * cite, an optional expiry. Every change is a new version; the newest version of an id is the
 * entry, and it is used while it is active and not past its expiry. Platform-neutral: the store is
 * an interface (Postgres in src/db/taught.ts).
 */
import type { ShippedTaught } from '../knowledge/schema.ts';

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
  /** This version ships in `knowledge/taught/` (it is not in the database). */
  shipped?: true;
}

export type TaughtStatus = TaughtEntry['status'];

export interface TaughtStore {
  /** A number that changes with every change (cheap to read: servers poll it, not the table). */
  version(): Promise<number>;
  /** The newest version of every entry, retired and expired ones too. */
  current(): Promise<TaughtEntry[]>;
  /** Every version of one entry, newest first. */
  history(id: string): Promise<TaughtEntry[]>;
  /**
   * Stores a new version (a new entry without an id), numbered after the stored ones and after
   * `after` (the version a release shipped), active unless `status` says otherwise.
   */
  save(
    draft: TaughtDraft,
    author: string,
    options?: { status?: TaughtStatus; after?: number },
  ): Promise<TaughtEntry>;
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

/** Markup a channel could render (HTML tags, Markdown links, bold, code, headings). */
const MARKUP = /<\/?[a-z][^>]*>|\[[^\]]*\]\([^)]*\)|\*\*|`|__|^#{1,6}\s/im;
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

/** A shipped file's entry as an entry. */
const fromShipped = (s: ShippedTaught): TaughtEntry => ({
  id: s.id,
  version: s.version,
  questions: s.questions,
  answer: s.answer,
  source: s.source,
  ...(s.expires ? { expires: s.expires } : {}),
  status: 'active',
  author: s.author,
  at: new Date(s.updated),
  shipped: true,
});

const textOf = (d: TaughtDraft) =>
  JSON.stringify([d.questions, d.answer.zh, d.answer.en, d.source, d.expires ?? null]);
const sameText = (a: TaughtDraft, b: TaughtDraft) => textOf(a) === textOf(b);

/** Shipped and stored entries by id: the newer version wins (a stored one on a tie), newest first. */
export function mergeTaught(shipped: ShippedTaught[], stored: TaughtEntry[]): TaughtEntry[] {
  const byId = new Map(shipped.map((s) => [s.id, fromShipped(s)]));
  for (const e of stored) {
    const other = byId.get(e.id);
    if (!other || e.version >= other.version) byId.set(e.id, e);
  }
  return [...byId.values()].sort((a, b) => b.at.getTime() - a.at.getTime());
}

/**
 * What staff see and change in Slack: the store's entries together with those a release shipped,
 * with `changed` called after every change (the server's index is rebuilt at once).
 */
export function createTaughtBook(deps: {
  store: TaughtStore;
  shipped?: ShippedTaught[];
  changed?: () => Promise<void>;
}) {
  const shipped = deps.shipped ?? [];
  const shippedById = new Map(shipped.map((s) => [s.id, fromShipped(s)]));
  const list = async () => mergeTaught(shipped, await deps.store.current());
  const get = async (id: string) => (await list()).find((e) => e.id === id);
  const changed = async <T>(value: T): Promise<T> => {
    await deps.changed?.();
    return value;
  };
  return {
    list,
    get,
    /** Every version, newest first (a shipped version among the stored ones). */
    async history(id: string): Promise<TaughtEntry[]> {
      const versions = await deps.store.history(id);
      const file = shippedById.get(id);
      if (file && !versions.some((v) => v.version === file.version)) versions.push(file);
      return versions.sort((a, b) => b.version - a.version);
    },
    /**
     * Saves a checked draft; an edit of a shipped entry is numbered after the file's version. The
     * same text saved again (a submission repeated) is no new version and no second entry.
     */
    async save(draft: TaughtDraft, author: string): Promise<TaughtEntry> {
      const same = (await list()).find(
        (e) => e.status === 'active' && (!draft.id || e.id === draft.id) && sameText(e, draft),
      );
      if (same) return same;
      const after = draft.id ? shippedById.get(draft.id)?.version : undefined;
      return changed(await deps.store.save(draft, author, after ? { after } : {}));
    },
    /** Retires or restores an entry (a new version); undefined for an unknown id. */
    async setStatus(id: string, status: TaughtStatus, author: string): Promise<TaughtEntry | undefined> {
      const entry = await get(id);
      if (!entry) return undefined;
      if (entry.status === status) return entry;
      const { questions, answer, source, expires } = entry;
      return changed(
        await deps.store.save({ id, questions, answer, source, ...(expires ? { expires } : {}) }, author, {
          status,
          after: entry.version,
        }),
      );
    },
  };
}

export type TaughtBook = ReturnType<typeof createTaughtBook>;
