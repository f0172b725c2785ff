// The parts of the handoff that need no servers: office hours, recognising a request for a
// person, and what the user is told when the staff desk fails.
import { describe, expect, it } from 'vitest';
import { slackToPlain } from '../adapters/slack/handoff.ts';
import { parseConfig } from '../src/config.ts';
import { createHandoffs } from '../src/core/handoff.ts';
import { describeHours, officeStatus, parseOfficeHours } from '../src/core/office-hours.ts';
import type { HandoffCase, HandoffStore, StaffDesk } from '../src/core/types.ts';
import { createUnderstand } from '../src/core/understanding/understand.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';

const hours = parseOfficeHours('mon-fri 09:00-17:00', 'Asia/Shanghai');
/** A moment given in Beijing time (UTC+8, no daylight saving). */
const beijing = (iso: string) => new Date(`${iso}+08:00`);

describe('office hours', () => {
  it('says whether staff are at work, and when they are next', () => {
    // 2026-11-25 is a Wednesday.
    expect(officeStatus(hours, beijing('2026-11-25T10:00:00'))).toEqual({ open: true });
    expect(officeStatus(hours, beijing('2026-11-25T08:59:00')).next).toEqual({
      en: 'today at 09:00',
      zh: '今天 09:00',
    });
    expect(officeStatus(hours, beijing('2026-11-25T17:00:00')).next?.en).toBe('tomorrow at 09:00');
    expect(officeStatus(hours, beijing('2026-11-27T18:30:00')).next).toEqual({
      en: 'Monday at 09:00',
      zh: '周一 09:00',
    });
    expect(officeStatus(hours, beijing('2026-11-28T12:00:00')).next?.en).toBe('Monday at 09:00');
    expect(officeStatus(hours, beijing('2026-11-29T23:59:00')).next?.en).toBe('tomorrow at 09:00');
    // The same instant, seen from UTC: still Beijing's office hours that count.
    expect(officeStatus(hours, new Date('2026-11-25T01:30:00Z'))).toEqual({ open: true });
  });

  it('parses lists, ranges that wrap the week, and other time zones; refuses nonsense clearly', () => {
    const weekend = parseOfficeHours('sat-sun 10:00-12:30', 'Europe/London');
    expect([...weekend.days].sort()).toEqual([0, 6]);
    expect(describeHours(weekend, 'en')).toBe('Sat, Sun 10:00–12:30 (Europe/London)');
    expect([...parseOfficeHours('fri-mon 08:00-18:00', 'Asia/Shanghai').days].sort()).toEqual([0, 1, 5, 6]);
    expect(describeHours(hours, 'zh')).toBe('周一至周五 09:00–17:00（北京时间）');
    expect(describeHours(parseOfficeHours('mon,wed 09:00-11:00', 'Asia/Shanghai'), 'en')).toBe(
      'Mon, Wed 09:00–11:00 (Beijing time)',
    );
    expect(() => parseOfficeHours('weekdays', 'Asia/Shanghai')).toThrow(/not like/);
    expect(() => parseOfficeHours('mon-fry 09:00-17:00', 'Asia/Shanghai')).toThrow(/fry/);
    expect(() => parseOfficeHours('mon-fri 17:00-09:00', 'Asia/Shanghai')).toThrow(/time range/);
    expect(() => parseOfficeHours('mon-fri 09:00-17:00', 'Mars/Olympus')).toThrow(/time zone/);
    expect(() => parseConfig({ HANDOFF_HOURS: 'always' })).toThrow(/HANDOFF_HOURS/);
    expect(() => parseConfig({ SLACK_HANDOFF_CHANNEL: '#handoffs' })).toThrow(/channel id/);
  });
});

describe('asking for a person', () => {
  const understanding = createUnderstand(knowledgeBase);
  const intent = (text: string) => understanding.understand(text).intent?.intent;
  const isHumanRequest = (text: string) => intent(text) === 'human';
  const isBackToBot = (text: string) => intent(text) === 'back-to-bot';

  it('recognises requests in both languages, and not look-alikes', () => {
    for (const yes of [
      '人工客服',
      '转人工',
      '我要转人工',
      '能帮我联系工作人员吗',
      '找客服',
      '人工',
      'talk to a person',
      'Can I speak with a human?',
      'I want to talk to someone',
      'human agent please',
      'agent',
      'connect me to staff',
    ])
      expect(isHumanRequest(yes), yes).toBe(true);
    for (const no of [
      '人工智能专业可以报名吗',
      '人工智能工程技术人员培训多少人',
      'human resources department',
      'Who issued the plan?',
      'How many people are trained?',
      '工作人员会联系我吗，大概什么时候',
    ])
      expect(isHumanRequest(no), no).toBe(false);
    expect(isBackToBot('back to the bot')).toBe(true);
    expect(isBackToBot('返回机器人')).toBe(true);
    expect(isBackToBot('back')).toBe(false);
  });
});

