import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dialogText } from '../src/core/dialog/messages.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import { loadKnowledge, parseEntry } from '../src/knowledge/load.ts';

const dir = fileURLToPath(new URL('../knowledge/', import.meta.url));
// A copy of ../shared/program-facts.md, so that the tests run in any clone.
const facts = readFileSync(fileURLToPath(new URL('./fixtures/program-facts.md', import.meta.url)), 'utf8');

const valid = readFileSync(join(dir, 'advanced-training.md'), 'utf8');

function folderWith(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'kb-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  writeFileSync(join(d, '_lexicon.yaml'), readFileSync(join(dir, '_lexicon.yaml'), 'utf8'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

describe('the knowledge base', () => {
  const kb = loadKnowledge(dir);

  it('compiles to the module both runtimes import, unchanged', () => {
    expect(knowledgeBase).toEqual(kb);
  });

  it('has every entry in both languages with unique ids', () => {
    expect(kb.entries.length).toBeGreaterThanOrEqual(15);
    expect(new Set(kb.entries.map((e) => e.id)).size).toBe(kb.entries.length);
    for (const e of kb.entries) {
      expect(e.answer.zh, e.id).toMatch(/\p{Script=Han}/u);
      expect(e.answer.en, e.id).toMatch(/[a-z]{3}/);
      expect(e.questions.zh.length + e.questions.en.length, e.id).toBeGreaterThanOrEqual(8);
    }
  });

  it('keeps answers short enough for a phone screen', () => {
    for (const e of kb.entries) {
      const sentences = (text: string) => text.split(/[。！？!?]|\.(\s|$)/).filter((s) => s?.trim()).length;
      expect(e.answer.en.length, e.id).toBeLessThan(800);
      expect(e.answer.zh.length, e.id).toBeLessThan(320);
      expect(sentences(e.answer.zh), e.id).toBeLessThanOrEqual(6);
    }
  });

  it('states only figures that program-facts.md contains', () => {
    const known = facts.replace(/(\d),(\d{3})/g, '$1$2');
    for (const e of kb.entries) {
      for (const text of [e.answer.zh, e.answer.en]) {
        for (const n of text.replace(/(\d),(\d{3})/g, '$1$2').match(/\d+(\.\d+)?/g) ?? []) {
          expect(known.includes(n), `${e.id}: ${n} is not in program-facts.md`).toBe(true);
        }
      }
    }
  });

  it('states only figures that program-facts.md contains in the dialogs too', () => {
    const known = facts.replace(/(\d),(\d{3})/g, '$1$2');
    const texts = Object.values(dialogText.reasons).flatMap((t) => [t.zh, t.en]);
    for (const text of texts) {
      for (const n of text.replace(/(\d),(\d{3})/g, '$1$2').match(/\d+(\.\d+)?/g) ?? []) {
        expect(known.includes(n), `${n} in "${text.slice(0, 30)}…" is not in program-facts.md`).toBe(true);
      }
    }
  });

  it('covers every sub-project and headline figure of the facts', () => {
    const all = kb.entries.map((e) => `${e.answer.zh}\n${e.answer.en}`).join('\n');
    for (const needle of [
      '人社部发〔2021〕73号',
      '2021—2030',
      '中国科学院',
      '海洋装备',
      '100万',
      '300期',
      '2万',
      '90万',
      '8万',
      '虚拟现实',
      '退出机制',
      '2000人',
      '500人',
      '1264.3万人次',
      '200个',
      '2014年',
      '中央人才工作会议',
      '承办单位',
      '继续教育证书',
      '20,000',
      '900,000',
      '80,000',
      '12.643 million',
      'Chinese Academy of Sciences',
    ]) {
      expect(all, needle).toContain(needle);
    }
  });

  it('phrases the inferred ways of taking part as guidance and never promises admission', () => {
    const how = kb.entries.find((e) => e.id === 'how-to-take-part');
    expect(how?.answer.en).toMatch(/usually/);
    expect(how?.answer.en).toMatch(/not admission/);
    expect(how?.answer.zh).toMatch(/通常/);
    for (const e of kb.entries) expect(`${e.answer.en}`, e.id).not.toMatch(/guarantee|you will be admitted/i);
  });
});

describe('malformed knowledge files are reported with their file name', () => {
  it('a file without front matter', () => {
    expect(() => loadKnowledge(folderWith({ 'broken.md': '# just text' }))).toThrow(
      /broken\.md: expected YAML front matter/,
    );
  });

  it('a file with bad YAML', () => {
    const text = valid.replace('title:', 'title: [unclosed');
    expect(() => loadKnowledge(folderWith({ 'bad-yaml.md': text }))).toThrow(
      /bad-yaml\.md: front matter is not valid YAML/,
    );
  });

  it('an entry missing a language', () => {
    const noEnglish = valid.slice(0, valid.indexOf('## English'));
    expect(() => loadKnowledge(folderWith({ 'one-language.md': noEnglish }))).toThrow(
      /one-language\.md: missing the "## English" answer/,
    );
    const noChineseTitle = valid.replace(/title:\n {2}zh: .*\n/, 'title:\n');
    expect(() => loadKnowledge(folderWith({ 'no-title.md': noChineseTitle }))).toThrow(
      /no-title\.md: title\.zh/,
    );
  });

  it('two entries with the same id', () => {
    expect(() => loadKnowledge(folderWith({ 'a.md': valid, 'b.md': valid }))).toThrow(
      /b\.md: id "advanced-training" is already used by a\.md/,
    );
  });

  it('an unknown section, a related id that does not exist, an unknown key', () => {
    expect(() => parseEntry('x.md', valid.replace('## English', '## Français'))).toThrow(
      /x\.md: unknown section/,
    );
    expect(() => loadKnowledge(folderWith({ 'lonely.md': valid }))).toThrow(
      /lonely\.md: related id "how-to-take-part"/,
    );
    expect(() => parseEntry('y.md', valid.replace('id:', 'colour: red\nid:'))).toThrow(/y\.md: .*colour/);
  });
});
