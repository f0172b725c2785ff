import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

const DAY = 86_400_000;

/**
 * Deletes what the privacy notice promises to delete: unfinished dialogs past their expiry and
 * registrations not updated for `retentionDays` (closed handoff cases too). Returns how many
 * dialogs and registrations went.
 */
export async function purgeExpired(
  db: Kysely<Database>,
  options: { dialogTtlMs: number; retentionDays: number; now?: Date },
): Promise<{ dialogs: number; registrations: number }> {
  const now = (options.now ?? new Date()).getTime();
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
  return { dialogs: Number(dialogs.numDeletedRows), registrations: Number(registrations.numDeletedRows) };
}
