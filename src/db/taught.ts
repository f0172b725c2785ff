// Staff-taught entries in Postgres: versions in `taught_entries`, and one counter in
// `taught_version` bumped in the same transaction as every change.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { TaughtDraft, TaughtEntry, TaughtStatus, TaughtStore } from '../core/taught.ts';
import type { Database, TaughtEntriesTable } from './schema.ts';

const toEntry = (r: Selectable<TaughtEntriesTable>): TaughtEntry => ({
  id: r.id,
  version: r.version,
  questions: typeof r.questions === 'string' ? (JSON.parse(r.questions) as string[]) : r.questions,
  answer: { zh: r.answer_zh, en: r.answer_en },
  source: r.source,
  ...(r.expires_on ? { expires: dateOnly(r.expires_on) } : {}),
  status: r.status,
  author: r.author,
  at: new Date(r.created_at),
});
const dateOnly = (d: Date | string) =>
  typeof d === 'string'
    ? d.slice(0, 10)
    : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** A new id: "KB-" and six characters that are easy to read and type. */
const newId = () => {
  const letters = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  return `KB-${[...crypto.getRandomValues(new Uint8Array(6))].map((b) => letters[b % letters.length]).join('')}`;
};

export function createTaughtStore(db: Kysely<Database>): TaughtStore {
  async function write(
    id: string,
    after: number,
    row: Omit<TaughtEntriesTable, 'id' | 'version' | 'created_at' | 'questions' | 'expires_on'> & {
      questions: string[];
      expires_on: string | null;
    },
  ): Promise<TaughtEntry> {
    return db.transaction().execute(async (trx) => {
      // The counter's row lock orders concurrent writers, so versions never collide.
      await sql`update taught_version set version = version + 1 where id = 1`.execute(trx);
      const last = await trx
        .selectFrom('taught_entries')
        .select((eb) => eb.fn.max('version').as('v'))
        .where('id', '=', id)
        .executeTakeFirst();
      const inserted = await trx
        .insertInto('taught_entries')
        .values({
          ...row,
          id,
          version: Math.max(Number(last?.v ?? 0), after) + 1,
          questions: JSON.stringify(row.questions),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEntry(inserted);
    });
  }
  return {
    async version() {
      const row = await db
        .selectFrom('taught_version')
        .select('version')
        .where('id', '=', 1)
        .executeTakeFirst();
      return Number(row?.version ?? 0);
    },
    async current() {
      const rows = await db
        .selectFrom('taught_entries as t')
        .selectAll('t')
        .where('t.version', '=', (eb) =>
          eb
            .selectFrom('taught_entries as u')
            .select((e) => e.fn.max('u.version').as('v'))
            .whereRef('u.id', '=', 't.id'),
        )
        .orderBy('t.created_at', 'desc')
        .execute();
      return rows.map(toEntry);
    },
    async history(id) {
      const rows = await db
        .selectFrom('taught_entries')
        .selectAll()
        .where('id', '=', id)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(toEntry);
    },
    save(draft: TaughtDraft, author: string, options = {}) {
      const { status = 'active', after = 0 } = options as { status?: TaughtStatus; after?: number };
      return write(draft.id ?? newId(), after, {
        questions: draft.questions,
        answer_zh: draft.answer.zh,
        answer_en: draft.answer.en,
        source: draft.source,
        expires_on: draft.expires ?? null,
        status,
        author,
      });
    },
  };
}
