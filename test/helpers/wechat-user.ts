// Plays the WeChat server posting a user's messages to the bot's URL, as the platform's documentation
// describes: signed query, XML body (encrypted in safe mode), a 5-second wait, and the checks it makes
// on the passive reply. What the real server would not accept is collected in `problems`.
import { randomInt } from 'node:crypto';
import { WECHAT_TEXT_LIMIT } from './fake-wechat.ts';
import {
  cdata,
  wechatDecrypt,
  wechatEncrypt,
  wechatSignature,
  xmlElements,
  xmlField,
} from './wechat-crypto.ts';

/** The passive reply the bot answered with, decoded (and decrypted in safe mode). */
export interface PassiveReply {
  msgType: string | undefined;
  content: string | undefined;
  toUser: string | undefined;
  fromUser: string | undefined;
  createTime: string | undefined;
  /** The plaintext reply XML. */
  xml: string;
}

export interface Exchange {
  /** 0 when the bot did not answer within the timeout (WeChat hangs up after 5 s). */
  status: number;
  /** The raw response body. */
  body: string;
  /** Undefined for 'success', an empty body, or a body that is not XML. */
  reply: PassiveReply | undefined;
  ms: number;
}

export type MediaKind = 'image' | 'voice' | 'video' | 'location';

/** Elements a passive text reply may have: anything else makes WeChat refuse it (异常数据). */
const REPLY_ELEMENTS = new Set(['xml', 'ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Content']);

/**
 * Message ids are 64-bit and unique across the platform; a bot deduplicates retries by them, so
 * every user in this process draws from one counter, started from the clock to differ between runs.
 */
let nextMsgId = BigInt(Date.now()) * 1_000_000n + BigInt(randomInt(0, 1_000)) * 1_000n;

const now = () => Math.floor(Date.now() / 1000);
const short = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

