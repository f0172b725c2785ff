import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.ts';

/**
 * Starts a statement that Postgres should parse and plan once per connection, not on every call:
 * planning was two thirds of the cost of a turn's first query. Only for statements whose text never
 * changes (arrays travel as one parameter); the statement's name is taken from its text.
 */
export const PREPARED = '/* prepared */';

export type DatabaseKind = 'pg' | 'pglite';
export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

/** Postgres over `pg` (Node and Workers with nodejs_compat). */
export async function connectPostgres(
  url: string,
  options: { max?: number; prepare?: boolean } = {},
): Promise<DatabaseHandle> {
  const { Pool } = (await import('pg')).default;
  const pool = new Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped connection must never crash the process: the pool discards it and the next query
  // reconnects (or fails, and the caller handles that).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: options.prepare === false ? pool : preparing(pool) }),
  });
  return { db, kind: 'pg', close: () => db.destroy() };
}

/** The pool as Kysely sees it, with statements marked PREPARED sent as named prepared statements. */
function preparing(pool: pg.Pool): PostgresPool {
  // One name per text, numbered as first seen: two texts never share a name (Postgres refuses a
  // name given again with other text).
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `kup_${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrapped.get(client);
      if (!wrapper) {
        wrapper = {
          query: ((text: unknown, values?: unknown[]) =>
            typeof text === 'string' && text.startsWith(PREPARED)
              ? client.query({ name: nameOf(text), text, values: values as unknown[] })
              : client.query(text as string, values)) as unknown as PostgresPoolClient['query'],
          release: (destroy?: boolean) => client.release(destroy),
        };
        wrapped.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
