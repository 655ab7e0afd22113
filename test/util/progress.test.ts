import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress, withByteProgress } from '../../src/util/progress.js';

/** A non-terminal stderr (a log file) and a clock the test moves. */
function logProgress(): { p: Progress; lines: () => string[]; tick: (ms: number) => void } {
  let text = '';
  let t = 1_000_000;
  const stream = new Writable({
    write: (chunk, _enc, done): void => {
      text += String(chunk);
      done();
    },
  });
  const p = new Progress(true, { stream, lineEveryMs: 30_000, now: () => t });
  return {
    p,
    lines: () => text.split('\n').filter(Boolean),
    tick: (ms) => {
      t += ms;
    },
  };
}

describe('Progress outside a terminal', () => {
  it('prints nothing for a stage shorter than the interval', () => {
    const { p, lines, tick } = logProgress();
    p.start('loading ml-1m', 1000, 'bytes');
    tick(29_999);
    p.update(999);
    p.stop();
    expect(lines()).toEqual([]);
  });

  it('prints one line per interval of a long stage, with share done, note, elapsed time and eta', () => {
    const { p, lines, tick } = logProgress();
    p.start('epoch 3/20 train', 4000);
    tick(30_000);
    p.update(1000, 'loss 0.2871');
    tick(10_000);
    p.update(1200, 'loss 0.2850'); // within the interval of the last line: silent
    tick(20_000);
    p.update(3000, 'loss 0.2800');
    p.stop();
    expect(lines()).toEqual([
      'epoch 3/20 train: 25% (1,000/4,000), loss 0.2871, 30s elapsed, eta 1m 30s',
      'epoch 3/20 train: 75% (3,000/4,000), loss 0.2800, 1m 00s elapsed, eta 20s',
    ]);
  });

  it('starts each stage afresh and prints nothing when disabled', () => {
    const { p, lines, tick } = logProgress();
    p.start('a', 10);
    tick(25_000);
    p.start('b', 10, 'bytes');
    tick(25_000);
    p.update(5); // 50 s since 'a' began, 25 s into 'b'
    tick(5_000);
    p.update(6);
    expect(lines()).toEqual(['b: 60% (6/10 bytes), 30s elapsed, eta 20s']);

    let written = '';
    const off = new Progress(false, {
      stream: new Writable({
        write: (c, _e, d): void => {
          written += String(c);
          d();
        },
      }),
      lineEveryMs: 0,
    });
    off.start('x', 10);
    off.update(5);
    expect(written).toBe('');
  });
});

describe('withByteProgress', () => {
  it('starts one bar when the reader first knows the size, and stops it even when the read fails', async () => {
    const { p, lines, tick } = logProgress();
    const value = await withByteProgress(p, 'loading ml-1m', async (onProgress) => {
      tick(31_000); // before the first callback: no stage yet, so nothing to print
      onProgress(0, 2048);
      tick(30_000);
      onProgress(1024, 2048);
      return 7;
    });
    expect(value).toBe(7);
    expect(lines()).toEqual(['loading ml-1m: 50% (1,024/2,048 bytes), 30s elapsed, eta 30s']);
    p.update(2048); // stopped: silent
    tick(60_000);
    p.update(2048);
    await expect(
      withByteProgress(p, 'x', async () => {
        throw new Error('bad file');
      }),
    ).rejects.toThrow('bad file');
    expect(lines()).toHaveLength(1);
  });
});
