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
import { encryptedReply, parseXml, textReply, WeChatXmlError } from './xml.ts';

/** WeChat waits 5 s for the passive reply; past this we answer "success" and send the turn later. */
const PASSIVE_MS = 4_000;
const MAX_BODY = 64 * 1024;
const MEDIA_ONLY_TEXT =
  '我目前只能阅读文字消息。请直接输入您的问题，或点击下方菜单。\nI can only read text messages: please type your question, or use the menu below.';
const OUTSIDE_WINDOW =
  'Not delivered: WeChat lets the account write to a user only within 48 hours of their last message (error 45015). The user will see nothing unless they write again.';

export interface WeChatChannelOptions {
  /** How long a passive reply may take (tests shorten it). */
  passiveMs?: number;
  fetch?: typeof fetch;
}

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

    async function verified(c: Context, encrypt?: string): Promise<boolean> {
      const q = c.req.query();
      const timestamp = q.timestamp ?? '';
      const nonce = q.nonce ?? '';
      if (!timestamp || !nonce) return false;
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
        const encrypted = c.req.query('encrypt_type') === 'aes';
        const raw = await c.req.text();
        let fields: Record<string, string>;
        try {
          fields = parseXml(raw);
          if (encrypted) {
            const envelope = fields.Encrypt ?? '';
            if (!(await verified(c, envelope))) return c.text('signature check failed', 401);
            const inner = await (await safe()).decrypt(envelope);
            if (inner.appId !== appId) return c.text('the message is for another account', 401);
            fields = parseXml(inner.xml);
          } else if (!(await verified(c))) return c.text('signature check failed', 401);
        } catch (error) {
          if (error instanceof WeChatXmlError || error instanceof WeChatCryptoError)
            return c.text(`bad request: ${error.message}`, 400);
          throw error;
        }

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

        if (fields.MsgType === 'event' && fields.Event?.toLowerCase() === 'unsubscribe') {
          // Kept in the log as the user's last word; nothing can be sent to them any more.
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
            if (await ctx.ledger.claim(key)) {
              await ctx.ledger.done(key);
              return answer(MEDIA_ONLY_TEXT);
            }
          }
          return answer();
        }

        const turn = ctx.assistant.handle(message);
        const ready = await Promise.race([turn, sleep(options.passiveMs ?? PASSIVE_MS)]);
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
          if (error instanceof WeChatApiError && error.errcode === 45015)
            throw new UndeliveredError(OUTSIDE_WINDOW);
          throw error;
        }
      },
      state: () => (aesKey ? 'on (safe mode)' : 'on'),
    };
  };
}
