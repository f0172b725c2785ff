import type { Kysely } from 'kysely';

// Frozen once landed: never import app code here, never edit; add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Who wrote an answer that came from a staff-taught entry (their Slack id, and the version).
  await db.schema.alterTable('interactions').addColumn('author', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('interactions').dropColumn('author').execute();
}
