import { type Kysely, sql } from 'kysely';

// Frozen once landed: never import app code here, never edit; add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Deliveries already handled (Telegram update ids, Slack retries): a retry is not handled twice.
  await db.schema
    .createTable('deliveries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('processing', 'done')`))
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('deliveries_claimed_at_idx').on('deliveries').column('claimed_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('deliveries').execute();
}
