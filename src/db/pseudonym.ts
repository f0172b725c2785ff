/**
 * Pseudonymous conversation ids for the interaction log: an HMAC-SHA-256, keyed with
 * PSEUDONYM_KEY (kept outside the database), of the conversation's unkeyed digest. Without the key,
 * a row cannot be tied to a Telegram id or a web session, however few ids there are to try. (The
 * digest in between lets a migration re-key rows written before the key existed.) WebCrypto: the
 * same on Node and Workers.
 */
const encoder = new TextEncoder();
const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes).slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The unkeyed digest older rows hold: the first 16 bytes of SHA-256("kup:" + id), hex. */
export async function legacyDigest(conversationId: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(`kup:${conversationId}`)));
}

/** A key must be long enough not to be guessed. */
export const MIN_KEY_LENGTH = 32;

export interface Pseudonyms {
  /** The conversation's pseudonym. */
  of(conversationId: string): Promise<string>;
  /** A legacy digest re-keyed (for the migration of rows written before the key). */
  rekey(digest: string): Promise<string>;
}

export function createPseudonyms(key: string): Pseudonyms {
  if (key.length < MIN_KEY_LENGTH)
    throw new Error(`PSEUDONYM_KEY must be at least ${MIN_KEY_LENGTH} characters`);
  const hmac = crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const rekey = async (digest: string) =>
    hex(await crypto.subtle.sign('HMAC', await hmac, encoder.encode(digest)));
  // A conversation's turns come in runs: recent pseudonyms are kept (bounded; starts again when full).
  const known = new Map<string, Promise<string>>();
  return {
    rekey,
    of(conversationId) {
      let value = known.get(conversationId);
      if (!value) {
        if (known.size >= 10_000) known.clear();
        value = legacyDigest(conversationId).then(rekey);
        known.set(conversationId, value);
      }
      return value;
    },
  };
}
