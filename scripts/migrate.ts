// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { ConfigError, parseConfig } from '../src/config.ts';
import { connectPostgres } from '../src/db/connect.ts';
import { connectEmbedded } from '../src/db/connect-embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

try {
  const config = parseConfig(process.env);
  const handle = config.DATABASE_URL
    ? await connectPostgres(config.DATABASE_URL, { max: 1 })
    : await connectEmbedded(config.DATA_DIR);
  try {
    const applied = await migrateToLatest(handle.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await handle.close();
  }
} catch (error) {
  console.error(
    error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
