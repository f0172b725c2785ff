// Vitest global setup: what is skipped here and why, said once for the whole run (not once per
// test file).
import { existsSync } from 'node:fs';
import { clusterAvailable } from '../helpers/pg-cluster.ts';

export default function notices() {
  const skipped: string[] = [];
  if (!process.env.TEST_DATABASE_URL)
    skipped.push(
      'TEST_DATABASE_URL is not set: database tests run on PGlite only, and the Workers contract test is skipped',
    );
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium) && !process.env.CI)
    skipped.push(`the browser test is skipped: no Chromium at ${chromium} (apt-get install chromium)`);
  if (!clusterAvailable)
    skipped.push(
      "the fault tests are skipped: they start their own PostgreSQL server (needs root and Debian's postgresql)",
    );
  for (const line of skipped) console.log(line);
}
