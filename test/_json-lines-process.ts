/**
 * A tool of ours that answers one JSON line per JSON line on stdin, in order (tools/argocd-lua, tools/flux-health
 * --serve): one process serves a whole test file. A process that ends early answers whoever still waits with why.
 */
import { spawn } from 'child_process';

export interface JsonLinesProcess {
  /** Sends `request`; resolves with the parsed answer, rejects with the tool's `error` or a write failure. */
  ask(request: object): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export function startJsonLinesProcess(binary: string, args: readonly string[], name: string): JsonLinesProcess {
  const child = spawn(binary, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const waiting: Array<(line: string) => void> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', (code) => {
    for (const answer of waiting.splice(0)) answer(JSON.stringify({ error: `${name} exited with ${code}: ${stderr}` }));
    resolve();
  }));
  let buffered = '';
  child.stdout!.on('data', (chunk) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      waiting.shift()!(line);
    }
  });
  return {
    ask: (request) => new Promise((resolve, reject) => {
      waiting.push((line) => {
        const answer = JSON.parse(line) as Record<string, unknown>;
        if (answer.error !== undefined) reject(new Error(String(answer.error)));
        else resolve(answer);
      });
      child.stdin!.write(`${JSON.stringify(request)}\n`, (error) => {
        if (error) reject(new Error(`${name}: ${error.message}: ${stderr}`));
      });
    }),
    stop: async () => { child.stdin!.end(); await exited; },
  };
}
