/**
 * The assistant: one turn in, one turn out, the same for every channel. Platform-neutral: no HTTP,
 * no platform SDKs, no env; storage only through the interfaces it is given.
 */
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/schema.ts';
import { withTimeout } from '../lib/timeout.ts';
import { createDialogEngine, type DialogEngine, type DialogTurn } from './dialog/engine.ts';
import { dialogText } from './dialog/messages.ts';
import { FIELDS, SUBPROJECTS, TITLES } from './dialog/options.ts';
import type { Handoffs } from './handoff.ts';
import {
  isBackToBot,
  isCancel,
  isHumanRequest,
  isRegisterRequest,
  isTriageRequest,
  looksLikeQuestion,
} from './intents.ts';
import { languageNames, messages } from './messages.ts';
import { detectLanguage } from './normalize.ts';
import type { RateLimiter } from './rate-limit.ts';
import { createRetriever, type RetrievalHit, type Retriever } from './retriever.ts';
import type {
  Choice,
  DialogState,
  DialogStore,
  HandoffCase,
  IncomingMessage,
  InteractionSink,
  Lang,
  PreferenceStore,
  RegistrationStore,
  Reply,
  StoredDialog,
  Turn,
  TurnKind,
} from './types.ts';

export interface AssistantDeps {
  knowledge: KnowledgeBase;
  preferences: PreferenceStore;
  /** Registration and eligibility dialogs; without them the assistant only answers. */
  dialogs?: DialogStore;
  registrations?: RegistrationStore;
  /** Unfinished dialogs expire after this long (default 7 days). */
  dialogTtlMs?: number;
  /** Registrations are deleted this many days after their last update (default 365). */
  retentionDays?: number;
  log?: InteractionSink;
  retriever?: Retriever;
  /** Below this confidence the assistant says it is not sure (default 0.6). */
  threshold?: number;
  /** A preference lookup slower than this is skipped: answers never wait on a slow database. */
  preferenceTimeoutMs?: number;
  /** Topics offered when nothing matched (ids). */
  mainTopics?: string[];
  now?: () => Date;
  /** Messages beyond the limit get a friendly "slow down" instead of an answer. */
  rateLimiter?: RateLimiter;
  /** Handing conversations to a person (needs the dialog store, which reads open cases). */
  handoffs?: Handoffs;
  /** Unanswered questions in a row per conversation (kept by the caller where it outlives the assistant). */
  misses?: Map<string, number>;
  onError?: (error: unknown, context: string) => void;
}

const GREETING =
  /^(hi|hello|hey|hiya|good (morning|afternoon|evening)|你好|您好|嗨|哈喽|哈啰|在吗|在不在|早上好|下午好|晚上好)[\s!！.。~～,，]*$/iu;
const THANKS = /^(thanks?( you)?|thx|ty|many thanks|谢谢|多谢|感谢|谢谢你|谢谢您)[\s!！.。~～,，]*$/iu;
const DEFAULT_TOPICS = ['overview', 'subprojects', 'priority-fields', 'how-to-take-part'];
/** Buttons that follow an answer about taking part: act on it. */
const ACTIONS: Record<string, Array<'register' | 'triage'>> = {
  'how-to-take-part': ['register', 'triage'],
  eligibility: ['triage', 'register'],
};
/** After this many unanswered questions in a row, a person is offered. */
const MISSES_BEFORE_OFFER = 3;
const OFFER_PERSON = {
  text: {
    zh: '最近几个问题我都没能回答。需要转给项目工作人员吗？',
    en: 'I could not answer your last few questions. Would you like to talk to a person?',
  },
  label: { zh: '转人工客服', en: 'Talk to a person' },
};
const NO_DESK = {
  zh: '抱歉，这里暂时无法为您转接工作人员。一般来说，您可以向所在单位人事部门或省级人力资源社会保障部门咨询；也可以继续向我提问。',
  en: 'Sorry, I cannot connect you with a person here. As a rule, your employer’s HR department or the provincial human resources and social security department can advise; you can also keep asking me.',
};
const ACTION_LABELS = {
  register: { zh: '意向预登记', en: 'Pre-register my interest' },
  triage: { zh: '帮我选项目', en: 'Which sub-project suits me?' },
};

