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
  /** The dialog step the reply asked for, if any. */
  field: string | null;
  /** An answer from a staff-taught entry: its author and version ("U123 KB-7K2M9Q v3"). */
  author: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ChannelTokensTable {
  channel: string;
  token: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface PreferencesTable {
  conversation_id: string;
  lang: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DialogsTable {
  conversation_id: string;
  /** The DialogState as JSON. */
  state: ColumnType<unknown, string, string>;
  version: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RegistrationsTable {
  id: Generated<string>;
  reference: string;
  conversation_id: string;
  channel: string;
  subproject: string;
  name: string;
  phone: string;
  email: string | null;
  organization: string | null;
  title: string | null;
  field: string | null;
  province: string | null;
  experience: string | null;
  lang: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DeliveriesTable {
  key: string;
  status: 'processing' | 'done';
  claimed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface HandoffsTable {
  id: Generated<string>;
  conversation_id: string;
  channel: string;
  lang: string;
  status: 'open' | 'closed';
  outcome: 'resolved' | 'returned' | 'left' | null;
  desk_ref: string | null;
  opened_at: ColumnType<Date, Date | string | undefined, Date | string>;
  first_reply_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface HandoffRepliesTable {
  id: Generated<string>;
  handoff_id: string;
  conversation_id: string;
  source_id: string;
  text: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ContextsTable {
  conversation_id: string;
  /** A ConversationSubject as JSON. */
  subject: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One version of an entry staff taught from Slack (the newest version of an id is the entry). */
export interface TaughtEntriesTable {
  id: string;
  version: number;
  /** Example questions, as a JSON array of strings. */
  questions: ColumnType<string[], string, string>;
  answer_zh: string;
  answer_en: string;
  source: string;
  expires_on: ColumnType<Date | null, string | null, string | null>;
  status: 'active' | 'retired';
  author: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface TaughtVersionTable {
  id: number;
  version: ColumnType<string, number, number>;
}

export interface Database {
  taught_entries: TaughtEntriesTable;
  taught_version: TaughtVersionTable;
  contexts: ContextsTable;
  deliveries: DeliveriesTable;
  handoffs: HandoffsTable;
  handoff_replies: HandoffRepliesTable;
  channel_tokens: ChannelTokensTable;
  interactions: InteractionsTable;
  preferences: PreferencesTable;
  dialogs: DialogsTable;
  registrations: RegistrationsTable;
}
