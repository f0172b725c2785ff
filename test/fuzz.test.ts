// Fuzzing with fast-check: random and hostile bodies to every route. Never a 5xx, never a crash, and
// the server answers normally afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from './helpers/fake-slack.ts';
import { startFakeTelegram } from './helpers/fake-telegram.ts';
import { openRuntime, type TestRuntime } from './helpers/runtime.ts';
import { slackHeaders } from './helpers/slack-sign.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3_000);
const TG = '777:FUZZ';
const TG_SECRET = 'fuzz-secret';
const SLACK_SECRET = 'fuzz-slack';

let t: TestRuntime;
let closeFakes: () => Promise<void>;
beforeAll(async () => {
  const telegram = await startFakeTelegram(TG);
  const slack = await startFakeSlack();
  closeFakes = async () => {
    await telegram.close();
    await slack.close();
  };
  t = await openRuntime('pglite', {
    TELEGRAM_BOT_TOKEN: TG,
    TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-fuzz',
    SLACK_API_URL: slack.apiUrl,
    SLACK_BOT_ID: 'BBOT',
    SLACK_BOT_USER_ID: 'UBOT',
    SLACK_HANDOFF_CHANNEL: 'C0FUZZDESK',
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await closeFakes?.();
});

/** Strings people and attackers send: control characters, SQL, HTML, bidi marks, emoji, lone surrogates. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    "'; drop table interactions; --",
    '<script>alert(1)</script>',
    '\u0000\u0001\u001b[31m',
    '\u202e\u2066evil\u2069',
    '\uD800\uDFFF\uD800',
    '😀'.repeat(50),
    '/start register',
    '/lang xx',
    'd:review:confirm',
    '我要报名',
    '高研班每年办多少期？',
  ),
);
/** JSON values of every shape, deep nesting included. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.constant(JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`)),
);

const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  t.rt.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

async function stillHealthy() {
  expect((await t.rt.app.request('/healthz')).status).toBe(200);
  const res = await post(
    '/api/chat',
    JSON.stringify({ userId: 'after-fuzz', text: 'What are the four sub-projects?' }),
  );
  expect(res.status).toBe(200);
  expect(((await res.json()) as { meta: { kind: string } }).meta.kind).toBe('answer');
}

describe('fuzzing', () => {
  it(`POST /api/chat: ${RUNS} random and hostile bodies, never a 5xx`, async () => {
    const body = fc.oneof(
      anyJson.map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            userId: fc.oneof(fc.string({ maxLength: 140 }), fc.integer(), fc.constant(null)),
            text: fc.oneof(hostileText, fc.integer(), fc.constant('x'.repeat(4_001))),
            choice: fc.oneof(
              hostileText,
              fc.constantFrom('d:consent:agree', 'topic:aims', 'start:register:x:y:z', 'lang:zh'),
            ),
            lang: fc.oneof(fc.constantFrom('zh', 'en'), fc.string({ maxLength: 5 })),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => new Uint8Array(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await post('/api/chat', b as BodyInit);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 240_000);

  it(`POST /telegram/webhook: ${RUNS} random updates with the right secret, never a 5xx`, async () => {
    let id = 10_000;
    const update = fc.oneof(
      anyJson,
      fc.record(
        {
          update_id: fc.oneof(
            fc.constant(0).map(() => ++id),
            fc.integer(),
          ),
          message: fc.record(
            {
              message_id: fc.integer(),
              date: fc.integer(),
              chat: fc.record(
                {
                  id: fc.integer(),
                  type: fc.constantFrom('private', 'group', 'supergroup', 'channel', 'weird'),
                },
                { requiredKeys: [] },
              ),
              from: fc.record(
                {
                  id: fc.integer(),
                  is_bot: fc.boolean(),
                  first_name: fc.string(),
                  language_code: fc.string({ maxLength: 6 }),
                },
                { requiredKeys: [] },
              ),
              text: hostileText,
              entities: fc.array(
                fc.record({
                  type: fc.constantFrom('bot_command', 'mention', 'bold'),
                  offset: fc.integer({ min: -5, max: 50 }),
                  length: fc.integer({ min: -5, max: 50 }),
                }),
              ),
              contact: fc.record(
                { phone_number: hostileText, first_name: fc.string(), user_id: fc.integer() },
                { requiredKeys: [] },
              ),
            },
            { requiredKeys: [] },
          ),
          callback_query: fc.record(
            {
              id: fc.string(),
              data: hostileText,
              from: fc.record({ id: fc.integer(), is_bot: fc.boolean(), first_name: fc.string() }),
              chat_instance: fc.string(),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: ['update_id'] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(update, async (u) => {
        const res = await post('/telegram/webhook', JSON.stringify(u), {
          'x-telegram-bot-api-secret-token': TG_SECRET,
        });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 240_000);

  it(`GET /api/chat/messages: ${RUNS} random queries, never a 5xx`, async () => {
    const value = fc.oneof(hostileText, fc.bigInt().map(String), fc.constant('9'.repeat(40)));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('userId', 'after', 'x'), value), async (query) => {
        const params = new URLSearchParams(
          Object.entries(query).map(([k, v]) => [k, v.toWellFormed()] as [string, string]),
        );
        const res = await t.rt.app.request(`/api/chat/messages?${params}`);
        expect(res.status).toBeLessThan(500);
        const body = (await res.json()) as { error?: string; messages?: unknown[] };
        if (res.status === 200) expect(Array.isArray(body.messages)).toBe(true);
        else expect(body.error).toBeTruthy();
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 240_000);

  it(`POST /slack/events: ${RUNS} random signed and unsigned bodies, never a 5xx`, async () => {
    const body = fc.oneof(
      anyJson.map((v) => ({ raw: JSON.stringify(v), type: 'application/json' })),
      fc.dictionary(fc.string({ maxLength: 20 }), hostileText, { maxKeys: 12 }).map((d) => ({
        raw: new URLSearchParams({ ...d, command: '/kup', response_url: 'http://127.0.0.1:9/x' }).toString(),
        type: 'application/x-www-form-urlencoded',
      })),
      hostileText.map((s) => ({
        raw: `payload=${encodeURIComponent(s.toWellFormed())}`,
        type: 'application/x-www-form-urlencoded',
      })),
      // Message events for the staff desk with fields of every type, and case buttons pressed with
      // any value.
      fc
        .record({
          channel: fc.oneof(fc.constantFrom('C0FUZZDESK', 'C0OTHER'), anyJson),
          user: fc.oneof(fc.constantFrom('USTAFF', 'UBOT'), anyJson),
          text: fc.oneof(hostileText, anyJson, fc.constant('x'.repeat(50_000))),
          ts: fc.oneof(fc.constantFrom('1700000000.000100', '1700000000.000200'), anyJson),
          thread_ts: fc.oneof(fc.constant('1700000000.000100'), anyJson),
          subtype: fc.option(fc.constantFrom('thread_broadcast', 'file_share', 'message_changed'), {
            nil: undefined,
          }),
        })
        .map((event) => ({
          raw: JSON.stringify({
            type: 'event_callback',
            event_id: 'EvFuzz',
            event: { type: 'message', ...event },
          }),
          type: 'application/json',
        })),
      fc
        .tuple(fc.constantFrom('handoff_close', 'handoff_return'), fc.oneof(hostileText, anyJson))
        .map(([action_id, value]) => ({
          raw: `payload=${encodeURIComponent(
            JSON.stringify({
              type: 'block_actions',
              user: { id: 'USTAFF' },
              channel: { id: 'C0FUZZDESK' },
              message: { ts: '1.2', blocks: [] },
              actions: [{ action_id, value, type: 'button' }],
            }).toWellFormed(),
          )}`,
          type: 'application/x-www-form-urlencoded',
        })),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, signed) => {
        const headers = { 'content-type': b.type, ...(signed ? slackHeaders(SLACK_SECRET, b.raw) : {}) };
        const res = await post('/slack/events', b.raw, headers);
        expect(res.status).toBeLessThan(500);
        if (!signed) expect(res.status).toBe(401);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 240_000);
});
