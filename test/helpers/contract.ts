// The end-to-end contract every deployment must keep, run against a server over real HTTP: the web
// chat in both languages, a full registration, a Telegram update, a signed Slack command, and WeChat
// (safe mode): a question, a full registration by menu taps and typed answers, a staff reply relayed.
import { expect } from 'vitest';
import { chatter, fillRegistration } from './chat.ts';
import type { FakeSlack } from './fake-slack.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { updates } from './fake-telegram.ts';
import type { FakeWeChat } from './fake-wechat.ts';
import { slackHeaders } from './slack-sign.ts';
import { until } from './until.ts';
import { wechatUser } from './wechat-user.ts';

export interface ContractTarget {
  base: string;
  /** SLACK_HANDOFF_CHANNEL of the target. */
  handoffChannel: string;
  telegram: FakeTelegram;
  telegramSecret: string;
  slack: FakeSlack;
  slackSecret: string;
  wechat: FakeWeChat;
  /** WECHAT_TOKEN, WECHAT_APP_ID and WECHAT_ENCODING_AES_KEY of the target. */
  wechatToken: string;
  wechatAppId: string;
  wechatAesKey: string;
}

/** The registration of test/helpers/chat.ts, as a WeChat user makes it: taps where there is a menu. */
export const WECHAT_REGISTRATION: Array<[string, string?]> = [
  ['/register'],
  ['d:consent:agree', '同意'],
  ['微信 契约'],
  ['13700005678'],
  ['d:email:skip', '跳过'],
  ['契约测试单位'],
  ['d:title:junior', '初级'],
  ['d:field:it', '信息技术'],
  ['d:subproject:digital-engineer', '数字技术工程师'],
  ['北京'],
  ['d:experience:0-2', '0-2年'],
  ['d:review:confirm', '确认提交'],
];

/** A staff member's reply in a case thread, as Slack's Events API posts it (signed). */
export async function postStaffReply(
  t: Pick<ContractTarget, 'base' | 'slackSecret' | 'handoffChannel'>,
  threadTs: string | undefined,
  text: string,
  eventId: string,
  user = 'USTAFF',
) {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel: t.handoffChannel,
      user,
      text,
      ts: `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
      thread_ts: threadTs,
      channel_type: 'channel',
    },
  });
  const res = await fetch(`${t.base}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...slackHeaders(t.slackSecret, body) },
    body,
  });
  expect(res.status).toBe(200);
}

