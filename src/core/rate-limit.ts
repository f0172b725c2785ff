/**
 * Per-conversation rate limit: a token bucket per id, in memory (per process; per isolate on
 * Workers). Bounded: the least recently seen ids are forgotten first.
 */
export interface RateLimiter {
  /** True if this conversation may send another message now. */
  take(id: string): boolean;
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
  };
}
