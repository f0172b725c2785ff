// Stand-in for raw-body in the Workers bundle (only Bolt's own HTTP receivers use it).
export default function rawBody(): never {
  throw new Error('raw-body is not available on Cloudflare Workers');
}
