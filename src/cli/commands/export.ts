import { Command, Option } from 'commander';
import { EXPORT_FORMATS, type ExportFormat, runExport } from '../../run/export.js';
import { Progress } from '../../util/progress.js';

export function exportCommand(): Command {
  return new Command('export')
    .description(
      'write a trained model as ONNX (onnxruntime, Triton) or as a TF.js Layers model (tf.loadLayersModel; tensorflowjs_converter to Keras), with its id maps',
    )
    .requiredOption('-m, --model <file>', 'a model file written by ncf train (models/<name>.ncf)')
    .addOption(
      new Option('-f, --format <format>', 'onnx: one .onnx file; tfjs-layers: a folder with model.json and weights.bin')
        .choices(EXPORT_FORMATS)
        .makeOptionMandatory(),
    )
    .requiredOption('-o, --out <path>', 'onnx: the .onnx file (ids go to <name>.ids.json beside it); tfjs-layers: the folder (ids.json goes in it)')
    .option('--force', 'replace --out if it exists')
    .option('--data-dir <dir>', "the dataset's folder, for model files that predate recorded ids (default: the one the model was trained on)")
    .action(async (opts: { model: string; format: ExportFormat; out: string; force?: boolean; dataDir?: string }, cmd: Command) => {
      const r = await runExport(opts.model, {
        format: opts.format,
        out: opts.out,
        force: opts.force ?? false,
        dataDir: opts.dataDir ?? null,
        version: cmd.parent?.version() ?? 'unknown',
        progress: new Progress(),
      });
      console.log(
        `${opts.model} → ${opts.format} (${r.users.toLocaleString('en-US')} users × ${r.items.toLocaleString('en-US')} items): ${r.files.join(', ')}`,
      );
    });
}
