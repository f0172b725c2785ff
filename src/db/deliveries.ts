import { type Kysely, sql } from 'kysely';
import type { DeliveryLedger } from '../core/types.ts';
import type { Database } from './schema.ts';

/**
 * The delivery ledger in Postgres. A delivery is claimed once; a duplicate is refused while the
 * first is being handled or after it was, but a claim older than `staleAfterMs` that never finished
 * (the process died mid-way) can be claimed again, so the user still gets an answer.
 */
export function createDeliveryLedger(
  db: Kysely<Database>,
  options: { staleAfterMs?: number } = {},
): DeliveryLedger {
  const stale = `${Math.round((options.staleAfterMs ?? 60_000) / 1000)} seconds`;
  return {
    async claim(key) {
      const row = await db
        .insertInto('deliveries')
        .values({ key, status: 'processing' })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ claimed_at: sql`now()` })
            .where('deliveries.status', '=', 'processing')
            .where('deliveries.claimed_at', '<', sql<Date>`now() - ${stale}::interval`),
        )
        .returning('key')
        .executeTakeFirst();
      return row !== undefined;
    },
    async done(key) {
      await db.updateTable('deliveries').set({ status: 'done' }).where('key', '=', key).execute();
    },
  };
}
