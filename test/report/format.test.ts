import { describe, expect, it } from 'vitest';
import { describeEngine } from '../../src/engines/index.js';
import { threadsText } from '../../src/engines/scratch/engine.js';
import { count } from '../../src/report/format.js';

describe('report formats', () => {
  it('writes thread counts in the singular for one thread', () => {
    expect(threadsText(1)).toBe('1 thread');
    expect(threadsText(2)).toBe('2 threads');
    expect(describeEngine({ name: 'scratch', backend: 'js', threads: 1 })).toBe('scratch (1 thread)');
    expect(describeEngine({ name: 'scratch', backend: 'js', threads: 16 })).toBe('scratch (16 threads)');
    expect(describeEngine({ name: 'scratch', backend: 'js' })).toBe('scratch');
  });

  it('groups thousands', () => {
    expect(count(340697.4)).toBe('340,697');
  });
});
