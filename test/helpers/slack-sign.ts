// Signs a request body like Slack does (v0:timestamp:body, HMAC-SHA256), independently of
// adapters/slack/verify.ts.
import { createHmac } from 'node:crypto';

export const slackHeaders = (secret: string, body: string, ts = Math.floor(Date.now() / 1000)) => ({
  'x-slack-request-timestamp': String(ts),
  'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
});
