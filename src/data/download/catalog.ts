/**
 * What `ncf` can download: dataset name → remote files, how each is verified, and which
 * files must be present in `${dataRoot}/${name}/` for the folder to count as complete.
 *
 * Every checksum below was found in at least one public source, named next to it. GroupLens
 * publishes `<name>.zip.md5` beside each zip; TensorFlow Datasets pins sha256 and sizes in
 * tensorflow_datasets/url_checksums/movielens.txt. Where both exist, both are checked.
 */

export type DownloadableDataset = 'ml-100k' | 'ml-1m' | 'ml-10m' | 'ml-20m' | 'ml-25m' | 'ml-32m' | 'ml-latest-small' | 'ml-1m-ncf';

export const DOWNLOADABLE: readonly DownloadableDataset[] = ['ml-100k', 'ml-1m', 'ml-10m', 'ml-20m', 'ml-25m', 'ml-32m', 'ml-latest-small', 'ml-1m-ncf'];

export type HashAlgorithm = 'sha256' | 'md5';

/** A digest of a whole file, lower-case hex. */
export interface Checksum {
  algorithm: HashAlgorithm;
  hex: string;
}

/**
 * How one downloaded file is verified: one or more digests (all must match), or, where no
 * authoritative digest exists, its number of lines.
 */
export type FileCheck = Checksum | { lineCount: number };

export interface RemoteFile {
  /** Full URL; its last path segment is the file name (see `fileName`). */
  url: string;
  /** Name of the downloaded file: the key for `checksumOverride`, and the saved name of plain files. */
  fileName: string;
  /** Verifications that must all pass; empty = unverifiable (needs `skipChecksum`). */
  checks: readonly FileCheck[];
}

export interface CatalogEntry {
  name: DownloadableDataset;
  /** `zip`: one archive whose single top folder is stripped; `files`: saved as they are. */
  kind: 'zip' | 'files';
  files: readonly RemoteFile[];
  /** All present in `${dataRoot}/${name}/` ⇒ the dataset is there (the readers' inputs). */
  expectedFiles: readonly string[];
}

const GROUPLENS = 'https://files.grouplens.org/datasets/movielens/';
const NCF_DATA = 'https://raw.githubusercontent.com/hexiangnan/neural_collaborative_filtering/master/Data/';

// Sources of the values below (looked up in public code; no value is used without one):
//   [TFDS]    tensorflow/datasets, tensorflow_datasets/url_checksums/movielens.txt: url, size, sha256.
//   [ML-MD5]  GroupLens' published <name>.zip.md5, as pinned in public code: eli-osherovich/
//             papers_with_code datasets/movielens/dl_config.py (100k, 1m, 10m, 20m, 25m), plus several
//             other independent pins of the same values (e.g. for ml-32m a pooch.retrieve known_hash
//             "md5:d472…" and a script commented "Official checksum from …/ml-32m.zip.md5").

function zip(name: DownloadableDataset, fileName: string, checks: FileCheck[], expectedFiles: string[]): CatalogEntry {
  return { name, kind: 'zip', files: [{ url: GROUPLENS + fileName, fileName, checks }], expectedFiles };
}

