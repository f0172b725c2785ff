// WeChat Official Account (公众号) request signing and safe-mode message crypto (消息加密), written from
// the platform's documentation with node:crypto: independent of the bot's own WebCrypto code, so each
// checks the other.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * WeChat pads the plaintext to a multiple of 32 bytes (its sample code's PKCS#7 block size), not
 * AES's 16: a pad of 17..32 bytes is legal, and a plain PKCS#7 (16-byte) decrypt refuses it.
 */
export const WECHAT_PAD_BLOCK = 32;

/**
 * The request signature: SHA-1 hex of the strings sorted and joined. Without `encrypt` it is the
 * `signature` query parameter (token, timestamp, nonce); with it, `msg_signature` of safe mode.
 * The parts are ASCII (a token, digits, base64), so JavaScript's sort is the byte order WeChat uses.
 */
export function wechatSignature(token: string, timestamp: string, nonce: string, encrypt?: string): string {
  const parts = encrypt === undefined ? [token, timestamp, nonce] : [token, timestamp, nonce, encrypt];
  return createHash('sha1').update(parts.sort().join('')).digest('hex');
}

/** The AES key: the 43-character EncodingAESKey is base64 without its final '='. */
function aesKey(aesKey43: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(aesKey43)) throw new Error('EncodingAESKey must be 43 base64 characters');
  const key = Buffer.from(`${aesKey43}=`, 'base64');
  if (key.length !== 32) throw new Error(`EncodingAESKey decodes to ${key.length} bytes, not 32`);
  return key;
}

/**
 * Encrypts a message as WeChat does in safe mode: AES-256-CBC, IV = the key's first 16 bytes, over
 * random(16) + big-endian uint32 length of the UTF-8 message + message + appId, padded to 32 bytes.
 * Returns base64 (the `Encrypt` element). Pass `random16` for a reproducible result.
 */
export function wechatEncrypt(aesKey43: string, appId: string, xml: string, random16?: Buffer): string {
  const key = aesKey(aesKey43);
  const random = random16 ?? randomBytes(16);
  if (random.length !== 16) throw new Error('the random prefix must be 16 bytes');
  const message = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(message.length);
  const plain = Buffer.concat([random, length, message, Buffer.from(appId, 'utf8')]);
  // Always 1..32 bytes: a whole block of 32 when the plaintext is already aligned.
  const pad = WECHAT_PAD_BLOCK - (plain.length % WECHAT_PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

/** Strict UTF-8: a message that is not valid UTF-8 is an error, not replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The reverse of wechatEncrypt. Throws on anything malformed: not base64, not whole AES blocks, a pad
 * value outside 1..32 or pad bytes that differ, a length field beyond the data, invalid UTF-8.
 * Padding to 16 (plain PKCS#7) is accepted, as WeChat's sample decoder does; `pad` tells which it was.
 */
export function wechatDecrypt(
  aesKey43: string,
  encryptedBase64: string,
): { xml: string; appId: string; pad: number } {
  const key = aesKey(aesKey43);
  // Node's base64 decoder skips what it does not understand: check the form first.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encryptedBase64) || encryptedBase64.length % 4 !== 0)
    throw new Error('Encrypt is not base64');
  const data = Buffer.from(encryptedBase64, 'base64');
  if (data.length === 0 || data.length % 16 !== 0)
    throw new Error(`ciphertext of ${data.length} bytes is not whole AES blocks`);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > WECHAT_PAD_BLOCK || pad > plain.length) throw new Error(`bad padding value ${pad}`);
  for (let i = plain.length - pad; i < plain.length; i++)
    if (plain[i] !== pad) throw new Error('bad padding bytes');
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) throw new Error('plaintext shorter than random(16) + length(4)');
  const length = content.readUInt32BE(16);
  if (20 + length > content.length) throw new Error(`message length ${length} runs past the plaintext`);
  return {
    xml: utf8.decode(content.subarray(20, 20 + length)),
    appId: utf8.decode(content.subarray(20 + length)),
    pad,
  };
}

/**
 * A CDATA section for `value`. A CDATA section cannot contain `]]>`, so it is split across two
 * sections as WeChat (and every XML writer) does: `]]` ends one, `>` starts the next.
 */
export const cdata = (value: string) => `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decodeEntities = (text: string) =>
  text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, name: string) =>
    name.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(name.slice(2), 16))
      : name.startsWith('#')
        ? String.fromCodePoint(Number(name.slice(1)))
        : (ENTITIES[name] ?? whole),
  );

/**
 * The text of the first element `<name>` in a WeChat XML message: `<Name><![CDATA[…]]></Name>` or
 * `<Name>…</Name>` (entities decoded), split CDATA sections joined. A tag inside another element's
 * CDATA (a user may type `<MsgType>`) is not taken for the element. Undefined when absent, or when
 * the element holds elements rather than text.
 */
export function xmlField(xml: string, name: string): string | undefined {
  const open = `<${name}>`;
  const close = `</${name}>`;
  let i = 0;
  for (;;) {
    const tag = xml.indexOf('<', i);
    if (tag < 0) return undefined;
    if (xml.startsWith('<![CDATA[', tag)) {
      const end = xml.indexOf(']]>', tag);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (xml.startsWith('<!--', tag)) {
      const end = xml.indexOf('-->', tag);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (xml.startsWith(`<${name}/>`, tag)) {
      return '';
    } else if (xml.startsWith(open, tag)) {
      i = tag + open.length;
      break;
    } else {
      i = tag + 1;
    }
  }
  let value = '';
  while (i < xml.length) {
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end < 0) return undefined;
      value += xml.slice(i + '<![CDATA['.length, end);
      i = end + 3;
    } else if (xml.startsWith(close, i)) {
      return value;
    } else if (xml[i] === '<') {
      return undefined;
    } else {
      const next = xml.indexOf('<', i);
      const text = xml.slice(i, next < 0 ? xml.length : next);
      value += decodeEntities(text);
      i += text.length;
    }
  }
  return undefined;
}

/** Names of the elements in a WeChat XML message (outside CDATA), in order, e.g. xml, ToUserName, … */
export function xmlElements(xml: string): string[] {
  const names: string[] = [];
  const outside = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  for (const match of outside.matchAll(/<([A-Za-z_][\w.-]*)[\s/>]/g)) names.push(match[1] as string);
  return names;
}
