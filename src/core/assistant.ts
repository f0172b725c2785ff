/**
 * The assistant: one turn in, one turn out, the same for every channel. Platform-neutral: no HTTP,
 * no platform SDKs, no env; storage only through the interfaces it is given.
 */
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/schema.ts';
import { languageNames, messages } from './messages.ts';
import { detectLanguage } from './normalize.ts';
import { createRetriever, type RetrievalHit, type Retriever } from './retriever.ts';
import type {
  Choice,
  IncomingMessage,
  InteractionSink,
  Lang,
  PreferenceStore,
  Reply,
  Turn,
  TurnKind,
} from './types.ts';

export interface AssistantDeps {
  knowledge: KnowledgeBase;
  preferences: PreferenceStore;
  log?: InteractionSink;
  retriever?: Retriever;
  /** Below this confidence the assistant says it is not sure (default 0.6). */
  threshold?: number;
  /** A preference lookup slower than this is skipped: answers never wait on a slow database. */
  preferenceTimeoutMs?: number;
  /** Topics offered when nothing matched (ids). */
  mainTopics?: string[];
  onError?: (error: unknown, context: string) => void;
}

const GREETING =
  /^(hi|hello|hey|hiya|good (morning|afternoon|evening)|你好|您好|嗨|哈喽|哈啰|在吗|在不在|早上好|下午好|晚上好)[\s!！.。~～,，]*$/iu;
