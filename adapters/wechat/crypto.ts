// WeChat's message security, with WebCrypto (Node and Workers alike): SHA-1 signatures over the
// sorted token, timestamp, nonce (and ciphertext), and safe mode's AES-256-CBC (消息加密).
//
// Safe mode pads to multiples of 32 bytes (PKCS#7 with a 32-byte block), where WebCrypto's AES-CBC
// pads and unpads to 16. Encrypting, we pad to 32 ourselves and drop the block WebCrypto adds.
// Decrypting, we append one block that decrypts to a full 16-byte pad (made by encrypting nothing
// with the last ciphertext block as the IV), so WebCrypto removes only that, and unpad ourselves.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** SHA-1 (hex) of the parts sorted and joined: `signature` and `msg_signature`. */
export async function signature(...parts: string[]): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-1', encoder.encode([...parts].sort().join(''))));
}

/** Compares two signatures without leaking where they differ. */
export function sameSignature(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const toBase64 = (bytes: Uint8Array) => {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};

export class WeChatCryptoError extends Error {
  override name = 'WeChatCryptoError';
}

export interface SafeMode {
  encrypt(xml: string): Promise<string>;
  /** The message inside, with the app id it was sealed for. */
  decrypt(encrypted: string): Promise<{ xml: string; appId: string }>;
}

/** Safe mode with the 43-character EncodingAESKey, for the account `appId`. */
export async function safeMode(encodingAesKey: string, appId: string): Promise<SafeMode> {
  const raw = fromBase64(`${encodingAesKey}=`);
  if (raw.length !== 32)
    throw new WeChatCryptoError('WECHAT_ENCODING_AES_KEY must be 43 characters of base64 (32 bytes)');
  const iv = raw.slice(0, 16);
  const key = await crypto.subtle.importKey('raw', raw, 'AES-CBC', false, ['encrypt', 'decrypt']);
  const aes = (data: Uint8Array<ArrayBuffer>, vector: Uint8Array<ArrayBuffer>) =>
    crypto.subtle.encrypt({ name: 'AES-CBC', iv: vector }, key, data).then((b) => new Uint8Array(b));

  return {
    async encrypt(xml) {
      // 16 random bytes, the message's length (4 bytes, big-endian), the message, the app id.
      const body = encoder.encode(xml);
      const id = encoder.encode(appId);
      const size = 20 + body.length + id.length;
      const pad = 32 - (size % 32);
      const plain = new Uint8Array(size + pad);
      plain.set(crypto.getRandomValues(new Uint8Array(16)));
      new DataView(plain.buffer).setUint32(16, body.length);
      plain.set(body, 20);
      plain.set(id, 20 + body.length);
      plain.fill(pad, size);
      // WebCrypto adds a block of its own padding at the end: not part of WeChat's message.
      return toBase64((await aes(plain, iv)).subarray(0, plain.length));
    },
    async decrypt(encrypted) {
      let data: Uint8Array<ArrayBuffer>;
      try {
        data = fromBase64(encrypted);
      } catch {
        throw new WeChatCryptoError('Encrypt is not base64');
      }
      if (data.length === 0 || data.length % 16 !== 0)
        throw new WeChatCryptoError('Encrypt is not whole blocks');
      // One more block, which decrypts to sixteen 0x10 bytes: WebCrypto's own padding.
      const last = data.slice(data.length - 16);
      const extra = (await aes(new Uint8Array(0), last)).slice(0, 16);
      const joined = new Uint8Array(data.length + 16);
      joined.set(data);
      joined.set(extra, data.length);
      let plain: Uint8Array;
      try {
        plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv }, key, joined));
      } catch {
        throw new WeChatCryptoError('Encrypt does not decrypt with this key');
      }
      const pad = plain[plain.length - 1] ?? 0;
      if (pad < 1 || pad > 32 || pad > plain.length) throw new WeChatCryptoError('bad padding');
      for (let i = plain.length - pad; i < plain.length; i++)
        if (plain[i] !== pad) throw new WeChatCryptoError('bad padding');
      const content = plain.subarray(16, plain.length - pad);
      if (content.length < 4) throw new WeChatCryptoError('too short');
      const length = new DataView(content.buffer, content.byteOffset, 4).getUint32(0);
      if (4 + length > content.length) throw new WeChatCryptoError('bad length');
      try {
        return {
          xml: decoder.decode(content.subarray(4, 4 + length)),
          appId: decoder.decode(content.subarray(4 + length)),
        };
      } catch {
        throw new WeChatCryptoError('not UTF-8');
      }
    },
  };
}
