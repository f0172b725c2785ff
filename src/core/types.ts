/** Platform-neutral message and turn types shared by every channel. */

export type Lang = 'zh' | 'en';
export type TurnKind = 'answer' | 'fallback' | 'dialog' | 'command' | 'handoff' | 'duplicate';
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

/**
 * What a conversation was last about, so that a follow-up ("how many a year?", "and the digital
 * one?", "sign me up for it") can be understood: entity and attribute ids of the knowledge base.
 */
export interface ConversationSubject {
  entities: string[];
  attribute?: string;
  round?: 'first' | 'new';
  /** The subjects of the turn before, when the last one asked the same of another ("高研的呢？" →
   * "数字技术工程师的呢？" → "两者差多少？"). */
  earlier?: string[];
  /** The list last answered from ("Is blockchain one of them?"). */
  list?: string;
  /** What the user said of their work ("我是做人工智能算法的工程师"), for "有适合我的子项目吗？" later. */
  persona?: { roles: string[]; titles: string[]; fields: string[]; mentions: string[] };
}

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
  /** The platform's idea of the user's language (Telegram's language_code): used when nothing else says. */
  langHint?: Lang;
  /** The sender's network address (web), for limits on new cases and registrations; never stored. */
  client?: string;
  /** In a group: where a private chat with the bot starts (a Telegram deep link). */
  privateLink?: string;
  /** Sent in a group chat: nothing personal happens there (registration, handoff). */
  group?: boolean;
  /** A phone number shared as a contact card; `own` when it is the sender's own (Telegram). */
  contact?: { phone: string; own: boolean };
  /**
   * The platform's id for this delivery (e.g. "telegram:<bot>:<update_id>"). A delivery seen before
   * gets a turn of kind "duplicate" with no replies: retries are answered once.
   */
  deliveryId?: string;
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
  field?: DialogField;
  /** An answer from a staff-taught entry: who wrote it, and which version ("U123 KB-7K2M9Q v3"). */
  author?: string;
  /** Not linked to the conversation (the turn that deleted the user's data). */
  anonymous?: boolean;
}

export interface PreferenceStore {
  getLanguage(conversationId: string): Promise<Lang | undefined>;
  setLanguage(conversationId: string, lang: Lang): Promise<void>;
}

export interface InteractionSink {
  record(row: InteractionRecord): void;
}

/** Remembers which deliveries (e.g. Telegram updates) were handled, so retries are not handled twice. */
export interface DeliveryLedger {
  /** True if this delivery is new (or a retry of one whose handling died); false for a duplicate. */
  claim(key: string): Promise<boolean>;
  /** Marks a claimed delivery as handled. */
  done(key: string): Promise<void>;
}

/** A dialog in progress, as stored (small: it is read and written on every step). */
export interface DialogState {
  flow: 'register' | 'triage' | 'forget';
  /** A step id of the flow, or "review" / "replace" (confirming). */
  step: string;
  data: Record<string, string | null>;
  /** Failed tries at the current step. */
  attempts: number;
  lang: Lang;
  /** Answering a step from the review card: go back to the review afterwards. */
  editing?: boolean;
}

export interface StoredDialog {
  state: DialogState;
  version: number;
  updatedAt: Date;
}

/** What a turn starts from, read in one round trip. */
export interface TurnStart {
  /** False when the delivery was claimed before: a duplicate, to be ignored. */
  fresh: boolean;
  dialog?: StoredDialog;
  /** The language the user chose, if any. */
  lang?: Lang;
  /** The conversation is with a person (an open handoff case). */
  handoff?: HandoffCase;
  /** What the conversation was last about, and when. */
  context?: { subject: ConversationSubject; at: Date };
}

/** A conversation handed over to programme staff. */
export interface HandoffCase {
  id: string;
  conversationId: string;
  channel: string;
  lang: Lang;
  /** Where the case lives on the staff desk (a Slack thread), once it has been posted. */
  deskRef: string | null;
  openedAt: Date;
}

export type HandoffOutcome = 'resolved' | 'returned' | 'left';

export interface HandoffReply {
  id: string;
  text: string;
  at: Date;
}

