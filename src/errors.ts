/** An error with an HTTP status; mapped to a response once, in app.onError. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 429 | 503,
    message: string,
  ) {
    super(message);
  }
}
