/**
 * The datasets ncf reads: the GroupLens MovieLens releases, He et al.'s ML-1M split, and `parquet`:
 * a split already made, as Parquet files in data.dir (what `ncf data export --format parquet` writes).
 */
export const DATASET_NAMES = ['ml-100k', 'ml-1m', 'ml-10m', 'ml-20m', 'ml-25m', 'ml-32m', 'ml-latest', 'ml-latest-small', 'ml-1m-ncf', 'parquet'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** The GroupLens releases: one ratings file ncf splits itself. */
export type RawDatasetName = Exclude<DatasetName, 'ml-1m-ncf' | 'parquet'>;

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}
