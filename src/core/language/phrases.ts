/**
 * A table of phrases (as token keys, see tokens.ts) and what each means, searched longest first:
 * "新能源汽车" is found as one phrase, not as "新能源" and "汽车". A trie, so finding every phrase
 * of a message costs the message's length times the longest phrase, whatever the table's size.
 */
import type { Token } from './tokens.ts';

interface Node<T> {
  next: Map<string, Node<T>>;
  values: T[];
}

export interface PhraseMatch<T> {
  /** Token indices: the phrase covers tokens [start, end). */
  start: number;
  end: number;
  values: T[];
}

export function createPhraseTable<T>() {
  const root: Node<T> = { next: new Map(), values: [] };
  let depth = 0;

  function longestAt(tokens: readonly Token[], i: number, to: number): PhraseMatch<T> | undefined {
    let node = root;
    let found: PhraseMatch<T> | undefined;
    for (let k = i; k < to && k - i < depth; k++) {
      const next = node.next.get((tokens[k] as Token).key);
      if (!next) break;
      node = next;
      if (node.values.length) found = { start: i, end: k + 1, values: node.values };
    }
    return found;
  }

  return {
    add(keys: string[], value: T) {
      if (!keys.length) return;
      let node = root;
      for (const key of keys) {
        let next = node.next.get(key);
        if (!next) {
          next = { next: new Map(), values: [] };
          node.next.set(key, next);
        }
        node = next;
      }
      if (!node.values.includes(value)) node.values.push(value);
      depth = Math.max(depth, keys.length);
    },
    longestAt,
    /**
     * Every phrase in tokens [from, to), left to right, each the longest at its place, none
     * overlapping. A phrase that starts with a word `yields` to a longer one after that word ("the
     * advanced" | "advanced courses").
     */
    find(
      tokens: readonly Token[],
      from = 0,
      to = tokens.length,
      yields?: (t: Token) => boolean,
    ): PhraseMatch<T>[] {
      const out: PhraseMatch<T>[] = [];
      let i = from;
      while (i < to) {
        let m = longestAt(tokens, i, to);
        if (m && yields?.(tokens[i] as Token)) {
          const after = longestAt(tokens, i + 1, to);
          if (after && after.end > m.end) m = after;
        }
        if (m) {
          out.push(m);
          i = m.end;
        } else i++;
      }
      return out;
    },
  };
}

export type PhraseTable<T> = ReturnType<typeof createPhraseTable<T>>;
