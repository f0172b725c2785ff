// Staff teach the assistant from Slack (issue 18), end to end over real HTTP: signed slash commands,
// button presses and modal submissions to /slack/events; modals checked as Slack checks them by the
// fake Web API; answers asked of /api/chat and Telegram's webhook; on PGlite and a real Postgres.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_ANSWER } from '../src/core/taught.ts';
import { createStats } from '../src/db/stats.ts';
import { viewProblems } from './helpers/block-kit.ts';
import { backends } from './helpers/db.ts';
import { type FakeSlack, startFakeSlack } from './helpers/fake-slack.ts';
import { type FakeTelegram, startFakeTelegram, updates } from './helpers/fake-telegram.ts';
import { openRuntime, type TestRuntime } from './helpers/runtime.ts';
import { freePort } from './helpers/server.ts';
import { slackClient } from './helpers/slack-client.ts';
import { until } from './helpers/until.ts';

const SECRET = 'slack-signing-secret-for-teach';
const STAFF = 'USTAFF01';
const VISITOR = 'UVISIT02';
const TG_TOKEN = '765432:TEACH';

const ZH_Q = '2027年江苏省高研班什么时候开始报名？';
const EN_Q = 'When does registration for the 2027 Jiangsu seminars open?';
const ANSWER = {
  answer_zh: '江苏省2027年国家级高研班计划预计于2027年3月公布，届时可向省人社厅咨询报名。',
  answer_en:
    'Jiangsu expects to publish its 2027 national seminar plan in March 2027; ask the provincial HR department then.',
  source: '江苏省人社厅电话答复，2026年12月',
};

type Json = Record<string, unknown>;
type Block = { type: string; block_id?: string; element?: Json; accessory?: Json; elements?: Json[] };

