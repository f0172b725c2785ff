// Entries staff teach (issue 18, first step): their checks, and their versions in the database.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkDraft,
  createTaughtBook,
  isLive,
  MAX_ANSWER,
  mergeTaught,
  type TaughtStore,
} from '../src/core/taught.ts';
import { createTaughtCache } from '../src/core/taught-cache.ts';
import { createStats } from '../src/db/stats.ts';
import { createTaughtStore } from '../src/db/taught.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import { loadKnowledge, readTaughtFolder } from '../src/knowledge/load.ts';
import type { ShippedTaught } from '../src/knowledge/schema.ts';
import { exportTaught, taughtFile } from '../src/knowledge/taught-files.ts';
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
      const book = createTaughtBook({ store });
      expect(await store.version()).toBe(0);
      const first = await store.save(draft, 'U1');
      expect(first).toMatchObject({ version: 1, status: 'active', author: 'U1', questions: draft.questions });
      expect(first.id).toMatch(/^KB-[0-9A-Z]{6}$/);
      const edited = await store.save(
        { ...draft, id: first.id, expires: '2027-03-31', answer: { ...draft.answer, en: 'In March 2027.' } },
        'U2',
      );
      expect(edited).toMatchObject({ id: first.id, version: 2, expires: '2027-03-31', author: 'U2' });
      const retired = await book.setStatus(first.id, 'retired', 'U1');
      expect(retired).toMatchObject({ version: 3, status: 'retired', answer: { en: 'In March 2027.' } });
      expect(await book.setStatus('KB-NOPE00', 'retired', 'U1')).toBeUndefined();
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
      const restored = await book.setStatus(first.id, 'active', 'U1');
      expect(isLive(restored as never, '2026-12-05')).toBe(true);
      expect(isLive(restored as never, '2027-04-01')).toBe(false); // past its last day
    } finally {
      await t.drop();
    }
  });

  it('merge with the entries a release shipped: one id, the newer version wins, history has both', async () => {
    const t = await openTestDatabase(backend);
    try {
      const shipped = [
        {
          id: 'KB-SHIP01',
          version: 4,
          questions: ['省里的培训通知在哪里看？'],
          answer: { zh: '请看省人社厅网站。', en: 'See the provincial HR department site.' },
          source: 'Provincial notice',
          author: 'U1',
          updated: '2026-11-01T08:00:00.000Z',
        },
      ];
      let changes = 0;
      const store = createTaughtStore(t.handle.db);
      const book = createTaughtBook({ store, shipped, changed: async () => void changes++ });
      expect(await book.list()).toMatchObject([{ id: 'KB-SHIP01', version: 4, shipped: true }]);
      const edited = await book.save(
        { ...shipped[0], id: 'KB-SHIP01', answer: { zh: '新答案', en: 'New answer' } } as never,
        'U2',
      );
      expect(edited).toMatchObject({ id: 'KB-SHIP01', version: 5, author: 'U2' });
      expect(changes).toBe(1);
      const [entry] = await book.list();
      expect(entry).toMatchObject({ version: 5, answer: { en: 'New answer' } });
      expect(entry?.shipped).toBeUndefined();
      expect((await book.history('KB-SHIP01')).map((v) => [v.version, v.shipped ?? false])).toEqual([
        [5, false],
        [4, true],
      ]);
      // A file shipped later with a newer version wins over the database.
      const newer = mergeTaught([{ ...shipped[0], version: 6 } as never], await store.current());
      expect(newer).toMatchObject([{ version: 6, shipped: true }]);
      // Retiring a shipped entry is a stored version after the file's.
      const fresh = createTaughtBook({ store, shipped: [{ ...shipped[0], id: 'KB-SHIP02' } as never] });
      expect(await fresh.setStatus('KB-SHIP02', 'retired', 'U3')).toMatchObject({
        version: 5,
        status: 'retired',
      });
    } finally {
      await t.drop();
    }
  });
});

