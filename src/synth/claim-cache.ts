/**
 * The YAML claims as last parsed, kept in .fabric/ (git-ignored): a claim file whose size and modification
 * time are those it had when it was parsed is neither read nor parsed again, as tree-index.ts does for
 * dist/. Parsing YAML is the largest part of re-synthesizing a big YAML fleet (1.1 s of 4.3 s at 5,000
 * Machines), and a fleet changes a few files at a time. Only the documents are kept: validation still runs
 * on every Machine. A claim that does not parse, or that synth refuses (a credential in it, say), is not
 * kept, so its problem is found again on every run and nothing refused is copied into .fabric/.
 *
 * The cache holds what this parser made of each file, so it is keyed by the parser: the yaml library's
 * version and the code of the module that parses claims. Another parser starts from an empty cache.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LOCAL_STATE_DIR } from './local-state';
import { statUnchanged } from './tree-index';

interface Entry {
  readonly size: number;
  readonly mtimeMs: number;
  /** The documents as JSON text: each run gets fresh objects, which validation may fill defaults into. */
  readonly documents: string;
}

export const CLAIM_CACHE_FILE = path.join(LOCAL_STATE_DIR, 'claims-cache.json');

export class ClaimCache {
  /** The cache of `projectDir` for `parser` (see parserKey), empty when there is none or it is another's. */
  public static read(projectDir: string, parser: string): ClaimCache {
    const file = path.join(projectDir, CLAIM_CACHE_FILE);
    try {
      const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { parser: string; writtenAt: number; files: Record<string, Entry> };
      if (kept.parser === parser) return new ClaimCache(file, parser, kept.writtenAt, new Map(Object.entries(kept.files)));
    } catch {
      // No cache yet, or one that cannot be read (a run killed while writing it): every claim is parsed.
    }
    return new ClaimCache(file, parser, 0, new Map());
  }

  /** The entries of the claims met this run. */
  private readonly next = new Map<string, Entry>();
  private recorded = false;

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
    return JSON.parse(entry.documents) as Record<string, unknown>[];
  }

  /** Records what `claim` parsed to, as it is now. */
  public record(claim: string, stat: fs.Stats, documents: readonly Record<string, unknown>[]): void {
    this.next.set(claim, { size: stat.size, mtimeMs: stat.mtimeMs, documents: JSON.stringify(documents) });
    this.recorded = true;
  }

  /**
   * Writes the claims met this run but those in `refused` (a deleted claim is forgotten too), when that
   * changes the cache. Written in place, as the tree index is: a run killed while writing leaves a file
   * that does not parse, which the next run reads as no cache.
   */
  public save(refused: ReadonlySet<string>): void {
    const entries = [...this.next].filter(([claim]) => !refused.has(claim));
    if (!this.recorded && entries.length === this.kept.size) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, JSON.stringify({ parser: this.parser, writtenAt: Date.now(), files: Object.fromEntries(entries) }));
  }
}

/** The parser's identity: the yaml library's version and the code that reads claims (`claimsModule`). */
export function parserKey(yamlVersion: string, claimsModule: string): string {
  return `yaml@${yamlVersion} ${crypto.createHash('sha1').update(fs.readFileSync(claimsModule)).digest('hex')}`;
}