export function wechatUser(options: {
  /** The bot's message URL (…/wechat). */
  url: string;
  /** The Token configured on the platform. */
  token: string;
  appId: string;
  /** The EncodingAESKey: safe mode (安全模式) when given. */
  aesKey?: string;
  /** The account's original id (gh_…), the messages' ToUserName. */
  botId?: string;
  /** How long WeChat waits for the passive reply (default 5000 ms). */
  timeoutMs?: number;
  /** A fake platform to tell of each user action (opens its customer-service quota). */
  platform?: {
    userActed(openid: string, action: 'message' | 'menu' | 'subscribe' | 'scan' | 'unsubscribe'): void;
  };
}) {
  const botId = options.botId ?? 'gh_3a5f7c9e1b2d';
  const timeoutMs = options.timeoutMs ?? 5000;
  const { aesKey, token, appId } = options;
  const problems: string[] = [];

  /** signature, timestamp and nonce: what WeChat signs every request with. */
  function plainQuery(): Record<string, string> {
    const timestamp = String(now());
    const nonce = String(randomInt(100_000_000, 2_000_000_000));
    return { signature: wechatSignature(token, timestamp, nonce), timestamp, nonce };
  }

  /** The query of a pushed message: in safe mode also encrypt_type and msg_signature over `encrypt`. */
  function signedQuery(encrypt?: string): Record<string, string> {
    const query = plainQuery();
    if (!aesKey) return query;
    const { timestamp = '', nonce = '' } = query;
    return {
      ...query,
      encrypt_type: 'aes',
      msg_signature: wechatSignature(token, timestamp, nonce, encrypt ?? ''),
    };
  }

  const urlWith = (query: Record<string, string | null>) => {
    const url = new URL(options.url);
    for (const [key, value] of Object.entries(query))
      if (value === null) url.searchParams.delete(key);
      else url.searchParams.set(key, value);
    return url;
  };

  /** Decodes the body as WeChat would; `problem` collects what it would refuse. */
  function readReply(
    body: string,
    problem: (text: string) => void,
    openid?: string,
  ): PassiveReply | undefined {
    // Only these two mean "no reply" (an empty body is zero bytes, not a reply with empty Content).
    if (body === '' || body === 'success') return undefined;
    let xml = body;
    if (aesKey) {
      const encrypt = xmlField(body, 'Encrypt');
      if (encrypt === undefined) {
        if (body.trimStart().startsWith('<')) problem('in safe mode the reply must be encrypted');
      } else {
        const signature = xmlField(body, 'MsgSignature');
        const timestamp = xmlField(body, 'TimeStamp');
        const nonce = xmlField(body, 'Nonce');
        if (signature === undefined || timestamp === undefined || nonce === undefined)
          throw new Error(`encrypted reply without MsgSignature, TimeStamp or Nonce: ${body}`);
        if (wechatSignature(token, timestamp, nonce, encrypt) !== signature)
          throw new Error(`wrong MsgSignature on the reply: ${body}`);
        const inner = wechatDecrypt(aesKey, encrypt);
        if (inner.appId !== appId) throw new Error(`the reply is encrypted for ${inner.appId}, not ${appId}`);
        xml = inner.xml;
      }
    }
    const trimmed = xml.trim();
    if (!trimmed.startsWith('<xml>') || !trimmed.endsWith('</xml>')) {
      problem(`the reply is not 'success', empty or XML: ${short(body)}`);
      return undefined;
    }
    const reply: PassiveReply = {
      msgType: xmlField(xml, 'MsgType'),
      content: xmlField(xml, 'Content'),
      toUser: xmlField(xml, 'ToUserName'),
      fromUser: xmlField(xml, 'FromUserName'),
      createTime: xmlField(xml, 'CreateTime'),
      xml,
    };
    if (openid !== undefined && reply.toUser !== openid)
      problem(`reply ToUserName is ${reply.toUser}, not the sender ${openid}`);
    if (reply.fromUser !== botId)
      problem(`reply FromUserName is ${reply.fromUser}, not the account ${botId}`);
    if (!/^\d+$/.test(reply.createTime ?? ''))
      problem(`reply CreateTime ${reply.createTime} is not an integer`);
    if (reply.msgType !== 'text') problem(`reply MsgType is ${reply.msgType}, not text`);
    else if (!reply.content) problem('reply Content is empty (answer "success" to send nothing)');
    else if (Buffer.byteLength(reply.content) > WECHAT_TEXT_LIMIT)
      problem(
        `reply Content is ${Buffer.byteLength(reply.content)} bytes of UTF-8, over ${WECHAT_TEXT_LIMIT}`,
      );
    const extra = xmlElements(xml).filter((name) => !REPLY_ELEMENTS.has(name));
    if (extra.length)
      problem(`reply has elements WeChat does not accept in a text reply: ${extra.join(', ')}`);
    return reply;
  }

  async function exchange(
    url: URL,
    init: RequestInit,
  ): Promise<{ status: number; body: string; ms: number }> {
    const started = performance.now();
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.text();
      return { status: res.status, body, ms: performance.now() - started };
    } catch (e) {
      if ((e as Error).name !== 'TimeoutError') throw e;
      return { status: 0, body: '', ms: performance.now() - started };
    }
  }

  /** Posts one plaintext message XML as WeChat does (encrypted in safe mode) and checks the reply. */
  async function message(xml: string, what = 'message'): Promise<Exchange> {
    const openid = xmlField(xml, 'FromUserName') ?? '';
    let body = xml;
    let query: Record<string, string>;
    if (aesKey) {
      const encrypt = wechatEncrypt(aesKey, appId, xml);
      body = `<xml><ToUserName>${cdata(botId)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
      query = signedQuery(encrypt);
    } else {
      query = signedQuery();
    }
    // The query's order on the real platform: signature, timestamp, nonce, openid, encrypt_type, msg_signature.
    const { signature, timestamp, nonce, ...rest } = query;
    const url = urlWith({ signature, timestamp, nonce, openid, ...rest } as Record<string, string>);
    const result = await exchange(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', 'user-agent': 'Mozilla/4.0' },
      body,
    });
    const problem = (text: string) => problems.push(`${what} from ${openid}: ${text}`);
    if (result.status === 0)
      problem(`no answer within ${timeoutMs} ms: WeChat drops the reply and retries the same message`);
    else if (result.status !== 200)
      problem(`HTTP ${result.status}: the user sees "该公众号暂时无法提供服务，请稍后再试"`);
    const reply = result.status === 200 ? readReply(result.body, problem, openid) : undefined;
    return { ...result, reply };
  }

  const head = (openid: string, type: string, createTime = now()) =>
    `<ToUserName>${cdata(botId)}</ToUserName><FromUserName>${cdata(openid)}</FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType>${cdata(type)}</MsgType>`;
  const msgId = (given?: string | number | bigint) => String(given ?? nextMsgId++);

  return {
    botId,
    /** What the real server would not have accepted in the bot's answers; a test expects it empty. */
    problems,
    /** The signed query (signature, timestamp, nonce; in safe mode encrypt_type, msg_signature). */
    signedQuery,

    /** The URL check when the server address is configured: GET with echostr (plain, also in safe mode). */
    async verify(echostr: string, query: Record<string, string | null> = {}) {
      const { status, body } = await exchange(urlWith({ ...plainQuery(), echostr, ...query }), {
        method: 'GET',
        headers: { 'user-agent': 'Mozilla/4.0' },
      });
      return { status, body };
    },

    /** A text message; `bizmsgmenuid` makes it a tap on a msgmenu item (content = the item's text). */
    text(
      openid: string,
      content: string,
      extra: { msgId?: string | number | bigint; createTime?: number; bizmsgmenuid?: string | number } = {},
    ) {
      options.platform?.userActed(openid, 'message');
      const menu =
        extra.bizmsgmenuid === undefined ? '' : `<bizmsgmenuid>${extra.bizmsgmenuid}</bizmsgmenuid>`;
      return message(
        `<xml>${head(openid, 'text', extra.createTime)}<Content>${cdata(content)}</Content>` +
          `<MsgId>${msgId(extra.msgId)}</MsgId>${menu}</xml>`,
        `text "${short(content)}"`,
      );
    },

    /** An event: subscribe, unsubscribe, CLICK (with the button's key), SCAN, VIEW. */
    event(
      openid: string,
      event: 'subscribe' | 'unsubscribe' | 'CLICK' | 'VIEW' | 'SCAN' | (string & {}),
      extra: { eventKey?: string; createTime?: number } = {},
    ) {
      const action = {
        subscribe: 'subscribe',
        unsubscribe: 'unsubscribe',
        CLICK: 'menu',
        SCAN: 'scan',
      } as const;
      const acted = action[event as keyof typeof action];
      if (acted) options.platform?.userActed(openid, acted);
      // A click always carries its key; a subscription only when it came from a QR code (qrscene_…).
      const key =
        extra.eventKey !== undefined || event === 'CLICK' || event === 'VIEW' || event === 'SCAN'
          ? `<EventKey>${cdata(extra.eventKey ?? '')}</EventKey>`
          : '';
      return message(
        `<xml>${head(openid, 'event', extra.createTime)}<Event>${cdata(event)}</Event>${key}</xml>`,
        `event ${event}`,
      );
    },

    /** A message the bot cannot read as text: image, voice, video or location. */
    media(
      openid: string,
      kind: MediaKind,
      extra: { msgId?: string | number | bigint; createTime?: number } = {},
    ) {
      options.platform?.userActed(openid, 'message');
      const media = `<MediaId>${cdata(`media_${kind}_${randomInt(1e9)}`)}</MediaId>`;
      const fields = {
        image: `<PicUrl>${cdata('http://mmbiz.qpic.cn/mmbiz_jpg/fake/0')}</PicUrl>${media}`,
        voice: `${media}<Format>${cdata('amr')}</Format>`,
        video: `${media}<ThumbMediaId>${cdata('thumb_media_id')}</ThumbMediaId>`,
        location:
          '<Location_X>39.908823</Location_X><Location_Y>116.397470</Location_Y><Scale>15</Scale>' +
          `<Label>${cdata('北京市东城区')}</Label>`,
      }[kind];
      return message(
        `<xml>${head(openid, kind, extra.createTime)}${fields}<MsgId>${msgId(extra.msgId)}</MsgId></xml>`,
        kind,
      );
    },

    /** Any plaintext message XML, sent like the others (encrypted in safe mode) and its reply checked. */
    message: (xml: string) => message(xml),

    /**
     * A body posted as is, for malformed or hostile input: the query is signed as usual (in safe mode
     * msg_signature covers the body's Encrypt, if any), then `query` overrides it (null removes a
     * parameter). The reply is decoded when it can be, but not held to the reply rules.
     */
    async raw(body: string, query: Record<string, string | null> = {}): Promise<Exchange> {
      const openid = xmlField(body, 'FromUserName');
      const base = signedQuery(xmlField(body, 'Encrypt'));
      const url = urlWith({ ...base, ...(openid === undefined ? {} : { openid }), ...query });
      const result = await exchange(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml', 'user-agent': 'Mozilla/4.0' },
        body,
      });
      const reply = result.status === 200 ? readReply(result.body, () => {}) : undefined;
      return { ...result, reply };
    },
  };
}

export type WeChatUser = ReturnType<typeof wechatUser>;
