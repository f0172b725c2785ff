// Open-loop load at a steady rate, for latency. autocannon's `overallRate` lets each connection
// send its whole quota for the second at once and then wait for the next second, so every second
// starts with a burst: its percentiles measure the burst, not the rate. Here requests are spaced
// evenly and each is timed from when it was due, so a stall shows up as latency, not as fewer
// requests (no coordinated omission).
import http from 'node:http';

export interface PacedResult {
  sent: number;
  errors: number;
  /** The first few errors, for the report. */
  reasons: string[];
  /** The p99 of each window of `windowSeconds`, in order (when asked for). */
  windows: number[];
  p50: number;
  p99: number;
  max: number;
}

export async function paced(
  url: string,
  options: {
    rate: number;
    seconds: number;
    windowSeconds?: number;
    headers?: Record<string, string>;
    body: () => string;
  },
): Promise<PacedResult> {
  const target = new URL(url);
  // FIFO reuse keeps every pooled socket busy: with LIFO a socket can sit idle past the server's
  // keep-alive timeout and be closed just as it is reused (a reset that is the harness's, not ours).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'fifo' });
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  const byWindow: number[][] = [];
  const windowMs = (options.windowSeconds ?? options.seconds) * 1000;
  let errors = 0;
  const reasons: string[] = [];
  const fail = (reason: string) => {
    errors++;
    if (reasons.length < 3) reasons.push(reason);
  };
  const inFlight = new Set<Promise<void>>();

  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const body = options.body();
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', ...options.headers },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if ((response.statusCode ?? 500) >= 300) fail(`HTTP ${response.statusCode}`);
            else {
              const latency = performance.now() - due;
              latencies.push(latency);
              const w = Math.floor((due - start) / windowMs);
              const bucket = byWindow[w] ?? [];
              bucket.push(latency);
              byWindow[w] = bucket;
            }
            resolve();
          });
        },
      );
      request.on('error', (error) => {
        fail(error.message);
        resolve();
      });
      request.end(body);
    });

  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const p = send(due).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  agent.destroy();
  return {
    ...summary(total, errors, reasons, latencies),
    windows: options.windowSeconds ? [...byWindow].map((w) => summary(0, 0, [], w ?? []).p99) : [],
  };
}

/** The value at quantile `q` of sorted numbers. */
export const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

function summary(sent: number, errors: number, reasons: string[], latencies: number[]): PacedResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(percentile(latencies, q) * 10) / 10;
  return { sent, errors, reasons, windows: [], p50: at(0.5), p99: at(0.99), max: at(1) };
}
