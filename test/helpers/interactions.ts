/** Small random interaction fixtures for the least-squares tests. */
import { buildInteractions, type Interactions } from '../../src/data/interactions.js';
import { Rng } from '../../src/util/rng.js';

/** Each (user, item) pair with probability 0.3 under `seed`, and always item u mod I, so that every user and item has a positive. */
export function randomInteractions(numUsers: number, numItems: number, seed: number): Interactions {
  const rng = new Rng(seed);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < numUsers; u++)
    for (let i = 0; i < numItems; i++)
      if (rng.nextFloat() < 0.3 || i === u % numItems) {
        users.push(u);
        items.push(i);
      }
  return buildInteractions(numUsers, numItems, Int32Array.from(users), Int32Array.from(items), users.length);
}
