// Node entry: `npm start`.

import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { ConfigError, describeDatabase, parseConfig } from './config.ts';
import { loadEnvFile } from './env-file.ts';
import { limitServer } from './http/node-server.ts';
import { createRuntime, StartupError } from './runtime.ts';

async function main() {
  loadEnvFile();
  const config = parseConfig(process.env);
  const started = performance.now();
  const runtime = await createRuntime(config);
  const server = serve({ fetch: runtime.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    const db = describeDatabase(config);
    console.log(
      `knowledge update assistant listening on http://localhost:${info.port} (${db}; ready in ${Math.round(performance.now() - started)} ms)`,
    );
  });

  limitServer(server as Server);
  // A port in use: one line naming PORT, not a stack.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
      console.error(
        error.code === 'EADDRINUSE'
          ? `PORT ${config.PORT} is already in use (another server?): stop it or set PORT to a free port`
          : `PORT ${config.PORT} needs privileges to listen on: set PORT to 1024 or above`,
      );
    } else console.error(`the HTTP server failed: ${error.message}`);
    void runtime.close().finally(() => process.exit(1));
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing requests and flushing the interaction log…`);
    // Stop accepting connections; in-flight requests finish, then the log is flushed.
    server.close(() => {
      runtime
        .close()
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          console.error('shutdown failed:', error);
          process.exit(1);
        });
    });
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    console.error(error.message);
  } else {
    console.error('failed to start:', error);
  }
  process.exit(1);
});
