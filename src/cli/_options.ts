/**
 * The command line of every `npm run` command, from one table per command: parsing, `--help` and the
 * refusal of an unknown option (with a suggestion) all read the same table, so help never omits an option.
 * An unknown option is refused rather than ignored: a misspelled `--plan` must not write dist/.
 */
import { FabricError } from '../util/errors';
import { didYouMean } from '../util/suggest';

export interface OptionSpec {
  /** `--out` */
  readonly name: string;
  /** Placeholder of the value it takes (`<dir>`); none for a flag. */
  readonly value?: string;
  readonly description: string;
}

export interface CommandSpec {
  /** `npm run plan` */
  readonly usage: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** The one argument that is not an option, when the command takes one (`fabric new <dir>`). */
  readonly argument?: { readonly name: string; readonly description: string };
  /** `0 done`, ... */
  readonly exitCodes: readonly string[];
}

const HELP: OptionSpec = { name: '--help', description: 'print this help and exit' };

/** Bad usage: the message names the option and, where one is near, the option meant. */
export class UsageError extends FabricError {}

export interface ParsedOptions {
  readonly help: boolean;
  /** The command's argument, when it takes one and was given it. */
  readonly argument?: string;
  /** Flags as `true`, valued options as their value; only options given. */
  readonly values: ReadonlyMap<string, string | true>;
}

export function parseOptions(command: CommandSpec, argv: readonly string[]): ParsedOptions {
  const options = [...command.options, HELP];
  const values = new Map<string, string | true>();
  let argument: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (command.argument && !argv[i].startsWith('-') && argument === undefined) {
      argument = argv[i];
      continue;
    }
    const [name, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const option = options.find((o) => o.name === name);
    if (!option) {
      throw new UsageError(`unknown option ${JSON.stringify(argv[i])}; known: ${options.map(shown).join(', ')}${didYouMean(name, options.map((o) => o.name))}`);
    }
    if (!option.value) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value, got ${JSON.stringify(inline)}`);
      values.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${name} needs a value: ${shown(option)}`);
    values.set(name, value);
  }
  return { help: values.has(HELP.name), values, ...(argument === undefined ? {} : { argument }) };
}

function shown(option: OptionSpec): string {
  return option.value ? `${option.name} ${option.value}` : option.name;
}

export function helpText(command: CommandSpec): string {
  const options = [...command.options, HELP];
  const width = Math.max(...options.map((o) => shown(o).length));
  return [
    `usage: ${command.usage}`,
    '',
    command.summary,
    '',
    ...(command.argument ? ['argument:', `  ${command.argument.name}  ${command.argument.description}`, ''] : []),
    'options:',
    ...options.map((o) => `  ${shown(o).padEnd(width)}  ${o.description}`),
    '',
    'exit codes:',
    ...command.exitCodes.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/**
 * Parses `argv` for `command`, printing help or a usage error itself: the options, or the exit code to
 * leave with (0 after --help, `usageExit` after bad usage).
 */
export function commandLine(command: CommandSpec, argv: readonly string[], name: string, usageExit = 2): ParsedOptions | number {
  try {
    const parsed = parseOptions(command, argv);
    if (!parsed.help) return parsed;
    console.log(helpText(command));
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${name}: ${error.message}`);
    return usageExit;
  }
}
