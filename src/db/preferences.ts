import type { Kysely } from 'kysely';
import type { Lang, PreferenceStore } from '../core/types.ts';
import type { Database } from './schema.ts';

/** Language choices in Postgres. */
export function createPreferenceStore(db: Kysely<Database>): PreferenceStore {
  return {
    async getLanguage(conversationId) {
      const row = await db
        .selectFrom('preferences')
        .select('lang')
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      return row?.lang === 'zh' || row?.lang === 'en' ? (row.lang as Lang) : undefined;
    },
    async setLanguage(conversationId, lang) {
      await db
        .insertInto('preferences')
        .values({ conversation_id: conversationId, lang, updated_at: new Date() })
        .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ lang, updated_at: new Date() }))
        .execute();
    },
  };
}
