/** The bundle's entry point (bin/ncf.js is the same four lines for the npm install). */
import { handleError, main } from './main.js';

main(process.argv).catch(handleError);
