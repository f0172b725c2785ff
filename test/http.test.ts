import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime(parseConfig({}), { memory: true, logger: { info() {}, error() {} } });
});
afterAll(() => rt.close());

const post = (body: BodyInit, type = 'application/json') =>
  rt.app.request('/api/chat', { method: 'POST', headers: { 'content-type': type }, body });
const postJson = (value: unknown) => post(JSON.stringify(value));

async function expectError(res: Response, status: number, message: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: string };
  expect(body.error).toMatch(message);
}

describe('POST /api/chat', () => {
  it('answers the contract shape', async () => {
    const res = await postJson({ userId: 'u-1', text: 'What is the knowledge update project?' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['meta', 'replies']);
    expect(body.meta).toMatchObject({ kind: 'answer', lang: 'en', sources: ['overview'] });
    expect(typeof (body.meta as { confidence: number }).confidence).toBe('number');
  });

  it('accepts a choice without text, and lang', async () => {
    const res = await postJson({ userId: 'u-1', choice: 'topic:aims', lang: 'zh' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { meta: unknown }).meta).toMatchObject({
      kind: 'answer',
      lang: 'zh',
      sources: ['aims'],
    });
  });

  it.each([
    ['broken JSON', () => post('{"userId": "a", "text": '), /must be JSON/],
    ['an empty body', () => post(''), /must be JSON/],
    ['a JSON array', () => postJson([{ userId: 'a', text: 'hi' }]), /JSON object/],
    ['JSON null', () => postJson(null), /JSON object/],
    ['a JSON string', () => postJson('hello'), /JSON object/],
    ['neither a userId nor the page’s session', () => postJson({ text: 'hi' }), /no session/],
    ['a numeric userId', () => postJson({ userId: 42, text: 'hi' }), /userId is required/],
    ['an empty userId', () => postJson({ userId: '  ', text: 'hi' }), /userId must not be empty/],
    ['a huge userId', () => postJson({ userId: 'x'.repeat(129), text: 'hi' }), /userId is longer/],
    ['a userId with a NUL', () => postJson({ userId: 'a\u0000b', text: 'hi' }), /userId must be printable/],
    [
      'a userId with a lone surrogate',
      () => postJson({ userId: 'a\uD800', text: 'hi' }),
      /userId must be printable/,
    ],
    [
      'text that is not a string',
      () => postJson({ userId: 'a', text: { $gt: '' } }),
      /text must be a string/,
    ],
    [
      'text over 4,000 characters',
      () => postJson({ userId: 'a', text: '问'.repeat(4001) }),
      /longer than 4000/,
    ],
    ['neither text nor choice', () => postJson({ userId: 'a' }), /non-empty text or a choice/],
    ['only whitespace', () => postJson({ userId: 'a', text: ' \n\t ' }), /non-empty text or a choice/],
    ['an unknown language', () => postJson({ userId: 'a', text: 'hi', lang: 'fr' }), /lang must be/],
    [
      'a choice that is not a string',
      () => postJson({ userId: 'a', choice: ['topic:aims'] }),
      /choice must be a string/,
    ],
  ])('refuses %s with a 400 and a clear error', async (_name, send, message) => {
    await expectError(await send(), 400, message);
  });

  it('refuses a body that is not sent as JSON with a 415 (a cross-site form cannot post)', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data'])
      await expectError(await post('userId=1&text=hi', type), 415, /application\/json/);
  });

  it('refuses a body over 32 KiB with a 413', async () => {
    await expectError(
      await postJson({ userId: 'a', text: 'hi', pad: 'x'.repeat(40_000) }),
      413,
      /larger than/,
    );
  });

  it('refuses a chunked body (no Content-Length) over 32 KiB while streaming it', async () => {
    const chunk = new TextEncoder().encode(`{"userId":"a","text":"hi","pad":"${'x'.repeat(40_000)}"}`);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await rt.app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, /larger than/);
  });

  it('refuses a lying or malformed Content-Length', async () => {
    const res = await rt.app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '-5' },
      body: '{}',
    });
    await expectError(res, 400, /invalid Content-Length/);
  });

  it('survives deeply nested JSON within the size limit', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await post(`{"userId":"a","text":"hi","x":${deep}}`);
    expect(res.status).toBe(200);
  });

  it('answers hostile text as text: control characters, HTML, SQL, invalid UTF-8', async () => {
    for (const text of [
      '\u0000\u0007\u001b[31m高研\u202e',
      '<script>alert(1)</script>',
      "'; drop table interactions; --",
      '\uD800 half a surrogate',
    ]) {
      const res = await postJson({ userId: 'hostile', text });
      expect(res.status, text).toBe(200);
    }
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"userId":"a","text":"'),
      0xff,
      0xfe,
      0xc3,
      ...new TextEncoder().encode('"}'),
    ]);
    const res = await post(bytes);
    expect([200, 400]).toContain(res.status);
    // The database is intact and still answering, and every turn was logged.
    expect((await rt.app.request('/healthz')).status).toBe(200);
    await rt.log.flush();
    expect(rt.log.stats()).toMatchObject({ pending: 0, rejected: 0 });
  });

  it('answers the same request twice the same way (a retry is harmless)', async () => {
    const send = () => postJson({ userId: 'dup', text: '什么是继续教育基地' });
    const [a, b] = await Promise.all([send(), send()]);
    expect(await a.json()).toEqual(await b.json());
  });
});

