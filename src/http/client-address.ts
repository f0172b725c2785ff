// Who is asking, as far as limits go: the client's network address. On Node it is the socket's
// peer, or, only when that peer is a trusted proxy, the nearest address in X-Forwarded-For that is
// not one; on Workers it is CF-Connecting-IP, which Cloudflare's edge sets and clients cannot.
// IPv6 addresses count by their /64 (one subscriber's network), IPv4 addresses one by one.
import type { Context } from 'hono';

export type AddressOf = (c: Context) => string | undefined;

/** "::ffff:10.0.0.1" is 10.0.0.1; an IPv6 address is cut to its /64 prefix. */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1] as string;
  if (!a.includes(':')) return a;
  const [head = '', tail = ''] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = a.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

/** Node: the peer of the socket, or what a trusted proxy says the client was. */
export function nodeAddressOf(trustedProxies: readonly string[]): AddressOf {
  const trusted = new Set(trustedProxies.map(addressKey));
  return (c) => {
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    const peer = incoming?.socket?.remoteAddress;
    if (!peer) return undefined;
    let address = addressKey(peer);
    if (!trusted.has(address)) return address;
    // Rightmost first: each trusted proxy appended the address it was talking to.
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean)
      .reverse();
    for (const hop of hops) {
      address = addressKey(hop);
      if (!trusted.has(address)) return address;
    }
    return address;
  };
}

/** Workers: Cloudflare's own header. */
export const workerAddressOf: AddressOf = (c) => {
  const ip = c.req.header('cf-connecting-ip');
  return ip ? addressKey(ip) : undefined;
};
