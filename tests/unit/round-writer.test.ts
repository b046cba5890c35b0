// The simulation worker's queue of round writes (src/workers/round-writer.ts): writes run one at a time in the order
// queued, the caller waits only when the queue is full, and a failed write stops the ones after it (what is stored
// stays a prefix of the run) and is thrown to the caller.
import { describe, expect, it } from 'vitest';
import { RoundWriter } from '../../src/workers/round-writer';

/** A write that finishes when `release` is called, recording when it started and ended. */
function gate(log: string[], name: string) {
  let release: () => void = () => {};
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
    },
    release: () => release(),
  };
}

describe('RoundWriter', () => {
  it('should run writes one at a time, in the order queued, without waiting while the queue has room', async () => {
    const log: string[] = [];
    const writer = new RoundWriter(3);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => gate(log, n));
    await writer.write(a.task);
    await writer.write(b.task);
    await writer.write(c.task);
    expect(log).toEqual(['start a']);
    a.release();
    b.release();
    c.release();
    await writer.flush();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('should make the caller wait for the oldest write once the queue is full', async () => {
    const log: string[] = [];
    const writer = new RoundWriter(1);
    const [a, b] = ['a', 'b'].map((n) => gate(log, n));
    await writer.write(a.task);
    let returned = false;
    const second = writer.write(b.task).then(() => (returned = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(returned).toBe(false);
    a.release();
    await second;
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.release();
    await writer.flush();
  });

  it('should skip the writes after a failed one and throw its error from the next write and from flush', async () => {
    const written: string[] = [];
    const writer = new RoundWriter(8);
    await writer.write(async () => void written.push('r1'));
    // The failure is thrown by the first call that finds it: here already the failing write's own (it ran meanwhile).
    const failing = writer.write(async () => {
      throw Object.assign(new Error('storage full'), { name: 'QuotaExceeded' });
    });
    const after = writer.write(async () => void written.push('r3'));
    await expect(failing).rejects.toMatchObject({ name: 'QuotaExceeded' });
    await expect(after).rejects.toMatchObject({ name: 'QuotaExceeded' });
    await expect(writer.flush()).rejects.toMatchObject({ name: 'QuotaExceeded' });
    await expect(writer.write(async () => void written.push('r4'))).rejects.toMatchObject({ name: 'QuotaExceeded' });
    expect(written).toEqual(['r1']);
  });
});
