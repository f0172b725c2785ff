// Node only: where the pseudonym key comes from when PSEUDONYM_KEY is not set. A key generated at
// first start is kept beside the embedded database (`<DATA_DIR>/pseudonym.key`, readable by the
// owner only); an in-memory database gets a key for the life of the process.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function pseudonymKey(options: { key?: string; dataDir: string; memory?: boolean }): {
  key: string;
  from: 'env' | 'file' | 'generated' | 'memory';
} {
  if (options.key) return { key: options.key, from: 'env' };
  const fresh = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  if (options.memory) return { key: fresh(), from: 'memory' };
  const file = join(options.dataDir, 'pseudonym.key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), from: 'file' };
  mkdirSync(options.dataDir, { recursive: true });
  const key = fresh();
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, from: 'generated' };
}
