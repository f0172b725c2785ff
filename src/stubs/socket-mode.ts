// Stand-in for @slack/socket-mode in the Workers bundle: Bolt imports it, the edge never uses it.
export class SocketModeClient {
  constructor() {
    throw new Error('Socket Mode is not available on Cloudflare Workers');
  }
}
export const LogLevel = { ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug' };
export default { SocketModeClient, LogLevel };
