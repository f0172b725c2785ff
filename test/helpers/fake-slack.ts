// A local fake of the Slack Web API and of response_url: records every call and what was posted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  payload: Record<string, unknown>;
  /** The ts the fake gave a posted message (chat.postMessage). */
  ts?: string;
}

export async function startFakeSlack(options: { timeZones?: Record<string, string> } = {}) {
  const calls: SlackCall[] = [];
  const responses: { path: string; body: Record<string, unknown> }[] = [];
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
      responses.push({ path, body: JSON.parse(raw) as Record<string, unknown> });
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
    uploads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;
