// A local fake of the Slack Web API and of response_url: records every call and what was posted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockProblems, viewProblems } from './block-kit.ts';

export interface SlackCall {
  method: string;
  payload: Record<string, unknown>;
  /** The ts the fake gave a posted message (chat.postMessage). */
  ts?: string;
}

/** The Web API client sends nested objects as JSON text inside a form. */
const parsed = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

export async function startFakeSlack(options: { timeZones?: Record<string, string> } = {}) {
  const calls: SlackCall[] = [];
  const responses: { path: string; body: Record<string, unknown> }[] = [];
  /** What Slack would have refused (invalid_blocks, a modal without a trigger), by method. */
  const refused: { method: string; problems: string[] }[] = [];
  /** Modals opened (views.open), as Slack would show them. */
  const views: { trigger: string; view: Record<string, unknown> }[] = [];
  const uploads: { id: string; content: string }[] = [];
  let fileId = 0;
  let messageTs = 0;
  let base = '';

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path.startsWith('/respond/')) {
      const body = JSON.parse(raw) as Record<string, unknown>;
      const problems = body.blocks ? blockProblems(body.blocks, 'message') : [];
      if (problems.length) {
        refused.push({ method: 'response_url', problems });
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end('invalid_blocks');
      }
      responses.push({ path, body });
      return json({ ok: true });
    }
    if (path.startsWith('/upload/')) {
      // The Web API client posts the file as multipart form data, or as raw bytes.
      const type = String(req.headers['content-type'] ?? '');
      let content = raw;
      if (type.startsWith('multipart/form-data')) {
        const form = await new Request('http://x', {
          method: 'POST',
          headers: { 'content-type': type },
          body: Buffer.concat(chunks),
        }).formData();
        const file = [...form.values()].find((v) => typeof v !== 'string');
        content = file && typeof file !== 'string' ? await file.text() : '';
      }
      uploads.push({ id: path.slice('/upload/'.length), content });
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('OK - 1');
    }
    const method = path.replace(/^\/api\//, '');
    const type = req.headers['content-type'] ?? '';
    const payload = (
      type.includes('json') ? JSON.parse(raw || '{}') : Object.fromEntries(new URLSearchParams(raw))
    ) as Record<string, unknown>;
    calls.push({ method, payload });
    const problems =
      method === 'views.open'
        ? [...(payload.trigger_id ? [] : ['trigger_id is required']), ...viewProblems(parsed(payload.view))]
        : method === 'chat.postMessage' || method === 'chat.update' || method === 'chat.postEphemeral'
          ? payload.blocks
            ? blockProblems(parsed(payload.blocks), 'message')
            : []
          : [];
    if (problems.length) {
      refused.push({ method, problems });
      return json({ ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } });
    }
    switch (method) {
      case 'auth.test':
        return json({
          ok: true,
          url: 'https://kup.slack.com/',
          team: 'KUP',
          user: 'kup',
          team_id: 'T0001',
          user_id: 'UBOT',
          bot_id: 'BBOT',
        });
      case 'users.info': {
        const user = String(payload.user);
        return json({ ok: true, user: { id: user, tz: options.timeZones?.[user] ?? 'Asia/Shanghai' } });
      }
      case 'conversations.open':
        return json({ ok: true, channel: { id: `D${String(payload.users)}` } });
      case 'files.getUploadURLExternal': {
        const id = `F${++fileId}`;
        return json({ ok: true, upload_url: `${base}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal':
        return json({ ok: true, files: [{ id: `F${fileId}`, title: 'export' }] });
      case 'views.publish':
        return json({ ok: true, view: { id: 'V1' } });
      case 'views.open': {
        const view = parsed(payload.view) as Record<string, unknown>;
        views.push({ trigger: String(payload.trigger_id), view });
        return json({ ok: true, view: { ...view, id: `V${views.length + 1}` } });
      }
      case 'chat.postMessage': {
        // Slack answers with the message's channel and ts (the id a thread hangs on).
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++messageTs).padStart(6, '0')}`;
        (calls.at(-1) as SlackCall).ts = ts;
        return json({ ok: true, channel: payload.channel, ts, message: { ts, text: payload.text } });
      }
      default:
        return json({ ok: true });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id: string) => `${base}/respond/${id}`,
    calls,
    responses,
    refused,
    views,
    uploads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;
