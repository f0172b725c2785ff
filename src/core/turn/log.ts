/** The "log" step: a turn's two rows (what came in, what went out) for the interaction log. */
import type { DialogTurn } from '../dialog/engine.ts';
import { redactPersonal } from '../redact.ts';
import type { IncomingMessage, InteractionSink } from '../types.ts';

export function logTurn(
  log: InteractionSink,
  msg: IncomingMessage,
  turn: DialogTurn,
  timing: { at: Date; started: number },
): void {
  const { redacted, forgotten, author, ...result } = turn;
  const text = (msg.text ?? '').trim();
  const choice = msg.choice?.trim();
  const base = {
    channel: msg.channel,
    conversationId: msg.conversationId,
    turnId: crypto.randomUUID(),
    ...(forgotten ? { anonymous: true } : {}),
  };
  const latencyMs = Math.round(performance.now() - timing.started);
  // Answers to personal steps are replaced by the step's name; any other text loses the phone
  // numbers, ID numbers and e-mail addresses in it.
  const inbound =
    redacted ?? (choice ? `[choice] ${choice}` : msg.contact ? '[contact]' : redactPersonal(text));
  // The spread comes last (the keys differ): on Node 20, properties added after a spread give
  // each object a hidden class of its own, allocated where only a full collection frees it
  // (about 2.5 KB a turn for these two rows, measured).
  log.record({ at: timing.at, direction: 'in', text: inbound, lang: result.meta.lang, ...base });
  log.record({
    at: new Date(),
    direction: 'out',
    // The review card repeats the user's answers: it stays out of the log like they do.
    text:
      result.meta.kind === 'dialog' && result.meta.field === 'confirm'
        ? '[review card]'
        : redactPersonal(result.replies.map((r) => r.text).join('\n\n')),
    kind: result.meta.kind,
    sources: result.meta.sources,
    confidence: result.meta.confidence,
    lang: result.meta.lang,
    latencyMs,
    ...(result.meta.field ? { field: result.meta.field } : {}),
    ...(author ? { author } : {}),
    ...base,
  });
}
