import type { ColumnType, Generated } from 'kysely';

/** One row per message in or out, on any channel. Personal data never goes here beyond the text. */
export interface InteractionsTable {
  id: Generated<string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  channel: string;
  /** SHA-256 of the namespaced conversation id (e.g. "web:…"), truncated: pseudonymous. */
  conversation: string;
  /** Pairs a question with its answer. */
  turn_id: string;
  direction: 'in' | 'out';
  text: string;
  kind: string | null;
  sources: string[] | null;
  confidence: number | null;
  lang: string | null;
  latency_ms: number | null;
}

export interface PreferencesTable {
  conversation_id: string;
  lang: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  interactions: InteractionsTable;
  preferences: PreferencesTable;
}
