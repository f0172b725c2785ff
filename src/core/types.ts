/** Platform-neutral message and turn types shared by every channel. */

export type Lang = 'zh' | 'en';
export type TurnKind = 'answer' | 'fallback' | 'dialog' | 'command' | 'handoff';
export type DialogField =
  | 'name'
  | 'phone'
  | 'email'
  | 'organization'
  | 'title'
  | 'field'
  | 'subproject'
  | 'province'
  | 'experience'
  | 'consent'
  | 'confirm';

/** One message from a user, normalised by an adapter. */
export interface IncomingMessage {
  channel: string;
  /** Namespaced conversation id, e.g. "telegram:123" or "web:<uuid>". */
  conversationId: string;
  text?: string;
  /** The id of a choice the user picked (a button). */
  choice?: string;
  /** A language the user picked for this message (e.g. the web page's toggle). */
  lang?: Lang;
  /** The platform's own payload, kept for adapters and debugging. */
  raw?: unknown;
}

export interface Choice {
  id: string;
  label: string;
}

export interface Reply {
  text: string;
  choices?: Choice[];
}

export interface TurnMeta {
  kind: TurnKind;
  field?: DialogField;
  sources: string[];
  confidence: number;
  lang: Lang;
}

export interface Turn {
  replies: Reply[];
  meta: TurnMeta;
}

/** A row of the interaction log, as core sees it. */
export interface InteractionRecord {
  at: Date;
  channel: string;
  conversationId: string;
  turnId: string;
  direction: 'in' | 'out';
  text: string;
  kind?: TurnKind;
  sources?: string[];
  confidence?: number;
  lang?: Lang;
  latencyMs?: number;
}

export interface PreferenceStore {
  getLanguage(conversationId: string): Promise<Lang | undefined>;
  setLanguage(conversationId: string, lang: Lang): Promise<void>;
}

export interface InteractionSink {
  record(row: InteractionRecord): void;
}
