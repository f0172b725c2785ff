/**
 * Polls until `get` returns a value (something another process or server will do), or times out.
 * `get` may be async (a database row, an HTTP answer).
 */
export async function until<T>(
  what: string,
  get: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
