/**
 * `ncf train --feedback <db>`: the feedback log's state (last write per movie, deletions applied),
 * its liked movies as users after the dataset's, and a model file that keeps only the dataset's
 * users yet was trained on the feedback (more instances per epoch than a run without it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../src/artifacts/meta.js';
import { loadModel } from '../../src/artifacts/model-file.js';
import { isPositive, withFeedbackUsers } from '../../src/data/feedback.js';
import { buildInteractions } from '../../src/data/interactions.js';
import type { SplitData } from '../../src/data/split.js';
import { createProfile, deleteRating, type Db, likesByProfile, openDb, putRating } from '../../src/store/index.js';
import { ncf } from '../helpers/cli.js';

function tinySplit(): SplitData {
  // 2 users over items 0..4 (MovieIDs 10, 20, …, 50); user 0 trained on 0 and 2, user 1 on 1.
  const train = buildInteractions(2, 5, Int32Array.of(0, 0, 1), Int32Array.of(2, 0, 1), 3);
  return {
    numUsers: 2,
    numItems: 5,
    train,
    testItems: Int32Array.of(3, 4),
    testNegatives: Int32Array.of(1, 4, 0, 2),
    negativesPerUser: 2,
    userIds: Int32Array.of(7, 9),
    itemIds: Int32Array.of(10, 20, 30, 40, 50),
    movies: null,
    recentTrain: null,
  };
}

describe('feedback as training data', () => {
  it('adds a user per profile with known likes, after the dataset’s, holding no held-out item', () => {
    const { data, added } = withFeedbackUsers(tinySplit(), [[50, 10, 999], [], [999], [30, 30]]);
    expect(added).toEqual({ users: 2, interactions: 3, unknownMovies: 2 });
    expect(data.numUsers).toBe(4);
    expect([...data.train.offsets]).toEqual([0, 2, 3, 5, 6]);
    expect([...data.train.items]).toEqual([0, 2, 1, 0, 4, 2]);
    expect(data.train.numUsers).toBe(4);
    expect([...data.testItems]).toEqual([3, 4, -1, -1]);
    expect([...data.testNegatives!]).toEqual([1, 4, 0, 2, 0, 0, 0, 0]);
    expect([...data.userIds]).toEqual([7, 9, -1, -2]);
    expect(data.itemIds).toEqual(tinySplit().itemIds);
  });

  it('likes: a like or 3 stars and more', () => {
    expect([1, 2, 3, 4, 5].map((rating) => isPositive({ rating, liked: false }))).toEqual([false, false, true, true, true]);
    expect(isPositive({ rating: null, liked: true })).toBe(true);
  });

  describe('the log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-feedback-'));
    let db: Db;
    beforeAll(async () => {
      db = await openDb(join(dir, 'db'));
    }, 60_000);
    afterAll(async () => {
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('replays to each profile’s last write per movie, deletions applied, profiles in first-seen order', async () => {
      const a = await createProfile(db);
      const b = await createProfile(db);
      await putRating(db, b.id, 5, { rating: 5 });
      await putRating(db, a.id, 1, { rating: 4 });
      await putRating(db, a.id, 2, { like: true });
      await putRating(db, a.id, 1, { rating: 1 }); // changed its mind
      await putRating(db, a.id, 3, { rating: 5 });
      await deleteRating(db, a.id, 3);
      await putRating(db, b.id, 6, { rating: 2 });
      // Pages of 2 entries, to cross page ends.
      const got = await likesByProfile(db, isPositive, 2);
      expect(got.profiles).toEqual([b.id, a.id]);
      expect(got.movies).toEqual([[5], [2]]);
      expect(got.entries).toBe(7);
    });
  });

  describe('ncf train --feedback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-train-feedback-'));
    const out = (name: string) => ['--set', `output.models=${join(dir, 'models')}`, '--set', `output.reports=${join(dir, 'reports')}`, '--set', `name=${name}`];
    const db = join(dir, 'db');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('trains on the feedback users and saves a model of the dataset’s users only', async () => {
      const store = await openDb(db);
      try {
        for (let p = 0; p < 6; p++) {
          const { id } = await createProfile(store);
          for (const movie of [1, 2, 3, 4, 5, 6, 7, 8].map((m) => m + p)) await putRating(store, id, movie, { rating: 4 });
        }
      } finally {
        await store.close();
      }
      const plain = ncf(['train', '--config', 'configs/smoke.json', ...out('plain')]);
      expect(plain.status, plain.stderr).toBe(0);
      const fed = ncf(['train', '--config', 'configs/smoke.json', '--feedback', db, ...out('fed')]);
      expect(fed.status, fed.stderr).toBe(0);
      expect(fed.stdout).toContain(`feedback from ${db}: 6 profiles with 48 liked movies added as users (48 log entries)`);

      const a = loadModel<ModelMeta>(join(dir, 'models', 'plain.ncf'));
      const b = loadModel<ModelMeta>(join(dir, 'models', 'fed.ncf'));
      expect(b.shape).toEqual(a.shape);
      expect(b.meta.dataset.numUsers).toBe(a.meta.dataset.numUsers);
      expect(b.meta.ids).toEqual(a.meta.ids);
      expect(b.meta.feedback).toEqual({ users: 6, interactions: 48, unknownMovies: 0, entries: 48, source: db });
      expect(b.optimizer).toBeNull();
      for (const [name, w] of a.weights) expect(b.weights.get(name)!.length, name).toBe(w.length);
      // Trained on the feedback too: each epoch held its 48 positives with 4 negatives each.
      expect(b.meta.history.map((r) => r.instances - a.meta.history[0].instances)).toEqual([240, 240, 240]);
      expect(b.weights.get('mlp_item')).not.toEqual(a.weights.get('mlp_item'));
      // The file serves like any other.
      const rec = ncf(['recommend', '--model', join(dir, 'models', 'fed.ncf'), '--user', '1']);
      expect(rec.status, rec.stderr).toBe(0);

      const resume = ncf(['train', '--config', 'configs/smoke.json', '--feedback', db, '--resume', ...out('fed')]);
      expect(resume.status).not.toBe(0);
      expect(resume.stderr.trim()).toBe(
        'ncf: --feedback trains a new model: it cannot --resume (the saved file keeps no optimizer state for the feedback users)',
      );
    }, 180_000);
  });
});
