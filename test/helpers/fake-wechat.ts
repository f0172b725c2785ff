// A local fake of the WeChat Official Account API (api.weixin.qq.com), written from the platform's
// documentation: access tokens (plain and stable), customer-service messages and the custom menu.
// It checks what the real one checks, answers in its shapes (HTTP 200 with errcode/errmsg), records
// every call and every message it accepted, and can fail or expire tokens on demand.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WeChatCall {
  method: string;
  /** e.g. /cgi-bin/message/custom/send */
  path: string;
  query: Record<string, string>;
  /** The JSON body parsed, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  /** What the fake answered. */
  answer: Record<string, unknown>;
}

export interface WeChatMenuItem {
  id: string;
  content: string;
}

/** A customer-service message the fake accepted. */
export interface WeChatSent {
  touser: string;
  msgtype: 'text' | 'msgmenu';
  text?: { content: string };
  msgmenu?: { head_content?: string; list: WeChatMenuItem[]; tail_content?: string };
  /** Date.now() when accepted. */
  at: number;
}

/**
 * What a user did, which opens the customer-service quota (发送客服消息, 下发额度): a message gives
 * 5 messages within 48 hours; a menu click, a subscription or a QR scan 3 within a minute.
 */
export type UserAction = 'message' | 'menu' | 'subscribe' | 'scan' | 'unsubscribe';

type Answer = Record<string, unknown>;
const error = (errcode: number, errmsg: string): Answer => ({ errcode, errmsg });
const OK: Answer = { errcode: 0, errmsg: 'ok' };
const E = {
  invalidToken: error(40001, 'invalid credential, access_token is invalid or not latest'),
  expired: error(42001, 'access_token expired'),
  tokenMissing: error(41001, 'access_token missing'),
  requirePost: error(43002, 'require POST method'),
  dataFormat: error(47001, 'data format error'),
};

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const isText = (value: unknown): value is string => typeof value === 'string';

/** After a new plain token, the previous one keeps working this long (平滑过渡). */
const GRACE_MS = 5 * 60_000;
/** Force-refreshing a stable token again sooner than this returns the same token. */
const FORCE_INTERVAL_MS = 30_000;
const FORCE_PER_DAY = 20;
/** Text of a customer-service message, and a passive reply's Content, at most (bytes of UTF-8). */
export const WECHAT_TEXT_LIMIT = 2048;

/** Menu button types that send an event with the button's key (so need `key`). */
const KEY_TYPES = new Set([
  'click',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
]);

/** Checks a menu body as menu/create does; the error answer, or undefined when it is valid. */
function menuError(body: unknown): Answer | undefined {
  const buttons = (body as { button?: unknown } | null)?.button;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3)
    return error(40016, 'invalid button size');
  for (const button of buttons) {
    const problem = buttonError(button, true);
    if (problem) return problem;
  }
  return undefined;
}

