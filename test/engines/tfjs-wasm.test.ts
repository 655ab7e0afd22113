import { tfjsParitySuite } from '../helpers/tfjs-suite.js';

tfjsParitySuite('wasm', null);
