// Node only: the `fetch` grammY uses for Bot API calls, on undici's request API. grammY's default
// on Node (node-fetch) took about twice the CPU per call in `npm run bench`, and global fetch three
// times as much. Workers keep the platform's fetch (this file is never in that bundle).
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | AsyncIterable<Uint8Array> | null;
  signal?: AbortSignal | null;
}

export function createBotApiFetch() {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  const fetch = async (url: string | URL, init: FetchInit = {}) => {
    // The spreads come last: on Node 20 a key added after a spread costs a hidden class per call.
    const response = await request(url, {
      dispatcher,
      method: (init.method ?? 'GET') as 'GET',
      ...(init.headers ? { headers: init.headers } : {}),
      // JSON is a string; a file upload is a stream (grammY makes it one on Node).
      ...(init.body ? { body: typeof init.body === 'string' ? init.body : Readable.from(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    // What grammY reads of a response.
    return {
      ok: response.statusCode >= 200 && response.statusCode < 300,
      status: response.statusCode,
      json: () => response.body.json(),
      text: () => response.body.text(),
    };
  };
  return { fetch: fetch as unknown as typeof globalThis.fetch, close: () => dispatcher.close() };
}
