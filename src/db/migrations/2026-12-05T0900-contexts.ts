import { type Kysely, sql } from 'kysely';

// Frozen once landed: never import app code here, never edit; add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // What each conversation was last about (entity and attribute ids of the knowledge base), so
  // that a follow-up ("how many a year?") is understood on any server and after a restart.
  await db.schema
    .createTable('contexts')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('contexts_updated_at_idx').on('contexts').column('updated_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('contexts').execute();
}
