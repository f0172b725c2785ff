// Test databases: embedded PGlite always; a real Postgres server too when TEST_DATABASE_URL is set.
// Each Postgres test file gets a fresh database of its own, dropped afterwards.
import pg from 'pg';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.ts';
import { connectEmbedded } from '../../src/db/connect-embedded.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** A connection URL (Postgres only), e.g. to start a server against it. */
  url?: string;
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

export const adminUrl = process.env.TEST_DATABASE_URL;
export const backends: Array<'pglite' | 'postgres'> = adminUrl ? ['pglite', 'postgres'] : ['pglite'];

/** Creates an empty database on the test server and returns its URL. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `kup_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function openTestDatabase(name: 'pglite' | 'postgres', migrate = true): Promise<TestDatabase> {
  if (name === 'pglite') {
    const handle = await connectEmbedded(undefined);
    if (migrate) await migrateToLatest(handle.db);
    return { name, handle, drop: () => handle.close() };
  }
  const created = await createPostgresDatabase();
  const handle = await connectPostgres(created.url);
  if (migrate) await migrateToLatest(handle.db);
  return {
    name,
    url: created.url,
    handle,
    drop: async () => {
      await handle.close().catch(() => {});
      await created.drop();
    },
  };
}
