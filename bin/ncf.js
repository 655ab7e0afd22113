#!/usr/bin/env node
import { main, handleError } from '../dist/cli/main.js';

main(process.argv).catch(handleError);
