import type { Kysely } from 'kysely';
import type { InteractionRecord } from '../core/types.ts';
import { type BatchWriterOptions, createBatchWriter } from '../lib/batch-writer.ts';
import type { Database } from './schema.ts';

const encoder = new TextEncoder();

/** Pseudonymous id for logs: the first 16 bytes of SHA-256("kup:" + conversation id), hex. */
export async function pseudonym(conversationId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(`kup:${conversationId}`));
  return [...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Text Postgres accepts: no NUL characters, no unpaired surrogates. */
export const storable = (text: string) => text.replaceAll('\u0000', '').toWellFormed();

/** Postgres error classes 22 (data exception) and 23 (integrity): the row is bad, not the server. */
export const isDataError = (error: unknown) =>
  /^2[23]/.test(String((error as { code?: unknown })?.code ?? ''));

/** Inserts interaction rows in one statement. */
export async function insertInteractions(db: Kysely<Database>, rows: InteractionRecord[]): Promise<void> {
  if (rows.length === 0) return;
  const values = await Promise.all(
    rows.map(async (r) => ({
      created_at: r.at,
      channel: r.channel,
      conversation: r.anonymous ? 'forgotten' : await pseudonym(r.conversationId),
      turn_id: r.turnId,
      direction: r.direction,
      text: storable(r.text),
      kind: r.kind ?? null,
      sources: r.sources ?? null,
      confidence: r.confidence ?? null,
      lang: r.lang ?? null,
      latency_ms: r.latencyMs ?? null,
      field: r.field ?? null,
    })),
  );
  await db.insertInto('interactions').values(values).execute();
}

/** The interaction log: a bounded batch writer in front of `insertInteractions`. */
export function createInteractionLog(
  db: Kysely<Database>,
  options: Omit<BatchWriterOptions<InteractionRecord>, 'write'> = {},
) {
  const writer = createBatchWriter<InteractionRecord>({
    isRejected: isDataError,
    ...options,
    write: (rows) => insertInteractions(db, rows),
  });
  return {
    ...writer,
    record: (row: InteractionRecord) => writer.push(row),
    /** Anonymises a conversation's rows that are still waiting to be written. */
    forget(conversationId: string) {
      writer.update((row) =>
        row.conversationId === conversationId
          ? { ...row, text: '', anonymous: true, conversationId: '' }
          : row,
      );
    },
  };
}

export type InteractionLog = ReturnType<typeof createInteractionLog>;
