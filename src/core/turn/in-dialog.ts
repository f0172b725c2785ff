/**
 * The "dialog" step: a message while a registration, triage or /forget dialog waits. Dialog
 * commands and answers go to it; anything else is handled and the step asked again.
 */
import type { DialogEngine, DialogTurn } from '../dialog/engine.ts';
import { dialogText } from '../dialog/messages.ts';
import { messages } from '../messages.ts';
import type { IncomingMessage, Lang, Reply, StoredDialog } from '../types.ts';
import type { AnswerStep } from './answer.ts';
import { parseChoice } from './choice-id.ts';
import { type Commands, parseCommand } from './commands.ts';
import type { Render } from './render.ts';

export function createInDialog(deps: {
  dialog: DialogEngine;
  commands: Commands;
  answers: AnswerStep;
  render: Render;
  /** Greetings and thanks are not answers to a step. */
  smallTalk: (text: string) => boolean;
  /** Asks to sign up (like /register), in words that answer no step. */
  asksToRegister: (text: string) => boolean;
}) {
  const { dialog, commands } = deps;

  return async function inDialog(
    msg: IncomingMessage,
    stored: StoredDialog,
    lang: Lang,
  ): Promise<DialogTurn> {
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
          return commands.switchLanguage(msg, arg, lang, resumeIn);
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
    const c = choice ? parseChoice(choice) : undefined;
    if (c && c.kind !== 'dialog') {
      if (c.kind === 'lang') return commands.switchLanguage(msg, c.lang, lang, resumeIn);
      // Another dialog's button: finish or cancel this one first (its answers are kept).
      if (c.kind === 'start') return again([dialogText.finishFirst[lang]]);
      const entry = c.kind === 'topic' ? deps.render.byId.get(c.topic) : undefined;
      if (entry) {
        const asked = again([]);
        return { ...asked, replies: [deps.answers.topic(entry, lang).replies[0] as Reply, ...asked.replies] };
      }
      return again([dialogText.staleMenu[lang]]);
    }
    if (text && deps.smallTalk(text)) return again([dialogText.resume[lang]]);
    if (text && !choice && deps.asksToRegister(text)) {
      if (stored.state.flow === 'register') return again([dialogText.resume[lang]]);
      if (stored.state.flow === 'triage') return dialog.start(id, 'register', lang, {}, stored);
    }
    return dialog.step(
      id,
      msg.channel,
      {
        ...(text ? { text } : {}),
        ...(choice ? { choice } : {}),
        ...(msg.contact ? { contact: msg.contact } : {}),
        ...(msg.client ? { client: msg.client } : {}),
      },
      lang,
      stored,
    );
  };
}
