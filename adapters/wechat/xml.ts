// WeChat's message XML: one flat <xml> element of named fields, as text or CDATA. Read with a small
// reader of our own (no entities beyond the five, no DTD, no nesting): a parser library would bring
// more than this needs and DTD handling this must not have.

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const FIELD = /<([A-Za-z][\w]*)>((?:<!\[CDATA\[[\s\S]*?\]\]>|[^<])*)<\/\1>/g;

export class WeChatXmlError extends Error {
  override name = 'WeChatXmlError';
}

/** The ciphertext of a safe-mode envelope (base64 only: read in linear time, before any check). */
export const encryptOf = (text: string) =>
  /<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]*)\]\]>|([A-Za-z0-9+/=]*))\s*<\/Encrypt>/
    .exec(text)
    ?.slice(1)
    .find((x) => x !== undefined);

/** The fields of a message (`ToUserName`, `MsgType`, `Content`, …), or an error for what is not one. */
export function parseXml(text: string): Record<string, string> {
  // An unclosed CDATA section would make the field pattern backtrack over the whole body.
  if (text.split('<![CDATA[').length !== text.split(']]>').length)
    throw new WeChatXmlError('a CDATA section is not closed');
  const body = /^\s*(?:<\?xml[^>]*\?>\s*)?<xml>([\s\S]*)<\/xml>\s*$/.exec(text)?.[1];
  if (body === undefined) throw new WeChatXmlError('the body is not a WeChat <xml> message');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new WeChatXmlError('a DTD is not allowed');
  const fields: Record<string, string> = {};
  for (const [, name = '', raw = ''] of body.matchAll(FIELD)) {
    fields[name] = raw.replace(
      /<!\[CDATA\[([\s\S]*?)\]\]>|&(lt|gt|amp|quot|apos);/g,
      (_, cdata?: string, entity?: string) => cdata ?? ENTITIES[entity ?? ''] ?? '',
    );
  }
  return fields;
}

/** Text as CDATA; "]]>" inside is split across two sections, as WeChat does. */
export const cdata = (text: string) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** A passive text reply. */
export const textReply = (to: string, from: string, content: string, now = Math.floor(Date.now() / 1000)) =>
  `<xml><ToUserName>${cdata(to)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>${cdata(content)}</Content></xml>`;

/** A safe-mode envelope for a reply. */
export const encryptedReply = (encrypt: string, msgSignature: string, timestamp: string, nonce: string) =>
  `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(msgSignature)}</MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`;
