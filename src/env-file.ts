// Node: settings from a .env file (ENV_FILE, or ./.env when there is one), for servers run without
// a process manager that sets the environment. What the environment already has wins.
import { existsSync } from 'node:fs';

export function loadEnvFile(): string | undefined {
  const file = process.env.ENV_FILE ?? '.env';
  if (!process.env.ENV_FILE && !existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}
