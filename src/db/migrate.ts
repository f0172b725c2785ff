// biome-ignore-all lint/suspicious/noExplicitAny: the migrator works on any schema
import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrationsFor } from './migrations/index.ts';
import type { Pseudonyms } from './pseudonym.ts';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const migrator = (db: Kysely<any>, pseudonyms?: Pseudonyms) =>
  new Migrator({
    db,
    provider: {
      getMigrations: async () => migrationsFor(pseudonyms ? { rekey: pseudonyms.rekey } : {}),
    },
  });

/**
 * Applies every pending migration; returns the names applied. The keyed pseudonyms re-key the log
 * written before them (a database with log rows and no key given refuses, clearly).
 */
export async function migrateToLatest(db: Kysely<any>, pseudonyms?: Pseudonyms): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db, pseudonyms).migrateToLatest();
  const failed = result.results?.find((r) => r.status === 'Error');
  if (result.error || failed) {
    const cause = result.error instanceof Error ? result.error.message : String(result.error ?? '');
    throw new MigrationError(`migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
