/**
 * The assistant: one turn in, one turn out, the same for every channel. Platform-neutral: no HTTP,
 * no platform SDKs, no env; storage only through the interfaces it is given.
 *
 * A turn is a short pipeline: limit → begin (claim the delivery, read the dialog, the language,
 * an open handoff and the conversation's last subject, in one round trip) → understand → route →
 * handoff | dialog | command | answer → log. Each step lives in src/core/turn/.
 */
import type { KnowledgeBase } from '../knowledge/schema.ts';
import { withTimeout } from '../lib/timeout.ts';
import {
  createDialogEngine,
  type DialogControl,
  type DialogEngine,
  type DialogTurn,
} from './dialog/engine.ts';
import { dialogText } from './dialog/messages.ts';
import type { Handoffs } from './handoff.ts';
import { messages } from './messages.ts';
import { detectLanguage } from './normalize.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { TaughtIndex } from './taught-index.ts';
import { createAnswerStep } from './turn/answer.ts';
import { parseChoice } from './turn/choice-id.ts';
import { createCommands, parseCommand, preset } from './turn/commands.ts';
import { createHandoffStep } from './turn/handoff.ts';
import { createInDialog } from './turn/in-dialog.ts';
import { logTurn } from './turn/log.ts';
import { createRender, makeTurn } from './turn/render.ts';
import type {
  ConversationSubject,
  DialogStore,
  IncomingMessage,
  InteractionSink,
  Lang,
  PreferenceStore,
  RegistrationStore,
  Turn,
} from './types.ts';
import { createUnderstand, type Understand, type Understood } from './understanding/understand.ts';

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
  /** A follow-up refers to the last subject only this long after it (default 30 minutes). */
  contextTtlMs?: number;
  log?: InteractionSink;
  /** The analysis tables and intent classifier (built once where the runtime allows: Workers per isolate). */
  understand?: Understand;
  /** A preference lookup slower than this is skipped: answers never wait on a slow database. */
  preferenceTimeoutMs?: number;
  /** Topics offered when nothing matched (ids). */
  mainTopics?: string[];
  now?: () => Date;
  /** Messages beyond the limit get a friendly "slow down" instead of an answer. */
  rateLimiter?: RateLimiter;
  /** New registrations per client address (kept by the caller where it outlives the assistant). */
  registrationsPerClient?: RateLimiter;
  /** Handing conversations to a person (needs the dialog store, which reads open cases). */
  handoffs?: Handoffs;
  /** Unanswered questions in a row per conversation (kept by the caller where it outlives the assistant). */
  misses?: Map<string, number>;
  /** What staff taught, searched where the shipped knowledge has no answer (swapped when it changes). */
  taught?: () => TaughtIndex | undefined;
  onError?: (error: unknown, context: string) => void;
}

const DEFAULT_TOPICS = ['overview', 'subprojects', 'priority-fields', 'how-to-take-part'];
/** A subject told again this soon is not written again. */
const CONTEXT_REFRESH_MS = 5 * 60_000;
const CONTROLS: ReadonlySet<string> = new Set(['cancel', 'back', 'help', 'skip']);

