// Scores answer quality in-process (no server): `npx tsx scripts/eval.ts <file.jsonl>…`, the same
// rules as ../shared/eval/run-eval.mjs. For development; the tests score the kept sets.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src/config.ts';
import { createRuntime } from '../src/runtime.ts';
import { chatPost, readCases, scoreCases } from '../test/helpers/eval.ts';

const files = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const verbose = process.argv.includes('-v');
const rt = await createRuntime(parseConfig({ RATE_LIMIT_PER_MINUTE: '100000' }), {
  memory: true,
  logger: { info() {}, error: (m, e) => console.error(m, e) },
});
const post = chatPost(rt.app);
let all = 0;
let pass = 0;
for (const f of files) {
  const s = await scoreCases(readCases(pathToFileURL(resolve(f))), post, `e${Date.now().toString(36)}`);
  all += s.total;
  pass += s.passed;
  if (verbose) for (const x of s.failures) console.log(`FAIL ${x}`);
  console.log(
    `${f}: ${s.passed}/${s.total} = ${(100 * s.rate).toFixed(1)}%  ${Object.entries(s.byCategory)
      .map(([k, [p, n]]) => `${k} ${p}/${n}`)
      .join(', ')}`,
  );
}
console.log(`total ${pass}/${all} = ${((100 * pass) / all).toFixed(1)}%`);
await rt.close();
