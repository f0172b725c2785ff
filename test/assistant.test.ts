import { describe, expect, it } from 'vitest';
import { createAssistant } from '../src/core/assistant.ts';
import type { IncomingMessage } from '../src/core/types.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import { memoryLog, memoryPreferences } from './helpers/memory.ts';

function setup(overrides: Partial<Parameters<typeof createAssistant>[0]> = {}) {
  const preferences = memoryPreferences();
  const log = memoryLog();
  const assistant = createAssistant({ knowledge: knowledgeBase, preferences, log, ...overrides });
  const say = (text: string, extra: Partial<IncomingMessage> = {}) =>
    assistant.handle({ channel: 'test', conversationId: 'test:1', text, ...extra });
  return { assistant, preferences, log, say };
}

const joined = (turn: { replies: { text: string }[] }) => turn.replies.map((r) => r.text).join('\n');

describe('answers', () => {
  it('answers a Chinese question in Chinese, naming the source', async () => {
    const { say } = setup();
    const turn = await say('高研班一年办多少期？');
    expect(turn.meta).toMatchObject({ kind: 'answer', lang: 'zh', sources: ['advanced-training'] });
    expect(joined(turn)).toContain('300期');
    expect(joined(turn)).toContain('来源：');
    expect(turn.meta.confidence).toBeGreaterThanOrEqual(0.6);
  });

  it('answers an English question in English, with follow-up choices', async () => {
    const { say } = setup();
    const turn = await say('How many digital technology engineers are trained each year?');
    expect(turn.meta).toMatchObject({ kind: 'answer', lang: 'en', sources: ['digital-engineer'] });
    expect(joined(turn)).toContain('80,000');
    expect(turn.replies[0]?.choices?.map((c) => c.id)).toContain('topic:digital-engineer-how');
  });

  it('understands synonyms, short forms, typos and mixed languages', async () => {
    const { say } = setup();
    const cases: Array<[string, string]> = [
      ['高研每年多少人', 'advanced-training'],
      ['capacity building training size', 'ability-improvement'],
      ['is artifical inteligence covered', 'digital-engineer'],
      ['blokchain?', 'digital-engineer'],
      ['AI属于哪个项目', 'digital-engineer'],
      ['数字技术工程师 how many per year', 'digital-engineer'],
      ['what is the sign up process', 'how-to-take-part'],
      ['ＩｏＴ有吗？', 'digital-engineer'],
    ];
    for (const [text, id] of cases) {
      const turn = await say(text);
      expect(turn.meta.sources, text).toEqual([id]);
    }
  });

  it('does not answer off-topic questions with a programme fact', async () => {
    const { say } = setup();
    for (const text of [
      'Who won the football game yesterday?',
      '米饭怎么煮',
      'how do I train my dog',
      'what is it',
      '😀😀',
      'asdfgh',
    ]) {
      const turn = await say(text);
      expect(turn.meta.kind, text).toBe('fallback');
      expect(turn.meta.sources).toEqual([]);
      expect(joined(turn)).not.toMatch(/\d/);
      expect(turn.replies[0]?.choices?.length, text).toBeGreaterThan(0);
    }
  });

  it('does not guess where or when courses are held: the facts do not say', async () => {
    const { say } = setup();
    for (const text of ['培训在哪里举办', 'Where is the training held?', '高研班在哪儿上课']) {
      expect((await say(text)).meta.kind, text).toBe('fallback');
    }
  });

  it('offers the closest topic first when unsure', async () => {
    const { say } = setup();
    const turn = await say('What is the tuition fee for the advanced seminar?');
    expect(turn.meta.kind).toBe('fallback');
    expect(turn.replies[0]?.choices?.[0]?.id).toBe('topic:advanced-training');
  });
});