function buttonError(raw: unknown, top: boolean): Answer | undefined {
  // Sub-buttons have their own codes (40023..40027) on the real platform.
  const code = (topCode: number, subCode: number) => (top ? topCode : subCode);
  const b = (raw ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null) return error(code(40017, 40024), 'invalid button type');
  const name = b.name;
  if (!isText(name) || bytes(name) < 1 || bytes(name) > (top ? 16 : 60))
    return top ? error(40018, 'invalid button name size') : error(40025, 'invalid sub button name size');
  // menu/get gives leaf buttons "sub_button": [], so an empty list is a leaf.
  const subs = b.sub_button;
  if (Array.isArray(subs) && subs.length > 0) {
    if (!top) return error(40022, 'invalid sub menu level');
    if (subs.length > 5) return error(40023, 'invalid sub button size');
    for (const sub of subs) {
      const problem = buttonError(sub, false);
      if (problem) return problem;
    }
    return undefined;
  }
  if (subs !== undefined && !Array.isArray(subs)) return error(40023, 'invalid sub button size');
  const type = b.type;
  const badType = top ? error(40017, 'invalid button type') : error(40024, 'invalid sub button type');
  if (!isText(type)) return badType;
  if (KEY_TYPES.has(type)) {
    if (!isText(b.key) || bytes(b.key) < 1 || bytes(b.key) > 128)
      return top ? error(40019, 'invalid button key size') : error(40026, 'invalid sub button key size');
    return undefined;
  }
  const badUrl = top ? error(40020, 'invalid button url size') : error(40027, 'invalid sub button url size');
  switch (type) {
    case 'view':
      return isText(b.url) && bytes(b.url) >= 1 && bytes(b.url) <= 1024 ? undefined : badUrl;
    case 'miniprogram':
      if (!isText(b.url) || bytes(b.url) < 1 || bytes(b.url) > 1024) return badUrl;
      return isText(b.appid) && b.appid && isText(b.pagepath) && b.pagepath ? undefined : E.dataFormat;
    case 'media_id':
    case 'view_limited':
      return isText(b.media_id) && b.media_id ? undefined : error(40007, 'invalid media_id');
    case 'article_id':
    case 'article_view_limited':
      return isText(b.article_id) && b.article_id ? undefined : E.dataFormat;
    default:
      return badType;
  }
}

/** Checks a customer-service message body; the error answer, or undefined when it is valid. */
function messageError(body: Record<string, unknown>): Answer | undefined {
  if (!isText(body.touser) || !body.touser) return error(40003, 'invalid openid');
  if (body.msgtype === 'text') {
    const content = (body.text as { content?: unknown } | undefined)?.content;
    if (content !== undefined && !isText(content)) return E.dataFormat;
    if (!content) return error(44004, 'empty content');
    if (bytes(content) > WECHAT_TEXT_LIMIT) return error(45002, 'content size out of limit');
    return undefined;
  }
  if (body.msgtype === 'msgmenu') {
    const menu = body.msgmenu as Record<string, unknown> | undefined;
    if (typeof menu !== 'object' || menu === null) return E.dataFormat;
    const { head_content: head, tail_content: tail, list } = menu;
    if ((head !== undefined && !isText(head)) || (tail !== undefined && !isText(tail))) return E.dataFormat;
    if (!Array.isArray(list) || list.length < 1 || list.length > 10) return E.dataFormat;
    for (const item of list as Record<string, unknown>[])
      if (!isText(item?.id) || !item.id || !isText(item.content) || !item.content) return E.dataFormat;
    return undefined;
  }
  // The real platform has more types (image, news, …): the bot sends none, so a test should notice.
  return error(40008, 'invalid message type');
}

interface Token {
  kind: 'token' | 'stable';
  expiresAt: number;
  /** Invalid (40001) from this time: superseded or force-refreshed. */
  revokedAt?: number;
}

interface Grant {
  left: number;
  until: number;
}

