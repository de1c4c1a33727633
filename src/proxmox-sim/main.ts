/**
 * `npm run proxmox-sim -- [--listen 127.0.0.1:<port>] [--site <file>] [--dir <folder>]`: serves a simulated
 * Proxmox VE until interrupted. Its first three lines are the API URL, the CA certificate's path and an API
 * token of the site; a line per request follows.
 */
import { DEFAULT_SITE, SCHEMA_SOURCE, startProxmoxSim } from './index';

const USAGE = 'usage: proxmox-sim [--listen <host>:<port>] [--site <site.yaml>] [--dir <folder for the CA>] [--task-ms <type>=<ms>]...';

async function main(argv: string[]): Promise<void> {
  let host = '127.0.0.1';
  let port = 8006;
  let site: string | undefined;
  let dir: string | undefined;
  const taskDurationsMs: Record<string, number> = {};
  for (let index = 0; index < argv.length; index++) {
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${argv[index - 1]} needs a value\n${USAGE}`);
      return next;
    };
    switch (argv[index]) {
      case '--listen': {
        const listen = /^(.*):(\d+)$/.exec(value());
        if (!listen) throw new Error(`--listen takes <host>:<port>\n${USAGE}`);
        [host, port] = [listen[1], Number(listen[2])];
        break;
      }
      case '--site': site = value(); break;
      case '--dir': dir = value(); break;
      case '--task-ms': {
        const duration = /^([\w-]+)=(\d+)$/.exec(value());
        if (!duration) throw new Error(`--task-ms takes <task type>=<milliseconds>, e.g. qmclone=30000\n${USAGE}`);
        taskDurationsMs[duration[1]] = Number(duration[2]);
        break;
      }
      case '--help': case '-h': console.log(USAGE); return;
      default: throw new Error(`unknown argument ${argv[index]}\n${USAGE}`);
    }
  }
  const sim = await startProxmoxSim({ site: site ?? DEFAULT_SITE, host, port, dir, taskDurationsMs, authFailureDelayMs: 3000, log: (line) => console.log(line) });
  console.log(`API URL: ${sim.url}`);
  console.log(`CA certificate: ${sim.caFile}`);
  console.log(`API token: ${sim.token}`);
  console.log(`(site: ${site ?? 'the default site'}; API schema: ${SCHEMA_SOURCE.describes})`);
  const stop = () => { void sim.stop().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`proxmox-sim: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
