// The WeChat Official Account channel (公众号): GET /wechat answers the platform's server check,
// POST /wechat receives messages (plain or in safe mode). A turn of one plain message is the passive
// reply, within WeChat's 5 seconds; any other turn, or one not ready in time, is answered "success"
// and follows as customer-service messages. Staff replies go out the same way.
import type { Context, Hono } from 'hono';
import { type Channel, type ChannelContext, UndeliveredError } from '../../src/channel.ts';
import { createTokenStore } from '../../src/db/channel-tokens.ts';
import { limitBody } from '../../src/http/body-limit.ts';
import { createWeChatApi, WeChatApiError, type WeChatMessage } from './api.ts';
import { LIMITS, parse, render, type WeChatOut } from './codec.ts';
import { type SafeMode, safeMode, sameSignature, signature, WeChatCryptoError } from './crypto.ts';
import { encryptedReply, encryptOf, parseXml, textReply, WeChatXmlError } from './xml.ts';

/**
 * WeChat waits 5 s for the passive reply, counted from when it sent the request: past this much of
 * it (from the request's arrival) we answer "success" and send the turn by the API instead.
 */
const PASSIVE_MS = 3_500;
/** A signed request older or newer than this is refused (WeChat's retries come within ~15 s). */
const MAX_SKEW_S = 300;
const MAX_BODY = 64 * 1024;
const MEDIA_ONLY_TEXT =
  '我目前只能阅读文字消息。请直接输入您的问题，或点击下方菜单。\nI can only read text messages: please type your question, or use the menu below.';
/** Why WeChat refused a staff reply, for the case thread. */
const REFUSED: Record<number, string> = {
  45015:
    'Not delivered: WeChat lets the account write to a user only within 48 hours of their last message (error 45015). The user will see nothing unless they write again.',
  45047:
    'Not delivered: WeChat allows only a few messages to a user until they write again (error 45047). Send it again after they write.',
  43004: 'Not delivered: the user no longer follows the account (error 43004).',
};

