/**
 * Where a saved model's data is read from: the folder it records; once that is gone (the model
 * moved to another machine, or into a container), $NCF_DATA_DIR/<dataset> when the run used the
 * default place, and never a guess when the run named its folder.
 */
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadModelWithData } from '../../src/artifacts/model-data.js';
import { Progress } from '../../src/util/progress.js';
import { ncf, ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ncf-data-dir-'));
const first = join(tmp, 'first');
const moved = join(tmp, 'moved');
const quiet = new Progress(false);
const envBefore = process.env.NCF_DATA_DIR;

beforeAll(() => {
  cpSync(join(ROOT, 'test/fixtures/ml-100k-tiny'), join(first, 'ml-100k'), { recursive: true });
  const smoke = JSON.parse(readFileSync(join(ROOT, 'configs/smoke.json'), 'utf8'));
  // "default": data.dir unset, so the run reads $NCF_DATA_DIR/ml-100k; "named": the same folder, named.
  const configs = {
    default: { ...smoke, name: 'default', data: { ...smoke.data, dir: undefined } },
    named: { ...smoke, name: 'named', data: { ...smoke.data, dir: join(first, 'ml-100k') } },
  };
  for (const [name, config] of Object.entries(configs)) {
    writeFileSync(join(tmp, `${name}.json`), JSON.stringify(config));
    const r = ncf(['train', '--config', join(tmp, `${name}.json`), '--set', `output.models=${tmp}`, '--set', `output.reports=${tmp}`], { NCF_DATA_DIR: first });
    expect(r.status, r.stderr).toBe(0);
  }
  renameSync(first, moved);
  process.env.NCF_DATA_DIR = moved;
}, 120_000);
afterEach(() => {
  process.env.NCF_DATA_DIR = moved;
});
afterAll(() => {
  if (envBefore === undefined) delete process.env.NCF_DATA_DIR;
  else process.env.NCF_DATA_DIR = envBefore;
  rmSync(tmp, { recursive: true, force: true });
});

describe('a model whose data folder is gone', () => {
  it('trained from the default place: read from $NCF_DATA_DIR/<dataset> here', async () => {
    const { dir, data } = await loadModelWithData(join(tmp, 'default.ncf'), null, quiet);
    expect(dir).toBe(join(moved, 'ml-100k'));
    expect([data.numUsers, data.numItems]).toEqual([60, 80]);
  });

  it('trained from a named folder: that folder only, and a one-line error naming it', async () => {
    await expect(loadModelWithData(join(tmp, 'named.ncf'), null, quiet)).rejects.toThrow(`${join(first, 'ml-100k')}/u.data not found`);
  });

  it('--data-dir wins over both', async () => {
    const { dir } = await loadModelWithData(join(tmp, 'named.ncf'), join(moved, 'ml-100k'), quiet);
    expect(dir).toBe(join(moved, 'ml-100k'));
  });
});
