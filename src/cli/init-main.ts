/** Entry point of `npm run init` (the command: init.ts). */
import { initCommand } from './init';
import { projectDir } from './_project-dir';

process.exitCode = initCommand(process.argv.slice(2), projectDir());
