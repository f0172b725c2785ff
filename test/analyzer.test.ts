import { describe, expect, it } from 'vitest';
import { createAnalyzer, distance } from '../src/core/analyzer.ts';
import { canonicalNumbers, detectLanguage, normalize } from '../src/core/normalize.ts';
import { toSimplified } from '../src/core/simplified.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';

const analyzer = createAnalyzer(knowledgeBase.lexicon, toSimplified);
analyzer.setVocabulary(knowledgeBase.entries.map((e) => `${e.answer.en} ${e.questions.en.join(' ')}`));
const terms = (text: string) => analyzer.query(text).terms;

describe('the analyzer', () => {
  it('indexes Chinese without spaces as bigrams, cut at stopwords', () => {
    expect(terms('米饭怎么煮')).toEqual(['米饭', '煮']);
  });

  it('maps synonyms in either language to one concept', () => {
    const concept = (text: string) => terms(text).filter((t) => t.startsWith('~'));
    expect(concept('AI')).toEqual(concept('人工智能'));
    expect(concept('artificial intelligence')).toEqual(concept('人工智能'));
    expect(concept('高研')).toEqual(concept('高级研修'));
    expect(concept('capacity building')).toEqual(concept('能力提升'));
    expect(concept('sign up')).toEqual(concept('报名'));
  });

  it('corrects typos towards the knowledge base vocabulary, not ordinary words', () => {
    expect(terms('artifical inteligence')).toEqual(terms('artificial intelligence'));
    expect(terms('blokchain')).toEqual(terms('blockchain'));
    expect(terms('football')).toEqual(analyzer.terms('football'));
    expect(terms('weather')).toEqual(analyzer.terms('weather'));
  });

  it('drops English stopwords but keeps acronyms written in capitals', () => {
    expect(terms('what is it')).toEqual([]);
    expect(terms('IT')).toEqual(
      terms('information technology')
        .filter((t) => t.startsWith('~'))
        .concat(['it']),
    );
  });

  it('reads traditional characters as simplified, and Taiwan’s words as the mainland’s', () => {
    expect(terms('數字技術工程師')).toEqual(terms('数字技术工程师'));
    expect(terms('數位技術工程師')).toEqual(terms('数字技术工程师'));
    expect(terms('人工智慧')).toEqual(terms('人工智能'));
  });

  it('writes figures one way', () => {
    expect(canonicalNumbers('2万 and 20,000 and 20k')).toBe('20000 and 20000 and 20000');
    expect(canonicalNumbers('1264.3万人次, 12.643 million')).toBe('12643000人次, 12643000');
    expect(normalize('９０万ＩｏＴ')).toBe('900000iot');
    // Figures in words, with a scale word or a counted thing; "one of" and "一个" stay words.
    expect(canonicalNumbers('the one million people, nine hundred thousand, one of them')).toBe(
      'the 1000000 people, 900000, one of them',
    );
    expect(canonicalNumbers('两万人，九十万，三百期，十二个领域，一个，一年，第一轮')).toBe(
      '20000人，900000，300期，12个领域，一个，一年，第一轮',
    );
    // Long runs of number words cost their length, and are left alone.
    const long = `${'one '.repeat(1000)}${'十'.repeat(4000)}`;
    expect(canonicalNumbers(long)).toBe(long);
  });

  it('tells Chinese from English, mixed questions by weight', () => {
    expect(detectLanguage('高研班每年办几期')).toBe('zh');
    expect(detectLanguage('How many?')).toBe('en');
    expect(detectLanguage('数字技术工程师 how many per year')).toBe('zh');
    expect(detectLanguage('Is 高研 open to managers?')).toBe('en');
    expect(detectLanguage('😀 ???')).toBeUndefined();
  });

  it('measures edit distance with swaps, stopping past a limit', () => {
    expect(distance('blokchain', 'blockchain', 2)).toBe(1);
    expect(distance('form', 'from', 2)).toBe(1);
    expect(distance('kitten', 'sitting', 1)).toBe(2);
  });
});
