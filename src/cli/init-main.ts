/** Entry point of `npm run init` (the command: init.ts). */
import * as path from 'path';
import { initCommand } from './init';

process.exitCode = initCommand(process.argv.slice(2), path.resolve(__dirname, '..', '..'));