describe.each(backends)('teaching the assistant from Slack on %s', (backend) => {
  let slack: FakeSlack;
  let telegram: FakeTelegram;
  let t: TestRuntime;
  let server: ReturnType<typeof serve>;
  let base: string;
  let client: ReturnType<typeof slackClient>;
  let today = '2026-12-05';
  const tg = updates();
  let tgChat = 8800;

  beforeAll(async () => {
    slack = await startFakeSlack();
    telegram = await startFakeTelegram(TG_TOKEN);
    t = await openRuntime(
      backend,
      {
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_API_URL: slack.apiUrl,
        SLACK_STAFF_USER_IDS: STAFF,
        TELEGRAM_BOT_TOKEN: TG_TOKEN,
        TELEGRAM_WEBHOOK_SECRET: 'tg-secret',
        TELEGRAM_API_ROOT: telegram.apiRoot,
      },
      { today: () => today },
    );
    const port = await freePort();
    server = serve({ fetch: t.rt.app.fetch, port, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    client = slackClient(base, slack, SECRET);
  });
  afterAll(async () => {
    // Nothing the bot sent was refused as Slack would refuse it.
    expect(slack?.refused).toEqual([]);
    server?.close();
    await t?.close();
    await slack?.close();
    await telegram?.close();
  });

  /** A question on the web chat's API, over HTTP. */
  async function ask(text: string, userId = 'teach-web') {
    const res = await fetch(`${base}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, text }),
    });
    expect(res.status).toBe(200);
    const turn = (await res.json()) as {
      replies: { text: string }[];
      meta: { kind: string; sources: string[] };
    };
    return { ...turn, text: turn.replies.map((r) => r.text).join('\n') };
  }
  /** A question on Telegram (webhook); the bot's answer as sent to the chat. */
  async function askTelegram(text: string, lang: 'zh-hans' | 'en') {
    const chat = ++tgChat;
    const res = await fetch(`${base}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg-secret' },
      body: JSON.stringify(tg.text(chat, lang, text)),
    });
    expect(res.status).toBe(200);
    const sent = await until('the Telegram answer', () => telegram.sent('sendMessage', chat)[0]);
    return String(sent.payload.text);
  }
  /** The modal opened with this trigger. */
  const modal = (trigger: string) =>
    until('the modal', () => slack.views.find((v) => v.trigger === trigger)?.view);
  const lastModal = () => slack.views.at(-1)?.view as Json;
  const inputs = (view: Json) => (view.blocks as Block[]).filter((b) => b.type === 'input');
  const filled = (view: Json) =>
    Object.fromEntries(
      inputs(view).map((b) => [
        b.block_id,
        (b.element?.initial_value ?? b.element?.initial_date ?? null) as string | null,
      ]),
    );

  let id = '';

  it('refuses people who are not staff, and changes nothing', async () => {
    for (const text of ['teach', 'kb', 'kb show KB-ABC123', 'kb retire KB-ABC123']) {
      const reply = await client.command(text, VISITOR);
      expect(reply.all).toContain('SLACK_STAFF_USER_IDS');
    }
    expect(slack.views).toHaveLength(0);
    // A submission of a perfectly good modal by someone not on the staff list.
    const { views } = slack;
    await client.send('teach', STAFF);
    const view = await until('the modal', () => views[0]?.view);
    const answer = await client.submit(view, { questions: ZH_Q, ...ANSWER }, VISITOR);
    expect(answer).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(answer)).toContain('Nothing was saved');
    expect(await t.rt.taught.list()).toEqual([]);
    // Their button presses open nothing either.
    const before = slack.views.length;
    const press = await client.press('gap_answer', ZH_Q, VISITOR);
    expect((await press.reply()).all).toContain('SLACK_STAFF_USER_IDS');
    expect(slack.views).toHaveLength(before);
  });

  it('opens a modal Slack accepts, with the fields and ids the contract names', async () => {
    await client.send('teach', STAFF);
    const view = await until('the modal', () => slack.views.at(-1)?.view);
    expect(viewProblems(view)).toEqual([]);
    expect(view).toMatchObject({ type: 'modal', callback_id: 'kb_entry' });
    expect(inputs(view).map((b) => [b.block_id, b.element?.action_id])).toEqual([
      ['questions', 'value'],
      ['answer_zh', 'value'],
      ['answer_en', 'value'],
      ['source', 'value'],
      ['expires', 'value'],
    ]);
    expect(inputs(view).find((b) => b.block_id === 'expires')).toMatchObject({
      optional: true,
      element: { type: 'datepicker' },
    });
  });

  it('says in the modal what is wrong, and saves nothing', async () => {
    const view = lastModal();
    const answer = await client.submit(
      view,
      { questions: ZH_Q, answer_zh: '  ', answer_en: 'x'.repeat(MAX_ANSWER + 1), source: '' },
      STAFF,
    );
    expect(answer.response_action).toBe('errors');
    const errors = answer.errors as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual(['answer_en', 'answer_zh', 'source']);
    expect(errors.answer_en).toMatch(/phone screen/);
    // Markup a channel would render, and a date that has passed.
    const again = await client.submit(
      view,
      { questions: ZH_Q, ...ANSWER, answer_en: '<b>March</b>', expires: '2026-01-31' },
      STAFF,
    );
    expect(Object.keys(again.errors as Json).sort()).toEqual(['answer_en', 'expires']);
    // Hostile and malformed: no state at all, a private_metadata that is not JSON.
    const odd = await client.submit({ ...view, private_metadata: '{not json' }, {}, STAFF);
    expect(odd.response_action).toBe('errors');
    expect(await t.rt.taught.list()).toEqual([]);
  });

  it('teaches: saved, then answered on /api/chat and Telegram in both languages, with its source', async () => {
    expect((await ask(ZH_Q)).meta.kind).toBe('fallback');
    const answer = await client.submit(lastModal(), { questions: `${ZH_Q}\n${EN_Q}`, ...ANSWER }, STAFF);
    expect(answer.response_action).toBe('update');
    expect(viewProblems(answer.view)).toEqual([]);
    id = /KB-[0-9A-Z]+/.exec(JSON.stringify(answer.view))?.[0] ?? '';
    expect(id).toMatch(/^KB-[0-9A-Z]{6}$/);
    // The same submission again (a double click): no second entry, no new version.
    const twice = await client.submit(lastModal(), { questions: `${ZH_Q}\n${EN_Q}`, ...ANSWER }, STAFF);
    expect(JSON.stringify(twice.view)).toContain(`*${id}*, version 1`);
    expect(await t.rt.taught.list()).toHaveLength(1);

    const zh = await ask(ZH_Q);
    expect(zh.meta).toMatchObject({ kind: 'answer', sources: [`kb:${id}`] });
    expect(zh.text).toBe(`${ANSWER.answer_zh}\n\n来源：${ANSWER.source}`);
    const en = await ask('When will Jiangsu open registration for its 2027 seminars?');
    expect(en.meta.sources).toEqual([`kb:${id}`]);
    expect(en.text).toBe(`${ANSWER.answer_en}\n\nSource: ${ANSWER.source}`);
    expect(await askTelegram(ZH_Q, 'zh-hans')).toContain(ANSWER.answer_zh);
    expect(await askTelegram(EN_Q, 'en')).toContain(ANSWER.answer_en);
    // The shipped facts still answer what they answer.
    expect((await ask('高研班每年办多少期？')).text).toContain('300期');
  });

  it('lists, shows with history, and edits: the new version is answered', async () => {
    const list = await client.command('kb', STAFF);
    expect(list.all).toContain(id);
    expect(list.all).toContain(`<@${STAFF}>`);
    expect(list.all).toContain(ZH_Q);
    const edit = await client.press('kb_edit', id, STAFF);
    const view = await modal(edit.trigger);
    expect(viewProblems(view)).toEqual([]);
    expect(filled(view)).toMatchObject({ questions: `${ZH_Q}\n${EN_Q}`, ...ANSWER, expires: null });
    const changed = '江苏省2027年高研班计划已于2027年2月提前公布，请登录省人社厅网站报名。';
    const saved = await client.submit(view, { ...filled(view), answer_zh: changed }, STAFF);
    expect(JSON.stringify(saved.view)).toContain(`*${id}*, version 2`);
    expect((await ask(ZH_Q, 'teach-web-2')).text).toContain(changed);
    const shown = await client.command(`kb show ${id.toLowerCase()}`, STAFF);
    expect(shown.all).toContain(changed);
    expect(shown.all).toMatch(/v2 · .*\\n.*v1 · /);
    expect(shown.all).toContain('kb_edit');
    expect(shown.all).toContain('kb_retire');
  });

  it('expires after its last day, and shows as expired', async () => {
    const edit = await client.press('kb_edit', id, STAFF);
    const view = await modal(edit.trigger);
    await client.submit(view, { ...filled(view), expires: '2026-12-31' }, STAFF);
    expect((await ask(ZH_Q, 'teach-web-3')).meta.sources).toEqual([`kb:${id}`]);
    today = '2027-01-01';
    try {
      expect((await ask(ZH_Q, 'teach-web-4')).meta.kind).toBe('fallback');
      expect((await client.command('kb', STAFF)).all).toContain('expired 2026-12-31');
    } finally {
      today = '2026-12-05';
    }
  });

  it('retires (kept in history) and restores, by command and by button', async () => {
    const retired = await client.command(`kb retire ${id}`, STAFF);
    expect(retired.all).toContain(`Retired ${id}`);
    expect((await ask(ZH_Q, 'teach-web-5')).meta.kind).toBe('fallback');
    expect((await client.command('kb', STAFF)).all).toContain('retired');
    const restore = await client.press('kb_restore', id, STAFF);
    expect((await restore.reply()).all).toContain(`Restored ${id}`);
    expect((await ask(ZH_Q, 'teach-web-6')).meta.sources).toEqual([`kb:${id}`]);
    const history = await t.rt.taught.history(id);
    expect(history.map((v) => [v.version, v.status])).toEqual([
      [5, 'active'],
      [4, 'retired'],
      [3, 'active'],
      [2, 'active'],
      [1, 'active'],
    ]);
    // An id that is not there.
    expect((await client.command('kb show KB-NONE99', STAFF)).all).toContain('No taught entry');
    expect((await client.command('kb retire <!channel>', STAFF)).all).not.toContain('<!channel>');
  });

  it('answers a gap from /kup gaps: the modal comes filled in, and the answered gap leaves the list', async () => {
    const gap = '苏州的继续教育基地周末有没有课？';
    expect((await ask(gap, 'teach-web-gap')).meta.kind).toBe('fallback');
    await t.rt.log.flush();
    const gaps = await client.command('gaps', STAFF);
    const blocks = gaps.blocks as Block[];
    const row = blocks.find((b) => b.accessory?.value === gap);
    expect(row?.accessory).toMatchObject({ type: 'button', action_id: 'gap_answer' });
    const press = await client.press('gap_answer', gap, STAFF);
    const view = await modal(press.trigger);
    expect(filled(view).questions).toBe(gap);
    await client.submit(
      view,
      {
        questions: gap,
        answer_zh: '苏州基地的周末课程以基地当期通知为准，请直接联系该基地。',
        answer_en: 'Weekend courses at the Suzhou base follow its own notices; please contact the base.',
        source: '苏州基地电话答复',
      },
      STAFF,
    );
    expect((await ask(gap, 'teach-web-gap-2')).meta.kind).toBe('answer');
    const after = await client.command('gaps', STAFF);
    expect(after.all).not.toContain(gap);
    // And the statistics count what taught entries answered.
    await t.rt.log.flush();
    const stats = await createStats(t.rt.db).stats('all');
    expect(stats.taughtAnswers).toBeGreaterThanOrEqual(8);
    expect((await client.command('stats all', STAFF)).all).toContain(
      `(${stats.taughtAnswers} from taught entries)`,
    );
  });

  it('lists the loop in /kup help', async () => {
    const help = await client.command('help', STAFF);
    for (const words of ['/kup teach', '/kup kb', 'Answer', 'retire']) expect(help.all).toContain(words);
  });
});

describe('the Slack app manifest', () => {
  it('has what the teach modal needs: interactivity at /slack/events, the commands scope, /kup with teach and kb', () => {
    const manifest = parse(readFileSync('adapters/slack/manifest.yml', 'utf8')) as {
      oauth_config: { scopes: { bot: string[] } };
      features: { slash_commands: { command: string; url: string; usage_hint: string }[] };
      settings: { interactivity: { is_enabled: boolean; request_url: string } };
    };
    expect(manifest.settings.interactivity).toMatchObject({ is_enabled: true });
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.oauth_config.scopes.bot).toContain('commands');
    const kup = manifest.features.slash_commands.find((c) => c.command === '/kup');
    expect(kup?.url).toMatch(/\/slack\/events$/);
    expect(kup?.usage_hint).toMatch(/teach.*kb/);
  });
});