export async function runContract(t: ContractTarget, label: string) {
  const http = { request: (path: string, init?: RequestInit) => fetch(`${t.base}${path}`, init) };
  const user = `contract-${label}-${Date.now()}`;

  // Web chat, both languages.
  const health = await fetch(`${t.base}/healthz`);
  expect(health.status).toBe(200);
  const chat = chatter(http, user);
  const zh = await chat.say('高研班每年办多少期？');
  expect(zh.meta).toMatchObject({ kind: 'answer', lang: 'zh', sources: ['advanced-training'] });
  expect(zh.text).toContain('300期');
  const en = await chat.say('How many digital technology engineers are trained each year?');
  expect(en.meta).toMatchObject({ kind: 'answer', lang: 'en' });
  expect(en.text).toContain('80,000');

  // A full registration.
  const review = await fillRegistration(chatter(http, `${user}-reg`), 'en');
  expect(review.meta.field).toBe('confirm');
  const done = await chatter(http, `${user}-reg`).pick('d:review:confirm');
  expect(done.text).toMatch(/reference number is KUP-[2-9A-HJ-NP-Z]{6}/);

  // Polling for staff replies far faster than the page does is slowed down (the limit holds across
  // requests: per process on Node, per isolate on Workers).
  const polls: number[] = [];
  for (let i = 0; i < 20; i++)
    polls.push((await fetch(`${t.base}/api/chat/messages?userId=${user}-poller`)).status);
  expect(polls[0]).toBe(200);
  expect(polls).toContain(429);

  // A Telegram update answered through the Bot API.
  const chatId = 800_000 + Math.floor(Math.random() * 100_000);
  const before = t.telegram.sent('sendMessage', chatId).length;
  const res = await fetch(`${t.base}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': t.telegramSecret },
    // Update ids are unique per bot: each run of the contract takes its own.
    body: JSON.stringify(updates(chatId * 10).text(chatId, 'zh-hans', '数字技术工程师每年培养多少人')),
  });
  expect(res.status).toBe(200);
  const sent = await until(
    'the Telegram reply',
    () => t.telegram.sent('sendMessage', chatId)[before],
    15_000,
  );
  expect(String(sent.payload.text)).toContain('8万');

  // A signed Slack command answered through response_url.
  const id = `contract-${label}-${Date.now()}`;
  const body = new URLSearchParams({
    command: '/kup',
    text: 'stats all',
    user_id: 'UCONTRACT',
    team_id: 'T0001',
    channel_id: 'C0001',
    response_url: t.slack.responseUrl(id),
    trigger_id: '1.2.3',
    api_app_id: 'A0001',
  }).toString();
  const slackRes = await fetch(`${t.base}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(t.slackSecret, body) },
    body,
  });
  expect(slackRes.status).toBe(200);
  const posted = await until(
    'the Slack response',
    () => t.slack.responses.find((r) => r.path === `/respond/${id}`),
    15_000,
  );
  expect(JSON.stringify(posted.body)).toMatch(/\*Registrations:\* [1-9]/);

  // A Telegram user asks for a person; a staff reply in the case's thread comes back to them.
  const asker = chatId + 1;
  const tg = updates(asker * 10);
  const cases = () =>
    t.slack.calls.filter(
      (c) =>
        c.method === 'chat.postMessage' && c.payload.channel === t.handoffChannel && !c.payload.thread_ts,
    );
  const casesBefore = cases().length;
  const ask = await fetch(`${t.base}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': t.telegramSecret },
    body: JSON.stringify(tg.text(asker, 'zh-hans', '人工客服')),
  });
  expect(ask.status).toBe(200);
  const opened = await until('the case on the desk', () => cases()[casesBefore], 15_000);
  await postStaffReply(t, opened.ts, '您好，请问有什么可以帮您？', `Ev-${label}-${Date.now()}`);
  const relayed = await until(
    'the staff reply on Telegram',
    () =>
      t.telegram.sent('sendMessage', asker).find((c) => String(c.payload.text).includes('有什么可以帮您')),
    15_000,
  );
  expect(relayed.payload.text).toBe('工作人员：您好，请问有什么可以帮您？');

  // WeChat, sealed in safe mode: a question answered through the customer-service API, a full
  // registration, and a staff reply from the case's thread relayed to the user.
  const wechat = wechatUser({
    url: `${t.base}/wechat`,
    token: t.wechatToken,
    appId: t.wechatAppId,
    aesKey: t.wechatAesKey,
    platform: t.wechat,
  });
  const openid = `oContract${label}${Date.now()}`;
  // What the user read: passive replies, and messages sent through the API.
  const passive: string[] = [];
  const said = (pattern: RegExp) =>
    until(
      `the WeChat answer ${pattern}`,
      () => [...passive, ...t.wechat.textsTo(openid)].find((x) => pattern.test(x)),
      15_000,
    );
  expect((await wechat.text(openid, '高研班每年办多少期？')).status).toBe(200);
  await said(/300期/);
  for (const [value, tap] of WECHAT_REGISTRATION) {
    const r = tap
      ? await wechat.text(openid, tap, { bizmsgmenuid: value })
      : await wechat.text(openid, value);
    expect(r.status).toBe(200);
    if (r.reply?.content) passive.push(r.reply.content);
  }
  await said(/KUP-[2-9A-HJ-NP-Z]{6}/);
  const wechatCasesBefore = cases().length;
  await wechat.text(openid, '人工客服');
  const wechatCase = await until('the WeChat case on the desk', () => cases()[wechatCasesBefore], 15_000);
  await postStaffReply(t, wechatCase.ts, '您好，这里是工作人员。', `Ev-${label}-wechat-${Date.now()}`);
  expect(await said(/这里是工作人员/)).toBe('工作人员：您好，这里是工作人员。');
  expect(wechat.problems).toEqual([]);
}
