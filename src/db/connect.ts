import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.ts';

export type DatabaseKind = 'pg' | 'pglite';
export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

/** Postgres over `pg` (Node and Workers with nodejs_compat). */
export async function connectPostgres(url: string, options: { max?: number } = {}): Promise<DatabaseHandle> {
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
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'pg', close: () => db.destroy() };
}
