/**
 * The "handoff" step: a conversation with a person, or asking for one ("转人工", /human, the button
 * offered after three unanswered questions in a row). Otherwise undefined, and the assistant goes on.
 */

import type { Handoffs } from '../handoff.ts';
import { redactPersonal } from '../redact.ts';
import type { HandoffCase, IncomingMessage, Lang, RegistrationStore, StoredDialog, Turn } from '../types.ts';
import { choiceId, parseChoice } from './choice-id.ts';
import { parseCommand } from './commands.ts';
import { makeTurn } from './render.ts';

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

export function createHandoffStep(deps: {
  handoffs?: Handoffs;
  registrations?: RegistrationStore;
  /** Unanswered questions in a row per conversation (kept by the caller where it outlives the assistant). */
  misses: Map<string, number>;
}) {
  const { misses } = deps;
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
          choices: [{ id: choiceId.handoff, label: OFFER_PERSON.label[lang] }],
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

  /** Handoff step: with a person, or asking for one: a turn; otherwise undefined and the assistant goes on. */
  async function step(
    msg: IncomingMessage,
    text: string,
    choice: string | undefined,
    intent: string | undefined,
    lang: Lang,
    loaded: { stored?: StoredDialog; handoff?: HandoffCase },
  ): Promise<Turn | undefined> {
    const name = text.startsWith('/') ? parseCommand(text)[0] : undefined;
    const asks =
      name === 'human' ||
      (choice !== undefined && parseChoice(choice).kind === 'handoff') ||
      (!choice && !name && intent === 'human');
    const desk = deps.handoffs;
    if (!desk)
      return asks ? makeTurn('fallback', lang, [{ text: NO_DESK[lang] }], { confidence: 0 }) : undefined;
    const open = await desk.active(loaded.handoff);
    if (open) {
      if (name === 'bot' || intent === 'back-to-bot') return desk.leave(open, lang);
      // Erasing one's data works at any time: the case ends first.
      if (name === 'forget') {
        await desk.leave(open, lang);
        return undefined;
      }
      // Buttons and other commands stay here (a reloaded page sends /start): only words go to staff.
      if (choice || name) return desk.already(lang);
      // Staff see the user's words, without phone numbers, ID numbers or e-mail addresses in them.
      return desk.fromUser(open, msg.contact ? '[shared a phone number]' : redactPersonal(text), lang, asks);
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
      ...(msg.client ? { client: msg.client } : {}),
    });
  }

  return { step, noteMiss };
}
