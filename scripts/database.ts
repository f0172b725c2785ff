// The database a script works on: DATABASE_URL, or the embedded one in DATA_DIR (as the server).
import type { Config } from '../src/config.ts';
import { connectPostgres } from '../src/db/connect.ts';
import { connectEmbedded } from '../src/db/connect-embedded.ts';

export const connectConfigured = (config: Config) =>
  config.DATABASE_URL ? connectPostgres(config.DATABASE_URL, { max: 1 }) : connectEmbedded(config.DATA_DIR);
