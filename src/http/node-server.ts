// Limits of the Node HTTP server, so that slow or numerous connections cannot hold it: the headers
// must arrive within 10 s and the whole request within 15 s, and at most MAX_CONNECTIONS sockets
// are open at once (more are refused at accept, before any work).
import type { Server } from 'node:http';

export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 15_000;
export const MAX_CONNECTIONS = 2_048;

export function limitServer(server: Server): Server {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
  return server;
}
