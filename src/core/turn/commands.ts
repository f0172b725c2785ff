/**
 * The "command" step: slash commands (/start, /help, /lang, /register, /status, /forget) and
 * buttons, the same with or without a dialog in progress.
 */
import { withTimeout } from '../../lib/timeout.ts';
import type { DialogEngine } from '../dialog/engine.ts';
import { dialogText } from '../dialog/messages.ts';
import { FIELDS, SUBPROJECTS, TITLES } from '../dialog/options.ts';
import { languageNames, messages } from '../messages.ts';
import type { DialogState, IncomingMessage, Lang, PreferenceStore, Turn } from '../types.ts';
import type { AnswerStep } from './answer.ts';
import { choiceId, parseChoice } from './choice-id.ts';
import { makeTurn, type Render } from './render.ts';

export function createCommands(deps: {
  render: Render;
  answers: AnswerStep;
  preferences: PreferenceStore;
  dialog: DialogEngine | undefined;
  /** Reads a language name ("en", "中文", "English"). */
  parseLang: (value: string) => Lang | undefined;
  report: (error: unknown, context: string) => void;
}) {
  const { render, dialog } = deps;

  async function setLanguage(conversationId: string, lang: Lang): Promise<void> {
    try {
      await withTimeout(deps.preferences.setLanguage(conversationId, lang), 2_000);
    } catch (error) {
      // The reply still switches language; only remembering it failed.
      deps.report(error, 'saving the language preference');
    }
  }

  /** /lang and the language buttons: remember the choice; then `then` renders in that language. */
  async function switchLanguage(
    msg: IncomingMessage,
    value: string | undefined,
    lang: Lang,
    then: (wanted: Lang) => Turn,
  ): Promise<Turn> {
    const wanted = value ? deps.parseLang(value) : undefined;
    if (!wanted) return languageChoices(lang);
    await setLanguage(msg.conversationId, wanted);
    return then(wanted);
  }
  const welcomeIn = (wanted: Lang) => render.welcome(wanted, messages.languageSet[wanted]);

  const languageChoices = (lang: Lang) =>
    makeTurn('command', lang, [
      {
        text: messages.chooseLanguage[lang],
        choices: (['zh', 'en'] as const).map((l) => ({ id: choiceId.lang(l), label: languageNames[l] })),
      },
    ]);

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
        return render.welcome(lang);
      case 'help':
        return render.welcome(lang, messages.help[lang]);
      case 'lang':
      case 'language':
        return switchLanguage(msg, arg, lang, welcomeIn);
      default:
        if (dialog) {
          if (name === 'register') return dialog.start(msg.conversationId, 'register', lang);
          if (name === 'cancel') return render.text('command', lang, dialogText.nothingToCancel[lang]);
          if (name === 'status')
            return render.text('command', lang, await dialog.status(msg.conversationId, lang));
          if (name === 'forget') return dialog.start(msg.conversationId, 'forget', lang);
        }
        return render.welcome(lang, messages.unknownCommand[lang]);
    }
  }

  async function choose(msg: IncomingMessage, choice: string, lang: Lang): Promise<Turn> {
    const c = parseChoice(choice);
    switch (c.kind) {
      case 'topic': {
        const entry = render.byId.get(c.topic);
        if (entry) return deps.answers.topic(entry, lang);
        break;
      }
      case 'lang':
        return switchLanguage(msg, c.lang, lang, welcomeIn);
      case 'start':
        if (!dialog) break;
        return dialog.start(msg.conversationId, c.flow, lang, c.flow === 'register' ? preset(c.preset) : {});
      case 'dialog':
        if (dialog) return dialog.alreadyDone(msg.conversationId, lang, choice);
        break;
      case 'help':
        return render.welcome(lang, messages.help[lang]);
    }
    return render.welcome(lang, messages.expiredChoice[lang]);
  }

  return { command, choose, switchLanguage, welcomeIn };
}

export type Commands = ReturnType<typeof createCommands>;

/** A recommendation's button carries answers already given: only known ids are taken. */
export function preset(given: { subproject?: string; title?: string; field?: string }): DialogState['data'] {
  const data: DialogState['data'] = {};
  if (SUBPROJECTS.some((o) => o.id === given.subproject && o.id !== 'undecided'))
    data.subproject = given.subproject ?? null;
  if (TITLES.some((o) => o.id === given.title)) data.title = given.title ?? null;
  if (FIELDS.some((o) => o.id === given.field)) data.field = given.field ?? null;
  return data;
}

export function parseCommand(text: string): [string, string | undefined] {
  const [name = '', arg] = text.slice(1).trim().split(/\s+/);
  return [name.toLowerCase().replace(/@.*$/, ''), arg];
}
