import { describe, expect, it } from 'vitest';
import { count, scratchText, threadsText } from '../../src/report/format.js';

describe('report formats', () => {
  it('writes thread counts in the singular for one thread', () => {
    expect(threadsText(1)).toBe('1 thread');
    expect(threadsText(2)).toBe('2 threads');
    expect(scratchText(1)).toBe('scratch (1 thread)');
    expect(scratchText(16)).toBe('scratch (16 threads)');
    expect(scratchText(undefined)).toBe('scratch');
  });

  it('groups thousands', () => {
    expect(count(340697.4)).toBe('340,697');
  });
});
