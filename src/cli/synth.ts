/** Entry point of `npm run synth` and `npm run plan` (the command itself: _synth-command.ts). */
import { projectDir } from './_project-dir';
import { synthCommand } from './_synth-command';

process.exitCode = synthCommand(process.argv.slice(2), { defaultProject: projectDir() });
