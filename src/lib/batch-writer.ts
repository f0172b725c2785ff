/**
 * A bounded, batched background writer. `push` never waits and never throws: rows are written in
 * batches on a timer, failed batches stay queued and are retried with backoff, and when the buffer
 * is full the oldest rows are dropped and counted. A row the store refuses as such (`isRejected`)
 * is isolated by splitting its batch and set aside, so one bad row never holds up the others.
 * `close` flushes what is left (for shutdown).
 */
export interface BatchWriterOptions<T> {
  write: (rows: T[]) => Promise<void>;
  /** Most rows held while the store is slow or down (default 10,000). */
  maxBuffer?: number;
  /** Most rows per write (default 500). */
  batchSize?: number;
  /** Flush interval in ms (default 1,000); 0 = no timer (flush by hand, e.g. per request on Workers). */
  intervalMs?: number;
  /** Longest wait between retries after failures (default 30,000 ms). */
  maxBackoffMs?: number;
  onError?: (error: unknown, pending: number) => void;
  onDrop?: (dropped: number, totalDropped: number) => void;
  /** True when the error is about the rows (bad data), not the store being unavailable. */
  isRejected?: (error: unknown) => boolean;
  onReject?: (error: unknown, totalRejected: number) => void;
}

export interface BatchWriterStats {
  pending: number;
  written: number;
  dropped: number;
  /** Rows the store refused (bad data), set aside. */
  rejected: number;
  failures: number;
}

export function createBatchWriter<T>(options: BatchWriterOptions<T>) {
  const maxBuffer = options.maxBuffer ?? 10_000;
  const batchSize = options.batchSize ?? 500;
  const intervalMs = options.intervalMs ?? 1_000;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let buffer: T[] = [];
  const stats = { written: 0, dropped: 0, rejected: 0, failures: 0 };
  let consecutiveFailures = 0;
  let retryAt = 0;
  let running: Promise<void> | undefined;
  let closed = false;

  const timer = intervalMs > 0 ? setInterval(() => void flush(), intervalMs) : undefined;
  // Never keep a Node process alive just for this timer.
  (timer as { unref?: () => void } | undefined)?.unref?.();

  let inFlight = 0;

  function trim(): void {
    const excess = buffer.length - maxBuffer;
    if (excess <= 0) return;
    buffer = buffer.slice(excess);
    stats.dropped += excess;
    options.onDrop?.(excess, stats.dropped);
  }

  function push(row: T): void {
    buffer.push(row);
    trim();
    if (buffer.length >= batchSize && !running && Date.now() >= retryAt) void flush();
  }

  /** Writes rows, halving a refused batch down to the bad rows; returns what the store could not take. */
  async function writeRows(rows: T[]): Promise<{ unwritten: T[]; error?: unknown }> {
    try {
      await options.write(rows);
      stats.written += rows.length;
      return { unwritten: [] };
    } catch (error) {
      if (!options.isRejected?.(error)) return { unwritten: rows, error };
      if (rows.length === 1) {
        stats.rejected++;
        options.onReject?.(error, stats.rejected);
        return { unwritten: [] };
      }
      const half = rows.length >> 1;
      const first = await writeRows(rows.slice(0, half));
      if (first.unwritten.length)
        return { unwritten: [...first.unwritten, ...rows.slice(half)], error: first.error };
      return writeRows(rows.slice(half));
    }
  }

  /** Writes the rows queued when it starts (rows that come meanwhile wait for the next flush). */
  async function drain(force: boolean): Promise<void> {
    let due = buffer.length;
    while (due > 0 && buffer.length > 0) {
      if (!force && Date.now() < retryAt) return;
      const batch = buffer.splice(0, Math.min(batchSize, due));
      due -= batch.length;
      inFlight = batch.length;
      const { unwritten, error } = await writeRows(batch).finally(() => {
        inFlight = 0;
      });
      if (unwritten.length) {
        // Back to the front, oldest first; the bound still holds.
        buffer = unwritten.concat(buffer);
        trim();
        stats.failures++;
        consecutiveFailures++;
        retryAt = Date.now() + Math.min(maxBackoff, 250 * 2 ** Math.min(consecutiveFailures, 10));
        options.onError?.(error, buffer.length);
        return;
      }
      consecutiveFailures = 0;
      retryAt = 0;
    }
  }

  function flush(force = false): Promise<void> {
    if (!running) {
      running = drain(force).finally(() => {
        running = undefined;
      });
    }
    return running;
  }

  return {
    push(row: T) {
      if (closed) throw new Error('batch writer is closed');
      push(row);
    },
    /** Writes what is queued now (ignores the retry backoff). */
    async flush(): Promise<void> {
      await running;
      await flush(true);
    },
    /** Stops the timer and tries to write everything, for at most `timeoutMs`. */
    async close(timeoutMs = 5_000): Promise<BatchWriterStats> {
      closed = true;
      if (timer) clearInterval(timer);
      const deadline = Date.now() + timeoutMs;
      // A batch may be in flight with nothing left queued: wait for it too.
      while ((buffer.length > 0 || running) && Date.now() < deadline) {
        await running;
        if (buffer.length === 0) break;
        await flush(true);
        if (buffer.length > 0)
          await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
      }
      return this.stats();
    },
    /** Rewrites rows still waiting in memory (e.g. to anonymise a conversation that was forgotten). */
    update(fn: (row: T) => T): void {
      buffer = buffer.map(fn);
    },
    stats(): BatchWriterStats {
      return { pending: buffer.length + inFlight, ...stats };
    },
  };
}

export type BatchWriter<T> = ReturnType<typeof createBatchWriter<T>>;
