/**
 * The YAML claims as last parsed, kept in .fabric/ (git-ignored): a claim file whose size and modification
 * time are those it had when it was parsed is neither read nor parsed again, as tree-index.ts does for
 * dist/. Parsing YAML is the largest part of re-synthesizing a big YAML fleet (1.1 s of 4.3 s at 5,000
 * Machines), and a fleet changes a few files at a time. Only the documents are kept: validation still runs
 * on every Machine, and a file that does not parse is never kept, so its problem is found every run.
 *
 * The cache holds what this parser made of each file, so it is keyed by the parser: the yaml library's
 * version and the code of the module that parses claims. Another parser starts from an empty cache.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { statUnchanged } from './tree-index';

interface Entry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly documents: Record<string, unknown>[];
}

export const CLAIM_CACHE_FILE = path.join('.fabric', 'claims-cache.json');

export class ClaimCache {
  /** The cache of `projectDir` for `parser` (see parserKey), empty when there is none or it is another's. */
  public static read(projectDir: string, parser: string): ClaimCache {
    const file = path.join(projectDir, CLAIM_CACHE_FILE);
    try {
      const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { parser: string; writtenAt: number; files: Record<string, Entry> };
      if (kept.parser === parser) return new ClaimCache(file, parser, kept.writtenAt, new Map(Object.entries(kept.files)));
    } catch {
      // No cache yet, or one that cannot be read: every claim is parsed.
    }
    return new ClaimCache(file, parser, 0, new Map());
  }

  private readonly next = new Map<string, Entry>();
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly parser: string,
    private readonly writtenAt: number,
    private readonly kept: ReadonlyMap<string, Entry>,
  ) {}

  /** The documents `claim` (relative to the project) held when parsed, if `stat` says it is unchanged. */
  public documents(claim: string, stat: fs.Stats): Record<string, unknown>[] | undefined {
    const entry = this.kept.get(claim);
    if (entry === undefined || !statUnchanged(entry, this.writtenAt, stat)) return undefined;
    this.next.set(claim, entry);
    return entry.documents;
  }

  /** Records what `claim` parsed to. */
  public record(claim: string, stat: fs.Stats, documents: Record<string, unknown>[]): void {
    this.next.set(claim, { size: stat.size, mtimeMs: stat.mtimeMs, documents });
    this.changed = true;
  }

  /**
   * Writes the claims met this run (only those: a deleted claim is forgotten), when anything changed. The
   * documents are written as they are now: save before anything (validation's defaults) changes them.
   */
  public save(): void {
    if (!this.changed && this.next.size === this.kept.size) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    // Written in place, as the tree index is: a run killed while writing leaves a file that does not parse,
    // which the next run reads as no cache.
    fs.writeFileSync(this.file, JSON.stringify({ parser: this.parser, writtenAt: Date.now(), files: Object.fromEntries(this.next) }));
  }
}

/** The parser's identity: the yaml library's version and the code that reads claims (`claimsModule`). */
export function parserKey(yamlVersion: string, claimsModule: string): string {
  return `yaml@${yamlVersion} ${crypto.createHash('sha1').update(fs.readFileSync(claimsModule)).digest('hex')}`;
}