const THANKS = /^(thanks?( you)?|thx|ty|many thanks|谢谢|多谢|感谢|谢谢你|谢谢您)[\s!！.。~～,，]*$/iu;
const DEFAULT_TOPICS = ['overview', 'subprojects', 'priority-fields', 'how-to-take-part'];

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createAssistant(deps: AssistantDeps) {
  const retriever = deps.retriever ?? createRetriever(deps.knowledge);
  const threshold = deps.threshold ?? 0.6;
  const byId = new Map(deps.knowledge.entries.map((e) => [e.id, e]));
  const mainTopics = (deps.mainTopics ?? DEFAULT_TOPICS).filter((id) => byId.has(id));
  const report = deps.onError ?? (() => {});

  const topicChoice = (entry: KnowledgeEntry, lang: Lang): Choice => ({
    id: `topic:${entry.id}`,
    label: entry.title[lang],
  });
  const topicChoices = (ids: string[], lang: Lang): Choice[] =>
    ids.flatMap((id) => {
      const entry = byId.get(id);
      return entry ? [topicChoice(entry, lang)] : [];
    });

  async function storedLanguage(conversationId: string): Promise<Lang | undefined> {
    try {
      return await withTimeout(deps.preferences.getLanguage(conversationId), deps.preferenceTimeoutMs ?? 300);
    } catch (error) {
      report(error, 'reading the language preference');
      return undefined;
    }
  }

  async function setLanguage(conversationId: string, lang: Lang): Promise<void> {
    try {
      await withTimeout(deps.preferences.setLanguage(conversationId, lang), 2_000);
    } catch (error) {
      // The reply still switches language; only remembering it failed.
      report(error, 'saving the language preference');
    }
  }

  function turn(
    kind: TurnKind,
    lang: Lang,
    replies: Reply[],
    extra: { sources?: string[]; confidence?: number } = {},
  ): Turn {
    return { replies, meta: { kind, sources: extra.sources ?? [], confidence: extra.confidence ?? 1, lang } };
  }

  function answer(entry: KnowledgeEntry, lang: Lang, confidence: number): Turn {
    const text = `${entry.answer[lang]}\n\n${messages.sourceLabel[lang]}${entry.source[lang]}`;
    const choices = topicChoices(entry.related, lang).slice(0, 3);
    return turn('answer', lang, [{ text, ...(choices.length ? { choices } : {}) }], {
      sources: [entry.id],
      confidence,
    });
  }

  function fallback(
    lang: Lang,
    best: RetrievalHit | undefined,
    intro: string = messages.fallback[lang],
  ): Turn {
    const ids = [
      ...new Set([...(best && best.confidence >= threshold / 2 ? [best.entry.id] : []), ...mainTopics]),
    ];
    return turn('fallback', lang, [{ text: intro, choices: topicChoices(ids, lang).slice(0, 4) }], {
      confidence: best?.confidence ?? 0,
    });
  }

  function welcome(lang: Lang, text = messages.welcome[lang]): Turn {
    return turn('command', lang, [{ text, choices: topicChoices(mainTopics, lang) }]);
  }

  async function command(msg: IncomingMessage, text: string, lang: Lang): Promise<Turn> {
    const [name = '', ...args] = text.slice(1).trim().split(/\s+/);
    const cmd = name.toLowerCase().replace(/@.*$/, '');
    switch (cmd) {
      case 'start':
        return welcome(lang);
      case 'help':
        return welcome(lang, messages.help[lang]);
      case 'lang':
      case 'language': {
        const wanted = parseLang(args[0]);
        if (!wanted) {
          return turn('command', lang, [
            {
              text: messages.chooseLanguage[lang],
              choices: (['zh', 'en'] as const).map((l) => ({ id: `lang:${l}`, label: languageNames[l] })),
            },
          ]);
        }
        await setLanguage(msg.conversationId, wanted);
        return welcome(wanted, messages.languageSet[wanted]);
      }
      default:
        return welcome(lang, messages.unknownCommand[lang]);
    }
  }

  async function choose(msg: IncomingMessage, choice: string, lang: Lang): Promise<Turn> {
    const [kind, value = ''] = choice.split(/:(.*)/s);
    if (kind === 'topic') {
      const entry = byId.get(value);
      if (entry) return answer(entry, lang, 1);
    }
    if (kind === 'lang') {
      const wanted = parseLang(value);
      if (wanted) {
        await setLanguage(msg.conversationId, wanted);
        return welcome(wanted, messages.languageSet[wanted]);
      }
    }
    if (choice === 'help') return welcome(lang, messages.help[lang]);
    return welcome(lang, messages.expiredChoice[lang]);
  }

  function ask(text: string, lang: Lang): Turn {
    if (GREETING.test(text)) return welcome(lang);
    if (THANKS.test(text)) return turn('command', lang, [{ text: messages.thanks[lang] }]);
    const hits = retriever.search(text, 1);
    const best = hits[0];
    if (!best || best.confidence < threshold) return fallback(lang, best);
    return answer(best.entry, lang, best.confidence);
  }

  return {
    async handle(msg: IncomingMessage): Promise<Turn> {
      const started = performance.now();
      const at = new Date();
      const text = (msg.text ?? '').trim();
      const choice = msg.choice?.trim();
      const isQuestion = !choice && !text.startsWith('/');
      const lang =
        msg.lang ??
        (await storedLanguage(msg.conversationId)) ??
        (isQuestion ? detectLanguage(text) : undefined) ??
        'zh';

      let result: Turn;
      if (choice) result = await choose(msg, choice, lang);
      else if (!isQuestion) result = await command(msg, text, lang);
      else result = ask(text, lang);

      if (deps.log) {
        const turnId = crypto.randomUUID();
        const base = { channel: msg.channel, conversationId: msg.conversationId, turnId };
        const latencyMs = Math.round(performance.now() - started);
        try {
          deps.log.record({ ...base, at, direction: 'in', text: choice ? `[choice] ${choice}` : text, lang });
          deps.log.record({
            ...base,
            at: new Date(),
            direction: 'out',
            text: result.replies.map((r) => r.text).join('\n\n'),
            kind: result.meta.kind,
            sources: result.meta.sources,
            confidence: result.meta.confidence,
            lang: result.meta.lang,
            latencyMs,
          });
        } catch (error) {
          report(error, 'logging the interaction');
        }
      }
      return result;
    },
    /** Knowledge entries, for the web page's topic list and health checks. */
    entries: deps.knowledge.entries,
  };
}

export type Assistant = ReturnType<typeof createAssistant>;

function parseLang(value: string | undefined): Lang | undefined {
  const v = value?.trim().toLowerCase();
  if (!v) return undefined;
  if (['zh', 'cn', 'zh-cn', 'chinese', '中文', '汉语', '简体'].includes(v)) return 'zh';
  if (['en', 'english', '英文', '英语'].includes(v)) return 'en';
  return undefined;
}
