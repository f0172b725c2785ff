import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

const DAY = 86_400_000;

/**
 * Deletes what the privacy notice promises to delete: unfinished dialogs past their expiry and
 * registrations not updated for `retentionDays` (closed handoff cases too), and the text of
 * interaction rows older than `logRetentionDays` (the rows stay, so every count stays). Returns how
 * many dialogs and registrations went, and how many texts were blanked.
 */
export async function purgeExpired(
  db: Kysely<Database>,
  options: { dialogTtlMs: number; retentionDays: number; logRetentionDays?: number; now?: Date },
): Promise<{ dialogs: number; registrations: number; texts: number }> {
  const now = (options.now ?? new Date()).getTime();
  let texts = 0;
  if (options.logRetentionDays) {
    // In batches, so that a first run over a large log holds no long lock.
    const before = new Date(now - options.logRetentionDays * DAY);
    for (;;) {
      const done = await sql`
        update interactions set text = '' where id in (
          select id from interactions where created_at < ${before} and text <> '' limit 5000)`.execute(db);
      const n = Number(done.numAffectedRows ?? 0);
      texts += n;
      if (n < 5000) break;
    }
  }
  const dialogs = await db
    .deleteFrom('dialogs')
    .where('updated_at', '<', new Date(now - options.dialogTtlMs))
    .executeTakeFirst();
  const registrations = await db
    .deleteFrom('registrations')
    .where('updated_at', '<', new Date(now - options.retentionDays * DAY))
    .executeTakeFirst();
  // Closed handoff cases (and what staff wrote in them) go with the same retention.
  await db
    .deleteFrom('handoffs')
    .where('status', '=', 'closed')
    .where('closed_at', '<', new Date(now - options.retentionDays * DAY))
    .execute();
  // What a conversation was about serves follow-ups within the hour: a day is plenty.
  await db
    .deleteFrom('contexts')
    .where('updated_at', '<', new Date(now - DAY))
    .execute();
  // The delivery ledger only needs to outlast Telegram's and Slack's retries: a day is plenty.
  await db
    .deleteFrom('deliveries')
    .where('claimed_at', '<', new Date(now - DAY))
    .execute();
  return {
    dialogs: Number(dialogs.numDeletedRows),
    registrations: Number(registrations.numDeletedRows),
    texts,
  };
}
