/**
 * Fold-in in worker threads answers what the recommender in this thread answers (for concurrent
 * calls spread over the workers too), bad input stays a one-line NcfError, and closing ends the workers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecommender } from '../../src/recommend/recommender.js';
import { MAX_LIKES, type RecommenderApi } from '../../src/recommend/types.js';
import { withFoldInPool } from '../../src/serve/fold-in-pool.js';
import { NcfError } from '../../src/util/errors.js';
import { ncf } from '../helpers/cli.js';

describe('the fold-in pool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ncf-pool-'));
  const model = join(dir, 'models', 'smoke.ncf');
  let local: RecommenderApi;
  let pooled: RecommenderApi;
  beforeAll(async () => {
    const r = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--set',
      `output.models=${join(dir, 'models')}`,
      '--set',
      `output.reports=${join(dir, 'reports')}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    local = await loadRecommender(model);
    pooled = withFoldInPool(await loadRecommender(model), model, {}, 2);
  }, 120_000);
  afterAll(async () => {
    await local?.close();
    await pooled?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each fold-in as this thread does, concurrent ones too', async () => {
    const seeds = (await local.forUser(1, 12)).items.map((m) => m.movieId);
    const asks = [seeds.slice(0, 3), seeds.slice(3, 8), seeds.slice(2, 12), seeds.slice(0, 1), seeds.slice(5, 7), seeds.slice(1, 9)];
    const want = await Promise.all(asks.map((likes) => local.forLikes(likes, 7)));
    expect(want.some((w) => w.mode === 'fold-in')).toBe(true);
    expect(await Promise.all(asks.map((likes) => pooled.forLikes(likes, 7)))).toEqual(want);
    // Everything else is this thread's recommender.
    expect(pooled.info).toEqual(local.info);
    expect(await pooled.forUser(2, 5)).toEqual(await local.forUser(2, 5));
  });

  it('bad input is the same NcfError as in this thread', async () => {
    const likes = Array.from({ length: MAX_LIKES + 1 }, (_, k) => k + 1);
    const err = await pooled.forLikes(likes, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NcfError);
    expect((err as Error).message).toBe(await local.forLikes(likes, 5).catch((e: Error) => e.message));
  });
});
