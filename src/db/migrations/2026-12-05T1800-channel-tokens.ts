import type { Kysely } from 'kysely';

// Frozen once landed: never import app code here, never edit; add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // A platform's access token (WeChat's lasts two hours and is limited in how often it is fetched),
  // shared by every server and Workers isolate instead of each fetching its own.
  await db.schema
    .createTable('channel_tokens')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('channel_tokens').execute();
}
