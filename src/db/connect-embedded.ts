// Node only: kept out of connect.ts so that the Workers bundle never includes PGlite.
import { Kysely } from 'kysely';
import type { DatabaseHandle } from './connect.ts';
import type { Database } from './schema.ts';

/** Embedded Postgres (PGlite) in a folder; Node only, loaded on demand so Workers never bundle it. */
export async function connectEmbedded(dataDir: string | undefined): Promise<DatabaseHandle> {
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}