export const CATALOG: Readonly<Record<DownloadableDataset, CatalogEntry>> = {
  'ml-100k': zip(
    'ml-100k',
    'ml-100k.zip',
    [
      // [TFDS] 4,924,029 bytes
      { algorithm: 'sha256', hex: '50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229' },
      // [ML-MD5] eli-osherovich/papers_with_code, and other pins
      { algorithm: 'md5', hex: '0e33842e24a9c977be4e0107933c0723' },
    ],
    ['u.data', 'u.item'],
  ),
  'ml-1m': zip(
    'ml-1m',
    'ml-1m.zip',
    [
      // [TFDS] 5,917,549 bytes
      { algorithm: 'sha256', hex: 'a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20' },
      // [ML-MD5] eli-osherovich/papers_with_code (and many pins of ml-1m.zip.md5)
      { algorithm: 'md5', hex: 'c4d9eecfca2ab87c1945afe126590906' },
    ],
    ['ratings.dat', 'movies.dat'],
  ),
  // The zip is ml-10m.zip but its top folder is ml-10M100K/ (stripped like any other).
  'ml-10m': zip(
    'ml-10m',
    'ml-10m.zip',
    [
      // [ML-MD5] eli-osherovich/papers_with_code, and other pins.
      // TFDS has no ml-10m entry, so no sha256 is pinned.
      { algorithm: 'md5', hex: 'ce571fd55effeba0271552578f2648bd' },
    ],
    ['ratings.dat', 'movies.dat'],
  ),
  'ml-20m': zip(
    'ml-20m',
    'ml-20m.zip',
    [
      // [TFDS] 198,702,078 bytes
      { algorithm: 'sha256', hex: '96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3' },
      // [ML-MD5] eli-osherovich/papers_with_code
      { algorithm: 'md5', hex: 'cd245b17a1ae2cc31bb14903e1204af3' },
    ],
    ['ratings.csv', 'movies.csv'],
  ),
  'ml-25m': zip(
    'ml-25m',
    'ml-25m.zip',
    [
      // [TFDS] 261,978,986 bytes
      { algorithm: 'sha256', hex: '8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa' },
      // [ML-MD5] eli-osherovich/papers_with_code; several "official MD5" pins
      { algorithm: 'md5', hex: '6b51fb2759a8657d3bfcbfc42b592ada' },
    ],
    ['ratings.csv', 'movies.csv'],
  ),
  'ml-32m': zip(
    'ml-32m',
    'ml-32m.zip',
    [
      // [ML-MD5] several independent pins of ml-32m.zip.md5 (archive of 238,950,008 bytes).
      // TFDS has no ml-32m entry, so no sha256 is pinned.
      { algorithm: 'md5', hex: 'd472be332d4daa821edc399621853b57' },
    ],
    ['ratings.csv', 'movies.csv'],
  ),
  // "latest-small" is a rolling name, but the file has been the 2018-09-26 build since then.
  'ml-latest-small': zip(
    'ml-latest-small',
    'ml-latest-small.zip',
    [
      // [TFDS] 978,202 bytes; also pinned by several projects as the 2018-09-26 build.
      { algorithm: 'sha256', hex: '696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436' },
    ],
    ['ratings.csv', 'movies.csv'],
  ),
  // He et al.'s split (WWW 2017), hexiangnan/neural_collaborative_filtering, branch master, Data/.
  'ml-1m-ncf': {
    name: 'ml-1m-ncf',
    kind: 'files',
    files: [
      {
        url: `${NCF_DATA}ml-1m.train.rating`,
        fileName: 'ml-1m.train.rating',
        // No digest: the only copy available when this was written was a reconstruction (same
        // pairs, placeholder rating/timestamp columns), so the original's hash is unknown.
        // Checked by its line count instead, which the reconstruction shares with the original.
        checks: [{ lineCount: 994_169 }],
      },
      {
        url: `${NCF_DATA}ml-1m.test.rating`,
        fileName: 'ml-1m.test.rating',
        // Computed from an original copy of the file (6,040 lines).
        checks: [{ algorithm: 'sha256', hex: '231ae11eb060b643a8c58c063cd17ffc743b54f569afb073d1abb6cf126b88b5' }],
      },
      {
        url: `${NCF_DATA}ml-1m.test.negative`,
        fileName: 'ml-1m.test.negative',
        // Computed from an original copy of the file (6,040 lines).
        checks: [{ algorithm: 'sha256', hex: '127853228a76b7d21c0481e8ef8d00dd009cd5c88670dbdd9e9debfdb9f93de4' }],
      },
    ],
    expectedFiles: ['ml-1m.train.rating', 'ml-1m.test.rating', 'ml-1m.test.negative'],
  },
};

export function isDownloadable(name: string): name is DownloadableDataset {
  return (DOWNLOADABLE as readonly string[]).includes(name);
}
