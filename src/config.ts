import { z } from 'zod';
import { parseOfficeHours } from './core/office-hours.ts';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const url = (what: string) =>
  optional.refine((v) => v === undefined || URL.canParse(v), { message: `must be a URL (${what})` });

/** An IPv4 or IPv6 address as written (no ports, no ranges). */
export const isAddress = (v: string) =>
  /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v) ||
  (/^[0-9a-f:.]+$/i.test(v) && v.includes(':') && URL.canParse(`http://[${v}]/`));

const schema = z.object({
  HOST: optional.default('0.0.0.0'),
  PORT: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be a port number, 1-65535')
    .max(65_535, 'must be a port number, 1-65535')
    .default(3000),
  DATABASE_URL: optional.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'must be a postgres:// or postgresql:// URL',
  }),
  /** 0 behind a transaction-mode pooler that cannot keep prepared statements (PgBouncer before 1.21). */
  DATABASE_PREPARED_STATEMENTS: z
    .enum(['0', '1', 'true', 'false', ''], { message: 'must be 1 or 0' })
    .optional()
    .transform((v) => v !== '0' && v !== 'false'),
  DATA_DIR: optional.default('./.data'),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ message: 'must be a number of messages' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100_000, 'must be at most 100000')
    .default(60),
  /** Messages and polls a minute from one client address, whatever conversation they claim. */
  RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce
    .number({ message: 'must be a number of requests' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100_000, 'must be at most 100000')
    .default(300),
  /** Proxies whose X-Forwarded-For is believed (Node): their addresses, comma-separated. */
  TRUSTED_PROXIES: optional.transform((v, ctx) => {
    const list = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const a of list) {
      if (!isAddress(a)) {
        ctx.addIssue({ code: 'custom', message: `"${a}" is not an IP address` });
        return z.NEVER;
      }
    }
    return list;
  }),
  /** New staff cases a minute, over every channel (above it: "staff are busy, try later"). */
  HANDOFF_CASES_PER_MINUTE: z.coerce
    .number({ message: 'must be a number of cases' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .default(10),
  /** New registrations an hour from one client address (an office behind one address signs up several). */
  REGISTRATIONS_PER_IP_PER_HOUR: z.coerce
    .number({ message: 'must be a number of registrations' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .default(10),
  DIALOG_TTL_DAYS: z.coerce
    .number({ message: 'must be a number of days' })
    .positive('must be a number of days above 0')
    .max(365, 'must be at most 365 days')
    .default(7),
  REGISTRATION_RETENTION_DAYS: z.coerce
    .number({ message: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(3650, 'must be at most 3650 days')
    .default(365),
  /** Keys the log's pseudonyms (HMAC); unset on Node: a key generated into DATA_DIR/pseudonym.key. */
  PSEUDONYM_KEY: optional.refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)',
  }),
  /** After this many days the text of logged messages is blanked (the counts stay). */
  LOG_RETENTION_DAYS: z.coerce
    .number({ message: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(3650, 'must be at most 3650 days')
    .default(180),
  TELEGRAM_BOT_TOKEN: optional,
  TELEGRAM_WEBHOOK_SECRET: optional.refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v), {
    message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
  }),
  TELEGRAM_API_ROOT: url('the Bot API base').default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_REPLY: z
    .enum(['0', '1', 'true', 'false', ''], { message: 'must be 1 or 0' })
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  /** The bot's getMe answer as JSON: saves a getMe call per request on the edge. */
  TELEGRAM_BOT_INFO: optional.transform((v, ctx) => {
    if (v === undefined) return undefined;
    try {
      const info = JSON.parse(v) as { id?: unknown; username?: unknown };
      if (typeof info.id === 'number' && typeof info.username === 'string')
        return info as Record<string, unknown>;
    } catch {}
    ctx.addIssue({ code: 'custom', message: 'must be the JSON of getMe (with id and username)' });
    return z.NEVER;
  }),
  TELEGRAM_POLLING: z
    .enum(['0', '1', 'true', 'false', ''], { message: 'must be 1 or 0' })
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  /** The Token of the Official Account's server settings (服务器配置): 3-32 letters and digits. */
  WECHAT_TOKEN: optional.refine((v) => v === undefined || /^[A-Za-z0-9]{3,32}$/.test(v), {
    message: 'must be 3-32 letters and digits, as on the platform',
  }),
  WECHAT_APP_ID: optional,
  WECHAT_APP_SECRET: optional,
  /** Safe mode (安全模式): the EncodingAESKey, 43 letters and digits. */
  WECHAT_ENCODING_AES_KEY: optional.refine((v) => v === undefined || /^[A-Za-z0-9]{43}$/.test(v), {
    message: 'must be the 43 letters and digits of EncodingAESKey',
  }),
  WECHAT_API_ROOT: url('the WeChat API base').default('https://api.weixin.qq.com'),
  SLACK_SIGNING_SECRET: optional,
  SLACK_BOT_TOKEN: optional,
  SLACK_API_URL: url('the Slack Web API base').default('https://slack.com/api/'),
  SLACK_STAFF_USER_IDS: optional.transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ),
  /** 1: with SLACK_STAFF_USER_IDS empty, anyone in the handoff channel replies as staff. */
  SLACK_HANDOFF_ANYONE: z
    .enum(['0', '1', 'true', 'false', ''], { message: 'must be 1 or 0' })
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  SLACK_HANDOFF_CHANNEL: optional.refine((v) => v === undefined || /^[CG][A-Z0-9]{2,}$/.test(v), {
    message: 'must be a Slack channel id like C0123456789 (not a #name)',
  }),
  /** When staff answer handed-over conversations, in HANDOFF_TIME_ZONE. */
  HANDOFF_HOURS: optional.default('mon-fri 09:00-17:00'),
  HANDOFF_TIME_ZONE: optional.default('Asia/Shanghai'),
  /** The bot's ids (auth.test): given, Bolt skips that call (one per request on the edge). */
  SLACK_BOT_ID: optional,
  SLACK_BOT_USER_ID: optional,
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment record once (process.env on Node, the Worker's env on Workers). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (result.success) {
    const config = result.data;
    if (Boolean(config.SLACK_SIGNING_SECRET) !== Boolean(config.SLACK_BOT_TOKEN)) {
      throw new ConfigError([
        `${config.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET'}: required too: Slack needs both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN`,
      ]);
    }
    try {
      parseOfficeHours(config.HANDOFF_HOURS, config.HANDOFF_TIME_ZONE);
    } catch (error) {
      throw new ConfigError([`HANDOFF_HOURS / HANDOFF_TIME_ZONE: ${(error as Error).message}`]);
    }
    if (config.TELEGRAM_BOT_TOKEN && !config.TELEGRAM_POLLING && !config.TELEGRAM_WEBHOOK_SECRET) {
      throw new ConfigError([
        'TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_BOT_TOKEN in webhook mode (or set TELEGRAM_POLLING=1)',
      ]);
    }
    if (
      !config.WECHAT_TOKEN &&
      (config.WECHAT_APP_ID || config.WECHAT_APP_SECRET || config.WECHAT_ENCODING_AES_KEY)
    ) {
      throw new ConfigError([
        'WECHAT_TOKEN: required with the other WECHAT_ settings (the Token of the server settings, 服务器配置)',
      ]);
    }
    if (config.WECHAT_TOKEN && (!config.WECHAT_APP_ID || !config.WECHAT_APP_SECRET)) {
      throw new ConfigError([
        `${config.WECHAT_APP_ID ? 'WECHAT_APP_SECRET' : 'WECHAT_APP_ID'}: required with WECHAT_TOKEN (the account's AppID and AppSecret)`,
      ]);
    }
    return config;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const value = env[name];
      const shown =
        value === undefined ? '' : ` (got "${/SECRET|TOKEN|DATABASE_URL|AES_KEY/.test(name) ? '…' : value}")`;
      return `${name}: ${issue.message}${shown}`;
    }),
  );
}

/** Where the data is, for logs: the embedded folder, or the Postgres server without its password. */
export function describeDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): string {
  if (!config.DATABASE_URL) return `embedded PGlite in ${config.DATA_DIR}`;
  const u = new URL(config.DATABASE_URL);
  return `Postgres ${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
}
