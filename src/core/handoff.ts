/**
 * Handing a conversation to a person: a case per conversation, posted to the staff desk (Slack);
 * the user's messages go to the case's thread until they type /bot or staff close the case, and
 * staff replies come back to the user (pushed on Telegram, polled by the web page). Platform-neutral.
 */

import { failAfter } from '../lib/timeout.ts';
import { fill } from './dialog/messages.ts';
import { describeHours, type OfficeHours, officeStatus } from './office-hours.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import type {
  HandoffCase,
  HandoffOutcome,
  HandoffReply,
  HandoffStore,
  InteractionSink,
  Lang,
  StaffDesk,
  Turn,
  UserNotifier,
} from './types.ts';

const T = {
  opened: {
    zh: '我已把您的问题转给项目工作人员，工作人员会在这里直接回复您。工作时间：{hours}。',
    en: 'I have passed your question to the programme staff; a person will reply to you here. Office hours: {hours}.',
  },
  atWork: { zh: '现在是工作时间，请稍候。', en: 'They are at work now: please bear with us.' },
  nextOpening: {
    zh: '现在不是工作时间，预计{next}后回复。',
    en: 'It is outside office hours now, so expect a reply from {next}.',
  },
  howToLeave: {
    zh: '在此期间，您发送的消息会转给工作人员。输入 /bot 可随时回到智能助手。',
    en: 'Meanwhile, what you send goes to them. Type /bot to go back to the assistant at any time.',
  },
  already: {
    zh: '您已在与工作人员对话，您的消息会转给他们。输入 /bot 可回到智能助手。',
    en: 'You are already talking with the programme staff; your messages go to them. Type /bot to go back to the assistant.',
  },
  notPassed: {
    zh: '抱歉，您的消息暂时没能转给工作人员，请稍后再发一次。',
    en: 'Sorry, I could not pass that on to the staff just now. Please send it again in a moment.',
  },
  unavailable: {
    zh: '抱歉，现在无法联系到工作人员。请稍后再试，或继续向我提问。',
    en: 'Sorry, the programme staff cannot be reached just now. Please try again later, or ask me.',
  },
  busy: {
    zh: '工作人员现在很忙，暂时无法接收新的咨询。请稍后再试，或继续向我提问。',
    en: 'The programme staff are busy just now and cannot take new requests. Please try again later, or ask me.',
  },
  privateOnly: {
    zh: '为保护个人信息，请私聊我联系工作人员。',
    en: 'To keep your details private, please message me directly to reach the staff.',
  },
  staff: { zh: '工作人员：', en: 'Programme staff: ' },
  left: {
    zh: '您已回到智能助手，请继续提问。需要人工时输入 /human。',
    en: 'You are back with the assistant: ask me anything. Type /human if you need a person again.',
  },
  resolved: {
    zh: '工作人员已结束本次对话，您已回到智能助手。需要人工时输入 /human。',
    en: 'The programme staff closed this conversation, and you are back with the assistant. Type /human if you need a person again.',
  },
  returned: {
    zh: '工作人员已把对话交回智能助手，请继续向我提问。需要人工时输入 /human。',
    en: 'The programme staff handed you back to the assistant: ask me anything. Type /human if you need a person again.',
  },
  notWithStaff: {
    zh: '您正在与智能助手对话。需要人工时输入 /human。',
    en: 'You are talking with the assistant. Type /human if you need a person.',
  },
};

/** For staff, in the case's thread (the desk speaks English). */
const UNDELIVERED =
  ':warning: This reply could not be delivered to the user. Please send it again in a while.';
/** A case that has no thread this long after it opened was never posted. */
const STALE_MS = 30_000;

/**
 * A channel refused a staff reply for a reason staff can act on (the user is outside the window in
 * which the platform lets us write): its message, for staff, goes to the case.
 */
export class UndeliveredError extends Error {
  override name = 'UndeliveredError';
}

