import type { Kysely, Selectable } from 'kysely';
import type { Registration, RegistrationStore } from '../core/types.ts';
import type { Pseudonyms } from './pseudonym.ts';
import type { Database, RegistrationsTable } from './schema.ts';

// No 0/O, 1/I/L: easy to read out on the phone.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A short human-readable reference, e.g. KUP-7F3K2Q. */
export function newReference(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `KUP-${[...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

export const toRegistration = (row: Selectable<RegistrationsTable>): Registration => ({
  reference: row.reference,
  channel: row.channel,
  subproject: row.subproject,
  name: row.name,
  phone: row.phone,
  email: row.email,
  organization: row.organization,
  title: row.title,
  field: row.field,
  province: row.province,
  experience: row.experience,
  lang: row.lang === 'en' ? 'en' : 'zh',
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

class Conflict extends Error {
  override name = 'Conflict';
}

export function createRegistrationStore(
  db: Kysely<Database>,
  options: { pseudonyms: Pseudonyms; beforeForget?: (conversationId: string) => Promise<void> },
): RegistrationStore {
  return {
    async list(conversationId) {
      const rows = await db
        .selectFrom('registrations')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toRegistration);
    },

    async confirm({ conversationId, channel, dialogVersion, registration, replace }) {
      try {
        return await db.transaction().execute(async (trx) => {
          const removed = await trx
            .deleteFrom('dialogs')
            .where('conversation_id', '=', conversationId)
            .where('version', '=', dialogVersion)
            .executeTakeFirst();
          if (Number(removed.numDeletedRows) === 0) throw new Conflict();
          const values = { ...registration, channel };
          if (replace) {
            const updated = await trx
              .updateTable('registrations')
              .set({ ...values, updated_at: new Date() })
              .where('conversation_id', '=', conversationId)
              .where('subproject', '=', registration.subproject)
              .returningAll()
              .executeTakeFirst();
            if (updated) return { outcome: 'updated' as const, registration: toRegistration(updated) };
          }
          for (let attempt = 0; attempt < 5; attempt++) {
            const inserted = await trx
              .insertInto('registrations')
              .values({ ...values, conversation_id: conversationId, reference: newReference() })
              .onConflict((oc) => oc.doNothing())
              .returningAll()
              .executeTakeFirst();
            if (inserted) return { outcome: 'created' as const, registration: toRegistration(inserted) };
            const exists = await trx
              .selectFrom('registrations')
              .select('id')
              .where('conversation_id', '=', conversationId)
              .where('subproject', '=', registration.subproject)
              .executeTakeFirst();
            if (exists) throw new Conflict();
            // Otherwise the reference was taken: draw another.
          }
          throw new Error('could not draw a free registration reference');
        });
      } catch (error) {
        if (error instanceof Conflict) return { outcome: 'conflict' };
        throw error;
      }
    },

    async forget(conversationId) {
      // Log rows still waiting in memory are anonymised and written first.
      await options.beforeForget?.(conversationId);
      const conversation = await options.pseudonyms.of(conversationId);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('registrations').where('conversation_id', '=', conversationId).execute();
        await trx.deleteFrom('dialogs').where('conversation_id', '=', conversationId).execute();
        await trx.deleteFrom('preferences').where('conversation_id', '=', conversationId).execute();
        await trx.deleteFrom('contexts').where('conversation_id', '=', conversationId).execute();
        // Cases handed to staff and what staff wrote (the Slack threads stay with the programme office).
        await trx.deleteFrom('handoffs').where('conversation_id', '=', conversationId).execute();
        await trx
          .updateTable('interactions')
          .set({ text: '', conversation: 'forgotten' })
          .where('conversation', '=', conversation)
          .execute();
      });
    },
  };
}
