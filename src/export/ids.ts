/** The id maps written beside an exported model: dense index ↔ MovieLens UserID and MovieID. */
import { writeFileSync } from 'node:fs';

export interface IdMaps {
  /** users[u]: the MovieLens UserID of dense user u. */
  users: number[];
  /** items[i]: the MovieLens MovieID of dense item i; null where the dataset has no map (ml-1m-ncf without item-map.tsv). */
  items: number[] | null;
}

export interface IdsFile extends IdMaps {
  format: 'ncf-ids';
  version: 1;
  dataset: string;
  /** How to read it, for whoever opens the file without ncf's docs. */
  note: string;
}

export function idsFile(dataset: string, ids: IdMaps): IdsFile {
  return {
    format: 'ncf-ids',
    version: 1,
    dataset,
    note: "the model's inputs are dense ids: users[u] is dense user u's MovieLens UserID, items[i] dense item i's MovieID",
    ...ids,
  };
}

export function writeIds(path: string, dataset: string, ids: IdMaps): void {
  writeFileSync(path, `${JSON.stringify(idsFile(dataset, ids))}\n`);
}
