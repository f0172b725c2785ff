// Scores answer quality: `npx tsx scripts/eval.ts [-v] [--url http://127.0.0.1:3000] <file.jsonl>…`.
// Without --url it runs the assistant in-process on an in-memory database; with it, it asks a
// running server over POST /api/chat. A case passes when the reply's kind is the one expected and
// its text contains one of each group of expected strings (the rules of the tests' eval suite:
// test/helpers/eval.ts). -v prints each failure with the reply.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src/config.ts';
import { createRuntime } from '../src/runtime.ts';
import { chatPost, readCases, scoreCases } from '../test/helpers/eval.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--url');
const url = at >= 0 ? args[at + 1] : undefined;
const files = args.filter((a, i) => !a.startsWith('-') && (at < 0 || i !== at + 1));
const verbose = args.includes('-v');
if (!files.length) {
  console.error('usage: npx tsx scripts/eval.ts [-v] [--url http://127.0.0.1:3000] <file.jsonl>…');
  process.exit(2);
}
const rt = url
  ? undefined
  : await createRuntime(
      parseConfig({ RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_IP_PER_MINUTE: '100000' }),
      {
        memory: true,
        logger: { info() {}, error: (m, e) => console.error(m, e) },
      },
    );
const post = chatPost(
  rt?.app ?? { request: (path: string, init: RequestInit) => fetch(new URL(path, url), init) },
);
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
await rt?.close();
