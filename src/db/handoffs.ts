import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { HandoffCase, HandoffReply, HandoffStore, Lang } from '../core/types.ts';
import type { Database, HandoffsTable } from './schema.ts';

export const toHandoff = (
  row: Pick<
    Selectable<HandoffsTable>,
    'id' | 'conversation_id' | 'channel' | 'lang' | 'desk_ref' | 'opened_at'
  >,
): HandoffCase => ({
  id: String(row.id),
  conversationId: row.conversation_id,
  channel: row.channel,
  lang: row.lang === 'en' ? 'en' : 'zh',
  deskRef: row.desk_ref,
  openedAt: new Date(row.opened_at),
});

const COLUMNS = ['id', 'conversation_id', 'channel', 'lang', 'desk_ref', 'opened_at'] as const;

/** Stores a message for the user once per source id (undefined for a repeat). */
async function insertReply(
  trx: Transaction<Database>,
  handoff: HandoffCase,
  sourceId: string,
  text: string,
): Promise<HandoffReply | undefined> {
  const row = await trx
    .insertInto('handoff_replies')
    .values({ handoff_id: handoff.id, conversation_id: handoff.conversationId, source_id: sourceId, text })
    .onConflict((oc) => oc.constraint('handoff_replies_source_unique').doNothing())
    .returning(['id', 'created_at'])
    .executeTakeFirst();
  return row ? { id: String(row.id), text, at: new Date(row.created_at) } : undefined;
}

/** Handoff cases and what staff sent in them, in Postgres. */
export function createHandoffStore(db: Kysely<Database>): HandoffStore {
  /** The open case found by one column. */
  const openCase = async (column: 'conversation_id' | 'desk_ref', value: string) => {
    const row = await db
      .selectFrom('handoffs')
      .select(COLUMNS)
      .where(column, '=', value)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return row ? toHandoff(row) : undefined;
  };

  async function open(
    conversationId: string,
    channel: string,
    lang: Lang,
  ): Promise<{ handoff: HandoffCase; created: boolean }> {
    // One open case per conversation (a unique partial index): a second request finds the first.
    const created = await db
      .insertInto('handoffs')
      .values({ conversation_id: conversationId, channel, lang, status: 'open' })
      .onConflict((oc) => oc.column('conversation_id').where('status', '=', 'open').doNothing())
      .returning(COLUMNS)
      .executeTakeFirst();
    if (created) return { handoff: toHandoff(created), created: true };
    const existing = await openCase('conversation_id', conversationId);
    if (!existing) return open(conversationId, channel, lang); // closed in between: open anew
    return { handoff: existing, created: false };
  }

  return {
    open,
    openFor: (conversationId) => openCase('conversation_id', conversationId),
    async openedSince(since) {
      const row = await db
        .selectFrom('handoffs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('opened_at', '>', since)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async setDeskRef(id, deskRef) {
      await db.updateTable('handoffs').set({ desk_ref: deskRef }).where('id', '=', id).execute();
    },
    byDeskRef: (deskRef) => openCase('desk_ref', deskRef),
    async byId(id) {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const row = await db
        .selectFrom('handoffs')
        .select([...COLUMNS, 'status'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? { ...toHandoff(row), open: row.status === 'open' } : undefined;
    },
    addReply: (handoff, sourceId, text) =>
      db.transaction().execute(async (trx) => {
        // The case's row is locked first: replies to one case are stored one at a time, so their
        // ids are in commit order (the web page asks for ids after the last it saw), and a case
        // closed meanwhile takes no more replies.
        const open = await trx
          .updateTable('handoffs')
          .set({ first_reply_at: sql`coalesce(first_reply_at, now())` })
          .where('id', '=', handoff.id)
          .where('status', '=', 'open')
          .returning('id')
          .executeTakeFirst();
        return open ? insertReply(trx, handoff, sourceId, text) : undefined;
      }),
    async discard(id) {
      await db.deleteFrom('handoffs').where('id', '=', id).execute();
    },
    close: (id, outcome, notice) =>
      db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('handoffs')
          .set({ status: 'closed', outcome, closed_at: sql`now()` })
          .where('id', '=', id)
          .where('status', '=', 'open')
          .returning(COLUMNS)
          .executeTakeFirst();
        if (!row) return undefined;
        const handoff = toHandoff(row);
        const reply = notice ? await insertReply(trx, handoff, notice.sourceId, notice.text) : undefined;
        return { handoff, ...(reply ? { notice: reply } : {}) };
      }),
    async replies(conversationId, afterId, limit) {
      // One statement, so one snapshot: a case closed meanwhile comes with its closing notice.
      // At least one row: the replies after `afterId`, or a row without one when there are none.
      const { rows } = await sql<{
        open: boolean;
        id: string | null;
        text: string | null;
        created_at: Date | null;
      }>`
        select o.open, r.id, r.text, r.created_at
        from (select exists (select 1 from handoffs
                where conversation_id = ${conversationId} and status = 'open') as open) o
        left join lateral (
          select id, text, created_at from handoff_replies
          where conversation_id = ${conversationId} and id > ${afterId}
          order by id limit ${limit}
        ) r on true
        order by r.id`.execute(db);
      return {
        open: rows[0]?.open === true,
        replies: rows.flatMap((r) =>
          r.id === null ? [] : [{ id: String(r.id), text: r.text ?? '', at: new Date(r.created_at ?? 0) }],
        ),
      };
    },
  };
}
