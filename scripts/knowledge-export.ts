// `npm run knowledge:export`: writes what staff taught in Slack to knowledge/taught/ (one file per
// entry), so that a reviewed set ships with the next release. `--dir PATH` writes elsewhere.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, describeDatabase, parseConfig } from '../src/config.ts';
import { createTaughtStore } from '../src/db/taught.ts';
import { loadEnvFile } from '../src/env-file.ts';
import { exportTaught } from '../src/knowledge/taught-files.ts';
import { connectConfigured } from './database.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' } } });
const dir = values.dir ?? fileURLToPath(new URL('../knowledge/taught/', import.meta.url));
try {
  loadEnvFile();
  const config = parseConfig(process.env);
  const handle = await connectConfigured(config);
  try {
    const stored = await createTaughtStore(handle.db).current();
    const today = new Date().toISOString().slice(0, 10);
    const { written, unchanged, removed } = exportTaught(stored, dir, today);
    const list = (ids: string[]) => (ids.length ? ` (${ids.join(', ')})` : '');
    console.log(`${describeDatabase(config)} → ${dir}`);
    console.log(
      `wrote ${written.length}${list(written)}, unchanged ${unchanged.length}, removed ${removed.length}${list(removed)} (retired or past their last day)`,
    );
    if (written.length || removed.length)
      console.log(
        'Review the files (git diff), run `npm test`, and commit them to ship with the next release.',
      );
  } finally {
    await handle.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `export failed: ${(error as Error).message}`);
  process.exit(1);
}
