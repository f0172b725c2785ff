/**
 * The taught entries a server answers from, kept current cheaply: at most every `maxAgeMs` (30 s)
 * it reads the store's change counter, and only when that changed does it load the entries and
 * build their index again (no table scan per request), over the entries a release shipped in
 * `knowledge/taught/` as well. A change made through this server is applied at once
 * (`refresh(store, true)`).
 */
import type { KnowledgeBase } from '../knowledge/schema.ts';
import { mergeTaught, type TaughtStore } from './taught.ts';
import { createTaughtIndex, type TaughtIndex } from './taught-index.ts';

export function createTaughtCache(
  kb: KnowledgeBase,
  options: { maxAgeMs?: number; now?: () => number; today?: () => string } = {},
) {
  const maxAge = options.maxAgeMs ?? 30_000;
  const now = options.now ?? Date.now;
  const today = options.today ?? (() => new Date(now()).toISOString().slice(0, 10));
  const shipped = kb.taught ?? [];
  // What a release shipped answers before the database was read (and while it cannot be).
  let index: TaughtIndex | undefined = shipped.length
    ? createTaughtIndex(kb, mergeTaught(shipped, []), today)
    : undefined;
  let version = -1;
  let checkedAt = Number.NEGATIVE_INFINITY;

  return {
    /** The index to answer from (undefined until first loaded). */
    get: () => index,
    /**
     * Checks the counter when due (or at once with `force`). The first caller of a period does
     * the check; the others go on with the index they have (on Workers a request never waits on
     * another request's query).
     */
    async refresh(store: TaughtStore, force = false): Promise<void> {
      const t = now();
      if (!force && t - checkedAt < maxAge) return;
      checkedAt = t;
      const current = await store.version();
      if (current === version && !force) return;
      index = createTaughtIndex(kb, mergeTaught(shipped, await store.current()), today);
      version = current;
    },
    /** The change counter the index was built at (-1: never). */
    version: () => version,
  };
}

export type TaughtCache = ReturnType<typeof createTaughtCache>;
