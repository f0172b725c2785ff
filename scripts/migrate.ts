// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).

import { ConfigError, describeDatabase, parseConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createPseudonyms } from '../src/db/pseudonym.ts';
import { pseudonymKey } from '../src/db/pseudonym-key.ts';
import { loadEnvFile } from '../src/env-file.ts';
import { connectConfigured } from './database.ts';

try {
  loadEnvFile();
  const config = parseConfig(process.env);
  const handle = await connectConfigured(config);
  try {
    // The same key the server uses: PSEUDONYM_KEY, or the key file in DATA_DIR.
    const key = pseudonymKey({
      ...(config.PSEUDONYM_KEY ? { key: config.PSEUDONYM_KEY } : {}),
      dataDir: config.DATA_DIR,
    });
    if (key.from === 'generated')
      console.log(`generated the pseudonym key in ${config.DATA_DIR}/pseudonym.key`);
    const applied = await migrateToLatest(handle.db, createPseudonyms(key.key));
    const where = describeDatabase(config);
    console.log(applied.length ? `${where}: applied ${applied.join(', ')}` : `${where}: up to date`);
  } finally {
    await handle.close();
  }
} catch (error) {
  console.error(
    error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
