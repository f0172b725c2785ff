import { type Kysely, sql } from 'kysely';

// Frozen once landed: never import app code here, never edit; add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('interactions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('conversation', 'text', (c) => c.notNull())
    .addColumn('turn_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('in', 'out')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('sources', sql`text[]`)
    .addColumn('confidence', 'real')
    .addColumn('lang', 'text')
    .addColumn('latency_ms', 'integer')
    .execute();
  await db.schema
    .createIndex('interactions_created_at_idx')
    .on('interactions')
    .column('created_at')
    .execute();
  await db.schema
    .createIndex('interactions_conversation_idx')
    .on('interactions')
    .columns(['conversation', 'created_at'])
    .execute();
  await db.schema
    .createIndex('interactions_kind_idx')
    .on('interactions')
    .columns(['kind', 'created_at'])
    .execute();

  await db.schema
    .createTable('preferences')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('preferences').execute();
  await db.schema.dropTable('interactions').execute();
}
