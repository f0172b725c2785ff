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
    dialect: new PostgresDialect({ pool: forKysely(pool, options.prepare !== false) }),
  });
  return { db, kind: 'pg', close: () => db.destroy() };
}

/**
 * The pool as Kysely sees it. Statements marked PREPARED are sent as named prepared statements
 * (unless `prepare` is off), and every statement goes through pg's callback API: its
 * promise-returning form kept about 0.5 KB per statement alive through V8's young-generation
 * collections (measured in isolation: 0.46-0.58 KB promoted per statement against 0.01-0.03 with a
 * callback), and what is promoted stays until a full collection, which then comes every few
 * seconds under load.
 */
function forKysely(pool: pg.Pool, prepare: boolean): PostgresPool {
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
        const query = (text: unknown, values?: unknown[]) =>
          // A query object (a cursor, for streaming) goes to pg as it is.
          typeof text !== 'string'
            ? client.query(text as never)
            : new Promise<pg.QueryResult>((resolve, reject) => {
                const config: pg.QueryConfig =
                  prepare && text.startsWith(PREPARED)
                    ? { name: nameOf(text), text, values: values ?? [] }
                    : { text, values: values ?? [] };
                client.query(config, (error: Error | undefined, result: pg.QueryResult) =>
                  error ? reject(error) : resolve(result),
                );
              });
        wrapper = {
          query: query as unknown as PostgresPoolClient['query'],
          release: (destroy?: boolean) => client.release(destroy),
        };
        wrapped.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
