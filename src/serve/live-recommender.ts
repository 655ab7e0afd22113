/**
 * A RecommenderApi whose model can be replaced while it serves: each call goes to the recommender
 * current when it starts, and a replaced one is closed only once the calls it was answering have
 * settled, so a reload drops no request. It forwards every member of RecommenderApi, whatever
 * they are, so it need not change when the interface grows.
 */
import type { RecommenderApi } from '../recommend/types.js';

interface Slot {
  rec: RecommenderApi;
  inFlight: number;
  /** Set once replaced: called when inFlight reaches 0. */
  retire: (() => void) | null;
}

export interface LiveRecommender {
  /** The API to serve: always the current recommender. */
  readonly api: RecommenderApi;
  /** Makes `next` current; resolves once the one it replaces has finished its calls and closed. */
  replace(next: RecommenderApi): Promise<void>;
  /** Closes the current one (after its calls), as RecommenderApi.close. */
  close(): Promise<void>;
}

export function liveRecommender(first: RecommenderApi): LiveRecommender {
  let slot: Slot = { rec: first, inFlight: 0, retire: null };

  const settle = (s: Slot): void => {
    s.inFlight--;
    if (s.inFlight === 0) s.retire?.();
  };
  /** `s.rec[name](...args)`, counted in flight until it returns or its promise settles. */
  const call = (s: Slot, name: PropertyKey, args: unknown[]): unknown => {
    s.inFlight++;
    let out: unknown;
    try {
      out = (s.rec as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>)[name](...args);
    } catch (err) {
      settle(s);
      throw err;
    }
    if (out instanceof Promise) return out.finally(() => settle(s));
    settle(s);
    return out;
  };
  const retire = async (s: Slot): Promise<void> => {
    if (s.inFlight > 0) await new Promise<void>((resolve) => (s.retire = resolve));
    await s.rec.close();
  };

  const api = new Proxy({} as RecommenderApi, {
    get(_target, name) {
      if (name === 'close') return () => retire(slot);
      const value = (slot.rec as unknown as Record<PropertyKey, unknown>)[name];
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => call(slot, name, args);
    },
  });

  return {
    api,
    replace: async (next) => {
      const old = slot;
      slot = { rec: next, inFlight: 0, retire: null };
      await retire(old);
    },
    close: () => retire(slot),
  };
}
