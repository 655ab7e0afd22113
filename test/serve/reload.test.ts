/**
 * `ncf serve` reloads its model on SIGHUP without dropping a request: a request in flight on the
 * old model finishes on it, requests after the reload get the new model, the old one is closed
 * only after its requests, and a model file that fails to load leaves the old one serving.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Recommendations, RecommenderApi } from '../../src/recommend/types.js';
import { startServe } from '../../src/run/serve.js';
import { liveRecommender } from '../../src/serve/live-recommender.js';

/** A recommender that answers with its epoch as the one item's score; forUser waits on `gate` when set. */
function versioned(epoch: number) {
  const state = { closed: 0, gate: null as Promise<void> | null };
  const rec = {
    info: { model: 'models/m.ncf', dataset: 'ml-100k', epoch, users: 943, movies: 1682, minLikes: 2 },
    async forUser(user: number, k: number): Promise<Recommendations> {
      if (state.gate) await state.gate;
      return { mode: 'model', reason: '', user, likes: [], unknownLikes: [], items: [{ movieId: k, title: 'T', genres: [], score: epoch }] };
    },
    async forLikes(): Promise<Recommendations> {
      throw new Error('not used');
    },
    searchMovies: () => [],
    async close(): Promise<void> {
      state.closed++;
    },
  } as unknown as RecommenderApi;
  return { rec, state };
}

const scoreOf = async (res: Response): Promise<number> => ((await res.json()) as Recommendations).items[0].score;

describe('reloading the model', () => {
  it('on SIGHUP: in-flight requests finish on the old model, later ones get the new, the old is closed after them', async () => {
    const v1 = versioned(1);
    const v2 = versioned(2);
    let release!: () => void;
    v1.state.gate = new Promise((r) => (release = r));
    const loads = [v1.rec, v2.rec];
    const lines: string[] = [];
    const signals = new EventEmitter();
    const server = await startServe('models/m.ncf', {
      host: '127.0.0.1',
      port: 0,
      webRoot: null,
      log: (l) => lines.push(l),
      load: async () => loads.shift()!,
      signals,
    });
    const inFlight = fetch(`${server.url}/recommend?user=1&k=3`);
    // Wait until the old model holds the request.
    await expect.poll(() => lines.length).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    signals.emit('SIGHUP', 'SIGHUP');
    // The new model answers while the old one still holds its request.
    await expect.poll(async () => scoreOf(await fetch(`${server.url}/recommend?user=2&k=3`))).toBe(2);
    expect(v1.state.closed).toBe(0);
    release();
    const old = await inFlight;
    expect(old.status).toBe(200);
    expect(await scoreOf(old)).toBe(1);
    await server.reloaded();
    expect(v1.state.closed).toBe(1);
    expect(lines.slice(2)).toEqual(['ncf serve: SIGHUP, loading models/m.ncf again', 'ncf serve: now serving models/m.ncf (epoch 2, 943 users, 1,682 movies)']);
    expect(((await (await fetch(`${server.url}/health`)).json()) as { epoch: number }).epoch).toBe(2);
    await server.stop();
    expect(v2.state.closed).toBe(1);
    expect(v1.state.closed).toBe(1);
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });

  it('a model file that fails to load leaves the old model serving, and says why', async () => {
    const v1 = versioned(1);
    let calls = 0;
    const lines: string[] = [];
    const signals = new EventEmitter();
    const load = async (): Promise<RecommenderApi> => {
      if (calls++ === 0) return v1.rec;
      throw new Error('models/m.ncf: not an ncf model file (bad magic)');
    };
    const server = await startServe('models/m.ncf', { host: '127.0.0.1', port: 0, webRoot: null, log: (l) => lines.push(l), load, signals });
    signals.emit('SIGHUP', 'SIGHUP');
    await server.reloaded();
    expect(lines.at(-1)).toBe('ncf serve: the reload failed, still serving the model loaded before: models/m.ncf: not an ncf model file (bad magic)');
    expect(await scoreOf(await fetch(`${server.url}/recommend?user=2&k=3`))).toBe(1);
    expect(v1.state.closed).toBe(0);
    await server.stop();
    expect(v1.state.closed).toBe(1);
  });

  it('forwards every member, counts a call that throws as settled, and closes a replaced recommender with nothing in flight at once', async () => {
    const v1 = versioned(1);
    const v2 = versioned(2);
    const live = liveRecommender(v1.rec);
    expect(live.api.info.epoch).toBe(1);
    await expect(live.api.forLikes([1], 3)).rejects.toThrow('not used');
    await live.replace(v2.rec);
    expect(v1.state.closed).toBe(1);
    expect(live.api.info.epoch).toBe(2);
    await live.api.close();
    expect(v2.state.closed).toBe(1);
  });
});
