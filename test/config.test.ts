import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.ts';

describe('configuration', () => {
  it('has working defaults: embedded database, port 3000', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      DATA_DIR: './.data',
      TELEGRAM_POLLING: false,
      DATABASE_PREPARED_STATEMENTS: true,
      SLACK_STAFF_USER_IDS: [],
    });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('reads values and lists', () => {
    const c = parseConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db/kup',
      SLACK_STAFF_USER_IDS: 'U1, U2,',
      DATABASE_PREPARED_STATEMENTS: '0',
    });
    expect(c).toMatchObject({
      DATABASE_PREPARED_STATEMENTS: false,
      PORT: 8080,
      DATABASE_URL: 'postgres://u:p@db/kup',
      SLACK_STAFF_USER_IDS: ['U1', 'U2'],
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT: must be a number \(got "eighty"\)/],
    [{ PORT: '70000' }, /PORT: .*65535/],
    [{ DATABASE_URL: 'mysql://x:secret@db' }, /DATABASE_URL: must be a postgres:\/\/ .*\(got "…"\)/],
    [{ TELEGRAM_API_ROOT: 'not a url' }, /TELEGRAM_API_ROOT: must be a URL/],
    [{ TELEGRAM_POLLING: 'yes' }, /TELEGRAM_POLLING: must be 1 or 0/],
    [{ DATABASE_PREPARED_STATEMENTS: 'off' }, /DATABASE_PREPARED_STATEMENTS: must be 1 or 0/],
    [{ TELEGRAM_BOT_TOKEN: '123:abc' }, /TELEGRAM_WEBHOOK_SECRET: required/],
  ])('names the bad variable and what it expects: %o', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('never prints a secret', () => {
    try {
      parseConfig({ DATABASE_URL: 'mysql://user:hunter2@db' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });
});
