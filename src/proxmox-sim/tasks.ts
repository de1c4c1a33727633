/**
 * Worker tasks as Proxmox runs them (pve-common src/PVE/RESTEnvironment.pm fork_worker, src/PVE/UPID.pm):
 * a method that forks a worker answers its UPID at once; the work runs after the task's configured duration,
 * and its log ends in `TASK OK`, `TASK WARNINGS: n` or `TASK ERROR: <message>`, which the task status reports
 * as its exit status (pve-manager PVE/API2/Tasks.pm:454 read_task_status).
 */

import { dieText } from './access';

export interface TaskRecord {
  readonly upid: string;
  readonly node: string;
  readonly type: string;
  readonly id: string;
  readonly user: string;
  readonly pid: number;
  readonly pstart: number;
  readonly starttime: number;
  readonly log: string[];
  /** undefined while running; then 'OK', 'WARNINGS: n' or the error. */
  exitstatus?: string;
  readonly done: Promise<void>;
}

/** What a worker does: it logs, may warn, and throws to fail. */
export type TaskBody = (log: TaskLog) => void | Promise<void>;

export interface TaskLog {
  print(line: string): void;
  /** PVE::RESTEnvironment::log_warn: a `WARN: ` line, counted into `TASK WARNINGS: n`. */
  warn(line: string): void;
}

export class Tasks {
  private readonly byUpid = new Map<string, TaskRecord>();
  /** Tasks whose work still waits for its duration: the timer and the work. */
  private readonly waiting = new Map<string, { timer: NodeJS.Timeout; work: () => Promise<void> }>();
  private nextPid = 0x1000;
  private readonly bootTime = Math.floor(Date.now() / 1000) - 3600;

  /** @param durationMs how long a task type runs, by its type (qmclone, qmstart, ...). */
  constructor(private readonly durationMs: (type: string, id: string) => number) {}

  /**
   * pve-common src/PVE/UPID.pm:18 encode: `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`, the
   * numbers as 8 upper-case hex digits.
   */
  start(node: string, type: string, id: string, user: string, body: TaskBody, begin?: TaskBody): TaskRecord {
    const pid = this.nextPid++;
    const pstart = (Math.floor(Date.now() / 1000) - this.bootTime) * 100;
    const starttime = Math.floor(Date.now() / 1000);
    const hex = (value: number) => value.toString(16).toUpperCase().padStart(8, '0');
    const upid = `UPID:${node}:${hex(pid)}:${hex(pstart)}:${hex(starttime)}:${type}:${id}:${user}:`;
    const log: string[] = [];
    let warnings = 0;
    let finish!: () => void;
    const record: TaskRecord = { upid, node, type, id, user, pid, pstart, starttime, log, done: new Promise((resolve) => { finish = resolve; }) };
    this.byUpid.set(upid, record);
    const taskLog: TaskLog = { print: (line) => log.push(line), warn: (line) => { warnings++; log.push(`WARN: ${line}`); } };
    // What the worker does at once (say, a clone's temporary config) runs now; the rest after the duration.
    let started: void | Promise<void> = undefined;
    let failedAtOnce: unknown;
    try { started = begin?.(taskLog); } catch (error) { failedAtOnce = error; }
    const work = async () => {
      this.waiting.delete(upid);
      try {
        if (failedAtOnce !== undefined) throw failedAtOnce;
        await started;
        await body(taskLog);
        // RESTEnvironment.pm:658-664: the last line of the task log.
        record.exitstatus = warnings > 0 ? `WARNINGS: ${warnings}` : 'OK';
        log.push(`TASK ${record.exitstatus}`);
      } catch (error) {
        // RESTEnvironment.pm:655-658: the die message, chomped, newlines made spaces.
        const message = dieText(error).replace(/\n$/, '').replace(/\n/g, ' ');
        record.exitstatus = message;
        log.push(`TASK ERROR: ${message}`);
      }
      finish();
    };
    this.waiting.set(upid, { timer: setTimeout(work, failedAtOnce !== undefined ? 0 : Math.max(0, this.durationMs(type, id))), work });
    return record;
  }

  get(upid: string): TaskRecord | undefined {
    return this.byUpid.get(upid);
  }

  all(): TaskRecord[] {
    return [...this.byUpid.values()];
  }

  /** Every task still waiting for its duration does its work now; resolves when all have finished. */
  async hurry(): Promise<void> {
    const works = [...this.waiting.values()];
    for (const { timer } of works) clearTimeout(timer);
    await Promise.all(works.map(({ work }) => work()));
  }

  /** Resolves when every task started so far has finished. */
  async settle(): Promise<void> {
    await Promise.all(this.all().map((task) => task.done));
  }
}

/** pve-common src/PVE/UPID.pm:32 decode: the fields of a UPID, or undefined when it does not parse. */
export function decodeUpid(upid: string): { node: string; pid: number; pstart: number; starttime: number; type: string; id: string; user: string } | undefined {
  const match = /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/.exec(upid);
  if (!match) return undefined;
  return {
    node: match[1], pid: parseInt(match[3], 16), pstart: parseInt(match[4], 16), starttime: parseInt(match[5], 16),
    type: match[6], id: match[7], user: match[8],
  };
}
