/**
 * Runs the dialogs of flows.ts over a DialogStore: one message in, one turn out. Each step is
 * computed from the stored state and written back only if nobody changed it meanwhile (optimistic
 * concurrency); on a conflict the message is applied again to the newer state.
 */
import type { RateLimiter } from '../rate-limit.ts';
import { choiceId, parseChoice } from '../turn/choice-id.ts';
import type {
  Choice,
  DialogState,
  DialogStore,
  HandoffCase,
  Lang,
  RegistrationData,
  RegistrationStore,
  StoredDialog,
  Turn,
  TurnStart,
} from '../types.ts';
import { FLOWS, type FlowDef, type FlowId, recommend, type StepDef, YES_NO } from './flows.ts';
import { fill, dialogText as T } from './messages.ts';
import { matchOption, SUBPROJECTS } from './options.ts';
import { maskPhone } from './validate.ts';

export interface DialogInput {
  text?: string;
  choice?: string;
  contact?: { phone: string; own: boolean };
  /** The sender's address (web), for the cap on new registrations per address. */
  client?: string;
}

export interface DialogDeps {
  dialogs: DialogStore;
  registrations: RegistrationStore;
  /** Answers a question asked mid-dialog, or undefined when it is not a confident question. */
  answer: (text: string, lang: Lang) => Turn | undefined;
  /**
   * What the assistant says of a question it cannot answer ("the sources do not give the
   * deadline"): for a text phrased as a question, which is then never taken as the step's answer.
   */
  unanswered?: (text: string, lang: Lang) => Turn | undefined;
  /** Why a sub-project suits someone, from the facts (whom it is for, how many it trains). */
  reason: (subproject: string, lang: Lang) => string;
  /** A dialog's control word in a typed answer ("cancel", "上一步", "跳过"), if that is all it says. */
  control: (text: string) => DialogControl | undefined;
  /** Does a typed text read as a question (rather than a name, an employer or a title)? */
  asks: (text: string) => boolean;
  /** New registrations per client address (an update of one's own is never held back). */
  perClient?: RateLimiter;
  /** Unfinished dialogs expire after this long (default 7 days). */
  ttlMs?: number;
  /** Registrations are deleted this many days after their last update (told in the consent notice). */
  retentionDays?: number;
  now?: () => Date;
}

export type DialogControl = 'cancel' | 'back' | 'help' | 'skip';

/** What the dialog turn consumed, so the caller can keep personal data out of the log. */
export interface DialogTurn extends Turn {
  /** The inbound text was an answer to a personal-data step: log this instead of it. */
  redacted?: string;
  /** The user's data was just deleted: log this turn without linking it to the conversation. */
  forgotten?: boolean;
  /** An answer from a staff-taught entry: its author and version, logged and never shown. */
  author?: string;
}

const MAX_TRIES = 3;
const RETRIES = 12;
const DAY = 86_400_000;

export class DialogUnavailableError extends Error {
  override name = 'DialogUnavailableError';
}

