import type { Migration } from 'kysely';
import * as initial from './2026-11-27T0800-initial.ts';
import * as dialogs from './2026-11-27T1000-dialogs-registrations.ts';
import * as deliveries from './2026-11-27T1200-deliveries.ts';
import * as handoffs from './2026-11-27T1400-handoffs.ts';
import * as contexts from './2026-12-05T0900-contexts.ts';
import { keyedPseudonyms } from './2026-12-05T1200-keyed-pseudonyms.ts';
import * as taught from './2026-12-05T1400-taught-entries.ts';
import * as answerAuthor from './2026-12-05T1600-answer-author.ts';
import * as channelTokens from './2026-12-05T1800-channel-tokens.ts';

/**
 * Every migration, by name. Static imports so Workers (no file system) see the same list. A
 * migration that re-keys data is given the keyed function (the key is never in the database).
 */
export const migrationsFor = (options: { rekey?: (digest: string) => Promise<string> } = {}) =>
  ({
    '2026-11-27T0800-initial': initial,
    '2026-11-27T1000-dialogs-registrations': dialogs,
    '2026-11-27T1200-deliveries': deliveries,
    '2026-11-27T1400-handoffs': handoffs,
    '2026-12-05T0900-contexts': contexts,
    '2026-12-05T1200-keyed-pseudonyms': keyedPseudonyms(options.rekey),
    '2026-12-05T1400-taught-entries': taught,
    '2026-12-05T1600-answer-author': answerAuthor,
    '2026-12-05T1800-channel-tokens': channelTokens,
  }) satisfies Record<string, Migration>;
