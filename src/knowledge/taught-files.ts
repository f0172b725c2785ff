// Taught entries as files of `knowledge/taught/` and back (Node only: `npm run knowledge:export`).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isLive, mergeTaught, type TaughtEntry } from '../core/taught.ts';
import { readTaughtFolder } from './load.ts';

/** One entry in the repository's format: YAML front matter, then the answer in both languages. */
export function taughtFile(e: TaughtEntry): string {
  const front = {
    id: e.id,
    version: e.version,
    questions: e.questions,
    source: e.source,
    ...(e.expires ? { expires: e.expires } : {}),
    author: e.author,
    updated: e.at.toISOString(),
  };
  return `---\n${stringify(front, { lineWidth: 0 })}---\n\n## 中文\n\n${e.answer.zh}\n\n## English\n\n${e.answer.en}\n`;
}

export interface ExportResult {
  written: string[];
  unchanged: string[];
  /** Files removed: their entry was retired or is past its last day. */
  removed: string[];
}

/**
 * Writes the entries in use (stored ones merged with the folder's, the newer version winning) as
 * files named by id; removes the files of entries retired or past their last day.
 */
export function exportTaught(stored: TaughtEntry[], dir: string, today: string): ExportResult {
  const result: ExportResult = { written: [], unchanged: [], removed: [] };
  mkdirSync(dir, { recursive: true });
  for (const entry of mergeTaught(readTaughtFolder(dir), stored)) {
    const file = join(dir, `${entry.id}.md`);
    if (!isLive(entry, today)) {
      if (existsSync(file)) {
        rmSync(file);
        result.removed.push(entry.id);
      }
      continue;
    }
    const text = taughtFile(entry);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) result.unchanged.push(entry.id);
    else {
      writeFileSync(file, text);
      result.written.push(entry.id);
    }
  }
  return result;
}
