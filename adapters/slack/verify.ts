// Slack request signatures: HMAC-SHA256 of "v0:<timestamp>:<raw body>" with the signing secret,
// timestamps older (or newer) than five minutes refused, compared in constant time. Web Crypto, so
// it runs the same on Node and Workers.

const encoder = new TextEncoder();
const FIVE_MINUTES = 5 * 60;

export type Verdict = { ok: true } | { ok: false; reason: string };

export async function slackSignature(secret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`v0:${timestamp}:${body}`));
  return `v0=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function sameText(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < y.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export async function verifySlackRequest(input: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  /** Seconds since the epoch (tests fix the clock). */
  now?: number;
}): Promise<Verdict> {
  const { secret, body, timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'unsigned request' };
  const ts = Number(timestamp);
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (!/^\d+$/.test(timestamp) || Math.abs(now - ts) > FIVE_MINUTES)
    return { ok: false, reason: 'stale or invalid timestamp' };
  const expected = await slackSignature(secret, timestamp, body);
  return sameText(signature, expected) ? { ok: true } : { ok: false, reason: 'bad signature' };
}
