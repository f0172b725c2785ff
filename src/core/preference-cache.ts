import type { Lang, PreferenceStore } from './types.ts';

/**
 * Keeps recent language preferences in memory so that most turns need no database read.
 * Bounded (least recently used out first) and short-lived, so a choice made through another
 * instance shows up within `ttlMs`.
 */
export function cachePreferences(
  store: PreferenceStore,
  options: { max?: number; ttlMs?: number; now?: () => number } = {},
): PreferenceStore {
  const max = options.max ?? 10_000;
  const ttl = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { lang: Lang | undefined; until: number }>();

  const remember = (id: string, lang: Lang | undefined) => {
    cache.delete(id);
    cache.set(id, { lang, until: now() + ttl });
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
  };

  return {
    async getLanguage(id) {
      const hit = cache.get(id);
      if (hit && hit.until > now()) {
        cache.delete(id);
        cache.set(id, hit);
        return hit.lang;
      }
      const lang = await store.getLanguage(id);
      remember(id, lang);
      return lang;
    },
    async setLanguage(id, lang) {
      await store.setLanguage(id, lang);
      remember(id, lang);
    },
    forget(id) {
      cache.delete(id);
      store.forget?.(id);
    },
  };
}