export function createDialogEngine(deps: DialogDeps) {
  const ttl = deps.ttlMs ?? 7 * DAY;
  const now = deps.now ?? (() => new Date());

  const stepsOf = (flow: FlowDef, data: DialogState['data']) =>
    flow.steps.filter((s) => !s.when || s.when(data));
  const stepDef = (state: DialogState) => FLOWS[state.flow].steps.find((s) => s.id === state.step);
  /** The answers a review card shows and can edit (consent is not an answer). */
  const editable = (state: DialogState) =>
    stepsOf(FLOWS[state.flow], state.data).filter((s) => s.id !== 'consent');

  // ---- rendering ---------------------------------------------------------------------------

  function stepChoices(step: StepDef, state: DialogState, lang: Lang): Choice[] {
    const choices: Choice[] = (step.options ?? []).map((o) => ({
      id: choiceId.dialog(step.id, o.id),
      label: o[lang],
    }));
    const canSkip = step.optional || (!step.required && state.attempts >= MAX_TRIES);
    if (canSkip) choices.push({ id: choiceId.dialog(step.id, 'skip'), label: T.skip[lang] });
    if (state.attempts >= MAX_TRIES)
      choices.push({ id: choiceId.dialog(step.id, 'help'), label: T.help[lang] });
    const first = stepsOf(FLOWS[state.flow], state.data)[0]?.id === step.id;
    if (!first && state.flow !== 'forget')
      choices.push({ id: choiceId.dialog(step.id, 'back'), label: T.back[lang] });
    if (state.flow === 'register' && !step.stop)
      choices.push({ id: choiceId.dialog(step.id, 'cancel'), label: T.cancel[lang] });
    return choices;
  }

  function show(step: StepDef, value: string | null | undefined, lang: Lang): string {
    if (value === null || value === undefined) return T.skipped[lang];
    return step.show ? step.show(value, lang) : value;
  }

  function reviewCard(state: DialogState, lang: Lang): Turn {
    const steps = editable(state);
    const lines = steps.map((s) => `• ${fieldLabel(s, lang)}: ${show(s, state.data[s.id], lang)}`);
    const choices: Choice[] = [
      { id: choiceId.dialog('review', 'confirm'), label: T.confirm[lang] },
      ...steps.map((s) => ({
        id: choiceId.dialog('review', 'edit', s.id),
        label: `${T.edit[lang]}: ${fieldLabel(s, lang)}`,
      })),
      { id: choiceId.dialog('review', 'cancel'), label: T.cancel[lang] },
    ];
    return dialogTurn(lang, 'confirm', [
      { text: `${T.review[lang]}\n${lines.join('\n')}\n\n${T.reviewHint[lang]}`, choices },
    ]);
  }

  /** The turn that asks for the current step (with an optional lead-in). */
  function ask(state: DialogState, lang: Lang, lead: string[] = []): Turn {
    if (state.step === 'review') {
      const card = reviewCard(state, lang);
      return lead.length ? { ...card, replies: [{ text: lead.join('\n\n') }, ...card.replies] } : card;
    }
    if (state.step === 'replace') return replacePrompt(state, lang, lead);
    const step = stepDef(state);
    if (!step) throw new Error(`unknown step ${state.flow}/${state.step}`);
    const prompt = fill(step.prompt[lang], {
      days: String(deps.retentionDays ?? 365),
      dialogDays: formatDays(ttl / DAY),
    });
    const text = [...lead, prompt].join('\n\n');
    return dialogTurn(lang, step.field, [{ text, choices: stepChoices(step, state, lang) }]);
  }

  function replacePrompt(state: DialogState, lang: Lang, lead: string[]): Turn {
    const subproject = SUBPROJECTS.find((s) => s.id === state.data.subproject)?.[lang] ?? '';
    const text = fill(T.replaceAsk[lang], {
      subproject,
      ref: state.data.replace_ref ?? '',
      date: state.data.replace_date ?? '',
    });
    return dialogTurn(lang, 'confirm', [
      {
        text: [...lead, text].join('\n\n'),
        choices: [
          { id: choiceId.dialog('replace', 'yes'), label: T.replaceYes[lang] },
          { id: choiceId.dialog('replace', 'no'), label: T.replaceNo[lang] },
        ],
      },
    ]);
  }

  // ---- transitions (pure) ----------------------------------------------------------------

  type Outcome =
    | { kind: 'save'; state: DialogState; lead?: string[] }
    | { kind: 'end'; text: string; choices?: Choice[] }
    | { kind: 'confirm'; state: DialogState; replace: boolean }
    | { kind: 'finish'; state: DialogState }
    | { kind: 'question'; turn: Turn };

  function next(state: DialogState, from: string): DialogState {
    const flow = FLOWS[state.flow];
    if (state.editing) return { ...state, step: 'review', attempts: 0, editing: false };
    const steps = stepsOf(flow, state.data);
    const at = steps.findIndex((s) => s.id === from);
    // Answers given up front (a recommendation's sub-project) are not asked again.
    const following = steps.slice(at + 1).find((s) => state.data[s.id] === undefined);
    if (following) return { ...state, step: following.id, attempts: 0 };
    return { ...state, step: flow.review ? 'review' : 'done', attempts: 0 };
  }

  function previous(state: DialogState): DialogState {
    if (state.editing) return { ...state, step: 'review', attempts: 0, editing: false };
    const steps = stepsOf(FLOWS[state.flow], state.data);
    if (state.step === 'review' || state.step === 'replace') {
      return { ...state, step: steps[steps.length - 1]?.id ?? state.step, attempts: 0, editing: false };
    }
    const at = steps.findIndex((s) => s.id === state.step);
    return { ...state, step: steps[Math.max(0, at - 1)]?.id ?? state.step, attempts: 0, editing: false };
  }

  function failed(state: DialogState, error: string, lang: Lang): Outcome {
    const attempts = state.attempts + 1;
    const step = stepDef(state);
    const lead = [error];
    if (attempts >= MAX_TRIES)
      lead.push(step?.required ? T.tooManyTriesRequired[lang] : T.tooManyTries[lang]);
    return { kind: 'save', state: { ...state, attempts }, lead };
  }

  function accept(state: DialogState, step: StepDef, value: string | null, lang: Lang): Outcome {
    if (step.stop && value === step.stop.value) return { kind: 'end', text: step.stop.message[lang] };
    if (step.id === 'subproject' && value === 'undecided') {
      // "Help me choose": recommend from the answers so far, then ask again.
      const picks = recommend(state.data);
      const lead = [T.triageIntro[lang], ...picks.map((p) => `• ${deps.reason(p, lang)}`)].join('\n');
      return { kind: 'save', state: { ...state, attempts: 0 }, lead: [lead] };
    }
    const updated = next({ ...state, data: { ...state.data, [step.id]: value } }, step.id);
    if (updated.step === 'done') return { kind: 'finish', state: updated };
    return { kind: 'save', state: updated };
  }

  function transition(state: DialogState, input: DialogInput, lang: Lang): Outcome {
    const text = input.text?.trim() ?? '';
    const pressed = input.choice ? parseChoice(input.choice) : undefined;
    const choice = pressed?.kind === 'dialog' ? pressed : undefined;
    const control = !input.choice && text ? deps.control(text) : undefined;

    if (input.choice && !choice) return { kind: 'save', state, lead: [T.staleMenu[lang]] };
    if (state.flow === 'forget' && (choice?.value === 'cancel' || control === 'cancel')) {
      return { kind: 'finish', state: { ...state, data: { ...state.data, confirm: 'no' } } };
    }
    if (choice?.value === 'cancel' || control === 'cancel') return { kind: 'end', text: T.cancelled[lang] };
    if (choice && choice.step !== state.step) return { kind: 'save', state, lead: [T.staleMenu[lang]] };
    if ((choice?.value === 'back' || control === 'back') && state.flow !== 'forget') {
      return { kind: 'save', state: previous(state) };
    }

    if (state.step === 'review') {
      if (choice?.value === 'confirm' || (!choice && matchOption(YES_NO, text)?.id === 'yes')) {
        return { kind: 'confirm', state, replace: false };
      }
      if (choice?.value === 'edit' && choice.extra && editable(state).some((s) => s.id === choice.extra)) {
        return { kind: 'save', state: { ...state, step: choice.extra, attempts: 0, editing: true } };
      }
      return question(state, text, lang) ?? { kind: 'save', state, lead: [T.reviewTyped[lang]] };
    }
    if (state.step === 'replace') {
      const yes = choice ? choice.value === 'yes' : matchOption(YES_NO, text)?.id === 'yes';
      const no = choice ? choice.value === 'no' : matchOption(YES_NO, text)?.id === 'no';
      if (yes) return { kind: 'confirm', state, replace: true };
      if (no) return { kind: 'end', text: fill(T.keptOld[lang], { ref: state.data.replace_ref ?? '' }) };
      return { kind: 'save', state, lead: [T.chooseOption[lang]] };
    }

    const step = stepDef(state);
    if (!step) return { kind: 'end', text: T.cancelled[lang] };
    const canSkip = step.optional || (!step.required && state.attempts >= MAX_TRIES);
    if (choice?.value === 'help' || control === 'help')
      return { kind: 'save', state, lead: [T.stepHelp[lang]] };
    if (choice?.value === 'skip') {
      return canSkip
        ? accept(state, step, null, lang)
        : { kind: 'save', state, lead: [T.chooseOption[lang]] };
    }

    if (choice) {
      const option = step.options?.find((o) => o.id === choice.value);
      return option
        ? accept(state, step, option.id, lang)
        : { kind: 'save', state, lead: [T.staleMenu[lang]] };
    }
    if (input.contact && step.acceptsContact) {
      if (!input.contact.own) return failed(state, T.ownContactOnly[lang], lang);
      const parsed = step.parse?.(input.contact.phone);
      return parsed?.ok
        ? accept(state, step, parsed.value, lang)
        : failed(state, parsed?.error[lang] ?? '', lang);
    }
    const option = step.options && matchOption(step.options, text);
    if (option) return accept(state, step, option.id, lang);
    if (control === 'skip' && canSkip) return accept(state, step, null, lang);
    // A question typed instead of an answer is answered, and the step asked again, but only when
    // it is phrased as one: an employer may be called 中国科学院, a title 高级.
    if (deps.asks(text)) {
      const q = question(state, text, lang) ?? question(state, text, lang, deps.unanswered);
      if (q) return q;
    }
    if (step.options) {
      const parsed = step.parse?.(text);
      if (parsed?.ok) return accept(state, step, parsed.value, lang);
      return failed(state, parsed?.error[lang] ?? T.chooseOption[lang], lang);
    }
    const parsed = step.parse?.(text);
    if (!parsed) return failed(state, T.chooseOption[lang], lang);
    return parsed.ok ? accept(state, step, parsed.value, lang) : failed(state, parsed.error[lang], lang);
  }

  function question(
    state: DialogState,
    text: string,
    lang: Lang,
    answer: DialogDeps['answer'] | undefined = deps.answer,
  ): Outcome | undefined {
    if (!text || !answer) return undefined;
    const answered = answer(text, lang);
    if (!answered) return undefined;
    const again = ask(state, lang);
    return {
      kind: 'question',
      turn: {
        replies: [...answered.replies.map((r) => ({ text: r.text })), ...again.replies],
        meta: { ...again.meta, sources: answered.meta.sources, confidence: answered.meta.confidence },
      },
    };
  }

  // ---- effects ---------------------------------------------------------------------------

  async function confirm(
    conversationId: string,
    channel: string,
    stored: StoredDialog,
    replace: boolean,
    lang: Lang,
    client: string | undefined,
  ): Promise<Turn | 'conflict'> {
    const { state } = stored;
    const data = state.data;
    const subproject = data.subproject ?? 'undecided';
    if (!replace) {
      const existing = (await deps.registrations.list(conversationId)).find(
        (r) => r.subproject === subproject,
      );
      // Many new registrations from one address: held at the review card, nothing lost.
      if (!existing && client && deps.perClient && !deps.perClient.take(client))
        return ask(stored.state, lang, [T.tooManyRegistrations[lang]]);
      if (existing) {
        const asking: DialogState = {
          ...state,
          step: 'replace',
          attempts: 0,
          data: {
            ...data,
            replace_ref: existing.reference,
            replace_date: existing.createdAt.toISOString().slice(0, 10),
          },
        };
        if (!(await deps.dialogs.put(conversationId, asking, stored.version))) return 'conflict';
        return replacePrompt(asking, lang, []);
      }
    }
    const registration: RegistrationData = {
      subproject,
      name: data.name ?? '',
      phone: data.phone ?? '',
      email: data.email ?? null,
      organization: data.organization ?? null,
      title: data.title ?? null,
      field: data.field ?? null,
      province: data.province ?? null,
      experience: data.experience ?? null,
      lang,
    };
    const result = await deps.registrations.confirm({
      conversationId,
      channel,
      dialogVersion: stored.version,
      registration,
      replace,
    });
    if (result.outcome === 'conflict') return 'conflict';
    const message = result.outcome === 'created' ? T.created : T.updated;
    return endTurn(lang, fill(message[lang], { ref: result.registration.reference }));
  }

  async function finish(
    conversationId: string,
    stored: StoredDialog,
    state: DialogState,
    lang: Lang,
  ): Promise<DialogTurn | 'conflict'> {
    if (state.flow === 'forget') {
      if (state.data.confirm !== 'yes') {
        // Nothing deleted; a dialog that /forget interrupted carries on where it was.
        const resumed = state.data.resume ? (JSON.parse(state.data.resume) as DialogState) : undefined;
        const ok = resumed
          ? await deps.dialogs.put(conversationId, { ...resumed, lang }, stored.version)
          : await deps.dialogs.remove(conversationId, stored.version);
        if (!ok) return 'conflict';
        return resumed
          ? ask({ ...resumed, lang }, lang, [T.notForgotten[lang]])
          : endTurn(lang, T.notForgotten[lang]);
      }
      await deps.registrations.forget(conversationId);
      return { ...endTurn(lang, T.forgotten[lang]), forgotten: true };
    }
    // Triage: recommend, then offer to pre-register for the recommendation.
    if (!(await deps.dialogs.remove(conversationId, stored.version))) return 'conflict';
    const picks = recommend(state.data);
    const text = [
      T.triageIntro[lang],
      ...picks.map((p) => `• ${deps.reason(p, lang)}`),
      T.triageAdmission[lang],
    ].join('\n');
    const choices: Choice[] = [
      ...picks.map((p) => ({
        id: choiceId.start('register', [p, state.data.title, state.data.field]),
        label: fill(T.preRegisterFor[lang], { subproject: SUBPROJECTS.find((s) => s.id === p)?.[lang] ?? p }),
      })),
      { id: choiceId.topic('how-to-take-part'), label: T.noThanks[lang] },
    ];
    return {
      replies: [{ text, choices }],
      meta: { kind: 'dialog', sources: ['eligibility'], confidence: 1, lang },
    };
  }

  /**
   * Starts a turn: claims the delivery (a duplicate comes back as such) and loads the dialog and
   * the language choice; an expired dialog is deleted and reported.
   */
  async function load(
    conversationId: string,
    deliveryId?: string,
  ): Promise<{
    duplicate?: boolean;
    stored?: StoredDialog;
    lang?: Lang;
    handoff?: HandoffCase;
    expiredNotice?: (lang: Lang) => string;
    context?: TurnStart['context'];
  }> {
    const {
      fresh,
      dialog: stored,
      lang,
      handoff,
      context,
    } = await deps.dialogs.begin(conversationId, deliveryId);
    if (!fresh) return { duplicate: true };
    const chosen = {
      ...(lang ? { lang } : {}),
      ...(handoff ? { handoff } : {}),
      ...(context ? { context } : {}),
    };
    if (!stored) return chosen;
    if (now().getTime() - stored.updatedAt.getTime() <= ttl) return { ...chosen, stored };
    await deps.dialogs.remove(conversationId, stored.version);
    const date = stored.updatedAt.toISOString().slice(0, 10);
    const flow = stored.state.flow;
    return {
      ...chosen,
      expiredNotice: (lang) =>
        fill(T.expired[lang], { date, days: formatDays(ttl / DAY), flow: T.flowNames[flow]?.[lang] ?? flow }),
    };
  }

  return {
    load,
    ask,

    /**
     * Starts a flow (replacing any dialog in progress) and asks its first step. `known` is the
     * dialog the caller already read, if any.
     */
    async start(
      conversationId: string,
      flow: FlowId,
      lang: Lang,
      preset: DialogState['data'] = {},
      known?: StoredDialog,
    ): Promise<Turn> {
      // Usually there is no dialog yet: try the insert first, and read what is there only if it fails.
      let current = known;
      for (let i = 0; i < RETRIES + 1; i++) {
        if (i > 0) current = await deps.dialogs.get(conversationId);
        const first = stepsOf(FLOWS[flow], preset)[0];
        // /forget in the middle of a registration: keep it, to carry on if the answer is "no".
        const data =
          flow === 'forget' && current && current.state.flow !== 'forget'
            ? { ...preset, resume: JSON.stringify(current.state) }
            : preset;
        const state: DialogState = { flow, step: first?.id ?? 'review', data, attempts: 0, lang };
        if (await deps.dialogs.put(conversationId, state, current?.version)) return ask(state, lang);
      }
      throw new DialogUnavailableError('the dialog kept changing while starting');
    },

    /** Applies one message to the dialog in progress. */
    async step(
      conversationId: string,
      channel: string,
      input: DialogInput,
      lang: Lang,
      stored: StoredDialog,
    ): Promise<DialogTurn> {
      let current: StoredDialog | undefined = stored;
      for (let i = 0; i < RETRIES && current; i++) {
        const state = current.state.lang === lang ? current.state : { ...current.state, lang };
        const personal = stepDef(state)?.personal;
        const redacted = personal && input.text ? `[${stepDef(state)?.field}]` : undefined;
        const outcome = transition(state, input, lang);
        let turn: DialogTurn | 'conflict';
        switch (outcome.kind) {
          case 'question':
            turn = outcome.turn;
            if (state !== current.state && !(await deps.dialogs.put(conversationId, state, current.version)))
              turn = 'conflict';
            return turn === 'conflict' ? retryLater(lang) : { ...turn, ...(redacted ? { redacted } : {}) };
          case 'save':
            turn = (await deps.dialogs.put(conversationId, outcome.state, current.version))
              ? ask(outcome.state, lang, outcome.lead)
              : 'conflict';
            break;
          case 'end':
            turn = (await deps.dialogs.remove(conversationId, current.version))
              ? endTurn(lang, outcome.text, outcome.choices)
              : 'conflict';
            break;
          case 'confirm':
            turn = await confirm(
              conversationId,
              channel,
              { ...current, state: outcome.state },
              outcome.replace,
              lang,
              input.client,
            );
            break;
          case 'finish':
            turn = await finish(conversationId, current, outcome.state, lang);
            break;
        }
        if (turn !== 'conflict') return { ...turn, ...(redacted ? { redacted } : {}) };
        // Someone else moved the dialog on: apply this message to the newer state (after a short,
        // random pause so that a burst of messages does not collide again in lockstep).
        await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8 * (i + 1)));
        current = await deps.dialogs.get(conversationId);
      }
      if (!current) return alreadyDone(conversationId, lang, input.choice);
      return retryLater(lang);
    },

    alreadyDone,

    /** /status: the registrations and any dialog in progress. */
    async status(conversationId: string, lang: Lang): Promise<string> {
      const [list, dialog] = await Promise.all([
        deps.registrations.list(conversationId),
        deps.dialogs.get(conversationId),
      ]);
      const lines = list.length
        ? [
            T.status[lang],
            ...list.map(
              (r) =>
                `• ${r.reference} · ${SUBPROJECTS.find((s) => s.id === r.subproject)?.[lang] ?? r.subproject} · ${r.createdAt.toISOString().slice(0, 10)} · ${maskName(r.name)} · ${maskPhone(r.phone)}`,
            ),
          ]
        : [T.statusNone[lang]];
      if (dialog) {
        const step = stepDef(dialog.state);
        lines.push(
          fill(T.statusDialog[lang], {
            flow: T.flowNames[dialog.state.flow]?.[lang] ?? dialog.state.flow,
            step: step ? fieldLabel(step, lang) : T.confirm[lang],
          }),
        );
      }
      return lines.join('\n');
    },
  };

  /** A dialog button pressed when no dialog is waiting: a late second confirm, or a stale menu. */
  async function alreadyDone(conversationId: string, lang: Lang, choice?: string): Promise<Turn> {
    const parsed = choice === undefined ? undefined : parseChoice(choice);
    const confirming =
      parsed === undefined ||
      (parsed.kind === 'dialog' &&
        ((parsed.step === 'review' && parsed.value === 'confirm') || parsed.step === 'replace'));
    const latest = confirming ? (await deps.registrations.list(conversationId))[0] : undefined;
    return latest
      ? endTurn(lang, fill(T.alreadyConfirmed[lang], { ref: latest.reference }))
      : endTurn(lang, T.staleNoDialog[lang]);
  }
}

export type DialogEngine = ReturnType<typeof createDialogEngine>;

function dialogTurn(lang: Lang, field: Turn['meta']['field'], replies: Turn['replies']): Turn {
  return { replies, meta: { kind: 'dialog', ...(field ? { field } : {}), sources: [], confidence: 1, lang } };
}

function endTurn(lang: Lang, text: string, choices?: Choice[]): Turn {
  return {
    replies: [{ text, ...(choices ? { choices } : {}) }],
    meta: { kind: 'dialog', sources: [], confidence: 1, lang },
  };
}

const retryLater = (lang: Lang): Turn => endTurn(lang, T.busy[lang]);

export const fieldLabel = (step: StepDef, lang: Lang) => T.fieldLabels[step.id]?.[lang] ?? step.id;

const formatDays = (days: number) => (days >= 1 ? String(Math.round(days)) : days.toFixed(2));

const maskName = (name: string) =>
  name.length <= 1 ? '*' : `${[...name][0]}${'*'.repeat(Math.min(3, [...name].length - 1))}`;
