/** The datasets ncf reads: the GroupLens MovieLens releases and He et al.'s ML-1M split. */
export const DATASET_NAMES = ['ml-100k', 'ml-1m', 'ml-10m', 'ml-20m', 'ml-25m', 'ml-32m', 'ml-latest', 'ml-latest-small', 'ml-1m-ncf'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}
