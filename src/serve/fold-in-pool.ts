/**
 * A recommender whose fold-ins (forLikes) run in a pool of worker threads, each holding its own
 * copy of the model, so that a burst of them leaves the event loop free for every other request.
 * Everything else is answered by the recommender loaded in this thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadOptions } from '../recommend/recommender.js';
import type { Recommendations, RecommenderApi } from '../recommend/types.js';
import { NcfError } from '../util/errors.js';
import type { FoldInReply, FoldInRequest, FoldInWorkerData } from './fold-in-worker.js';

/**
 * The compiled worker next to this module (or next to the bundle). Under vitest this module runs
 * from src/*.ts, where Node cannot start a .ts worker, so fall back to the build in dist/.
 */
function workerUrl(): URL {
  const here = new URL('./fold-in-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL(here.href.replace('/src/serve/', '/dist/src/serve/'));
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (r: Recommendations) => void; reject: (e: Error) => void }>;
}

export function withFoldInPool(rec: RecommenderApi, modelPath: string, options: LoadOptions, threads: number): RecommenderApi {
  const workerData: FoldInWorkerData = { modelPath, options: { dataDir: options.dataDir, minLikes: options.minLikes, engine: options.engine } };
  let nextId = 0;
  let closing = false;
  const pool: PoolWorker[] = Array.from({ length: threads }, () => {
    const p: PoolWorker = { worker: new Worker(workerUrl(), { workerData }), pending: new Map() };
    p.worker.on('message', (reply: FoldInReply) => {
      const call = p.pending.get(reply.id);
      p.pending.delete(reply.id);
      if ('answer' in reply) call?.resolve(reply.answer);
      else if ('refused' in reply) call?.reject(new NcfError(reply.refused));
      else call?.reject(new Error(`fold-in worker: ${reply.failed}`));
    });
    const failAll = (err: Error): void => {
      for (const call of p.pending.values()) call.reject(err);
      p.pending.clear();
    };
    p.worker.on('error', failAll);
    p.worker.on('exit', (code) => {
      if (!closing) failAll(new Error(`fold-in worker exited with code ${code}`));
    });
    return p;
  });

  const forLikes = (likes: number[], k: number): Promise<Recommendations> => {
    const p = pool.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      p.pending.set(id, { resolve, reject });
      p.worker.postMessage({ id, likes, k } satisfies FoldInRequest);
    });
  };
  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all(pool.map((p) => p.worker.terminate()));
    await rec.close();
  };
  return new Proxy(rec, {
    get(target, name, receiver) {
      if (name === 'forLikes') return forLikes;
      if (name === 'close') return close;
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
