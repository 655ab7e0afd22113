/** The CLI entry point: bin/ncf.js (npm install) and the esbuild bundle both start here. */
import { handleError, main } from './main.js';

main(process.argv).catch(handleError);
