import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findTokens } from '../core/token-scan';

/**
 * `scan [path ...]`: reports Latchkey tokens found in files, recognised by their checksum
 * with no database, for CI and pre-commit hooks. Exit code 0 when none is found, 1 when
 * any is, 2 for bad arguments.
 */

/** A command that needs no database: it reads its own arguments and gives the exit code. */
export interface StandaloneCommand {
  summary: string;
  args: string;
  options: Record<string, { type: 'string' | 'boolean'; description: string }>;
  run(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number>;
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);
const DEFAULT_MAX_BYTES = 1_000_000;
/** A NUL byte among the first bytes marks a binary file, as git and grep judge it. */
const BINARY_SNIFF_BYTES = 8_000;

export interface Finding {
  file: string;
  line: number;
  column: number;
  hint: string;
  token?: string;
}

function* filesUnder(start: string): Generator<string> {
  const stat = fs.lstatSync(start);
  if (stat.isFile()) {
    yield start;
    return;
  }
  if (!stat.isDirectory()) return;
  const entries = fs.readdirSync(start, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(start, entry.name);
    // Symbolic links are not followed: a link could lead out of the tree or round in a loop.
    if (entry.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name)) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}

/** The text of a file worth scanning, or null for one too large or binary. */
function readText(file: string, maxBytes: number): string | null {
  if (fs.statSync(file).size > maxBytes) return null;
  const bytes = fs.readFileSync(file);
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return null;
  return bytes.toString('utf8');
}

export function scanPaths(
  paths: string[],
  options: { maxBytes: number; show: boolean },
): { findings: Finding[]; filesScanned: number; filesSkipped: number } {
  const findings: Finding[] = [];
  let filesScanned = 0;
  let filesSkipped = 0;
  for (const start of paths) {
    for (const file of filesUnder(start)) {
      const text = readText(file, options.maxBytes);
      if (text === null) {
        filesSkipped++;
        continue;
      }
      filesScanned++;
      for (const { line, column, hint, token } of findTokens(text))
        findings.push({ file, line, column, hint, ...(options.show ? { token } : {}) });
    }
  }
  return { findings, filesScanned, filesSkipped };
}

const OPTIONS = {
  show: { type: 'boolean', description: 'print each token found, not only its hint' },
  'max-bytes': {
    type: 'string',
    description: `skip files larger than this (default ${DEFAULT_MAX_BYTES})`,
  },
} as const;

export const scanCommand: StandaloneCommand = {
  summary: 'Report Latchkey tokens (valid checksum) in files; exit code 1 when any is found',
  args: '[path ...]',
  options: OPTIONS,
  async run(argv, out, err) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: { ...OPTIONS, json: { type: 'boolean' } },
        strict: true,
        allowPositionals: true,
      });
    } catch (e) {
      err.write(`${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
    const { values, positionals } = parsed;
    const limit = values['max-bytes'] ?? String(DEFAULT_MAX_BYTES);
    if (!/^\d+$/.test(limit)) {
      err.write('--max-bytes must be a whole number of bytes\n');
      return 2;
    }
    const paths = positionals.length ? positionals : ['.'];
    const missing = paths.find((p) => !fs.existsSync(p));
    if (missing !== undefined) {
      err.write(`No such file or directory: ${missing}\n`);
      return 2;
    }
    const result = scanPaths(paths, { maxBytes: Number(limit), show: values.show === true });
    if (values.json === true) out.write(`${JSON.stringify(result)}\n`);
    else {
      for (const f of result.findings)
        out.write(`${f.file}:${f.line}:${f.column}: Latchkey token ${f.token ?? f.hint}\n`);
      out.write(
        `${result.findings.length} token(s) found in ${result.filesScanned} file(s) scanned` +
          ` (${result.filesSkipped} skipped: binary or over the size limit)\n`,
      );
    }
    return result.findings.length > 0 ? 1 : 0;
  },
};