export function createAssistant(deps: AssistantDeps) {
  const retriever = deps.retriever ?? createRetriever(deps.knowledge);
  const threshold = deps.threshold ?? 0.6;
  const byId = new Map(deps.knowledge.entries.map((e) => [e.id, e]));
  const mainTopics = (deps.mainTopics ?? DEFAULT_TOPICS).filter((id) => byId.has(id));
  const report = deps.onError ?? (() => {});

  const topicChoices = (ids: string[], lang: Lang): Choice[] =>
    ids.flatMap((id) => {
      const entry = byId.get(id);
      return entry ? [{ id: `topic:${entry.id}`, label: entry.title[lang] }] : [];
    });

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
    const actions: Choice[] = dialogsEnabled
      ? (ACTIONS[entry.id] ?? []).map((a) => ({ id: `start:${a}`, label: ACTION_LABELS[a][lang] }))
      : [];
    const choices = [...actions, ...topicChoices(entry.related, lang)].slice(0, 4);
    return turn('answer', lang, [{ text, ...(choices.length ? { choices } : {}) }], {
      sources: [entry.id],
      confidence,
    });
  }

  function fallback(lang: Lang, best: RetrievalHit | undefined): Turn {
    const ids = [
      ...new Set([...(best && best.confidence >= threshold / 2 ? [best.entry.id] : []), ...mainTopics]),
    ];
    return turn(
      'fallback',
      lang,
      [{ text: messages.fallback[lang], choices: topicChoices(ids, lang).slice(0, 4) }],
      {
        confidence: best?.confidence ?? 0,
      },
    );
  }

  function welcome(lang: Lang, text = messages.welcome[lang]): Turn {
    return turn('command', lang, [{ text, choices: topicChoices(mainTopics, lang) }]);
  }

  /** A confident answer from the knowledge base, or undefined. */
  function knowledgeAnswer(text: string, lang: Lang): Turn | undefined {
    const best = retriever.search(text, 1)[0];
    return best && best.confidence >= threshold ? answer(best.entry, lang, best.confidence) : undefined;
  }

  function ask(text: string, lang: Lang): Turn {
    if (GREETING.test(text)) return welcome(lang);
    if (THANKS.test(text)) return turn('command', lang, [{ text: messages.thanks[lang] }]);
    const best = retriever.search(text, 1)[0];
    if (!best || best.confidence < threshold) return fallback(lang, best);
    return answer(best.entry, lang, best.confidence);
  }

  const dialogsEnabled = Boolean(deps.dialogs && deps.registrations);
  const dialog: DialogEngine | undefined =
    deps.dialogs && deps.registrations
      ? createDialogEngine({
          dialogs: deps.dialogs,
          registrations: deps.registrations,
          answer: knowledgeAnswer,
          ...(deps.dialogTtlMs ? { ttlMs: deps.dialogTtlMs } : {}),
          ...(deps.retentionDays ? { retentionDays: deps.retentionDays } : {}),
          ...(deps.now ? { now: deps.now } : {}),
        })
      : undefined;

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

  /** /lang and the language buttons: remember the choice; then `then` renders in that language. */
  async function switchLanguage(
    msg: IncomingMessage,
    value: string | undefined,
    lang: Lang,
    then: (wanted: Lang) => Turn,
  ): Promise<Turn> {
    const wanted = parseLang(value);
    if (!wanted) return languageChoices(lang);
    await setLanguage(msg.conversationId, wanted);
    return then(wanted);
  }
  const welcomeIn = (wanted: Lang) => welcome(wanted, messages.languageSet[wanted]);

  const languageChoices = (lang: Lang) =>
    turn('command', lang, [
      {
        text: messages.chooseLanguage[lang],
        choices: (['zh', 'en'] as const).map((l) => ({ id: `lang:${l}`, label: languageNames[l] })),
      },
    ]);

  /** Commands and choices that work the same with or without a dialog in progress. */
  async function command(
    msg: IncomingMessage,
    name: string,
    arg: string | undefined,
    lang: Lang,
  ): Promise<Turn> {
    switch (name) {
      case 'start':
        if (dialog && arg && /^register/.test(arg)) return dialog.start(msg.conversationId, 'register', lang);
        if (dialog && arg === 'triage') return dialog.start(msg.conversationId, 'triage', lang);
        return welcome(lang);
      case 'help':
        return welcome(lang, messages.help[lang]);
      case 'lang':
      case 'language':
        return switchLanguage(msg, arg, lang, welcomeIn);
      default:
        if (dialog) {
          if (name === 'register') return dialog.start(msg.conversationId, 'register', lang);
          if (name === 'cancel') return turn('command', lang, [{ text: dialogText.nothingToCancel[lang] }]);
          if (name === 'status')
            return turn('command', lang, [{ text: await dialog.status(msg.conversationId, lang) }]);
          if (name === 'forget') return dialog.start(msg.conversationId, 'forget', lang);
        }
        return welcome(lang, messages.unknownCommand[lang]);
    }
  }

  async function choose(msg: IncomingMessage, choice: string, lang: Lang): Promise<Turn> {
    const [kind = '', value = '', ...rest] = choice.split(':');
    if (kind === 'topic') {
      const entry = byId.get(value);
      if (entry) return answer(entry, lang, 1);
    }
    if (kind === 'lang' && parseLang(value)) return switchLanguage(msg, value, lang, welcomeIn);
    if (dialog && kind === 'start' && (value === 'register' || value === 'triage')) {
      // A recommendation's button carries answers already given: only known ids are taken.
      const [subproject, title, field] = rest;
      const preset: DialogState['data'] = {};
      if (SUBPROJECTS.some((o) => o.id === subproject && o.id !== 'undecided'))
        preset.subproject = subproject ?? null;
      if (TITLES.some((o) => o.id === title)) preset.title = title ?? null;
      if (FIELDS.some((o) => o.id === field)) preset.field = field ?? null;
      return dialog.start(msg.conversationId, value, lang, value === 'register' ? preset : {});
    }
    if (dialog && kind === 'd') return dialog.alreadyDone(msg.conversationId, lang, choice);
    if (choice === 'help') return welcome(lang, messages.help[lang]);
    return welcome(lang, messages.expiredChoice[lang]);
  }

  /** A message while a dialog waits: dialog commands and answers go to it, the rest is handled and the step asked again. */
  async function inDialog(msg: IncomingMessage, stored: StoredDialog, lang: Lang): Promise<DialogTurn> {
    if (!dialog) throw new Error('no dialog engine');
    const id = msg.conversationId;
    const text = (msg.text ?? '').trim();
    const choice = msg.choice?.trim();
    const again = (lead: string[]) => dialog.ask({ ...stored.state, lang }, lang, lead);
    const resumeIn = (wanted: Lang) =>
      dialog.ask({ ...stored.state, lang: wanted }, wanted, [messages.languageSet[wanted]]);

    if (text.startsWith('/')) {
      const [name, arg] = parseCommand(text);
      switch (name) {
        case 'cancel':
          return dialog.step(id, msg.channel, { text: 'cancel' }, lang, stored);
        case 'lang':
        case 'language':
          return switchLanguage(msg, arg, lang, resumeIn);
        case 'status':
          return again([await dialog.status(id, lang)]);
        case 'register':
          if (stored.state.flow === 'register') return again([dialogText.resume[lang]]);
          return dialog.start(id, 'register', lang, {}, stored);
        case 'forget':
          return dialog.start(id, 'forget', lang, {}, stored);
        case 'start':
        case 'help':
          return again([messages.help[lang], dialogText.resume[lang]]);
        default:
          return again([messages.unknownCommand[lang]]);
      }
    }
    if (choice && !choice.startsWith('d:')) {
      const [kind = '', value = ''] = choice.split(':');
      if (kind === 'lang' && parseLang(value)) return switchLanguage(msg, value, lang, resumeIn);
      // Another dialog's button: finish or cancel this one first (its answers are kept).
      if (kind === 'start') return again([dialogText.finishFirst[lang]]);
      const entry = kind === 'topic' ? byId.get(value) : undefined;
      if (entry) {
        const again2 = again([]);
        return { ...again2, replies: [answer(entry, lang, 1).replies[0] as Reply, ...again2.replies] };
      }
      return again([dialogText.staleMenu[lang]]);
    }
    if (text && (GREETING.test(text) || THANKS.test(text))) return again([dialogText.resume[lang]]);
    return dialog.step(
      id,
      msg.channel,
      {
        ...(text ? { text } : {}),
        ...(choice ? { choice } : {}),
        ...(msg.contact ? { contact: msg.contact } : {}),
      },
      lang,
      stored,
    );
  }

  const misses = deps.misses ?? new Map<string, number>();
  /** Counts unanswered questions; the third in a row offers a person (when staff can be reached). */
  function noteMiss(conversationId: string, result: Turn, lang: Lang): Turn {
    if (!deps.handoffs) return result;
    if (result.meta.kind !== 'fallback') {
      misses.delete(conversationId);
      return result;
    }
    const n = (misses.get(conversationId) ?? 0) + 1;
    misses.delete(conversationId);
    if (misses.size >= 10_000) misses.delete(misses.keys().next().value as string);
    misses.set(conversationId, n);
    if (n < MISSES_BEFORE_OFFER) return result;
    return {
      ...result,
      replies: [
        ...result.replies,
        {
          text: OFFER_PERSON.text[lang],
          choices: [{ id: 'handoff:open', label: OFFER_PERSON.label[lang] }],
        },
      ],
    };
  }

  /** What the registrations look like, for staff opening a case. */
  async function registrationLine(conversationId: string, stored: StoredDialog | undefined): Promise<string> {
    const list = (await deps.registrations?.list(conversationId)) ?? [];
    if (list.length) return `registered: ${list.map((r) => `${r.reference} (${r.subproject})`).join(', ')}`;
    if (stored?.state.flow === 'register') return `registration in progress (step "${stored.state.step}")`;
    return 'not registered';
  }

  /** With a person, or asking for one: a turn; otherwise undefined and the assistant answers. */
  async function handoffTurn(
    msg: IncomingMessage,
    text: string,
    choice: string | undefined,
    lang: Lang,
    loaded: { stored?: StoredDialog; handoff?: HandoffCase },
  ): Promise<Turn | undefined> {
    const name = text.startsWith('/') ? parseCommand(text)[0] : undefined;
    const asks = name === 'human' || choice === 'handoff:open' || (!choice && !name && isHumanRequest(text));
    const desk = deps.handoffs;
    if (!desk) return asks ? turn('fallback', lang, [{ text: NO_DESK[lang] }], { confidence: 0 }) : undefined;
    const open = await desk.active(loaded.handoff);
    if (open) {
      if (name === 'bot' || isBackToBot(text)) return desk.leave(open, lang);
      // Erasing one's data works at any time: the case ends first.
      if (name === 'forget') {
        await desk.leave(open, lang);
        return undefined;
      }
      // Buttons and other commands stay here (a reloaded page sends /start): only words go to staff.
      if (choice || name) return desk.already(lang);
      return desk.fromUser(open, msg.contact ? '[shared a phone number]' : text, lang, asks);
    }
    if (name === 'bot') return desk.notWithStaff(lang);
    if (!asks) return undefined;
    misses.delete(msg.conversationId);
    return desk.request({
      conversationId: msg.conversationId,
      channel: msg.channel,
      lang,
      registration: await registrationLine(msg.conversationId, loaded.stored),
      privateChat: !msg.group,
    });
  }

  async function respond(
    msg: IncomingMessage,
    text: string,
    choice: string | undefined,
  ): Promise<DialogTurn> {
    const isQuestion = !choice && !text.startsWith('/');
    let loaded: Awaited<ReturnType<DialogEngine['load']>> = {};
    let dialogDown = false;
    if (dialog) {
      try {
        loaded = await dialog.load(msg.conversationId, msg.deliveryId);
      } catch (error) {
        report(error, 'loading the dialog');
        dialogDown = true;
      }
    }
    if (loaded.duplicate) return turn('duplicate', msg.lang ?? msg.langHint ?? 'zh', [], { confidence: 0 });
    // The language of the message, unless the user chose one; mid-dialog, answers to a step
    // ("Li Na", "中国科学院") keep the dialog's language, questions and requests get their own.
    const asks =
      isQuestion &&
      (!loaded.stored || looksLikeQuestion(text) || isRegisterRequest(text) || isTriageRequest(text));
    const lang =
      msg.lang ??
      (dialog ? loaded.lang : await storedLanguage(msg.conversationId)) ??
      (asks ? detectLanguage(text) : undefined) ??
      loaded.stored?.state.lang ??
      msg.langHint ??
      'zh';

    try {
      if (!dialogDown) {
        const withPerson = await handoffTurn(msg, text, choice, lang, loaded);
        if (withPerson) return withPerson;
      }
      if (dialog && loaded.stored) return await inDialog(msg, loaded.stored, lang);
      let result: Turn;
      if (dialogDown) {
        // Without the dialog store we cannot tell an answer to a step from a question: answer
        // what we surely can, and ask for a moment otherwise.
        const confident = isQuestion ? knowledgeAnswer(text, lang) : undefined;
        if (confident) return confident;
        if (isQuestion && GREETING.test(text)) return welcome(lang);
        return turn('fallback', lang, [{ text: dialogText.busy[lang] }], { confidence: 0 });
      }
      if (choice) result = await choose(msg, choice, lang);
      else if (text.startsWith('/')) {
        const [name, arg] = parseCommand(text);
        result = await command(msg, name, arg, lang);
      } else if (dialog && isCancel(text))
        result = turn('command', lang, [{ text: dialogText.nothingToCancel[lang] }]);
      else if (dialog && isRegisterRequest(text))
        result = await dialog.start(msg.conversationId, 'register', lang);
      else if (dialog && isTriageRequest(text))
        result = await dialog.start(msg.conversationId, 'triage', lang);
      else result = noteMiss(msg.conversationId, ask(text, lang), lang);
      if (loaded.expiredNotice) {
        result = { ...result, replies: [{ text: loaded.expiredNotice(lang) }, ...result.replies] };
      }
      return result;
    } catch (error) {
      // A dialog store that fails mid-turn: say so plainly; nothing confirmed is lost.
      report(error, 'running the dialog');
      return turn('fallback', lang, [{ text: dialogText.busy[lang] }], { confidence: 0 });
    }
  }

  return {
    async handle(msg: IncomingMessage): Promise<Turn> {
      const started = performance.now();
      const at = new Date();
      const text = (msg.text ?? '').trim();
      const choice = msg.choice?.trim();
      // Too many messages too fast: a friendly "slow down", not silence (and no database work).
      const limited = deps.rateLimiter && !deps.rateLimiter.take(msg.conversationId);
      const slowLang = msg.lang ?? msg.langHint ?? detectLanguage(text) ?? 'zh';
      const { redacted, forgotten, ...result }: DialogTurn = limited
        ? turn('command', slowLang, [{ text: messages.slowDown[slowLang] }])
        : await respond(msg, text, choice);

      if (deps.log && result.meta.kind !== 'duplicate') {
        const turnId = crypto.randomUUID();
        const base = {
          channel: msg.channel,
          conversationId: msg.conversationId,
          turnId,
          ...(forgotten ? { anonymous: true } : {}),
        };
        const latencyMs = Math.round(performance.now() - started);
        const inbound = redacted ?? (choice ? `[choice] ${choice}` : msg.contact ? '[contact]' : text);
        // The spread comes last (the keys differ): on Node 20, properties added after a spread give
        // each object a hidden class of its own, allocated where only a full collection frees it
        // (about 2.5 KB a turn for these two rows, measured).
        try {
          deps.log.record({ at, direction: 'in', text: inbound, lang: result.meta.lang, ...base });
          deps.log.record({
            at: new Date(),
            direction: 'out',
            // The review card repeats the user's answers: it stays out of the log like they do.
            text:
              result.meta.kind === 'dialog' && result.meta.field === 'confirm'
                ? '[review card]'
                : result.replies.map((r) => r.text).join('\n\n'),
            kind: result.meta.kind,
            sources: result.meta.sources,
            confidence: result.meta.confidence,
            lang: result.meta.lang,
            latencyMs,
            ...(result.meta.field ? { field: result.meta.field } : {}),
            ...base,
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

function parseCommand(text: string): [string, string | undefined] {
  const [name = '', arg] = text.slice(1).trim().split(/\s+/);
  return [name.toLowerCase().replace(/@.*$/, ''), arg];
}

function parseLang(value: string | undefined): Lang | undefined {
  const v = value?.trim().toLowerCase();
  if (!v) return undefined;
  if (['zh', 'cn', 'zh-cn', 'chinese', '中文', '汉语', '简体'].includes(v)) return 'zh';
  if (['en', 'english', '英文', '英语'].includes(v)) return 'en';
  return undefined;
}
