import { describe, expect, it } from 'vitest';
import { createBatchWriter } from '../src/lib/batch-writer.ts';

describe('the batch writer', () => {
  it('writes in batches and nothing is left after close', async () => {
    const batches: number[][] = [];
    const w = createBatchWriter<number>({
      write: async (rows) => void batches.push(rows),
      batchSize: 3,
      intervalMs: 0,
    });
    for (let i = 0; i < 7; i++) w.push(i);
    const stats = await w.close();
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    expect(stats).toMatchObject({ pending: 0, written: 7, dropped: 0 });
  });

  it('keeps rows while the store fails and writes them, in order, once it is back', async () => {
    let up = false;
    const written: number[] = [];
    const errors: number[] = [];
    const w = createBatchWriter<number>({
      write: async (rows) => {
        if (!up) throw new Error('connection refused');
        written.push(...rows);
      },
      intervalMs: 0,
      onError: (_e, pending) => errors.push(pending),
    });
    for (let i = 0; i < 5; i++) w.push(i);
    await w.flush();
    expect(written).toEqual([]);
    expect(w.stats()).toMatchObject({ pending: 5, failures: 1 });
    w.push(5);
    up = true;
    await w.flush();
    expect(written).toEqual([0, 1, 2, 3, 4, 5]);
    expect(errors).toEqual([5]);
  });

  it('is bounded: when full it drops the oldest rows and counts them', async () => {
    const drops: number[] = [];
    const w = createBatchWriter<number>({
      write: () => Promise.reject(new Error('down')),
      maxBuffer: 4,
      intervalMs: 0,
      onDrop: (_n, total) => drops.push(total),
    });
    for (let i = 0; i < 10; i++) w.push(i);
    await w.flush();
    expect(w.stats()).toMatchObject({ pending: 4, dropped: 6 });
    expect(drops.at(-1)).toBe(6);
    const stats = await w.close(100);
    expect(stats.pending).toBe(4);
  });

  it('flushes on its timer without being asked', async () => {
    const written: number[] = [];
    const w = createBatchWriter<number>({
      write: async (rows) => void written.push(...rows),
      intervalMs: 20,
    });
    w.push(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(written).toEqual([1]);
    await w.close();
  });

  it('push never waits on a slow store', async () => {
    const w = createBatchWriter<number>({
      write: () => new Promise((r) => setTimeout(r, 50)),
      batchSize: 10,
      intervalMs: 0,
    });
    const started = performance.now();
    for (let i = 0; i < 100; i++) w.push(i);
    expect(performance.now() - started).toBeLessThan(50);
    await w.close();
    expect(w.stats().written).toBe(100);
  });

  it('sets aside a row the store refuses, writing the rest of its batch', async () => {
    const written: number[] = [];
    const refused: number[] = [];
    const w = createBatchWriter<number>({
      write: async (rows) => {
        if (rows.includes(13)) throw Object.assign(new Error('bad row'), { code: '22P05' });
        written.push(...rows);
      },
      isRejected: (e) => (e as { code?: string }).code === '22P05',
      onReject: (_e, total) => refused.push(total),
      intervalMs: 0,
    });
    for (let i = 10; i < 20; i++) w.push(i);
    await w.flush();
    expect(written.sort((a, b) => a - b)).toEqual([10, 11, 12, 14, 15, 16, 17, 18, 19]);
    expect(w.stats()).toMatchObject({ pending: 0, rejected: 1, written: 9 });
    expect(refused).toEqual([1]);
  });

  it('keeps unwritten rows when the store goes down while a refused batch is being split', async () => {
    let calls = 0;
    const written: number[] = [];
    const w = createBatchWriter<number>({
      write: async (rows) => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('bad row'), { code: '23514' });
        if (calls === 3) throw new Error('connection refused');
        written.push(...rows);
      },
      isRejected: (e) => (e as { code?: string }).code === '23514',
      intervalMs: 0,
    });
    for (let i = 0; i < 4; i++) w.push(i);
    await w.flush();
    // First half written, second half back in the queue, nothing lost.
    expect(written).toEqual([0, 1]);
    expect(w.stats().pending).toBe(2);
    await w.flush();
    expect(written).toEqual([0, 1, 2, 3]);
  });

  it('anonymises rows still waiting in memory', async () => {
    const written: string[] = [];
    const w = createBatchWriter<string>({ write: async (rows) => void written.push(...rows), intervalMs: 0 });
    w.push('keep');
    w.push('secret');
    w.update((row) => (row === 'secret' ? '' : row));
    await w.close();
    expect(written).toEqual(['keep', '']);
  });

  it('waits at close for a batch already being written, even when nothing else is queued', async () => {
    // A full batch starts writing as soon as it is pushed; close() must not report it as lost and
    // let the caller close the database under it.
    const written: number[] = [];
    const w = createBatchWriter<number>({
      write: async (rows) => {
        await new Promise((r) => setTimeout(r, 30));
        written.push(...rows);
      },
      batchSize: 2,
      intervalMs: 0,
    });
    w.push(1);
    w.push(2);
    const stats = await w.close();
    expect(written).toEqual([1, 2]);
    expect(stats).toMatchObject({ pending: 0, written: 2 });
  });

  it('refuses rows after close', async () => {
    const w = createBatchWriter<number>({ write: async () => {}, intervalMs: 0 });
    await w.close();
    expect(() => w.push(1)).toThrow(/closed/);
  });
});
