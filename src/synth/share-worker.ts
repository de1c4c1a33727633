/**
 * A worker thread that does one share of a large job while the main thread does the rest, synchronously:
 * writing a tree's files (dist-writer.ts) and rendering its objects to YAML (yaml-worker.ts). Synth is
 * synchronous, so the main thread does not await the worker: it waits on a flag the worker raises however
 * its share ends, with its result or its failure, and reads that from the port.
 */

/** A worker's share under way: `collect` waits for it to end and returns its result, or throws its failure. */
export interface SharePending<Output> {
  collect(): Output;
}

/** A worker ready for one input; it may be started before the input exists. */
export interface ShareWorker<Input, Output> {
  /** Hands the input over (moving the buffers in `transfer`); input that cannot be cloned throws. */
  start(input: Input, transfer?: ArrayBuffer[]): SharePending<Output>;
  /** Ends a worker never given input; nothing otherwise. */
  close(): void;
}

/** What the worker reports. */
type Report<Output> = { value: Output } | { failure: string };

/**
 * The worker's whole program: loads `script`, then calls its export `call` with the one input it gets and
 * reports the value, or the failure, before raising the flag. A script that cannot be loaded (left out of a
 * bundle) is reported as a failure too, rather than leaving the main thread waiting for a worker that is
 * gone. A port closed before any input ends it idle.
 */
function program(script: string, call: string): string {
  return `
const { port, done } = require('worker_threads').workerData;
const report = (result) => { port.postMessage(result); port.close(); Atomics.store(done, 0, 1); Atomics.notify(done, 0); };
const failure = (error) => ({ failure: error instanceof Error ? error.message : String(error) });
let work;
try { work = require(${JSON.stringify(script)})[${JSON.stringify(call)}]; } catch (error) { report(failure(error)); }
if (work) port.once('message', (input) => { let result; try { result = { value: work(input) }; } catch (error) { result = failure(error); } report(result); });
`;
}

/**
 * Starts a worker thread for one share of `job` (named in its failure): `script`, plain JavaScript (a worker
 * runs it with no TypeScript loader), is loaded at once, so its libraries are ready when the input comes,
 * and its export `call` does the share. Unreferenced: it never keeps the process alive.
 */
export function startShareWorker<Input, Output>(job: string, script: string, call: string): ShareWorker<Input, Output> {
  // Loaded here, when a job is large enough to share: a small synth is not charged for it (about 4 ms).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MessageChannel, receiveMessageOnPort, Worker } = require('worker_threads') as typeof import('worker_threads');
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  new Worker(program(script, call), { eval: true, workerData: { port: port2, done }, transferList: [port2] }).unref();
  return {
    start(input, transfer = []) {
      try {
        port1.postMessage(input, transfer);
      } catch (error) {
        // Input that cannot be handed over (a function in it): the worker, given nothing, ends.
        port1.close();
        throw error;
      }
      return {
        collect() {
          Atomics.wait(done, 0, 0);
          const report = receiveMessageOnPort(port1)?.message as Report<Output> | undefined;
          port1.close();
          if (!report || 'failure' in report) throw new Error(`${job} in a worker thread failed: ${report?.failure ?? 'no result'}`);
          return report.value;
        },
      };
    },
    // The worker's port closes with this one, and the worker, waiting on nothing else, ends.
    close: () => port1.close(),
  };
}

/**
 * Does the main thread's share while the worker does its own, and waits for the worker however the main
 * thread's share ends, so the worker is done before any error goes on: the main thread's error first, else
 * the worker's.
 */
export function besideWorker<Here, Output>(worker: SharePending<Output>, here: () => Here): [Here, Output] {
  let mine: Here;
  try {
    mine = here();
  } catch (error) {
    try {
      worker.collect();
    } catch {
      // The main thread's error is the one reported.
    }
    throw error;
  }
  return [mine, worker.collect()];
}
