// The production install: `npm run build`, then, in a folder with nothing but package.json, the
// lock file and dist/, `npm ci --omit=dev` and `node dist/server.js` (what `npm run start:prod`
// runs): one node process, no tsx, settings from a .env file, a clean stop on SIGTERM.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, startServer } from './helpers/server.ts';

const run = promisify(execFile);

describe('the production build', () => {
  let dir: string;

  beforeAll(async () => {
    await run(join(root, 'node_modules/.bin/tsx'), ['scripts/build.ts'], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'kup-prod-'));
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(root, f), join(dir, f));
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
    await run(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      {
        cwd: dir,
      },
    );
  }, 240_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts from dist/ with production dependencies only, reads .env, answers, and stops on SIGTERM', async () => {
    // None of the development tools is there.
    for (const dev of ['tsx', 'typescript', 'vitest', 'wrangler', 'esbuild', 'yaml', '@biomejs'])
      expect(existsSync(join(dir, 'node_modules', dev)), dev).toBe(false);
    writeFileSync(join(dir, '.env'), 'DATA_DIR=./data-from-env-file\nRATE_LIMIT_PER_MINUTE=100\n');
    const server = await startServer({}, 60_000, { cwd: dir, args: ['dist/server.js'] });
    try {
      const res = await fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'prod', text: '高研班每年办多少期？' }),
      });
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).toContain('300期');
      expect(existsSync(join(dir, 'data-from-env-file'))).toBe(true);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toMatch(/SIGTERM: finishing requests/);
    } finally {
      server.child.kill('SIGKILL');
    }
  }, 120_000);
});
