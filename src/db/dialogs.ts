import { type Kysely, sql } from 'kysely';
import type { DialogState, DialogStore } from '../core/types.ts';
import type { Database } from './schema.ts';

const parse = (value: unknown): DialogState =>
  (typeof value === 'string' ? JSON.parse(value) : value) as DialogState;

/** Dialog state rows with optimistic concurrency: every write names the version it read. */
export function createDialogStore(db: Kysely<Database>): DialogStore {
  return {
    async get(conversationId) {
      const row = await db
        .selectFrom('dialogs')
        .select(['state', 'version', 'updated_at'])
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      return row
        ? { state: parse(row.state), version: row.version, updatedAt: new Date(row.updated_at) }
        : undefined;
    },
    async put(conversationId, state, version) {
      const json = JSON.stringify(state);
      if (version === undefined) {
        const row = await db
          .insertInto('dialogs')
          .values({ conversation_id: conversationId, state: json, version: 1 })
          .onConflict((oc) => oc.column('conversation_id').doNothing())
          .returning('version')
          .executeTakeFirst();
        return row !== undefined;
      }
      const row = await db
        .updateTable('dialogs')
        .set({ state: json, version: sql`version + 1`, updated_at: sql`now()` })
        .where('conversation_id', '=', conversationId)
        .where('version', '=', version)
        .returning('version')
        .executeTakeFirst();
      return row !== undefined;
    },
    async remove(conversationId, version) {
      let query = db.deleteFrom('dialogs').where('conversation_id', '=', conversationId);
      if (version !== undefined) query = query.where('version', '=', version);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
