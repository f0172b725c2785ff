// WeChat's server API: the access token (stable_token, kept in this isolate and in the shared token
// store, fetched again on expiry or when refused with 40001/42001), the customer-service messages
// (客服消息) that follow a turn or carry a staff reply, and the custom menu.
import type { TokenStore } from '../../src/db/channel-tokens.ts';

/** WeChat's answer when it refuses a call. */
export class WeChatApiError extends Error {
  override name = 'WeChatApiError';
  constructor(
    readonly errcode: number,
    errmsg: string,
    readonly path: string,
  ) {
    super(`WeChat ${path}: ${errcode} ${errmsg}`);
  }
}

/** The token was refused: invalid (40001) or expired (42001). */
const STALE_TOKEN = new Set([40001, 42001]);
/** Used until this long before WeChat says it expires. */
const MARGIN_MS = 5 * 60_000;

export type WeChatMessage =
  | { touser: string; msgtype: 'text'; text: { content: string } }
  | {
      touser: string;
      msgtype: 'msgmenu';
      msgmenu: { head_content: string; list: { id: string; content: string }[]; tail_content: string };
    };

/**
 * Tokens by account, for the life of the process or Workers isolate (a Worker wires the app per
 * request; the token outlives that), and the fetch in flight, so concurrent calls wait for one.
 */
const held = new Map<string, { token: string; expiresAt: number }>();
const inFlight = new Map<string, Promise<string>>();

export function createWeChatApi(options: {
  apiRoot: string;
  appId: string;
  appSecret: string;
  /** Shared across servers and isolates (one token per account: WeChat limits how often it is fetched). */
  tokens?: TokenStore;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}) {
  const http =
    options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const key = `wechat:${options.appId}`;
  /** This process's entry: per API address too (tests run fakes side by side). */
  const local = `${options.apiRoot} ${key}`;

  async function call(path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
    const response = await http(`${options.apiRoot.replace(/\/$/, '')}${path}`, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    if (!response.ok) throw new WeChatApiError(-1, `HTTP ${response.status}`, path.split('?')[0] ?? path);
    const body = (await response.json()) as Record<string, unknown>;
    const errcode = Number(body.errcode ?? 0);
    if (errcode !== 0)
      throw new WeChatApiError(errcode, String(body.errmsg ?? ''), path.split('?')[0] ?? path);
    return body;
  }

  /**
   * A token from WeChat, kept here and in the store. `stable_token` gives the current one; only when
   * that is the one just refused is a new one forced (forcing ends the token every other server
   * uses, and WeChat allows few of them a day).
   */
  async function fetchToken(refused?: string): Promise<string> {
    const current = await stableToken(false);
    return current === refused ? stableToken(true) : current;
  }
  async function stableToken(force: boolean): Promise<string> {
    const body = await call('/cgi-bin/stable_token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credential',
        appid: options.appId,
        secret: options.appSecret,
        force_refresh: force,
      }),
    });
    const token = String(body.access_token ?? '');
    if (!token) throw new WeChatApiError(-1, 'no access_token in the answer', '/cgi-bin/stable_token');
    const expiresAt = now() + Number(body.expires_in ?? 7200) * 1000;
    held.set(local, { token, expiresAt });
    await options.tokens?.put(key, token, new Date(expiresAt)).catch(() => {});
    return token;
  }

  /** The token to use: this isolate's, else the shared one, else a new one (one fetch at a time). */
  async function token(refused?: string): Promise<string> {
    const fresh = (t: { token: string; expiresAt: number } | undefined) =>
      t && t.token !== refused && t.expiresAt - MARGIN_MS > now() ? t.token : undefined;
    const mine = fresh(held.get(local));
    if (mine) return mine;
    const shared = await options.tokens?.get(key).catch(() => undefined);
    const theirs = fresh(shared ? { token: shared.token, expiresAt: shared.expiresAt.getTime() } : undefined);
    if (theirs) {
      held.set(local, { token: theirs, expiresAt: shared?.expiresAt.getTime() ?? 0 });
      return theirs;
    }
    let fetching = inFlight.get(local);
    if (!fetching) {
      fetching = fetchToken(refused).finally(() => inFlight.delete(local));
      inFlight.set(local, fetching);
    }
    return fetching;
  }

  /** A call with the token; a token WeChat refuses is replaced once and the call made again. */
  async function withToken(path: string, body: unknown): Promise<Record<string, unknown>> {
    const send = (t: string) =>
      call(`${path}?access_token=${encodeURIComponent(t)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await token();
    try {
      return await send(first);
    } catch (error) {
      if (!(error instanceof WeChatApiError) || !STALE_TOKEN.has(error.errcode)) throw error;
      return send(await token(first));
    }
  }

  return {
    /** A customer-service message (within 48 hours of the user's last message). */
    send: (message: WeChatMessage) => withToken('/cgi-bin/message/custom/send', message),
    /** Replaces the account's custom menu. */
    createMenu: (menu: unknown) => withToken('/cgi-bin/menu/create', menu),
  };
}

export type WeChatApi = ReturnType<typeof createWeChatApi>;