describe('when the staff desk fails', () => {
  const handoff: HandoffCase = {
    id: '1',
    conversationId: 'web:x',
    channel: 'web',
    lang: 'en',
    deskRef: null,
    openedAt: new Date(),
  };
  const store = (events: string[]): HandoffStore => ({
    open: async () => ({ handoff, created: true }),
    openFor: async () => undefined,
    openedSince: async () => 0,
    setDeskRef: async () => void events.push('setDeskRef'),
    byDeskRef: async () => undefined,
    byId: async () => undefined,
    addReply: async () => undefined,
    discard: async (id) => void events.push(`discard ${id}`),
    close: async () => undefined,
    replies: async () => ({ open: false, replies: [] }),
  });
  const failing: StaffDesk = {
    open: () => Promise.reject(new Error('slack is down')),
    post: () => Promise.reject(new Error('slack is down')),
    closed: () => Promise.reject(new Error('slack is down')),
    note: () => Promise.reject(new Error('slack is down')),
  };

  it('does not pretend: the case is discarded and the user told to try later', async () => {
    const events: string[] = [];
    const errors: string[] = [];
    const h = createHandoffs({
      store: store(events),
      desk: failing,
      hours,
      onError: (_e, context) => errors.push(context),
    });
    const turn = await h.request({
      conversationId: 'web:x',
      channel: 'web',
      lang: 'en',
      registration: 'not registered',
      privateChat: true,
    });
    expect(turn.meta.kind).toBe('fallback');
    expect(turn.replies[0]?.text).toMatch(/cannot be reached just now/);
    expect(events).toEqual(['discard 1']);
    expect(errors).toEqual(['opening a case on the staff desk']);

    const sent = await h.fromUser({ ...handoff, deskRef: 'C1:1.2' }, 'hello?', 'en');
    expect(sent.replies[0]?.text).toMatch(/could not pass that on/);
  });

  it('tells the user roughly when a person will answer', async () => {
    const desk: StaffDesk = {
      open: async () => 'C1:1.000001',
      post: async () => {},
      closed: async () => {},
      note: async () => {},
    };
    const h = createHandoffs({ store: store([]), desk, hours, now: () => beijing('2026-11-28T11:00:00') });
    const request = {
      conversationId: 'web:x',
      channel: 'web',
      registration: '',
      privateChat: true,
    };
    const en = await h.request({ ...request, lang: 'en' });
    expect(en.meta.kind).toBe('handoff');
    expect(en.replies[0]?.text).toContain('expect a reply from Monday at 09:00');
    const zh = await h.request({ ...request, lang: 'zh' });
    expect(zh.replies[0]?.text).toContain('预计周一 09:00后回复');
    expect(zh.replies[0]?.text).toContain('/bot');
    // Never a promise of admission.
    expect(`${en.replies[0]?.text}${zh.replies[0]?.text}`).not.toMatch(/admit|录取/);
  });
});

describe("Slack's markup, as a user elsewhere reads it", () => {
  it('turns links, mentions and escapes into plain text', () => {
    expect(slackToPlain('A &amp; B &lt;3 &gt;')).toBe('A & B <3 >');
    expect(slackToPlain('see <https://www.mohrss.gov.cn|the ministry site>')).toBe(
      'see the ministry site (https://www.mohrss.gov.cn)',
    );
    expect(slackToPlain('<https://x.example/a?b=1&amp;c=2>')).toBe('https://x.example/a?b=1&c=2');
    expect(slackToPlain('mail <mailto:a@b.cn|a@b.cn>, ask <@U123ABC>, in <#C1|general>')).toBe(
      'mail a@b.cn, ask @staff, in #general',
    );
    expect(slackToPlain('<!here> hello')).toBe('hello');
  });
});
