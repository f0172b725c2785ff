import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { canonicalNumbers } from '../src/core/normalize.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import { loadKnowledge, parseEntry } from '../src/knowledge/load.ts';

const dir = fileURLToPath(new URL('../knowledge/', import.meta.url));
// A copy of ../shared/program-facts.md, so that the tests run in any clone.
const facts = readFileSync(fileURLToPath(new URL('./fixtures/program-facts.md', import.meta.url)), 'utf8');

const valid = readFileSync(join(dir, 'advanced-training.md'), 'utf8');
/** The topics advanced-training.md refers to, so that a folder with it loads. */
const others = () =>
  Object.fromEntries(
    [
      'how-to-take-part.md',
      'subprojects.md',
      'eligibility.md',
      'ability-improvement.md',
      'digital-engineer.md',
      'continuing-education-bases.md',
      'digital-engineer-how.md',
      'priority-fields.md',
      'overview.md',
      'first-round.md',
      'aims.md',
      'focus.md',
      'issuing-bodies.md',
      'plan-document.md',
      'scale.md',
    ].map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );

/** Every figure program-facts.md states, written one way ("2万", "20,000" → 20000; "1264.3万" → 12643000). */
const stated = new Set(
  canonicalNumbers(facts.replace(/(\d),(\d{3})/g, '$1$2')).match(/\d+(?:\.\d+)?/g) ?? [],
);
/** The figures of a text or value that program-facts.md does not state. */
const unstated = (text: string) =>
  (canonicalNumbers(text.replace(/(\d),(\d{3})/g, '$1$2')).match(/\d+(?:\.\d+)?/g) ?? []).filter(
    (n) => !stated.has(n) && !stated.has(String(Number(n))),
  );

/** Each topic file's facts, with the file they are in (a failure names it). */
function factsByFile(folder: string) {
  return readdirSync(folder)
    .filter((f) => f.endsWith('.md') && !f.startsWith('_') && f !== 'README.md')
    .flatMap((file) =>
      parseEntry(file, readFileSync(join(folder, file), 'utf8')).facts.map((fact) => ({ file, fact })),
    );
}

/** What the figure check reports for a folder: "file: figure". */
function unstatedFigures(folder: string): string[] {
  return factsByFile(folder).flatMap(({ file, fact }) =>
    [String(fact.value ?? ''), fact.text.zh, fact.text.en].flatMap(unstated).map((n) => `${file}: ${n}`),
  );
}

function folderWith(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'kb-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  for (const shared of readdirSync(dir).filter((f) => f.startsWith('_')))
    writeFileSync(join(d, shared), readFileSync(join(dir, shared), 'utf8'));
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

  it('states in its facts only figures that program-facts.md contains, each fact with a source', () => {
    expect(factsByFile(dir).length).toBeGreaterThanOrEqual(30);
    expect(unstatedFigures(dir)).toEqual([]);
    for (const { file, fact } of factsByFile(dir)) {
      expect(fact.sources.filter((s) => s !== 'inferred').length, file).toBeGreaterThan(0);
    }
  });

  it('a fact with a figure program-facts.md does not contain is reported with its file', () => {
    const wrong = valid.replace('value: 300\n', 'value: 350\n');
    expect(unstatedFigures(folderWith({ 'made-up.md': wrong }))).toEqual(['made-up.md: 350']);
    const inText = valid.replace('约300期。', '约320期。');
    expect(unstatedFigures(folderWith({ 'made-up.md': inText }))).toEqual(['made-up.md: 320']);
  });

  it('states only figures that program-facts.md contains in its answers', () => {
    const known = facts.replace(/(\d),(\d{3})/g, '$1$2');
    for (const e of kb.entries) {
      for (const text of [e.answer.zh, e.answer.en]) {
        for (const n of text.replace(/(\d),(\d{3})/g, '$1$2').match(/\d+(\.\d+)?/g) ?? []) {
          expect(known.includes(n), `${e.id}: ${n} is not in program-facts.md`).toBe(true);
        }
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
  it('a fact without a source, or citing a page that is not listed', () => {
    const noSource = valid.replace('    sources: [people-online, seed-report]\n', '');
    expect(() => loadKnowledge(folderWith({ 'no-source.md': noSource, ...others() }))).toThrow(
      /no-source\.md: facts\.0\.sources/,
    );
    const unknown = valid.replace('sources: [people-online]', 'sources: [a-blog]');
    expect(() => loadKnowledge(folderWith({ 'unknown-source.md': unknown, ...others() }))).toThrow(
      /unknown-source\.md: facts\[2\]: source "a-blog" is not in _sources\.yaml/,
    );
  });

  it('a fact about something that is not an entity, or guidance not phrased as guidance', () => {
    const stranger = valid.replace(
      '  - subject: advanced-training\n    attribute: audience',
      '  - subject: space-program\n    attribute: audience',
    );
    expect(() => loadKnowledge(folderWith({ 'stranger.md': stranger, ...others() }))).toThrow(
      /stranger\.md: facts\[3\]: subject "space-program" is not an entity/,
    );
    const stated = valid.replace('individuals usually take part', 'individuals take part');
    expect(() => loadKnowledge(folderWith({ 'as-fact.md': stated, ...others() }))).toThrow(
      /as-fact\.md: facts\[4\]: inferred facts must be phrased as guidance/,
    );
  });

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
