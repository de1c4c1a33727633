/** Entry point of `npm run synth` and `npm run plan` (the command itself: _synth-command.ts). */
import { PROJECT_DIR } from './_project-dir';
import { synthCommand } from './_synth-command';

process.exitCode = synthCommand(process.argv.slice(2), { defaultProject: PROJECT_DIR });
