// `npm run build`: the Node server and the migration script as plain JavaScript in dist/, one file
// each, for `npm ci --omit=dev` installs: what node_modules holds at run time (the dependencies of
// package.json) stays outside; our TypeScript and the compiled knowledge go in. The knowledge is
// compiled first (`npm run knowledge`, the "prebuild" script).
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const entries = { server: 'src/node.ts', migrate: 'scripts/migrate.ts' };
const started = performance.now();
await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const name of Object.keys(entries)) {
  const size = statSync(`${root}dist/${name}.js`).size;
  console.log(`dist/${name}.js  ${(size / 1024).toFixed(0)} KiB`);
}
console.log(`built in ${Math.round(performance.now() - started)} ms`);
