import { parseArgs } from 'node:util';
import {
  ConfigError,
  loadConfig,
  mongoConnectionOf,
  sqliteStartupError,
  StartupError,
  type Config,
} from '../config';
import { LatchkeyError } from '../core/errors';
import { createLatchkey, type Latchkey } from '../latchkey';
import { COMMANDS, FILE_COMMANDS, STANDALONE_COMMANDS, type Flags } from './commands';
import { BackupError } from '../store/sqlite/backup';
import { createLogger } from '../logger';
import { createMongoStore } from '../store/mongo';
import type { Store } from '../core/store';
import type { FileCommand } from './backup-commands';

/**
 * `npm run -s latchkey -- <command> [options]`: works on the database the server uses,
 * MongoDB when MONGODB_URI (or a mongodb:// DATABASE_URL) is set, else the SQLite file
 * at DATABASE_PATH.
 */

function usage(): string {
  const lines = ['Usage: npm run -s latchkey -- <command> [options] [--json]', '', 'Commands:'];
  for (const [name, cmd] of Object.entries(COMMANDS)) {
    lines.push(`  ${name.padEnd(22)} ${cmd.summary}`);
    if (cmd.args) lines.push(`      ${name} ${cmd.args}`);
    for (const [opt, o] of Object.entries(cmd.options))
      lines.push(`      --${opt.padEnd(16)} ${o.description}`);
  }
  for (const [name, cmd] of Object.entries(FILE_COMMANDS))
    lines.push(`  ${`${name} ${cmd.argument}`.padEnd(22)} ${cmd.summary}`);
  for (const [name, cmd] of Object.entries(STANDALONE_COMMANDS)) {
    lines.push(`  ${`${name} ${cmd.args}`.padEnd(22)} ${cmd.summary}`);
    for (const [opt, o] of Object.entries(cmd.options))
      lines.push(`      --${opt.padEnd(16)} ${o.description}`);
  }
  return lines.join('\n');
}

function print(result: Record<string, unknown>, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(result)) {
    process.stdout.write(
      `${k}: ${typeof v === 'object' ? JSON.stringify(v, null, 2) : String(v)}\n`,
    );
  }
  if ('apiKeyToken' in result || 'integrationKey' in result)
    process.stdout.write('\nStore the token now: it is not shown again.\n');
}

export async function runCli(
  argv: string[],
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const [name, ...rest] = argv;
  const fileCommand = name ? FILE_COMMANDS[name] : undefined;
  if (fileCommand) return runFileCommand(fileCommand, rest);
  const standalone = name ? STANDALONE_COMMANDS[name] : undefined;
  if (standalone) return standalone.run(rest, process.stdout, process.stderr);
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    // Asking for help succeeds; no command or an unknown one is a usage error for scripts.
    const help = name === 'help' || name === '--help' || name === '-h';
    process.stderr.write(`${name && !help ? `Unknown command "${name}".\n\n` : ''}${usage()}\n`);
    return help ? 0 : 2;
  }
  let flags: Flags;
  let args: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...command.options, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: command.args !== undefined,
    });
    flags = parsed.values as Flags;
    args = parsed.positionals;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${usage()}\n`);
    return 2;
  }
  const json = flags.json === true;
  let lk: Latchkey | undefined;
  try {
    lk = await openLatchkey(loadConfig());
    print(await command.run(lk, flags, stdin, args), json);
    return 0;
  } catch (err) {
    const code = errorCodeOf(err);
    if (code !== undefined && err instanceof Error) {
      const out = json
        ? JSON.stringify({ error: code, message: err.message })
        : `Error: ${err.message}`;
      process.stderr.write(`${out}\n`);
      return 1;
    }
    throw err;
  } finally {
    await lk?.close();
  }
}

/** Runs a command on the SQLite file (`backup <file>`, `restore <file>`). */
async function runFileCommand(command: FileCommand, args: string[]): Promise<number> {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${usage()}\n`);
    return 2;
  }
  const json = parsed.values.json === true;
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) {
    process.stderr.write(`Give exactly one ${command.argument}.\n\n${usage()}\n`);
    return 2;
  }
  try {
    print(await command.run(loadConfig(), file), json);
    return 0;
  } catch (err) {
    const code = errorCodeOf(err);
    if (code === undefined || !(err instanceof Error)) throw err;
    const out = json
      ? JSON.stringify({ error: code, message: err.message })
      : `Error: ${err.message}`;
    process.stderr.write(`${out}\n`);
    return 1;
  }
}

/** The store could not be opened; its message names the variable and has no credentials. */
class StoreUnreachable extends Error {}

/** The `error` code of a failure the CLI reports itself; undefined for anything else. */
function errorCodeOf(err: unknown): string | undefined {
  if (err instanceof LatchkeyError) return err.code;
  if (err instanceof ConfigError || err instanceof StartupError) return 'config';
  if (err instanceof StoreUnreachable) return 'unavailable';
  if (err instanceof BackupError) return 'backup';
  return undefined;
}

/** A Latchkey on the server's database, with no cache: each command sees the latest state. */
async function openLatchkey(config: Config): Promise<Latchkey> {
  const mongo = mongoConnectionOf(config);
  let store: Store | undefined;
  if (mongo) {
    try {
      store = await createMongoStore(mongo);
    } catch (err) {
      throw new StoreUnreachable(err instanceof Error ? err.message : String(err));
    }
  }
  try {
    return await createLatchkey({
      store,
      databasePath: config.DATABASE_PATH,
      logger: createLogger({ level: 'warn' }),
      bcryptCost: config.BCRYPT_COST,
      cacheTtlMs: 0,
      // A command's events stay in the outbox for the running servers to send.
      webhookDeliveryIntervalMs: 0,
    });
  } catch (err) {
    await store?.close();
    throw store ? err : sqliteStartupError(config.DATABASE_PATH, err);
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
