/** recordedConfig: a model file written before train.loss, data.split and ials.popularityExp existed reads as it trained. */
import { describe, expect, it } from 'vitest';
import { recordedConfig, type ModelMeta } from '../../src/artifacts/meta.js';
import { DEFAULTS } from '../../src/config/schema.js';

const meta = (config: unknown): ModelMeta =>
  ({ config, dataset: { name: 'ml-1m-ncf', dir: '', numUsers: 1, numItems: 1 }, history: [] }) as unknown as ModelMeta;

describe('recordedConfig', () => {
  it('fills the later keys as older files trained: log loss, the test split, uniform iALS, in the schema’s key order', () => {
    const { loss: _loss, ...train } = DEFAULTS.train;
    const { split: _split, ...data } = DEFAULTS.data;
    const { popularityExp: _e, ...ials } = { ...DEFAULTS.ials, unobservedWeight: 0.3 };
    const c = recordedConfig(meta({ ...DEFAULTS, train, data, ials }));
    expect(c.train.loss).toBe('bce');
    expect(c.data.split).toBe('test');
    expect(JSON.stringify(c.ials)).toBe(JSON.stringify({ ...DEFAULTS.ials, unobservedWeight: 0.3, popularityExp: 0 }));
  });

  it('keeps what a newer file recorded', () => {
    const recorded = {
      ...DEFAULTS,
      train: { ...DEFAULTS.train, loss: 'bpr' },
      data: { ...DEFAULTS.data, split: 'validation' },
      ials: { ...DEFAULTS.ials, popularityExp: 0.5 },
    };
    const c = recordedConfig(meta(recorded));
    expect([c.train.loss, c.data.split, c.ials.popularityExp]).toEqual(['bpr', 'validation', 0.5]);
  });
});