describe('commands and choices', () => {
  it('greets and lists topics on /start and on a greeting', async () => {
    const { say } = setup();
    for (const text of ['/start', '你好', 'hello!']) {
      const turn = await say(text);
      expect(turn.meta.kind).toBe('command');
      expect(turn.replies[0]?.choices?.length).toBeGreaterThanOrEqual(3);
    }
    expect((await say('hello!')).meta.lang).toBe('en');
    expect((await say('你好')).meta.lang).toBe('zh');
  });

  it('/lang en stores the choice and later answers follow it', async () => {
    const { say, preferences } = setup();
    const set = await say('/lang en');
    expect(set.meta).toMatchObject({ kind: 'command', lang: 'en' });
    expect(preferences.map.get('test:1')).toBe('en');
    const turn = await say('高研班每年办几期');
    expect(turn.meta.lang).toBe('en');
    expect(joined(turn)).toContain('300 national-level');
  });

  it('/lang without a language offers both as choices; a lang choice switches', async () => {
    const { say, assistant } = setup();
    const turn = await say('/lang');
    expect(turn.replies[0]?.choices?.map((c) => c.id)).toEqual(['lang:zh', 'lang:en']);
    const picked = await assistant.handle({ channel: 'test', conversationId: 'test:1', choice: 'lang:zh' });
    expect(picked.meta.lang).toBe('zh');
  });

  it('a topic choice answers that topic; an unknown choice says it expired', async () => {
    const { assistant } = setup();
    const topic = await assistant.handle({
      channel: 'test',
      conversationId: 'c',
      choice: 'topic:scale',
      lang: 'en',
    });
    expect(topic.meta).toMatchObject({ kind: 'answer', sources: ['scale'] });
    const stale = await assistant.handle({
      channel: 'test',
      conversationId: 'c',
      choice: 'topic:nope',
      lang: 'en',
    });
    expect(stale.meta.kind).toBe('command');
    expect(joined(stale)).toMatch(/expired/);
  });

  it('answers unknown commands with help', async () => {
    const { say } = setup();
    const turn = await say('/frobnicate', { lang: 'en' });
    expect(turn.meta.kind).toBe('command');
    expect(joined(turn)).toMatch(/\/help/);
  });
});

describe('storage never breaks or delays an answer', () => {
  it('answers when the preference store fails', async () => {
    const errors: string[] = [];
    const { say } = setup({
      preferences: {
        getLanguage: () => Promise.reject(new Error('down')),
        setLanguage: () => Promise.reject(new Error('down')),
      },
      onError: (_e, context) => errors.push(context),
    });
    expect((await say('How big is the programme?')).meta.kind).toBe('answer');
    expect((await say('/lang zh')).meta.lang).toBe('zh');
    expect(errors).toEqual([
      'reading the language preference',
      'reading the language preference',
      'saving the language preference',
    ]);
  });

  it('does not wait for a hanging preference store', async () => {
    const { say } = setup({
      preferences: { getLanguage: () => new Promise(() => {}), setLanguage: async () => {} },
      preferenceTimeoutMs: 50,
    });
    const started = Date.now();
    expect((await say('How big is the programme?')).meta.kind).toBe('answer');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('logs every turn: the question and the answer, paired', async () => {
    const { say, log } = setup();
    await say('什么是继续教育基地');
    await say('米饭怎么煮');
    expect(log.rows).toHaveLength(4);
    const [qIn, qOut, fIn, fOut] = log.rows;
    expect(qIn).toMatchObject({
      direction: 'in',
      text: '什么是继续教育基地',
      channel: 'test',
      conversationId: 'test:1',
    });
    expect(qOut).toMatchObject({
      direction: 'out',
      kind: 'answer',
      sources: ['continuing-education-bases'],
      lang: 'zh',
    });
    expect(qOut?.turnId).toBe(qIn?.turnId);
    expect(fOut).toMatchObject({ kind: 'fallback', sources: [] });
    expect(fIn?.turnId).not.toBe(qIn?.turnId);
    expect(typeof qOut?.latencyMs).toBe('number');
  });

  it('answers even when the log throws', async () => {
    const { say } = setup({
      log: {
        record: () => {
          throw new Error('full');
        },
      },
    });
    expect((await say('What are the priority fields?')).meta.kind).toBe('answer');
  });
});
