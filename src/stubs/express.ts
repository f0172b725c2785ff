// Stand-in for express in the Workers bundle: Bolt's ExpressReceiver imports it; we use our own
// receiver behind Hono (adapters/slack/receiver.ts), so it is never called.
const unavailable = () => {
  throw new Error('express is not available on Cloudflare Workers');
};
export const Router = unavailable;
export default Object.assign(unavailable, { Router, json: unavailable, urlencoded: unavailable });
