import type { InteractionRecord, Lang, PreferenceStore } from '../../src/core/types.ts';

export function memoryPreferences(): PreferenceStore & { map: Map<string, Lang> } {
  const map = new Map<string, Lang>();
  return {
    map,
    getLanguage: async (id) => map.get(id),
    setLanguage: async (id, lang) => {
      map.set(id, lang);
    },
  };
}

export function memoryLog() {
  const rows: InteractionRecord[] = [];
  return { rows, record: (row: InteractionRecord) => rows.push(row) };
}
