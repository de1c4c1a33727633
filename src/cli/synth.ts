/**
 * Entry point of `npm run synth` and `npm run plan` (the command itself: _synth-command.ts).
 *
 * tsx turns on source maps for every module it loads, which costs about a tenth of a second at start-up
 * (the generated bindings carry large maps). Synth errors are reported as messages, not stack traces, so
 * they are off unless FABRIC_DEBUG is set; this must run before the command's modules load.
 */
import { PROJECT_DIR } from './_project-dir';

if (!process.env.FABRIC_DEBUG) process.setSourceMapsEnabled(false);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { synthCommand } = require('./_synth-command') as typeof import('./_synth-command');
process.exitCode = synthCommand(process.argv.slice(2), { defaultProject: PROJECT_DIR });