export interface HandoffStore {
  /** Opens a case, or returns the one already open (`created` false). */
  open(
    conversationId: string,
    channel: string,
    lang: Lang,
  ): Promise<{ handoff: HandoffCase; created: boolean }>;
  setDeskRef(id: string, deskRef: string): Promise<void>;
  /** The open case of a conversation, if any. */
  openFor(conversationId: string): Promise<HandoffCase | undefined>;
  /** How many cases were opened since then (every conversation, every server). */
  openedSince(since: Date): Promise<number>;
  /** The open case at this place on the desk. */
  byDeskRef(deskRef: string): Promise<HandoffCase | undefined>;
  byId(id: string): Promise<(HandoffCase & { open: boolean }) | undefined>;
  /**
   * Stores a staff message for the user once per `sourceId` (and notes the first reply); undefined
   * for a repeat or when the case is no longer open.
   */
  addReply(handoff: HandoffCase, sourceId: string, text: string): Promise<HandoffReply | undefined>;
  /** Deletes a case that could not be posted to the desk. */
  discard(id: string): Promise<void>;
  /**
   * Closes an open case, with a last message for the user stored in the same transaction (so a
   * poll never sees the case closed without it); undefined if it was not open.
   */
  close(
    id: string,
    outcome: HandoffOutcome,
    notice?: { sourceId: string; text: string },
  ): Promise<{ handoff: HandoffCase; notice?: HandoffReply } | undefined>;
  /** Messages for the user after `afterId`, oldest first, and whether a case is open. */
  replies(
    conversationId: string,
    afterId: string,
    limit: number,
  ): Promise<{ open: boolean; replies: HandoffReply[] }>;
}

/** What staff see when a case opens. */
export interface HandoffBrief {
  handoff: HandoffCase;
  question: string;
  /** A short line: registered (with reference), registration in progress, or none. */
  registration: string;
  /** The last turns before the handoff, oldest first (personal answers already redacted). */
  recent: Array<{ direction: 'in' | 'out'; text: string }>;
}

/** Where people answer (Slack): a thread per case. */
export interface StaffDesk {
  /** Posts a new case; returns its place on the desk. */
  open(brief: HandoffBrief): Promise<string>;
  /** Posts a user's message into the case's thread. */
  post(deskRef: string, text: string): Promise<void>;
  /** Posts a note for staff into the thread (e.g. a reply that could not be delivered). */
  note(deskRef: string, text: string): Promise<void>;
  /** Notes in the thread that the case ended (by the user or by staff). */
  closed(deskRef: string, outcome: HandoffOutcome, by?: string): Promise<void>;
}

/** Sends a message to a user outside a turn (a staff reply); channels that poll need nothing. */
export type UserNotifier = (conversationId: string, text: string) => Promise<void>;

export interface DialogStore {
  /** Claims the delivery (when given) and reads the dialog and the language choice, together. */
  begin(conversationId: string, deliveryId?: string): Promise<TurnStart>;
  get(conversationId: string): Promise<StoredDialog | undefined>;
  /** Inserts (`version` undefined) or updates the row at `version`; false if it changed meanwhile. */
  put(conversationId: string, state: DialogState, version: number | undefined): Promise<boolean>;
  /** Deletes the dialog (only at `version`, when given); false if it was not there. */
  remove(conversationId: string, version?: number): Promise<boolean>;
  /** Remembers what the conversation is about now (read back by `begin`). */
  setContext(conversationId: string, subject: ConversationSubject): Promise<void>;
}

export interface RegistrationData {
  subproject: string;
  name: string;
  phone: string;
  email: string | null;
  organization: string | null;
  title: string | null;
  field: string | null;
  province: string | null;
  experience: string | null;
  lang: Lang;
}

export interface Registration extends RegistrationData {
  reference: string;
  channel: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ConfirmResult =
  | { outcome: 'created' | 'updated'; registration: Registration }
  /** The dialog was no longer at that version: another message confirmed or changed it first. */
  | { outcome: 'conflict' };

export interface RegistrationStore {
  list(conversationId: string): Promise<Registration[]>;
  /**
   * In one transaction: deletes the dialog at `dialogVersion` and creates the registration, or, with
   * `replace`, updates the conversation's registration for the same sub-project.
   */
  confirm(input: {
    conversationId: string;
    channel: string;
    dialogVersion: number;
    registration: RegistrationData;
    replace: boolean;
  }): Promise<ConfirmResult>;
  /** Deletes the conversation's registrations, dialog and preferences and the text of its messages. */
  forget(conversationId: string): Promise<void>;
}
