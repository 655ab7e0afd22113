/**
 * The tfjs engine against the scratch engine on every backend the tfjs entry of the engine
 * registry offers ('auto' is a choice among them, not one of its own): each backend's suite runs
 * where a real probe finds it (a WebGPU adapter, tfjs-node installed) and is skipped with what
 * to install where not. One file, backends one after another: TensorFlow.js keeps one global
 * backend per process, and each suite makes, checks (tf.getBackend()) and disposes its own engines.
 */
import { ENGINES } from '../../src/engines/index.js';
import { backendUnavailable } from '../helpers/backend-probe.js';
import { tfjsParitySuite } from '../helpers/tfjs-suite.js';

for (const backend of ENGINES.tfjs.variants) {
  if (backend === 'auto') continue;
  tfjsParitySuite(backend, backendUnavailable(backend));
}
