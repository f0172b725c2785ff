import { type Kysely, type Migration, sql } from 'kysely';

// Frozen once landed: never edit; add a new migration instead. The keyed function comes from the
// caller (it needs PSEUDONYM_KEY, which is never in the database).

/**
 * Re-keys the interaction log: every unkeyed pseudonym (a digest of the conversation id) becomes
 * its HMAC under PSEUDONYM_KEY.
 */
export function keyedPseudonyms(rekey?: (digest: string) => Promise<string>): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create temporary table legacy_pseudonyms on commit drop as
        select distinct conversation from interactions where conversation <> 'forgotten'`.execute(db);
      const count = await sql<{ n: string }>`select count(*) as n from legacy_pseudonyms`.execute(db);
      if (Number(count.rows[0]?.n ?? 0) === 0) return;
      if (!rekey)
        throw new Error(
          'the interaction log must be re-keyed: run it with PSEUDONYM_KEY set (or the key file of DATA_DIR)',
        );
      let last = '';
      for (;;) {
        const batch = await sql<{ conversation: string }>`
          select conversation from legacy_pseudonyms where conversation > ${last}
          order by conversation limit 1000`.execute(db);
        if (batch.rows.length === 0) break;
        const pairs = await Promise.all(
          batch.rows.map(async (r) => [r.conversation, await rekey(r.conversation)]),
        );
        await sql`
          update interactions as i set conversation = m.keyed
          from unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => p[1])}::text[]) as m(legacy, keyed)
          where i.conversation = m.legacy`.execute(db);
        last = batch.rows[batch.rows.length - 1]?.conversation ?? last;
      }
    },
    async down(): Promise<void> {
      // The keyed pseudonyms cannot be turned back into digests: nothing to undo.
    },
  };
}
