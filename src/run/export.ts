/**
 * `ncf export`: a model file as ONNX or as a TF.js Layers model, with its id maps beside it
 * (the model's inputs are dense ids; the maps turn them into MovieLens UserIDs and MovieIDs).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelMeta } from '../artifacts/meta.js';
import { loadModelWithData } from '../artifacts/model-data.js';
import { loadModel, type ModelFile } from '../artifacts/model-file.js';
import { originalIds } from '../data/original-ids.js';
import { type IdMaps, writeIds } from '../export/ids.js';
import { onnxModel } from '../export/onnx.js';
import { firstNonFinite } from '../models/weights.js';
import { modelDef } from '../models/index.js';
import { NcfError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';

export const EXPORT_FORMATS = ['onnx', 'tfjs-layers'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** onnx: the .onnx file (ids go to <name>.ids.json beside it); tfjs-layers: a folder for model.json, weights.bin and ids.json. */
  out: string;
  /** Replace an existing --out. */
  force: boolean;
  /** Where the dataset is, when the model file predates recorded ids and they must be read from the data. */
  dataDir: string | null;
  /** ncf's version, recorded in the exported files. */
  version: string;
  progress: Progress;
}

export interface ExportResult {
  files: string[];
  users: number;
  items: number;
}

/** <out without .onnx>.ids.json */
export function onnxIdsPath(out: string): string {
  return `${out.replace(/\.onnx$/i, '')}.ids.json`;
}

export async function runExport(modelPath: string, o: ExportOptions): Promise<ExportResult> {
  if (!existsSync(modelPath)) throw new NcfError(`${modelPath} not found — train one with 'ncf train' or name a models/<name>.ncf`);
  if (existsSync(o.out) && !o.force) throw new NcfError(`${o.out} exists — pass --force to replace it`);
  const file = loadModel<ModelMeta>(modelPath);
  const bad = firstNonFinite(file.weights);
  if (bad) throw new NcfError(`${modelPath} holds non-finite weights (${bad.name}[${bad.index}] is ${bad.value}): nothing to export`);
  const ids = await idsOf(modelPath, file, o);
  const dataset = file.meta.dataset?.name ?? file.meta.config.data.dataset;
  const metadata = {
    model: modelDef(file.shape.type).describe(file.shape),
    type: file.shape.type,
    dataset,
    users: String(file.shape.numUsers),
    items: String(file.shape.numItems),
    epoch: String(file.epoch),
    ids: 'dense: see the ids.json written beside this file',
  };
  const files: string[] = [];
  if (o.format === 'onnx') {
    if (o.force) rmSync(o.out, { recursive: true, force: true });
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, onnxModel(file.shape, file.weights, { version: o.version, metadata }));
    const idsPath = onnxIdsPath(o.out);
    writeIds(idsPath, dataset, ids);
    files.push(o.out, idsPath);
  } else {
    // TensorFlow.js loads only for this format.
    const { saveLayersModel } = await import('../export/tfjs-layers.js');
    if (o.force) rmSync(o.out, { recursive: true, force: true });
    mkdirSync(o.out, { recursive: true });
    files.push(...(await saveLayersModel(file.shape, file.weights, o.out, { version: o.version, metadata })));
    const idsPath = join(o.out, 'ids.json');
    writeIds(idsPath, dataset, ids);
    files.push(idsPath);
  }
  return { files, users: file.shape.numUsers, items: file.shape.numItems };
}

/** The ids the model file records, else those of its dataset (files from before ids were recorded). */
async function idsOf(modelPath: string, file: ModelFile<ModelMeta>, o: ExportOptions): Promise<IdMaps> {
  if (file.meta.ids) return file.meta.ids;
  const { config, data, dir } = await loadModelWithData(modelPath, o.dataDir, o.progress);
  const ids = await originalIds(config.data.dataset, data, dir);
  return { users: Array.from(ids.users), items: ids.items && Array.from(ids.items) };
}
