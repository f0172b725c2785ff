// Stand-in for @slack/oauth in the Workers bundle: the assistant is installed in one workspace with
// a bot token; Bolt's OAuth installer is never constructed.
class Unavailable {
  constructor() {
    throw new Error('@slack/oauth is not available on Cloudflare Workers');
  }
}
export class InstallProvider extends Unavailable {}
export class FileInstallationStore extends Unavailable {}
export class MemoryInstallationStore extends Unavailable {}
export class FileStateStore extends Unavailable {}
export class ClearStateStore extends Unavailable {}
export const LogLevel = { ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug' };
