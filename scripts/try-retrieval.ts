import { readFileSync } from 'node:fs';
import { createRetriever } from '../src/core/retriever.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';

const r = createRetriever(knowledgeBase);
const files = process.argv.slice(2);
for (const f of files) {
  for (const line of readFileSync(f, 'utf8').split('\n').filter(Boolean)) {
    const c = JSON.parse(line);
    const hits = r.search(c.text);
    const h = hits[0];
    console.log(
      `${c.id}\t${c.expect}\t${h ? h.entry.id : '-'}\t${h ? h.confidence.toFixed(2) : '0'}\t${h ? h.score.toFixed(1) : ''}\t${hits[1]?.entry.id ?? ''}\t${c.text}`,
    );
  }
}
