// Signed requests to /slack/events shaped like Slack's own: a slash command, a button press
// (block_actions) and a modal submission (view_submission), as a staff member's Slack sends them.
import { expect } from 'vitest';
import type { FakeSlack } from './fake-slack.ts';
import { slackHeaders } from './slack-sign.ts';
import { until } from './until.ts';

type Json = Record<string, unknown>;

export function slackClient(base: string, slack: FakeSlack, secret: string) {
  let n = 0;
  const post = (body: string, type: string) =>
    fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': type, ...slackHeaders(secret, body) },
      body,
    });
  const interactive = (payload: Json) =>
    post(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  const responded = async (id: string) => {
    const posted = await until('the Slack response', () =>
      slack.responses.find((r) => r.path === `/respond/${id}`),
    );
    return { ...posted.body, all: JSON.stringify(posted.body) } as Json & { all: string };
  };
  const user = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: 'T0001' });

  return {
    /** `/kup <text>` by `userId`: what was posted to its response_url. */
    async command(text: string, userId: string) {
      return responded(await this.send(text, userId));
    },
    /** `/kup <text>` by `userId`, for commands that answer with a modal: the response_url's id. */
    async send(text: string, userId: string) {
      const id = `r${++n}`;
      const body = new URLSearchParams({
        token: 'legacy',
        team_id: 'T0001',
        team_domain: 'kup',
        channel_id: 'C0001',
        channel_name: 'programme-office',
        user_id: userId,
        user_name: userId.toLowerCase(),
        command: '/kup',
        text,
        api_app_id: 'A0001',
        response_url: slack.responseUrl(id),
        trigger_id: `trigger-${id}`,
      }).toString();
      const res = await post(body, 'application/x-www-form-urlencoded');
      expect(res.status).toBe(200);
      return id;
    },
    /** Presses a button of an ephemeral message; the response_url's posts are returned by `reply()`. */
    async press(actionId: string, value: string, userId: string) {
      const id = `a${++n}`;
      const res = await interactive({
        type: 'block_actions',
        user: user(userId),
        api_app_id: 'A0001',
        token: 'legacy',
        container: {
          type: 'message',
          message_ts: '1700000000.000100',
          channel_id: 'C0001',
          is_ephemeral: true,
        },
        trigger_id: `trigger-${id}`,
        team: { id: 'T0001', domain: 'kup' },
        channel: { id: 'C0001', name: 'programme-office' },
        response_url: slack.responseUrl(id),
        actions: [
          {
            type: 'button',
            action_id: actionId,
            block_id: 'b1',
            value,
            text: { type: 'plain_text', text: 'x' },
            action_ts: String(Date.now() / 1000),
          },
        ],
      });
      expect(res.status).toBe(200);
      return { trigger: `trigger-${id}`, reply: () => responded(id) };
    },
    /**
     * Submits a modal the bot opened, filled in as a person would: `values` by block_id (text, or
     * the date of a datepicker). Returns the HTTP answer (Slack reads response_action from it).
     */
    async submit(view: Json, values: Record<string, string | null>, userId: string) {
      const blocks = view.blocks as Array<{ type: string; block_id?: string; element?: { type: string } }>;
      const state: Record<string, Record<string, Json>> = {};
      for (const b of blocks) {
        if (b.type !== 'input' || !b.block_id || !b.element) continue;
        const value = values[b.block_id] ?? null;
        state[b.block_id] = {
          value:
            b.element.type === 'datepicker'
              ? { type: 'datepicker', selected_date: value }
              : { type: 'plain_text_input', value },
        };
      }
      const res = await interactive({
        type: 'view_submission',
        team: { id: 'T0001', domain: 'kup' },
        user: user(userId),
        api_app_id: 'A0001',
        token: 'legacy',
        trigger_id: `trigger-v${++n}`,
        view: {
          id: `V${n}`,
          team_id: 'T0001',
          app_id: 'A0001',
          bot_id: 'BBOT',
          root_view_id: `V${n}`,
          previous_view_id: null,
          external_id: '',
          hash: `${n}.abc`,
          clear_on_close: false,
          notify_on_close: false,
          ...view,
          state: { values: state },
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      return (text ? JSON.parse(text) : {}) as Json;
    },
  };
}
