import DataLoader from 'dataloader';
import { type Kysely, sql } from 'kysely';
import type { ConversationSubject, DialogState, DialogStore, Lang, TurnStart } from '../core/types.ts';
import { PREPARED } from './connect.ts';
import { claimDeliveries } from './deliveries.ts';
import { toHandoff } from './handoffs.ts';
import type { Database } from './schema.ts';

const parse = (value: unknown): DialogState =>
  (typeof value === 'string' ? JSON.parse(value) : value) as DialogState;

const parseSubject = (value: unknown): ConversationSubject =>
  (typeof value === 'string' ? JSON.parse(value) : value) as ConversationSubject;

const asLang = (value: unknown): Lang | undefined => (value === 'zh' || value === 'en' ? value : undefined);

type BeginKey = { conversationId: string; deliveryId: string | undefined };
type PutKey = { conversationId: string; state: DialogState; version: number | undefined };
type ContextKey = { conversationId: string; subject: ConversationSubject };
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
  subject: unknown;
  subject_at: Date | string | null;
};

/** True at the first place of each value in a batch (undefined is never first): repeats lose. */
function firstOfEach(values: Array<string | undefined>): boolean[] {
  const seen = new Set<string>();
  return values.map((v) => {
    if (v === undefined || seen.has(v)) return false;
    seen.add(v);
    return true;
  });
}

/** Runs on the next turn of the event loop, so that updates that arrived together go together. */
const soon = (run: () => void) =>
  typeof setImmediate === 'function' ? void setImmediate(run) : void setTimeout(run, 0);

/** Dialog state rows with optimistic concurrency: every write names the version it read. */
export function createDialogStore(db: Kysely<Database>): DialogStore {
  /**
   * What every turn needs first (the delivery claim, the dialog, the language) for all the turns
   * that start together, in one round trip: under load, round trips to Postgres cost more than the
   * queries. A turn alone is a batch of one, with no added wait.
   */
  async function beginAll(keys: readonly BeginKey[]): Promise<TurnStart[]> {
    // A delivery twice in one batch: the second copy is a duplicate without asking.
    const first = firstOfEach(keys.map((k) => k.deliveryId));
    const claims = keys.map((k, i) => (first[i] ? (k.deliveryId as string) : null));
    const { rows } = await sql<BeginRow>`${sql.raw(PREPARED)}
      with input as (
        select * from unnest(${keys.map((k) => k.conversationId)}::text[], ${claims}::text[])
          with ordinality as t(conversation_id, delivery_id, n)
      ),
      claim as (${claimDeliveries(sql`array(select delivery_id from input where delivery_id is not null)`)})
      select d.state, d.version, d.updated_at, p.lang, c.key is not null as fresh,
        h.id as handoff_id, h.channel as handoff_channel, h.lang as handoff_lang, h.desk_ref, h.opened_at,
        x.subject, x.updated_at as subject_at
      from input i
      left join dialogs d on d.conversation_id = i.conversation_id
      left join preferences p on p.conversation_id = i.conversation_id
      left join handoffs h on h.conversation_id = i.conversation_id and h.status = 'open'
      left join contexts x on x.conversation_id = i.conversation_id
      left join claim c on c.key = i.delivery_id
      order by i.n`.execute(db);
    return keys.map((k, i) => {
      const row = rows[i] as BeginRow;
      const lang = asLang(row.lang);
      return {
        // A copy left out of the claim has no delivery id in the input, so it joins no claim.
        fresh: k.deliveryId === undefined || row.fresh,
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
        ...(row.subject !== null && row.subject_at !== null
          ? { context: { subject: parseSubject(row.subject), at: new Date(row.subject_at) } }
          : {}),
      };
    });
  }
  const turns = new DataLoader(beginAll, { cache: false, maxBatchSize: 200, batchScheduleFn: soon });

  /**
   * Dialog writes that happen together, in one statement: new dialogs are inserted, the others
   * updated at the version they were read at. Each write says whether it won; a conversation
   * written twice in one batch keeps the first and the second sees a conflict (and retries, as it
   * would against another server).
   */
  async function putAll(keys: readonly PutKey[]): Promise<boolean[]> {
    const taken = firstOfEach(keys.map((k) => k.conversationId));
    const rows = keys.filter((_, i) => taken[i]);
    const { rows: won } = await sql<{ conversation_id: string }>`${sql.raw(PREPARED)}
      with input as (
        select * from unnest(${rows.map((k) => k.conversationId)}::text[], ${rows.map((k) => JSON.stringify(k.state))}::text[],
          ${rows.map((k) => k.version ?? null)}::int[]) as t(conversation_id, state, version)
      ),
      inserted as (
        insert into dialogs (conversation_id, state, version)
        select conversation_id, state::jsonb, 1 from input where version is null
        on conflict (conversation_id) do nothing
        returning conversation_id
      ),
      updated as (
        update dialogs d set state = i.state::jsonb, version = d.version + 1, updated_at = now()
        from input i
        where i.version is not null and d.conversation_id = i.conversation_id and d.version = i.version
        returning d.conversation_id
      )
      select conversation_id from inserted union all select conversation_id from updated`.execute(db);
    const winners = new Set(won.map((r) => r.conversation_id));
    return keys.map((k, i) => Boolean(taken[i]) && winners.has(k.conversationId));
  }
  const writes = new DataLoader(putAll, { cache: false, maxBatchSize: 200, batchScheduleFn: soon });

  /** Conversation subjects written together, in one statement (the last one per conversation wins). */
  async function setAll(keys: readonly ContextKey[]): Promise<undefined[]> {
    const latest = new Map(keys.map((k) => [k.conversationId, JSON.stringify(k.subject)]));
    await sql`${sql.raw(PREPARED)}
      insert into contexts (conversation_id, subject, updated_at)
      select conversation_id, subject::jsonb, now()
      from unnest(${[...latest.keys()]}::text[], ${[...latest.values()]}::text[]) as t(conversation_id, subject)
      on conflict (conversation_id) do update set subject = excluded.subject, updated_at = excluded.updated_at`.execute(
      db,
    );
    return keys.map(() => undefined);
  }
  const contexts = new DataLoader(setAll, { cache: false, maxBatchSize: 200, batchScheduleFn: soon });

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
    put: (conversationId, state, version) => writes.load({ conversationId, state, version }),
    setContext: (conversationId, subject) => contexts.load({ conversationId, subject }),
    async remove(conversationId, version) {
      let query = db.deleteFrom('dialogs').where('conversation_id', '=', conversationId);
      if (version !== undefined) query = query.where('version', '=', version);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
