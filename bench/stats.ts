// `/kup stats` on a large database: 1,000,000 interactions and 10,000 registrations.
import { sql } from 'kysely';
import { parseConfig } from '../src/config.ts';
import { createStats } from '../src/db/stats.ts';
import { createRuntime } from '../src/runtime.ts';

export async function statsBench(
  databaseUrl: string | undefined,
  interactions = 1_000_000,
  registrations = 10_000,
) {
  const rt = await createRuntime(parseConfig({ DATABASE_URL: databaseUrl }), {
    memory: true,
    logger: { info() {}, error: (m) => console.error(m) },
  });
  const db = rt.db;
  const started = performance.now();
  await sql`delete from interactions`.execute(db);
  await sql`delete from registrations`.execute(db);
  // Two rows per turn over 60 days, 50,000 conversations, realistic kinds, topics and dialog steps.
  await sql`
    insert into interactions (created_at, channel, conversation, turn_id, direction, text, kind, sources, confidence, lang, latency_ms, field)
    select now() - ((i / 2) % 86400) * interval '1 minute',
           (array['web', 'telegram', 'web', 'web'])[1 + (i / 2) % 4],
           'c' || ((i / 2) % 50000),
           't' || (i / 2),
           case when i % 2 = 0 then 'in' else 'out' end,
           'question ' || ((i / 2) % 700),
           case when i % 2 = 1 then (array['answer', 'answer', 'fallback', 'dialog', 'answer', 'command'])[1 + (i / 2) % 6] end,
           case when i % 2 = 1 and (i / 2) % 6 in (0, 1, 4) then array[(array['overview', 'scale', 'advanced-training', 'digital-engineer'])[1 + (i / 2) % 4]] end,
           0.8, 'zh', 3,
           case when i % 2 = 1 and (i / 2) % 6 = 3 then (array['consent', 'name', 'phone', 'email', 'organization', 'title', 'field', 'subproject', 'province', 'experience', 'confirm'])[1 + (i / 12) % 11] end
    from generate_series(0, ${interactions - 1}) as i`.execute(db);
  await sql`
    insert into registrations (reference, conversation_id, channel, subproject, name, phone, lang, field, province, created_at, updated_at)
    select 'KUP-B' || i, 'web:bench-' || i, 'web',
           (array['advanced-training', 'ability-improvement', 'digital-engineer'])[1 + i % 3],
           'Name ' || i, '138' || lpad(i::text, 8, '0'), 'zh',
           (array['it', 'biotech', 'new-energy'])[1 + i % 3], (array['beijing', 'shanghai', 'guangdong'])[1 + i % 3],
           now() - (i % 60) * interval '1 day', now()
    from generate_series(1, ${registrations}) as i`.execute(db);
  await sql`analyze`.execute(db);
  const seeded = performance.now() - started;

  const stats = createStats(db);
  const time = async (label: string, run: () => Promise<unknown>) => {
    await run(); // warm
    const t = performance.now();
    await run();
    const ms = performance.now() - t;
    console.log(
      `${label.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms  ${ms < 3_000 ? '(within Slack’s 3 s)' : '(OVER 3 s)'}`,
    );
    return ms;
  };
  console.log(
    `seeded ${interactions.toLocaleString('en')} interactions and ${registrations.toLocaleString('en')} registrations on ${rt.databaseKind} in ${(seeded / 1000).toFixed(1)} s`,
  );
  const all = await time('/kup stats all', () => stats.stats('all'));
  await time('/kup stats 7d', () => stats.stats('7d'));
  await time('/kup stats today', () => stats.stats('today'));
  await time('/kup gaps', () => stats.gaps());
  await time('/kup registrations 10', () => stats.latestRegistrations(10));
  const small = await time('baseline: select 1', () => sql`select 1`.execute(db));
  console.log(`ratio stats all : select 1 = ${(all / Math.max(small, 0.01)).toFixed(0)}`);
  await sql`delete from interactions`.execute(db);
  await sql`delete from registrations`.execute(db);
  await rt.close();
}