describe('the rate limit', () => {
  it('answers a flood with a friendly "slow down", per user, and lets the user back later', async () => {
    let now = 0;
    const { createRateLimiter } = await import('../src/core/rate-limit.ts');
    const limiter = createRateLimiter({ perMinute: 6, now: () => now });
    expect(Array.from({ length: 6 }, () => limiter.take('a'))).toEqual([true, true, true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now = 10_000;
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);

    const limited = await createRuntime(parseConfig({ RATE_LIMIT_PER_MINUTE: '6' }), {
      memory: true,
      logger: { info() {}, error() {} },
    });
    try {
      const send = (userId: string, text: string) =>
        limited.app.request('/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId, text }),
        });
      const kinds: string[] = [];
      for (let i = 0; i < 7; i++)
        kinds.push(
          ((await (await send('flood', 'What is the project?')).json()) as { meta: { kind: string } }).meta
            .kind,
        );
      expect(kinds.slice(0, 5)).toEqual(['answer', 'answer', 'answer', 'answer', 'answer']);
      const slow = (await (await send('flood', 'hello?')).json()) as {
        replies: { text: string }[];
        meta: { kind: string };
      };
      expect(slow.meta.kind).toBe('command');
      expect(slow.replies[0]?.text).toMatch(/very fast/);
      expect(
        ((await (await send('someone-else', 'What is the project?')).json()) as { meta: { kind: string } })
          .meta.kind,
      ).toBe('answer');
    } finally {
      await limited.close();
    }
  });
});

describe('other routes', () => {
  it('GET / serves the chat page with no external resources', async () => {
    const res = await rt.app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<script src="/chat.js" defer>');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    const script = await rt.app.request('/chat.js');
    expect(script.headers.get('content-type')).toMatch(/text\/javascript/);
    const js = await script.text();
    expect(js).toContain('/api/chat');
    expect(js).not.toMatch(/https?:\/\//);
  });

  it('GET /healthz reports the database', async () => {
    const res = await rt.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, database: 'pglite' });
  });

  it.each([
    ['GET', '/api/chat'],
    ['POST', '/healthz'],
    ['DELETE', '/'],
    ['GET', '/nope'],
    ['GET', '/../../etc/passwd'],
  ])('%s %s is a JSON 404', async (method, path) => {
    await expectError(await rt.app.request(path, { method }), 404, /not found/);
  });
});
