// Starts the real Node entry (src/node.ts) as a child process on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** The pseudonym key of test servers and scripts (so that they write no key file into the repository). */
export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-0123456789abcdef';

export function runScript(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(tsx, [script, ...args], {
      cwd: root,
      env: { ...process.env, PSEUDONYM_KEY: TEST_PSEUDONYM_KEY, ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

export async function startServer(
  env: Record<string, string>,
  timeoutMs = 60_000,
  /** Another entry (the built `dist/server.js`) in another folder. */
  at: { cwd?: string; args?: string[] } = {},
): Promise<Started> {
  const port = await freePort();
  // Node itself with tsx as a loader, not the tsx wrapper: the child is the server, so a SIGKILL
  // kills the server (through the wrapper it would only kill the wrapper and leave the server on).
  const child = spawn(process.execPath, at.args ?? ['--import', 'tsx', 'src/node.ts'], {
    cwd: at.cwd ?? root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PSEUDONYM_KEY: TEST_PSEUDONYM_KEY, ...env },
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void exited.then(() => (done = true));
  while (Date.now() < deadline && !done) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { child, url, output: () => output, exited };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become healthy:\n${output}`);
}