export function createAssistant(deps: AssistantDeps) {
  const understanding = deps.understand ?? createUnderstand(deps.knowledge);
  const { retriever, threshold } = understanding;
  const report = deps.onError ?? (() => {});
  const now = deps.now ?? (() => new Date());
  const contextTtl = deps.contextTtlMs ?? 30 * 60_000;
  const render = createRender(deps.knowledge.entries, deps.mainTopics ?? DEFAULT_TOPICS);
  const dialogsEnabled = Boolean(deps.dialogs && deps.registrations);
  const answers = createAnswerStep({
    knowledge: deps.knowledge,
    render,
    retriever,
    threshold,
    dialogs: dialogsEnabled,
    ...(deps.taught ? { taught: deps.taught } : {}),
  });

  const intentOf = (text: string) => understanding.intent(text)?.intent;
  /** What the knowledge says to a question on its own (no conversation): an answer or a fallback. */
  const answerTo = (text: string, lang: Lang) => answers.answer(understanding.understand(text), text, lang);
  /** A confident answer from the knowledge base, or undefined (questions asked mid-dialog). */
  const knowledgeAnswer = (text: string, lang: Lang): Turn | undefined => {
    const turn = answerTo(text, lang);
    return turn.meta.kind === 'answer' ? turn : undefined;
  };
  const dialog: DialogEngine | undefined =
    deps.dialogs && deps.registrations
      ? createDialogEngine({
          dialogs: deps.dialogs,
          registrations: deps.registrations,
          answer: knowledgeAnswer,
          unanswered: (text, lang) => {
            const turn = answerTo(text, lang);
            return turn.meta.kind === 'fallback' ? turn : undefined;
          },
          reason: (subproject, lang) =>
            ['audience', 'people-per-year']
              .flatMap((a) => understanding.facts.lookup([subproject], a, 'new').facts)
              .map((f) => f.fact.text[lang])
              .join(lang === 'zh' ? '' : ' '),
          control: (text) => {
            const intent = intentOf(text);
            return intent && CONTROLS.has(intent) ? (intent as DialogControl) : undefined;
          },
          asks: (text) => understanding.asks(text),
          ...(deps.registrationsPerClient ? { perClient: deps.registrationsPerClient } : {}),
          ...(deps.dialogTtlMs ? { ttlMs: deps.dialogTtlMs } : {}),
          ...(deps.retentionDays ? { retentionDays: deps.retentionDays } : {}),
          ...(deps.now ? { now: deps.now } : {}),
        })
      : undefined;
  const parseLang = (value: string): Lang | undefined => {
    const intent = intentOf(value);
    return intent === 'lang-zh' ? 'zh' : intent === 'lang-en' ? 'en' : undefined;
  };
  const commands = createCommands({
    render,
    answers,
    preferences: deps.preferences,
    dialog,
    parseLang,
    report,
  });
  const inDialog = dialog
    ? createInDialog({
        dialog,
        commands,
        answers,
        render,
        smallTalk: (text) => ['greeting', 'thanks'].includes(intentOf(text) ?? ''),
        // "can i get on the list?" mid-dialog (not "报名高研班", an answer to the sub-project step).
        asksToRegister: (text) => {
          const reading = understanding.read(text);
          return reading.intent?.intent === 'register' && !reading.subproject;
        },
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

  const people = createHandoffStep({
    ...(deps.handoffs ? { handoffs: deps.handoffs } : {}),
    ...(deps.registrations ? { registrations: deps.registrations } : {}),
    misses: deps.misses ?? new Map<string, number>(),
  });

  /** Route step for words outside a dialog: an intent acted on, or the question answered. */
  async function route(
    msg: IncomingMessage,
    text: string,
    understood: Understood,
    lang: Lang,
    context?: ConversationSubject,
  ): Promise<Turn> {
    const intent = understood.intent?.intent;
    switch (intent) {
      case 'greeting':
        return render.welcome(lang);
      case 'thanks':
        return render.text('command', lang, messages.thanks[lang]);
      case 'help':
        return render.welcome(lang, messages.help[lang]);
      case 'lang-zh':
      case 'lang-en':
        return commands.switchLanguage(msg, intent === 'lang-zh' ? 'zh' : 'en', lang, commands.welcomeIn);
    }
    if (dialog) {
      if (intent === 'cancel') return render.text('command', lang, dialogText.nothingToCancel[lang]);
      // A question about a detail the sources do not give ("will I get a place?", "the deadline to
      // apply?") is answered, even where it reads like a request; a statement ("…我叫王磊，在南宁工作")
      // asks nothing.
      const { parts } = understood.resolution;
      const unpublished =
        understood.analysis.clauses.some((c) => c.asks) &&
        parts.some((p) => p.kind === 'unpublished' && p.attributes.some((a) => !a.published));
      // A letter that asks a question besides signing up is answered (with a button to pre-register).
      const part = understood.intent?.part;
      const elsewhere = understood.analysis.clauses.some(
        (c) => c.asks && (c.end <= (part?.start ?? 0) || c.start >= (part?.end ?? 0)),
      );
      const answered = part && elsewhere && parts.some((p) => p.kind !== 'unpublished');
      if (intent === 'register' && !unpublished && !answered) {
        // "Sign me up for it": the sub-project named, or the one just talked about.
        const subproject =
          understood.subproject ??
          (understood.analysis.refersBack ? context?.entities.find(isSubproject) : undefined);
        return dialog.start(msg.conversationId, 'register', lang, preset(subproject ? { subproject } : {}));
      }
      // "Which sub-project suits me?": told about their work, they get the answer at once.
      if (intent === 'triage' && !understood.resolution.parts.some((p) => p.kind === 'persona'))
        return dialog.start(msg.conversationId, 'triage', lang);
    }
    return people.noteMiss(msg.conversationId, answers.answer(understood, text, lang), lang);
  }
  const isSubproject = (id: string) =>
    deps.knowledge.entities.some((e) => e.id === id && e.type === 'subproject');

  /** Remembers what the conversation is about now, when that changed (a failure only loses the follow-up). */
  async function remember(
    conversationId: string,
    subject: ConversationSubject | undefined,
    before: { subject: ConversationSubject; at: Date } | undefined,
  ): Promise<void> {
    if (!subject || !deps.dialogs) return;
    const same = before && JSON.stringify(before.subject) === JSON.stringify(subject);
    if (same && now().getTime() - before.at.getTime() < CONTEXT_REFRESH_MS) return;
    try {
      await deps.dialogs.setContext(conversationId, subject);
    } catch (error) {
      report(error, 'saving the conversation subject');
    }
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
    if (loaded.duplicate)
      return makeTurn('duplicate', msg.lang ?? msg.langHint ?? 'zh', [], { confidence: 0 });
    const fresh =
      loaded.context && now().getTime() - loaded.context.at.getTime() <= contextTtl
        ? loaded.context
        : undefined;
    // Understand: what the words say and ask (pure computation, no I/O); the answer's parts only
    // where there is no dialog waiting for an answer to a step.
    const reading = isQuestion && text ? understanding.read(text) : undefined;
    const intent = reading?.intent?.intent;
    // The language of the message, unless the user chose one; mid-dialog, answers to a step
    // ("Li Na", "中国科学院") keep the dialog's language, questions and requests get their own.
    const asks =
      isQuestion &&
      (!loaded.stored ||
        reading?.analysis.clauses.some((c) => c.asks) ||
        intent === 'register' ||
        intent === 'triage');
    const lang =
      msg.lang ??
      (dialog ? loaded.lang : await storedLanguage(msg.conversationId)) ??
      (asks ? (reading?.analysis.lang ?? detectLanguage(text)) : undefined) ??
      loaded.stored?.state.lang ??
      msg.langHint ??
      'zh';

    // In a group, members would answer for each other and see each other's review card: personal
    // dialogs run in private chats only, and a dialog of the group itself is never resumed.
    if (msg.group) {
      loaded = { ...loaded, stored: undefined };
      const [name = '', arg] = text.startsWith('/') ? parseCommand(text) : [];
      const pressed = choice ? parseChoice(choice).kind : undefined;
      const personal =
        pressed === 'start' ||
        pressed === 'dialog' ||
        ['register', 'forget', 'status', 'cancel'].includes(name) ||
        (name === 'start' && Boolean(arg)) ||
        (!choice && !name && (intent === 'register' || intent === 'triage'));
      if (personal) {
        const link = msg.privateLink ? ` ${msg.privateLink}` : '';
        return render.text('command', lang, `${messages.privateDialog[lang]}${link}`);
      }
    }
    try {
      if (!dialogDown) {
        const withPerson = await people.step(msg, text, choice, intent, lang, loaded);
        if (withPerson) return withPerson;
      }
      if (inDialog && loaded.stored) return await inDialog(msg, loaded.stored, lang);
      if (dialogDown) {
        // Without the dialog store we cannot tell an answer to a step from a question: answer
        // what we surely can, and ask for a moment otherwise.
        const confident = isQuestion ? knowledgeAnswer(text, lang) : undefined;
        if (confident) return confident;
        if (intent === 'greeting') return render.welcome(lang);
        return makeTurn('fallback', lang, [{ text: dialogText.busy[lang] }], { confidence: 0 });
      }
      let result: Turn;
      if (choice) {
        result = await commands.choose(msg, choice, lang);
        const topic = parseChoice(choice);
        const entry = topic.kind === 'topic' ? render.byId.get(topic.topic) : undefined;
        if (entry) await remember(msg.conversationId, { entities: [entry.about] }, fresh);
      } else if (text.startsWith('/')) {
        const [name, arg] = parseCommand(text);
        result = await commands.command(msg, name, arg, lang);
      } else if (reading) {
        const understood = understanding.understand(text, fresh?.subject);
        result = await route(msg, text, understood, lang, fresh?.subject);
        if (result.meta.kind === 'answer' || result.meta.kind === 'fallback')
          await remember(msg.conversationId, understood.resolution.subject, fresh);
      } else result = render.welcome(lang);
      if (loaded.expiredNotice) {
        result = { ...result, replies: [{ text: loaded.expiredNotice(lang) }, ...result.replies] };
      }
      return result;
    } catch (error) {
      // A dialog store that fails mid-turn: say so plainly; nothing confirmed is lost.
      report(error, 'running the dialog');
      return makeTurn('fallback', lang, [{ text: dialogText.busy[lang] }], { confidence: 0 });
    }
  }

  return {
    async handle(msg: IncomingMessage): Promise<Turn> {
      const timing = { started: performance.now(), at: new Date() };
      const text = (msg.text ?? '').trim();
      const choice = msg.choice?.trim();
      // Too many messages too fast: a friendly "slow down", not silence (and no database work).
      const limited = deps.rateLimiter && !deps.rateLimiter.take(msg.conversationId);
      const slowLang = msg.lang ?? msg.langHint ?? detectLanguage(text) ?? 'zh';
      // A message not read is not stored either (it may answer a personal step).
      const result: DialogTurn = limited
        ? {
            ...render.text('command', slowLang, messages.slowDown[slowLang]),
            redacted: '[not read: too many messages]',
          }
        : await respond(msg, text, choice);
      if (deps.log && result.meta.kind !== 'duplicate') {
        try {
          logTurn(deps.log, msg, result, timing);
        } catch (error) {
          report(error, 'logging the interaction');
        }
      }
      const { redacted: _r, forgotten: _f, author: _a, ...turn } = result;
      return turn;
    },
    /**
     * Whether a question, asked now, is answered (shipped or taught knowledge): a gap that staff
     * filled leaves their list of unanswered questions.
     */
    answers(text: string): boolean {
      return knowledgeAnswer(text, detectLanguage(text) ?? 'zh') !== undefined;
    },
    /** Knowledge entries, for the web page's topic list and health checks. */
    entries: deps.knowledge.entries,
  };
}

export type Assistant = ReturnType<typeof createAssistant>;
