import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DeliveryLedger } from '../core/types.ts';
import { createBatchWriter } from '../lib/batch-writer.ts';
import { PREPARED } from './connect.ts';
import type { Database } from './schema.ts';

/** A claim that never finished (the process died mid-way) can be taken again after this long. */
export const DEFAULT_STALE_MS = 20_000;

/**
 * Claims deliveries: each key is inserted, or a stale claim taken over; the keys returned are the
 * claims that are ours, and a key left out is a duplicate. `keys` is a text[] of distinct keys.
 * The dialog store runs it as a CTE, so the claim rides on the round trip of the turn's reads.
 */
export function claimDeliveries(keys: RawBuilder<string[]>, staleAfterMs = DEFAULT_STALE_MS) {
  const stale = `${Math.round(staleAfterMs / 1000)} seconds`;
  return sql<{ key: string }>`
    insert into deliveries (key, status)
    select key, 'processing' from unnest(${keys}) as key
    on conflict (key) do update set claimed_at = now()
      where deliveries.status = 'processing' and deliveries.claimed_at < now() - ${stale}::interval
    returning key`;
}

/**
 * The delivery ledger in Postgres. A delivery is claimed once; a duplicate is refused while the
 * first is being handled or after it was, but a stale claim can be taken again, so the user still
 * gets an answer. Marking deliveries done is batched (`intervalMs`, 0 = on `flush` only): until a
 * mark is written the claim merely looks unfinished, which only matters after `staleAfterMs`.
 */
export function createDeliveryLedger(
  db: Kysely<Database>,
  options: { staleAfterMs?: number; intervalMs?: number; onError?: (error: unknown) => void } = {},
): DeliveryLedger & { flush(): Promise<void>; close(timeoutMs?: number): Promise<unknown> } {
  // One array parameter, not a list of them: the same statement for any number of keys, so it is
  // prepared once and Postgres does not plan a new shape for every batch size.
  const markDone = async (keys: string[]) => {
    await sql`${sql.raw(PREPARED)}
      update deliveries set status = 'done' where key = any(${keys}::text[])`.execute(db);
  };
  const marks = createBatchWriter<string>({
    intervalMs: options.intervalMs ?? 100,
    maxBuffer: 50_000,
    write: markDone,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  let closed = false;
  return {
    async claim(key) {
      const { rows } = await claimDeliveries(sql`${[key]}::text[]`, options.staleAfterMs).execute(db);
      return rows.length > 0;
    },
    async done(key) {
      // After shutdown began, a late update's mark is written at once.
      if (closed) await markDone([key]);
      else marks.push(key);
    },
    flush: () => marks.flush(),
    close(timeoutMs) {
      closed = true;
      return marks.close(timeoutMs);
    },
  };
}
