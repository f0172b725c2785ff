// Platforms' access tokens, shared by every server and isolate (one row per channel).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface TokenStore {
  get(channel: string): Promise<{ token: string; expiresAt: Date } | undefined>;
  put(channel: string, token: string, expiresAt: Date): Promise<void>;
}

export function createTokenStore(db: Kysely<Database>): TokenStore {
  return {
    async get(channel) {
      const row = await db
        .selectFrom('channel_tokens')
        .select(['token', 'expires_at'])
        .where('channel', '=', channel)
        .executeTakeFirst();
      return row ? { token: row.token, expiresAt: new Date(row.expires_at) } : undefined;
    },
    async put(channel, token, expiresAt) {
      await db
        .insertInto('channel_tokens')
        .values({ channel, token, expires_at: expiresAt })
        // A slower writer never puts back an older token.
        .onConflict((oc) =>
          oc
            .column('channel')
            .doUpdateSet({ token, expires_at: expiresAt })
            .where('channel_tokens.expires_at', '<', expiresAt),
        )
        .execute();
    },
  };
}
