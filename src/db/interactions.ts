import { type Kysely, sql } from 'kysely';
import type { InteractionRecord } from '../core/types.ts';
import { type BatchWriterOptions, createBatchWriter } from '../lib/batch-writer.ts';
import { PREPARED } from './connect.ts';
import type { Pseudonyms } from './pseudonym.ts';
import type { Database } from './schema.ts';

/** Text Postgres accepts: no NUL characters, no unpaired surrogates. */
export const storable = (text: string) => text.replaceAll('\u0000', '').toWellFormed();

/** Postgres error classes 22 (data exception) and 23 (integrity): the row is bad, not the server. */
export const isDataError = (error: unknown) =>
  /^2[23]/.test(String((error as { code?: unknown })?.code ?? ''));

/** Separates source ids inside one array element (ids are slugs; this character is never in one). */
const UNIT = '\u001f';

/**
 * Inserts interaction rows in one statement with one array per column (`unnest`): the statement
 * has 13 parameters however many rows there are, so building and sending a batch stays cheap and
 * never holds the event loop for long.
 */
export async function insertInteractions(
  db: Kysely<Database>,
  pseudonyms: Pseudonyms,
  rows: InteractionRecord[],
): Promise<void> {
  if (rows.length === 0) return;
  const conversations = await Promise.all(
    rows.map((r) => (r.anonymous ? 'forgotten' : pseudonyms.of(r.conversationId))),
  );
  const column = <T>(f: (r: InteractionRecord) => T) => rows.map(f);
  await sql`${sql.raw(PREPARED)}
    insert into interactions
      (created_at, channel, conversation, turn_id, direction, text, kind, sources, confidence, lang, latency_ms, field, author)
    select c1, c2, c3, c4, c5, c6, c7, string_to_array(c8, ${UNIT}), c9, c10, c11, c12, c13
    from unnest(
      ${column((r) => r.at.toISOString())}::timestamptz[], ${column((r) => r.channel)}::text[],
      ${conversations}::text[], ${column((r) => r.turnId)}::text[], ${column((r) => r.direction)}::text[],
      ${column((r) => storable(r.text))}::text[], ${column((r) => r.kind ?? null)}::text[],
      ${column((r) => (r.sources ? r.sources.join(UNIT) : null))}::text[],
      ${column((r) => r.confidence ?? null)}::real[], ${column((r) => r.lang ?? null)}::text[],
      ${column((r) => r.latencyMs ?? null)}::integer[], ${column((r) => r.field ?? null)}::text[],
      ${column((r) => r.author ?? null)}::text[]
    ) as t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13)
  `.execute(db);
}

/** The interaction log: a bounded batch writer in front of `insertInteractions`. */
export function createInteractionLog(
  db: Kysely<Database>,
  pseudonyms: Pseudonyms,
  options: Omit<BatchWriterOptions<InteractionRecord>, 'write'> = {},
) {
  const writer = createBatchWriter<InteractionRecord>({
    isRejected: isDataError,
    batchSize: 100,
    ...options,
    write: (rows) => insertInteractions(db, pseudonyms, rows),
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

/** A conversation's last questions and answers as logged, oldest first (for staff opening a case). */
export async function recentTurns(
  db: Kysely<Database>,
  pseudonyms: Pseudonyms,
  conversationId: string,
  limit: number,
): Promise<Array<{ direction: 'in' | 'out'; text: string }>> {
  const rows = await db
    .selectFrom('interactions')
    .select(['direction', 'text'])
    .where('conversation', '=', await pseudonyms.of(conversationId))
    .where('text', '<>', '')
    // The user's messages (personal answers are redacted in the log) and the bot's answers; not
    // dialog prompts, review cards or /status, which can repeat personal details.
    .where((eb) => eb.or([eb('direction', '=', 'in'), eb('kind', 'in', ['answer', 'fallback'])]))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}
