// A full runtime (app, database, log) on PGlite or on a fresh Postgres database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.ts';
import { connectPostgres } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { createPostgresDatabase } from './db.ts';
import { TEST_PSEUDONYM_KEY } from './server.ts';

export const quiet = {
  info() {},
  error: (m: string, e?: unknown) => {
    if (process.env.DEBUG_ERRORS) console.error(m, e);
  },
};

export interface TestRuntime {
  rt: Runtime;
  /** Closes and opens the runtime again on the same storage (a server restart). */
  restart(): Promise<Runtime>;
  close(): Promise<void>;
}

export async function openRuntime(
  backend: 'pglite' | 'postgres',
  env: Record<string, string> = {},
  options: { persistent?: boolean; today?: () => string; wechat?: { passiveMs?: number } } = {},
): Promise<TestRuntime> {
  let drop = async () => {};
  let config: ReturnType<typeof parseConfig>;
  // Tests send bursts no person would: the rate limit is tested on its own (test/http.test.ts).
  env = { RATE_LIMIT_PER_MINUTE: '100000', PSEUDONYM_KEY: TEST_PSEUDONYM_KEY, ...env };
  let memory = false;
  if (backend === 'postgres') {
    const created = await createPostgresDatabase();
    drop = created.drop;
    const h = await connectPostgres(created.url);
    await migrateToLatest(h.db);
    await h.close();
    config = parseConfig({ ...env, DATABASE_URL: created.url });
  } else if (options.persistent) {
    const dir = mkdtempSync(join(tmpdir(), 'kup-rt-'));
    drop = async () => rmSync(dir, { recursive: true, force: true });
    config = parseConfig({ ...env, DATA_DIR: join(dir, 'data') });
  } else {
    config = parseConfig(env);
    memory = true;
  }
  const open = () =>
    createRuntime(config, {
      memory,
      logger: quiet,
      log: { intervalMs: 0 },
      ...(options.today ? { today: options.today } : {}),
      ...(options.wechat ? { wechat: options.wechat } : {}),
    });
  const t: TestRuntime = {
    rt: await open(),
    async restart() {
      await t.rt.close();
      t.rt = await open();
      return t.rt;
    },
    async close() {
      await t.rt.close();
      await drop();
    },
  };
  return t;
}
