import { tfjsParitySuite } from '../helpers/tfjs-suite.js';

tfjsParitySuite('cpu', null);
