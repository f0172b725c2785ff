/**
 * Per-conversation rate limit: a token bucket per id, in memory (per process; per isolate on
 * Workers). Bounded: the least recently seen ids are forgotten first.
 */
export interface RateLimiter {
  /** True if this conversation may send another message now. */
  take(id: string): boolean;
  /** After a refused take: milliseconds until the next one is allowed. */
  waitMs(id: string): number;
}

/**
 * A limit per client address (seconds to wait, 0 when allowed). In memory on Node; on Workers,
 * Cloudflare's rate-limiting binding, which holds across isolates.
 */
export interface AddressLimiter {
  check(address: string): Promise<number>;
}

export function memoryAddressLimiter(perMinute: number): AddressLimiter {
  const limiter = createRateLimiter({ perMinute });
  return {
    check: async (address) =>
      limiter.take(address) ? 0 : Math.max(1, Math.ceil(limiter.waitMs(address) / 1000)),
  };
}

/** Cloudflare's rate-limiting binding (`[[ratelimits]]` in wrangler.toml): its period is a minute. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export function bindingAddressLimiter(binding: RateLimitBinding): AddressLimiter {
  return { check: async (address) => ((await binding.limit({ key: address })).success ? 0 : 60) };
}

export function createRateLimiter(options: {
  perMinute: number;
  burst?: number;
  maxIds?: number;
  now?: () => number;
}): RateLimiter {
  const rate = options.perMinute / 60_000;
  const burst = options.burst ?? Math.max(5, Math.ceil(options.perMinute / 3));
  // e.g. 60 a minute: up to 20 at once (a form filled in quickly), then one a second.
  const maxIds = options.maxIds ?? 50_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(id) {
      const t = now();
      const b = buckets.get(id) ?? { tokens: burst, at: t };
      buckets.delete(id);
      b.tokens = Math.min(burst, b.tokens + (t - b.at) * rate);
      b.at = t;
      const allowed = b.tokens >= 1;
      if (allowed) b.tokens -= 1;
      buckets.set(id, b);
      if (buckets.size > maxIds) buckets.delete(buckets.keys().next().value as string);
      return allowed;
    },
    waitMs(id) {
      const b = buckets.get(id);
      return b && b.tokens < 1 ? Math.ceil((1 - b.tokens) / rate) : 0;
    },
  };
}
