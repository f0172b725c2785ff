import DataLoader from 'dataloader';
import { type Kysely, sql } from 'kysely';
import type { DialogState, DialogStore, Lang, TurnStart } from '../core/types.ts';
import { claimDeliveries } from './deliveries.ts';
import { toHandoff } from './handoffs.ts';
import type { Database } from './schema.ts';

const parse = (value: unknown): DialogState =>
  (typeof value === 'string' ? JSON.parse(value) : value) as DialogState;

const asLang = (value: unknown): Lang | undefined => (value === 'zh' || value === 'en' ? value : undefined);

type BeginKey = { conversationId: string; deliveryId: string | undefined };
type BeginRow = {
  state: unknown;
  version: number | null;
  updated_at: Date | string | null;
  lang: string | null;
  fresh: boolean;
  handoff_id: string | null;
  handoff_channel: string | null;
  handoff_lang: string | null;
  desk_ref: string | null;
  opened_at: Date | null;
};

/** Runs on the next turn of the event loop, so that updates that arrived together go together. */
const soon = (run: () => void) =>
  typeof setImmediate === 'function' ? void setImmediate(run) : void setTimeout(run, 0);

/** Dialog state rows with optimistic concurrency: every write names the version it read. */
export function createDialogStore(
  db: Kysely<Database>,
  options: { staleAfterMs?: number } = {},
): DialogStore {
  /**
   * What every turn needs first (the delivery claim, the dialog, the language) for all the turns
   * that start together, in one round trip: under load, round trips to Postgres cost more than the
   * queries. A turn alone is a batch of one, with no added wait.
   */
  async function beginAll(keys: readonly BeginKey[]): Promise<TurnStart[]> {
    // A delivery twice in one batch: the second copy is a duplicate without asking.
    const seen = new Set<string>();
    const claims = keys.map((k) => {
      if (k.deliveryId === undefined || seen.has(k.deliveryId)) return null;
      seen.add(k.deliveryId);
      return k.deliveryId;
    });
    const { rows } = await sql<BeginRow>`
      with input as (
        select * from unnest(${keys.map((k) => k.conversationId)}::text[], ${claims}::text[])
          with ordinality as t(conversation_id, delivery_id, n)
      ),
      claim as (${claimDeliveries(sql`array(select delivery_id from input where delivery_id is not null)`, options.staleAfterMs)})
      select d.state, d.version, d.updated_at, p.lang, c.key is not null as fresh,
        h.id as handoff_id, h.channel as handoff_channel, h.lang as handoff_lang, h.desk_ref, h.opened_at
      from input i
      left join dialogs d on d.conversation_id = i.conversation_id
      left join preferences p on p.conversation_id = i.conversation_id
      left join handoffs h on h.conversation_id = i.conversation_id and h.status = 'open'
      left join claim c on c.key = i.delivery_id
      order by i.n`.execute(db);
    return keys.map((k, i) => {
      const row = rows[i] as BeginRow;
      const lang = asLang(row.lang);
      return {
        fresh: k.deliveryId === undefined || (claims[i] !== null && row.fresh),
        ...(row.version !== null && row.updated_at !== null
          ? { dialog: { state: parse(row.state), version: row.version, updatedAt: new Date(row.updated_at) } }
          : {}),
        ...(lang ? { lang } : {}),
        ...(row.handoff_id !== null
          ? {
              handoff: toHandoff({
                id: row.handoff_id,
                conversation_id: k.conversationId,
                channel: row.handoff_channel ?? '',
                lang: row.handoff_lang ?? 'zh',
                desk_ref: row.desk_ref,
                opened_at: row.opened_at ?? new Date(),
              }),
            }
          : {}),
      };
    });
  }
  const turns = new DataLoader(beginAll, { cache: false, maxBatchSize: 200, batchScheduleFn: soon });

  return {
    begin: (conversationId, deliveryId) => turns.load({ conversationId, deliveryId }),
    async get(conversationId) {
      const row = await db
        .selectFrom('dialogs')
        .select(['state', 'version', 'updated_at'])
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      return row
        ? { state: parse(row.state), version: row.version, updatedAt: new Date(row.updated_at) }
        : undefined;
    },
    async put(conversationId, state, version) {
      const json = JSON.stringify(state);
      if (version === undefined) {
        const row = await db
          .insertInto('dialogs')
          .values({ conversation_id: conversationId, state: json, version: 1 })
          .onConflict((oc) => oc.column('conversation_id').doNothing())
          .returning('version')
          .executeTakeFirst();
        return row !== undefined;
      }
      const row = await db
        .updateTable('dialogs')
        .set({ state: json, version: sql`version + 1`, updated_at: sql`now()` })
        .where('conversation_id', '=', conversationId)
        .where('version', '=', version)
        .returning('version')
        .executeTakeFirst();
      return row !== undefined;
    },
    async remove(conversationId, version) {
      let query = db.deleteFrom('dialogs').where('conversation_id', '=', conversationId);
      if (version !== undefined) query = query.where('version', '=', version);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