export interface WeChatChannelOptions {
  /** How long after its arrival a request may still get the passive reply (tests shorten it). */
  passiveMs?: number;
  /** When the request arrived (Workers: before connecting to the database), in ms since the epoch. */
  arrivedAt?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Which body each plain-mode signature came with, for as long as the signature is accepted. */
const plainBodies = (() => {
  const seen = new Map<string, { digest: string; at: number }>();
  const digest = async (text: string) =>
    [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
  return {
    async fits(signed: string, body: string, at: number): Promise<boolean> {
      if (seen.size > 10_000) {
        for (const [key, v] of seen) if (at - v.at > MAX_SKEW_S * 2_000) seen.delete(key);
        if (seen.size > 10_000) seen.clear();
      }
      const hash = await digest(body);
      const before = seen.get(signed);
      if (before) return before.digest === hash;
      seen.set(signed, { digest: hash, at });
      return true;
    },
  };
})();

const sleep = (ms: number) => new Promise<undefined>((resolve) => setTimeout(resolve, ms, undefined));

export function wechatChannel(options: WeChatChannelOptions = {}) {
  return (ctx: ChannelContext): Channel | undefined => {
    const { config } = ctx;
    const token = config.WECHAT_TOKEN;
    const appId = config.WECHAT_APP_ID;
    if (!token || !appId || !config.WECHAT_APP_SECRET) return undefined;
    const api = createWeChatApi({
      apiRoot: config.WECHAT_API_ROOT,
      appId,
      appSecret: config.WECHAT_APP_SECRET,
      tokens: createTokenStore(ctx.db),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const aesKey = config.WECHAT_ENCODING_AES_KEY;
    let sealed: Promise<SafeMode> | undefined;
    const safe = () => {
      if (!aesKey) throw new WeChatCryptoError('safe mode is not configured (WECHAT_ENCODING_AES_KEY)');
      sealed ??= safeMode(aesKey, appId);
      return sealed;
    };

    /** Sends customer-service messages in order. */
    async function send(openid: string, messages: WeChatOut[]): Promise<void> {
      for (const m of messages) {
        const message: WeChatMessage = m.choices?.length
          ? {
              touser: openid,
              msgtype: 'msgmenu',
              msgmenu: {
                head_content: m.text,
                list: m.choices.map((c) => ({ id: c.id, content: c.label })),
                tail_content: '',
              },
            }
          : { touser: openid, msgtype: 'text', text: { content: m.text } };
        await api.send(message);
      }
    }

    const now = options.now ?? Date.now;
    async function verified(c: Context, encrypt?: string): Promise<boolean> {
      const q = c.req.query();
      const timestamp = q.timestamp ?? '';
      const nonce = q.nonce ?? '';
      if (!/^\d{1,12}$/.test(timestamp) || !nonce) return false;
      // A signature seen in a log must not open the door for ever.
      if (Math.abs(Number(timestamp) - now() / 1000) > MAX_SKEW_S) return false;
      const expected = await signature(
        token ?? '',
        timestamp,
        nonce,
        ...(encrypt === undefined ? [] : [encrypt]),
      );
      const given = (encrypt === undefined ? q.signature : q.msg_signature) ?? '';
      return sameSignature(expected, given.toLowerCase());
    }

    function mount(app: Hono) {
      // The platform's check of the server URL: echo echostr when the signature is ours.
      app.get('/wechat', async (c) => {
        if (!(await verified(c))) return c.text('signature check failed', 401);
        return c.text(c.req.query('echostr') ?? '');
      });

      app.post('/wechat', limitBody(MAX_BODY), async (c) => {
        const started = options.arrivedAt ?? now();
        const encrypted = c.req.query('encrypt_type') === 'aes';
        // With a key, only sealed messages: a plain one is signed over the query alone, not the body.
        if (aesKey && !encrypted)
          return c.text('this account takes safe-mode (encrypted) messages only', 401);
        if (!aesKey && encrypted) {
          ctx.onError(new Error('a safe-mode message came but WECHAT_ENCODING_AES_KEY is not set'), 'wechat');
          return c.text('safe mode is not configured', 400);
        }
        // Checked before the body is read where the signature does not cover it.
        if (!encrypted && !(await verified(c))) return c.text('signature check failed', 401);
        const raw = await c.req.text();
        // Plain mode's signature does not cover the body: one signature, one body (a retry sends
        // the same; a replayed signature with a new message is refused, within this process).
        if (!encrypted && !(await plainBodies.fits(c.req.query('signature') ?? '', raw, now())))
          return c.text('this signature was used for another message', 401);
        let fields: Record<string, string>;
        try {
          if (encrypted) {
            const envelope = encryptOf(raw);
            if (envelope === undefined) throw new WeChatXmlError('no <Encrypt> in the message');
            if (!(await verified(c, envelope))) return c.text('signature check failed', 401);
            const inner = await (await safe()).decrypt(envelope);
            if (inner.appId !== appId) return c.text('the message is for another account', 401);
            fields = parseXml(inner.xml);
          } else fields = parseXml(raw);
        } catch (error) {
          if (error instanceof WeChatXmlError || error instanceof WeChatCryptoError)
            return c.text(`bad request: ${error.message}`, 400);
          throw error;
        }
        // The query names the sender too: they must agree.
        const sender = c.req.query('openid');
        if (sender !== undefined && sender !== fields.FromUserName)
          return c.text('the sender does not match the signed request', 401);

        const openid = fields.FromUserName ?? '';
        const account = fields.ToUserName ?? '';
        /** The passive reply: a text, sealed in safe mode; "success" for none. */
        const answer = async (text?: string) => {
          if (!text) return c.text('success');
          const xml = textReply(openid, account, text);
          if (!encrypted) return c.body(xml, 200, { 'content-type': 'application/xml; charset=utf-8' });
          const timestamp = String(Math.floor(Date.now() / 1000));
          const nonce = crypto.randomUUID().replaceAll('-', '').slice(0, 16);
          const envelope = await (await safe()).encrypt(xml);
          const signed = await signature(token ?? '', timestamp, nonce, envelope);
          return c.body(encryptedReply(envelope, signed, timestamp, nonce), 200, {
            'content-type': 'application/xml; charset=utf-8',
          });
        };

        /** Claims a delivery that core does not (its retries are answered "success"); false if seen. */
        const firstTime = async (key: string) => {
          try {
            if (!(await ctx.ledger.claim(key))) return false;
            await ctx.ledger.done(key);
            return true;
          } catch (error) {
            // The database is down: answer now rather than fail and have WeChat say the account is broken.
            ctx.onError(error, 'wechat: the delivery ledger');
            return true;
          }
        };
        if (fields.MsgType === 'event' && fields.Event?.toLowerCase() === 'unsubscribe') {
          // Kept in the log as the user's last word (once); nothing can be sent to them any more.
          if (!(await firstTime(`wechat:${openid}:${fields.CreateTime ?? ''}:unsubscribe`))) return answer();
          ctx.log?.record({
            at: new Date(),
            channel: 'wechat',
            conversationId: `wechat:${openid}`,
            turnId: crypto.randomUUID(),
            direction: 'in',
            text: '[unsubscribe]',
          });
          return answer();
        }
        const message = parse(fields);
        if (!message) {
          // Images, voice, video, locations…: say what works (once per message, however often retried).
          if (fields.MsgType && fields.MsgType !== 'event' && /^[\w-]{1,64}$/.test(openid)) {
            const key = `wechat:${fields.MsgId ?? `${openid}:${fields.CreateTime ?? ''}`}`;
            if (await firstTime(key)) return answer(MEDIA_ONLY_TEXT);
          }
          return answer();
        }

        const turn = ctx.assistant.handle(message);
        // What is left of WeChat's wait, counted from the request's arrival.
        const left = Math.max(0, started + (options.passiveMs ?? PASSIVE_MS) - now());
        const ready = await Promise.race([turn, sleep(left)]);
        if (ready?.meta.kind === 'duplicate') return answer();
        const out = ready ? render(ready) : undefined;
        // One plain message in time: the passive reply, no API call.
        if (out && out.length === 1 && !out[0]?.choices?.length) {
          if (message.deliveryId) await ctx.ledger.done(message.deliveryId);
          return answer(out[0]?.text);
        }
        // Else "success" now, and the turn follows as customer-service messages.
        const later = (async () => {
          const done = await turn;
          if (done.meta.kind === 'duplicate') return;
          await send(openid, render(done));
          if (message.deliveryId) await ctx.ledger.done(message.deliveryId);
        })().catch((error: unknown) => ctx.onError(error, 'wechat: sending a turn'));
        if (ctx.waitUntil) ctx.waitUntil(c, later);
        else void later;
        return answer();
      });
    }

    return {
      name: 'wechat',
      limits: LIMITS,
      owns: (conversationId) => conversationId.startsWith('wechat:'),
      mount,
      async deliver(conversationId, text) {
        const openid = conversationId.slice('wechat:'.length);
        try {
          await send(
            openid,
            render({
              replies: [{ text }],
              meta: { kind: 'handoff', sources: [], confidence: 1, lang: 'zh' },
            }),
          );
        } catch (error) {
          const why = error instanceof WeChatApiError ? REFUSED[error.errcode] : undefined;
          if (why) throw new UndeliveredError(why);
          throw error;
        }
      },
      state: () => (aesKey ? 'on (safe mode)' : 'on'),
    };
  };
}
