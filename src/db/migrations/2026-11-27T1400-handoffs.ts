import { type Kysely, sql } from 'kysely';

// Frozen once landed: never import app code here, never edit; add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Conversations handed to a person: one case at a time per conversation, a Slack thread each.
  await db.schema
    .createTable('handoffs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'closed')`))
    // How it ended: resolved by staff, handed back to the bot by staff, or left by the user (/bot).
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('resolved', 'returned', 'left')`))
    // Where the case lives on the staff desk ("<Slack channel>:<thread ts>").
    .addColumn('desk_ref', 'text')
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('first_reply_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('handoffs_one_open_idx')
    .on('handoffs')
    .column('conversation_id')
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();
  await db.schema.createIndex('handoffs_desk_ref_idx').on('handoffs').column('desk_ref').execute();
  await db.schema.createIndex('handoffs_opened_at_idx').on('handoffs').column('opened_at').execute();

  // What staff sent a user (relayed once each: `source_id` is the Slack message ts).
  await db.schema
    .createTable('handoff_replies')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('handoff_id', 'bigint', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('handoff_replies_source_unique', ['handoff_id', 'source_id'])
    .execute();
  await db.schema
    .createIndex('handoff_replies_conversation_idx')
    .on('handoff_replies')
    .columns(['conversation_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('handoff_replies').execute();
  await db.schema.dropTable('handoffs').execute();
}
