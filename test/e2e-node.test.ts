// The Node server over real HTTP: start-up, answers in both languages, clean shutdown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectPostgres } from '../src/db/connect.ts';
import { connectEmbedded } from '../src/db/connect-embedded.ts';
import { adminUrl, createPostgresDatabase } from './helpers/db.ts';
import { freePort, runScript, startServer } from './helpers/server.ts';

type ChatResponse = { replies: { text: string }[]; meta: { kind: string; lang: string; sources: string[] } };

async function ask(url: string, userId: string, text: string): Promise<ChatResponse> {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, text }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ChatResponse;
}

async function conversation(url: string) {
  const zh = await ask(url, 'e2e', '数字技术工程师每年培养多少人？');
  expect(zh.meta).toMatchObject({ kind: 'answer', lang: 'zh', sources: ['digital-engineer'] });
  expect(zh.replies[0]?.text).toContain('8万');
  const en = await ask(url, 'e2e', 'Which ministries issued the plan?');
  expect(en.meta).toMatchObject({ kind: 'answer', lang: 'en', sources: ['issuing-bodies'] });
  expect(en.replies[0]?.text).toContain('Ministry of Human Resources and Social Security');
  const off = await ask(url, 'e2e', 'What will the weather be like tomorrow?');
  expect(off.meta.kind).toBe('fallback');
}

describe('the Node server on the embedded database', () => {
  it('starts, answers over HTTP and flushes the interaction log on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kup-e2e-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const server = await startServer({ DATA_DIR: dataDir });
    await conversation(server.url);
    // The log is written on a one-second timer; stop at once so only the shutdown flush can save it.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM/);

    const db = await connectEmbedded(dataDir);
    const rows = await db.db.selectFrom('interactions').select(['direction', 'kind']).execute();
    await db.close();
    expect(rows).toHaveLength(6);
    expect(
      rows
        .filter((r) => r.direction === 'out')
        .map((r) => r.kind)
        .sort(),
    ).toEqual(['answer', 'answer', 'fallback']);
  });

  it('refuses to start with a bad variable, naming it', async () => {
    const { code, output } = await runScript('src/node.ts', { PORT: 'abc' });
    expect(code).toBe(1);
    expect(output).toMatch(/PORT: must be a number/);
  });
});

describe.runIf(adminUrl)('the Node server on Postgres', () => {
  it('needs `npm run db:migrate` first, then answers and logs every turn', async () => {
    const created = await createPostgresDatabase();
    try {
      const refused = await runScript('src/node.ts', {
        DATABASE_URL: created.url,
        PORT: String(await freePort()),
      });
      expect(refused.code).toBe(1);
      expect(refused.output).toMatch(/pending migrations.*npm run db:migrate/);

      const migrated = await runScript('scripts/migrate.ts', { DATABASE_URL: created.url });
      expect(migrated.output).toMatch(/Postgres [^\n]*: applied 2026-11-27T0800-initial/);
      expect(migrated.code).toBe(0);
      expect((await runScript('scripts/migrate.ts', { DATABASE_URL: created.url })).output).toMatch(
        /up to date/,
      );

      const server = await startServer({ DATABASE_URL: created.url });
      expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({ ok: true, database: 'pg' });
      await conversation(server.url);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);

      const db = await connectPostgres(created.url);
      const rows = await db.db.selectFrom('interactions').select('id').execute();
      await db.close();
      expect(rows).toHaveLength(6);
    } finally {
      await created.drop();
    }
  });
});