export interface HandoffDeps {
  store: HandoffStore;
  /** New cases a minute over every channel and server (counted in the store); default 10. */
  casesPerMinute?: number;
  /** New cases from one client address (web): default 3 an hour (in memory: per process or isolate). */
  perClient?: RateLimiter;
  /** A desk call a user's turn waits on gives up after this long (default 5 s): Slack down holds no one. */
  deskTimeoutMs?: number;
  desk: StaffDesk;
  hours: OfficeHours;
  /** Pushes a staff reply to users on channels that can receive one (Telegram). */
  notify?: UserNotifier;
  /** The conversation's last turns, for the case (redacted as logged). */
  recentTurns?: (
    conversationId: string,
    limit: number,
  ) => Promise<Array<{ direction: 'in' | 'out'; text: string }>>;
  log?: InteractionSink;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

export function createHandoffs(deps: HandoffDeps) {
  const now = deps.now ?? (() => new Date());
  const casesPerMinute = deps.casesPerMinute ?? 10;
  const deskMs = deps.deskTimeoutMs ?? 5_000;
  const desk = {
    open: (input: Parameters<StaffDesk['open']>[0]) =>
      failAfter(deps.desk.open(input), deskMs, 'opening a case'),
    post: (ref: string, text: string) => failAfter(deps.desk.post(ref, text), deskMs, 'posting to a case'),
    closed: (ref: string, outcome: HandoffOutcome, by?: string) =>
      failAfter(deps.desk.closed(ref, outcome, by), deskMs, 'noting a case closed'),
    note: (ref: string, text: string) => failAfter(deps.desk.note(ref, text), deskMs, 'noting on a case'),
  };
  const perClient = deps.perClient ?? createRateLimiter({ perMinute: 3 / 60, burst: 3 });
  const report = deps.onError ?? (() => {});
  const turn = (lang: Lang, texts: string[], confidence = 1): Turn => ({
    replies: texts.map((text) => ({ text })),
    meta: { kind: 'handoff', sources: [], confidence, lang },
  });
  /** No case now (staff busy or unreachable): a fallback, so that it counts as not answered. */
  const notNow = (lang: Lang, text: string): Turn => ({
    replies: [{ text }],
    meta: { kind: 'fallback', sources: [], confidence: 0, lang },
  });
  const command = (lang: Lang, text: string): Turn => ({
    replies: [{ text }],
    meta: { kind: 'command', sources: [], confidence: 1, lang },
  });

  /** Logs a message for the user and pushes it where it can be pushed (the web page polls). */
  async function deliver(handoff: HandoffCase, reply: HandoffReply) {
    deps.log?.record({
      at: reply.at,
      channel: handoff.channel,
      conversationId: handoff.conversationId,
      turnId: crypto.randomUUID(),
      direction: 'out',
      text: reply.text,
      kind: 'handoff',
      lang: handoff.lang,
    });
    try {
      await deps.notify?.(handoff.conversationId, reply.text);
    } catch (error) {
      // Kept in the store (the web page would still show it), but staff must know it did not go.
      report(error, 'sending a staff message to the user');
      if (handoff.deskRef) {
        // A channel that says why (WeChat's 48-hour window) is quoted; anything else is a failure.
        const note = error instanceof UndeliveredError ? `:warning: ${error.message}` : UNDELIVERED;
        await desk
          .note(handoff.deskRef, note)
          .catch((e: unknown) => report(e, 'noting an undelivered reply'));
      }
    }
  }

  /** A case without a thread this long after opening was never posted (the server stopped). */
  const stale = (handoff: HandoffCase) =>
    handoff.deskRef === null && now().getTime() - handoff.openedAt.getTime() > STALE_MS;

  return {
    /** A user asks for a person: open a case (or find the open one) and say what happens next. */
    async request(input: {
      conversationId: string;
      channel: string;
      lang: Lang;
      registration: string;
      privateChat: boolean;
      /** The sender's address (web), for the cap per address. */
      client?: string;
    }): Promise<Turn> {
      const { lang } = input;
      if (!input.privateChat) return command(lang, T.privateOnly[lang]);
      // A case already open is found again whatever the caps say; a new one must fit under them.
      const current = await deps.store.openFor(input.conversationId);
      if (!current) {
        const recent = await deps.store.openedSince(new Date(now().getTime() - 60_000));
        if (recent >= casesPerMinute || (input.client && !perClient.take(input.client)))
          return notNow(lang, T.busy[lang]);
      }
      const { handoff, created } = await deps.store.open(input.conversationId, input.channel, lang);
      // Open already, or being posted by another request right now: one case, one thread.
      if (!created) return turn(lang, [T.already[lang]]);
      try {
        const recent = deps.recentTurns ? await deps.recentTurns(input.conversationId, 6) : [];
        // The question is the user's last message before asking for a person (the request itself
        // is not logged yet); commands and redacted answers are not questions.
        const question =
          [...recent]
            .reverse()
            .find((r) => r.direction === 'in' && !r.text.startsWith('/') && !r.text.startsWith('['))?.text ??
          '';
        const deskRef = await desk.open({ handoff, question, registration: input.registration, recent });
        await deps.store.setDeskRef(handoff.id, deskRef);
      } catch (error) {
        report(error, 'opening a case on the staff desk');
        // It never reached anyone: gone, so that it counts nowhere and the user can ask again.
        await deps.store.discard(handoff.id).catch(() => {});
        return notNow(lang, T.unavailable[lang]);
      }
      const status = officeStatus(deps.hours, now());
      const when = status.open
        ? T.atWork[lang]
        : status.next
          ? fill(T.nextOpening[lang], { next: status.next[lang] })
          : '';
      return turn(lang, [
        `${fill(T.opened[lang], { hours: describeHours(deps.hours, lang) })}${lang === 'zh' ? '' : ' '}${when}\n\n${T.howToLeave[lang]}`,
      ]);
    },

    /**
     * A message while the case is open: to the thread. No answer from the bot, except a reminder
     * when the message asks for a person again.
     */
    async fromUser(handoff: HandoffCase, text: string, lang: Lang, asksAgain = false): Promise<Turn> {
      if (!text.trim()) return turn(lang, [T.already[lang]]);
      // The case is being posted this very moment: say so rather than drop the message.
      if (!handoff.deskRef) return turn(lang, [T.notPassed[lang]], 0);
      try {
        await desk.post(handoff.deskRef, text);
        return turn(lang, asksAgain ? [T.already[lang]] : []);
      } catch (error) {
        report(error, 'posting a user message to the staff desk');
        return turn(lang, [T.notPassed[lang]], 0);
      }
    },

    /** The user's /bot: the case ends, the assistant answers again. */
    async leave(handoff: HandoffCase, lang: Lang): Promise<Turn> {
      const closed = (await deps.store.close(handoff.id, 'left'))?.handoff;
      if (closed?.deskRef) {
        await desk.closed(closed.deskRef, 'left').catch((error) => report(error, 'noting a case closed'));
      }
      return command(lang, T.left[lang]);
    },

    notWithStaff: (lang: Lang) => command(lang, T.notWithStaff[lang]),
    /**
     * The open case as read with the turn, unless it was never posted (its server stopped first):
     * that one is dropped, and the conversation is the bot's again.
     */
    async active(handoff: HandoffCase | undefined): Promise<HandoffCase | undefined> {
      if (!handoff || !stale(handoff)) return handoff;
      await deps.store.discard(handoff.id);
      return undefined;
    },
    already: (lang: Lang) => turn(lang, [T.already[lang]]),

    /**
     * A staff message in a case's thread: relayed to the user once (`sourceId` is the message's
     * id on the desk). Messages in threads that are no open case are ignored.
     */
    async fromStaff(
      deskRef: string,
      sourceId: string,
      text: string,
    ): Promise<'relayed' | 'repeat' | 'ignored'> {
      const handoff = await deps.store.byDeskRef(deskRef);
      if (!handoff || !text.trim()) return 'ignored';
      const reply = await deps.store.addReply(handoff, sourceId, `${T.staff[handoff.lang]}${text.trim()}`);
      if (!reply) return 'repeat'; // seen before (relayed once), or the case closed meanwhile
      await deliver(handoff, reply);
      return 'relayed';
    },

    /** Staff close the case (resolved) or hand the user back to the bot; false if it was not open. */
    /** The open case posted at this place on the desk. */
    caseAt: (deskRef: string) => deps.store.byDeskRef(deskRef),

    async closeByStaff(
      id: string,
      outcome: Exclude<HandoffOutcome, 'left'>,
      by: string,
      /** Where the button was pressed: the case must be the one posted there. */
      at?: string,
    ): Promise<boolean> {
      const case_ = await deps.store.byId(id);
      if (!case_?.open) return false;
      if (at !== undefined && case_.deskRef !== at) {
        report(new Error(`case ${id} is not the one posted at ${at}`), 'closing a case from a button');
        return false;
      }
      const result = await deps.store.close(id, outcome, {
        sourceId: `closed:${id}`,
        text: T[outcome][case_.lang],
      });
      if (!result) return false;
      const closed = result.handoff;
      if (result.notice) await deliver(closed, result.notice);
      if (closed.deskRef) {
        await desk
          .closed(closed.deskRef, outcome, by)
          .catch((error) => report(error, 'noting a case closed'));
      }
      return true;
    },

    /** What the web page polls: messages for the user after `afterId`, and whether staff are on. */
    messages(conversationId: string, afterId: string): Promise<{ open: boolean; replies: HandoffReply[] }> {
      return deps.store.replies(conversationId, afterId, 50);
    },
  };
}

export type Handoffs = ReturnType<typeof createHandoffs>;
