// `npm run dev`: the server, restarted by tsx watch when the code or knowledge/ changes, with the
// knowledge compiled again at every start (so an edit of a topic file shows at once).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const built = spawnSync(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('build-knowledge.ts', import.meta.url))],
  {
    stdio: 'inherit',
  },
);
if (built.status !== 0) {
  console.error('knowledge/ has an error (above): fix it and save again');
  process.exitCode = 1;
} else await import('../src/node.ts');
