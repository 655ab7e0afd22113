/**
 * A worker thread of the fold-in pool (fold-in-pool.ts): loads the model once, then answers
 * forLikes requests, so that fold-in's CPU work runs off the server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadOptions, loadRecommender } from '../recommend/recommender.js';
import type { Recommendations } from '../recommend/types.js';
import { NcfError } from '../util/errors.js';

export interface FoldInWorkerData {
  modelPath: string;
  options: Pick<LoadOptions, 'dataDir' | 'minLikes' | 'engine'>;
}

export interface FoldInRequest {
  id: number;
  likes: number[];
  k: number;
}

/** An NcfError (bad input) comes back as `refused`: an error's class does not cross threads. */
export type FoldInReply = { id: number; answer: Recommendations } | { id: number; refused: string } | { id: number; failed: string };

const { modelPath, options } = workerData as FoldInWorkerData;
const loaded = loadRecommender(modelPath, { ...options, precompute: false });

parentPort!.on('message', async ({ id, likes, k }: FoldInRequest) => {
  let reply: FoldInReply;
  try {
    reply = { id, answer: await (await loaded).forLikes(likes, k) };
  } catch (err) {
    reply = err instanceof NcfError ? { id, refused: err.message } : { id, failed: (err as Error).stack ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