export async function startFakeWeChat(options: {
  appId: string;
  appSecret: string;
  /** Lifetime of issued tokens, and their expires_in (default 7200). */
  tokenTtlSeconds?: number;
  /** Openids past the 48-hour window: custom/send answers 45015. The set may change during a test. */
  outsideWindow?: Set<string>;
  /**
   * Enforce the customer-service quota: a message to an openid needs a recent user action (from
   * `userActed`, which wechatUser calls when given this fake): 45015 with none, 45047 when used up.
   */
  enforceQuota?: boolean;
}) {
  const ttlMs = (options.tokenTtlSeconds ?? 7200) * 1000;
  const outsideWindow = options.outsideWindow ?? new Set<string>();
  const calls: WeChatCall[] = [];
  const sent: WeChatSent[] = [];
  /** Every menu accepted by menu/create, in order (the last is the current one). */
  const menus: unknown[] = [];
  const tokens = new Map<string, Token>();
  const failures: { errcode: number; errmsg: string; path?: string }[] = [];
  const unsubscribed = new Set<string>();
  const grants = new Map<string, Map<string, Grant>>();
  let issued = 0;
  let stable: string | undefined;
  const forced: number[] = [];

  const issue = (kind: Token['kind']) => {
    issued++;
    // Shaped like the real ones: a counter, '_', then ~130 URL-safe characters.
    const token = `${80 + issued}_${randomBytes(96).toString('base64url')}`;
    tokens.set(token, { kind, expiresAt: Date.now() + ttlMs });
    return token;
  };
  const remaining = (token: string) =>
    Math.max(0, Math.ceil(((tokens.get(token)?.expiresAt ?? 0) - Date.now()) / 1000));

  /** The token's error, or undefined when it is good. */
  const tokenError = (token: string | undefined): Answer | undefined => {
    if (!token) return E.tokenMissing;
    const t = tokens.get(token);
    if (!t) return E.invalidToken;
    const now = Date.now();
    if (now >= t.expiresAt) return E.expired;
    if (t.revokedAt !== undefined && now >= t.revokedAt) return E.invalidToken;
    return undefined;
  };

  /** The credentials check shared by token and stable_token. */
  const credentialsError = (grantType: unknown, appid: unknown, secret: unknown): Answer | undefined => {
    if (grantType !== 'client_credential') return error(40002, 'invalid grant_type');
    if (!appid) return error(41002, 'appid missing');
    if (appid !== options.appId) return error(40013, 'invalid appid');
    if (!secret) return error(41004, 'appsecret missing');
    if (secret !== options.appSecret) return error(40125, 'invalid appsecret');
    return undefined;
  };

  const plainToken = (query: Record<string, string>): Answer => {
    const refused = credentialsError(query.grant_type, query.appid, query.secret);
    if (refused) return refused;
    // A new token makes the previous ones invalid, after a grace of five minutes.
    const now = Date.now();
    for (const t of tokens.values())
      if (t.kind === 'token' && t.revokedAt === undefined) t.revokedAt = now + GRACE_MS;
    return { access_token: issue('token'), expires_in: ttlMs / 1000 };
  };

  const stableToken = (body: Record<string, unknown>): Answer => {
    const refused = credentialsError(body.grant_type, body.appid, body.secret);
    if (refused) return refused;
    if (body.force_refresh !== undefined && typeof body.force_refresh !== 'boolean') return E.dataFormat;
    const now = Date.now();
    const current = stable && !tokenError(stable) ? stable : undefined;
    if (body.force_refresh === true) {
      // Limited to 20 a day, and at least 30 s apart: sooner, the same token comes back.
      if (forced.length >= FORCE_PER_DAY) return error(45009, 'reach max api daily quota limit');
      const last = forced.at(-1);
      if (!(current && last !== undefined && now - last < FORCE_INTERVAL_MS)) {
        forced.push(now);
        const old = stable && tokens.get(stable);
        if (old) old.revokedAt = now;
        stable = issue('stable');
      }
    } else if (!current || (ttlMs > 2 * GRACE_MS && remaining(current) * 1000 <= GRACE_MS)) {
      // In its last five minutes the platform already hands out the next token (the old one works
      // until it expires). Not with test-short lifetimes, where that would renew on every call.
      stable = issue('stable');
    }
    const token = stable as string;
    return { access_token: token, expires_in: remaining(token) };
  };

  /** Uses one message of the openid's quota; the error when there is none. */
  const useQuota = (openid: string): Answer | undefined => {
    const now = Date.now();
    const live = [...(grants.get(openid)?.values() ?? [])]
      .filter((g) => g.until > now)
      .sort((a, b) => a.until - b.until);
    if (live.length === 0) return error(45015, 'response out of time limit or subscription is canceled');
    const grant = live.find((g) => g.left > 0);
    if (!grant) return error(45047, 'out of response count limit');
    grant.left--;
    return undefined;
  };

  const customSend = (body: Record<string, unknown>): Answer => {
    const refused = messageError(body);
    if (refused) return refused;
    const touser = body.touser as string;
    if (outsideWindow.has(touser) || unsubscribed.has(touser))
      return error(45015, 'response out of time limit or subscription is canceled');
    if (options.enforceQuota) {
      const exhausted = useQuota(touser);
      if (exhausted) return exhausted;
    }
    const msgtype = body.msgtype as WeChatSent['msgtype'];
    sent.push({
      touser,
      msgtype,
      ...(msgtype === 'text' ? { text: body.text as WeChatSent['text'] } : {}),
      ...(msgtype === 'msgmenu' ? { msgmenu: body.msgmenu as WeChatSent['msgmenu'] } : {}),
      at: Date.now(),
    });
    return OK;
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    let json = false;
    try {
      body = raw ? JSON.parse(raw) : undefined;
      json = typeof body === 'object' && body !== null;
    } catch {
      body = raw;
    }
    let status = 200;
    const answer = (): Answer => {
      const failure = failures.findIndex((f) => f.path === undefined || f.path === path);
      if (failure >= 0) {
        const [f] = failures.splice(failure, 1);
        return error(f?.errcode ?? -1, f?.errmsg ?? 'system error');
      }
      if (path === '/cgi-bin/token') return plainToken(query);
      const post = method === 'POST';
      if (path === '/cgi-bin/stable_token') {
        if (!post) return E.requirePost;
        return json ? stableToken(body as Record<string, unknown>) : E.dataFormat;
      }
      if (path === '/cgi-bin/message/custom/send' || path === '/cgi-bin/menu/create') {
        if (!post) return E.requirePost;
        const refused = tokenError(query.access_token);
        if (refused) return refused;
        if (!json) return E.dataFormat;
        if (path === '/cgi-bin/message/custom/send') return customSend(body as Record<string, unknown>);
        const invalid = menuError(body);
        if (invalid) return invalid;
        menus.push(body);
        return OK;
      }
      status = 404;
      return error(-1, `the fake does not implement ${path}`);
    };
    const reply = answer();
    calls.push({ method, path, query, body, answer: reply });
    // HTTP 200 whatever the errcode, as the real API answers.
    res.writeHead(status, { 'content-type': 'application/json; encoding=utf-8' });
    res.end(JSON.stringify(reply));
  });
  // Long keep-alive, as in fake-telegram.ts: a client reusing a connection as the fake closes it
  // would otherwise see a rare "socket hang up".
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    /** Use in place of https://api.weixin.qq.com. */
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    sent,
    menus,
    outsideWindow,
    /** Tokens issued so far, by both token endpoints (a bot should cache its token). */
    get tokensIssued() {
      return issued;
    },
    /** Every token issued so far answers 42001 from now on. */
    expireTokens() {
      const now = Date.now();
      for (const t of tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
    },
    /**
     * The next call (to `path` if given: '/cgi-bin/message/custom/send', or 'message/custom/send')
     * answers this error instead; queued failures are used in order.
     */
    failNext(errcode: number, errmsg: string, path?: string) {
      const where = path === undefined ? {} : { path: path.startsWith('/') ? path : `/cgi-bin/${path}` };
      failures.push({ errcode, errmsg, ...where });
    },
    /** A user's action, as the platform sees it: opens (or, for unsubscribe, closes) the quota. */
    userActed(openid: string, action: UserAction) {
      if (action === 'unsubscribe') {
        unsubscribed.add(openid);
        grants.delete(openid);
        return;
      }
      unsubscribed.delete(openid);
      const now = Date.now();
      const byKind = grants.get(openid) ?? new Map<string, Grant>();
      byKind.set(
        action,
        action === 'message' ? { left: 5, until: now + 48 * 3600_000 } : { left: 3, until: now + 60_000 },
      );
      grants.set(openid, byKind);
    },
    /** Accepted text messages to one openid, in order. */
    /** What the user read: texts, and the text above a menu. */
    textsTo: (openid: string) =>
      sent
        .filter((s) => s.touser === openid)
        .map((s) => (s.msgtype === 'text' ? (s.text?.content ?? '') : (s.msgmenu?.head_content ?? ''))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type FakeWeChat = Awaited<ReturnType<typeof startFakeWeChat>>;