describe.each(backends)('npm run knowledge:export on %s', (backend) => {
  it('writes the entries in use as knowledge files that load back, answer, and yield to newer versions', async () => {
    const t = await openTestDatabase(backend);
    const dir = mkdtempSync(join(tmpdir(), 'kup-taught-'));
    try {
      const store = createTaughtStore(t.handle.db);
      const book = createTaughtBook({ store });
      const kept = await book.save({ ...draft, expires: '2027-06-30' }, 'U1');
      const retired = await book.save({ ...draft, questions: ['retired one'] }, 'U1');
      await book.setStatus(retired.id, 'retired', 'U1');
      const expired = await store.save({ ...draft, questions: ['old one'], expires: '2020-01-01' }, 'U1');
      // An old file of the retired entry is removed; the expired one is not written.
      writeFileSync(join(dir, `${retired.id}.md`), taughtFile({ ...retired, version: 1 }));

      let written: string[];
      if (t.url) {
        // The real command, against this database.
        const out = execFileSync(
          process.execPath,
          ['--import', 'tsx', 'scripts/knowledge-export.ts', '--dir', dir],
          {
            env: { ...process.env, DATABASE_URL: t.url },
            encoding: 'utf8',
          },
        );
        expect(out).toContain(`wrote 1 (${kept.id}), unchanged 0, removed 1 (${retired.id})`);
        written = readdirSync(dir);
      } else {
        const result = exportTaught(await store.current(), dir, '2026-12-05');
        expect(result).toEqual({ written: [kept.id], unchanged: [], removed: [retired.id] });
        written = readdirSync(dir);
      }
      expect(written).toEqual([`${kept.id}.md`]);
      expect(written).not.toContain(`${expired.id}.md`);
      const text = readFileSync(join(dir, `${kept.id}.md`), 'utf8');
      expect(text).toMatch(/^---\nid: KB-/);
      expect(text).toContain('## 中文\n\n广东省2027年高级研修班计划于3月公布。');

      // Back: the same entry, and a knowledge base that ships it answers from it without a database.
      const [file] = readTaughtFolder(dir);
      expect(file).toMatchObject({
        id: kept.id,
        version: 1,
        questions: draft.questions,
        answer: draft.answer,
        source: draft.source,
        expires: '2027-06-30',
        author: 'U1',
      });
      const cache = createTaughtCache(
        { ...knowledgeBase, taught: [file as ShippedTaught] },
        { today: () => '2026-12-05' },
      );
      expect(cache.get()?.search('2027年广东省高研班什么时候报名？')?.entry).toMatchObject({
        id: kept.id,
        shipped: true,
      });
      // Taught again later: one id, the newer version wins, and a second export is a no-op but for it.
      const newer = await createTaughtBook({ store, shipped: [file as ShippedTaught] }).save(
        { ...draft, id: kept.id, answer: { ...draft.answer, en: 'Changed.' } },
        'U2',
      );
      expect(newer.version).toBe(2);
      expect(exportTaught(await store.current(), dir, '2026-12-05')).toEqual({
        written: [kept.id],
        unchanged: [],
        removed: [],
      });
      expect(readTaughtFolder(dir)[0]).toMatchObject({
        version: 2,
        author: 'U2',
        answer: { en: 'Changed.' },
      });
      expect(exportTaught(await store.current(), dir, '2026-12-05').unchanged).toEqual([kept.id]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await t.drop();
    }
  });

  it('a knowledge folder with taught/ loads it, and names a wrong file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kup-kb-'));
    try {
      cpSync('knowledge', dir, { recursive: true });
      mkdirSync(join(dir, 'taught'), { recursive: true });
      const entry = {
        ...draft,
        id: 'KB-FILE01',
        version: 3,
        status: 'active' as const,
        author: 'U9',
        at: new Date('2026-11-30T00:00:00Z'),
      };
      writeFileSync(join(dir, 'taught', 'KB-FILE01.md'), taughtFile(entry));
      expect(loadKnowledge(dir).taught).toEqual([
        {
          id: 'KB-FILE01',
          version: 3,
          questions: draft.questions,
          answer: draft.answer,
          source: draft.source,
          author: 'U9',
          updated: '2026-11-30T00:00:00.000Z',
        },
      ]);
      writeFileSync(join(dir, 'taught', 'KB-OTHER1.md'), taughtFile(entry));
      expect(() => loadKnowledge(dir)).toThrow(
        /taught\/KB-OTHER1\.md: the file of KB-FILE01 is named KB-FILE01\.md/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
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
      const entry = await t.rt.taught.save(draft, 'USTAFF');
      // A reserved word of the dialogs cannot be taken over by a taught entry.
      await t.rt.taught.save(
        { ...draft, questions: ['我要报名'], answer: { zh: '不要报名', en: 'Do not' } },
        'USTAFF',
      );
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
      // Logged with who wrote it (never shown), and counted in the statistics.
      expect(JSON.stringify(answered)).not.toContain('USTAFF');
      await t.rt.log.flush();
      const logged = await t.rt.db
        .selectFrom('interactions')
        .select(['author', 'sources'])
        .where('author', 'is not', null)
        .execute();
      expect(logged).toEqual([
        { author: `USTAFF ${entry.id} v1`, sources: [`kb:${entry.id}`] },
        { author: `USTAFF ${entry.id} v1`, sources: [`kb:${entry.id}`] },
      ]);
      expect((await createStats(t.rt.db).stats('all')).taughtAnswers).toBe(2);
      // Retired: gone at once. Past its last day: gone too.
      await t.rt.taught.setStatus(entry.id, 'retired', 'USTAFF');
      expect((await chat.say(zh)).meta.kind).toBe('fallback');
      await t.rt.taught.setStatus(entry.id, 'active', 'USTAFF');
      await t.rt.taught.save({ ...draft, id: entry.id, expires: '2020-01-01' }, 'USTAFF');
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
