import { describe, expect, it } from 'vitest';
import { cachePreferences } from '../src/core/preference-cache.ts';
import type { Lang } from '../src/core/types.ts';

function countingStore() {
  const map = new Map<string, Lang>();
  const calls = { get: 0, set: 0 };
  return {
    calls,
    map,
    getLanguage: async (id: string) => {
      calls.get++;
      return map.get(id);
    },
    setLanguage: async (id: string, lang: Lang) => {
      calls.set++;
      map.set(id, lang);
    },
  };
}

describe('the preference cache', () => {
  it('reads the store once per conversation, including "no preference"', async () => {
    const store = countingStore();
    const cache = cachePreferences(store);
    expect(await cache.getLanguage('a')).toBeUndefined();
    expect(await cache.getLanguage('a')).toBeUndefined();
    expect(store.calls.get).toBe(1);
  });

  it('writes through and serves the new value', async () => {
    const store = countingStore();
    const cache = cachePreferences(store);
    await cache.getLanguage('a');
    await cache.setLanguage('a', 'en');
    expect(await cache.getLanguage('a')).toBe('en');
    expect(store.map.get('a')).toBe('en');
    expect(store.calls.get).toBe(1);
  });

  it('expires entries, so a change made elsewhere is seen', async () => {
    let t = 0;
    const store = countingStore();
    const cache = cachePreferences(store, { ttlMs: 1_000, now: () => t });
    await cache.getLanguage('a');
    store.map.set('a', 'zh');
    t = 999;
    expect(await cache.getLanguage('a')).toBeUndefined();
    t = 1_001;
    expect(await cache.getLanguage('a')).toBe('zh');
  });

  it('is bounded, dropping the least recently used', async () => {
    const store = countingStore();
    const cache = cachePreferences(store, { max: 2 });
    await cache.getLanguage('a');
    await cache.getLanguage('b');
    await cache.getLanguage('a');
    await cache.getLanguage('c');
    store.calls.get = 0;
    await cache.getLanguage('a');
    await cache.getLanguage('b');
    expect(store.calls.get).toBe(1);
  });
});
