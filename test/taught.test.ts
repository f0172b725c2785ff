// Entries staff teach (issue 18, first step): their checks, and their versions in the database.
import { describe, expect, it } from 'vitest';
import { checkDraft, isLive, MAX_ANSWER, type TaughtStore } from '../src/core/taught.ts';
import { createTaughtCache } from '../src/core/taught-cache.ts';
import { createTaughtStore } from '../src/db/taught.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import { chatter } from './helpers/chat.ts';
import { backends, openTestDatabase } from './helpers/db.ts';
import { openRuntime } from './helpers/runtime.ts';

const draft = {
  questions: ['2027年广东省高研班什么时候报名？', 'When do 2027 Guangdong seminars open?'],
  answer: {
    zh: '广东省2027年高级研修班计划于3月公布。',
    en: 'Guangdong publishes its 2027 seminar plan in March.',
  },
  source: '广东省人社厅通知，2026年11月',
};

describe('a taught entry', () => {
  it('is checked field by field, in words staff can act on, and cleaned', () => {
    expect(checkDraft(draft, '2026-12-05').errors).toEqual({});
    const bad = checkDraft(
      {
        questions: ['  ', ''],
        answer: { zh: '', en: 'x'.repeat(MAX_ANSWER + 1) },
        source: ' ',
        expires: '2026-01-01',
      },
      '2026-12-05',
    ).errors;
    expect(Object.keys(bad).sort()).toEqual(['answer_en', 'answer_zh', 'expires', 'questions', 'source']);
    expect(bad.answer_en).toMatch(/phone screen/);
    expect(
      checkDraft({ ...draft, answer: { ...draft.answer, en: 'See [this](http://x)' } }, '2026-12-05').errors
        .answer_en,
    ).toMatch(/Plain text/);
    expect(checkDraft({ ...draft, expires: '30/06/2027' }, '2026-12-05').errors.expires).toMatch(/date/);
    const cleaned = checkDraft({ ...draft, questions: [' a\u202E ', '', 'b'] }, '2026-12-05').draft;
    expect(cleaned.questions).toEqual(['a', 'b']);
  });
});

describe.each(backends)('taught entries on %s', (backend) => {
  it('keep every version, count every change, retire and restore', async () => {
    const t = await openTestDatabase(backend);
    try {
      const store = createTaughtStore(t.handle.db);
      expect(await store.version()).toBe(0);
      const first = await store.save(draft, 'U1');
      expect(first).toMatchObject({ version: 1, status: 'active', author: 'U1', questions: draft.questions });
      expect(first.id).toMatch(/^KB-[0-9A-Z]{6}$/);
      const edited = await store.save(
        { ...draft, id: first.id, expires: '2027-03-31', answer: { ...draft.answer, en: 'In March 2027.' } },
        'U2',
      );
      expect(edited).toMatchObject({ id: first.id, version: 2, expires: '2027-03-31', author: 'U2' });
      const retired = await store.setStatus(first.id, 'retired', 'U1');
      expect(retired).toMatchObject({ version: 3, status: 'retired', answer: { en: 'In March 2027.' } });
      expect(await store.setStatus('KB-NOPE00', 'retired', 'U1')).toBeUndefined();
      const other = await store.save({ ...draft, questions: ['another'] }, 'U3');
      expect(await store.version()).toBe(4);
      const current = await store.current();
      expect(current.map((e) => [e.id, e.version]).sort()).toEqual(
        [
          [first.id, 3],
          [other.id, 1],
        ].sort(),
      );
      expect((await store.history(first.id)).map((e) => e.version)).toEqual([3, 2, 1]);
      expect(isLive(current.find((e) => e.id === first.id) as never, '2026-12-05')).toBe(false);
      const restored = await store.setStatus(first.id, 'active', 'U1');
      expect(isLive(restored as never, '2026-12-05')).toBe(true);
      expect(isLive(restored as never, '2027-04-01')).toBe(false); // past its last day
    } finally {
      await t.drop();
    }
  });
});

describe('answers from what staff taught', () => {
  it('come where the shipped knowledge has none, in both languages, with their source, until retired or expired', async () => {
    const t = await openRuntime('pglite');
    try {
      const chat = chatter(t.rt.app, 'taught');
      const zh = '2027年广东省高研班什么时候报名？';
      expect((await chat.say(zh)).meta.kind).toBe('fallback');
      const entry = await t.rt.taught.store.save(draft, 'USTAFF');
      // A reserved word of the dialogs cannot be taken over by a taught entry.
      await t.rt.taught.store.save(
        { ...draft, questions: ['我要报名'], answer: { zh: '不要报名', en: 'Do not' } },
        'USTAFF',
      );
      await t.rt.taught.reload();
      const answered = await chat.say(zh);
      expect(answered.meta).toMatchObject({ kind: 'answer', sources: [`kb:${entry.id}`] });
      expect(answered.text).toBe(`${draft.answer.zh}\n\n来源：${draft.source}`);
      const en = await chat.say('When do the 2027 Guangdong seminars open?');
      expect(en.meta.sources).toEqual([`kb:${entry.id}`]);
      expect(en.text).toContain(draft.answer.en);
      // The shipped facts still answer what they answer.
      const shipped = await chat.say('高研班每年办多少期？');
      expect(shipped.text).toContain('300期');
      expect(shipped.meta.sources.some((s) => s.startsWith('kb:'))).toBe(false);
      expect((await chatter(t.rt.app, 'taught-2').say('我要报名')).meta.kind).toBe('dialog');
      // Retired: gone at once. Past its last day: gone too.
      await t.rt.taught.store.setStatus(entry.id, 'retired', 'USTAFF');
      await t.rt.taught.reload();
      expect((await chat.say(zh)).meta.kind).toBe('fallback');
      await t.rt.taught.store.setStatus(entry.id, 'active', 'USTAFF');
      await t.rt.taught.store.save({ ...draft, id: entry.id, expires: '2020-01-01' }, 'USTAFF');
      await t.rt.taught.reload();
      expect((await chat.say(zh)).meta.kind).toBe('fallback');
    } finally {
      await t.close();
    }
  });
});

describe('the taught cache', () => {
  it('reads the change counter at most every 30 s, and loads the entries only when it changed', async () => {
    let clock = 0;
    let counter = 1;
    const calls: string[] = [];
    const store = {
      version: async () => {
        calls.push('version');
        return counter;
      },
      current: async () => {
        calls.push('current');
        return [];
      },
    } as unknown as TaughtStore;
    const cache = createTaughtCache(knowledgeBase, { now: () => clock });
    await cache.refresh(store);
    expect(calls).toEqual(['version', 'current']);
    clock = 29_000;
    await cache.refresh(store);
    expect(calls).toHaveLength(2); // not due yet
    clock = 31_000;
    await cache.refresh(store);
    expect(calls).toEqual(['version', 'current', 'version']); // due, unchanged: no load
    counter = 2;
    clock = 62_000;
    await cache.refresh(store);
    expect(calls.slice(3)).toEqual(['version', 'current']);
    expect(cache.version()).toBe(2);
    await cache.refresh(store, true); // a change through this server: at once
    expect(calls.slice(5)).toEqual(['version', 'current']);
  });
});
