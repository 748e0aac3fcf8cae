#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { checkCommand } from './cli/check.js';
import { mergeCommand } from './cli/merge.js';
import { reportCommand } from './cli/report.js';
import { serveCommand } from './cli/serve.js';
import { verifyCommand } from './cli/verify.js';
import { ConfigError } from './errors.js';

/** Every subcommand. Adding one is an import above and an entry here. */
const COMMANDS: ReadonlyArray<() => Command> = [verifyCommand, serveCommand, checkCommand, reportCommand, mergeCommand];

/**
 * Exit codes: 0 done, 1 failed while running, 2 bad usage (unknown flag, bad value, unknown command, bad
 * configuration). A command with an outcome of its own (verify: unsafe) sets `process.exitCode` itself.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliOutput {
  writeErr: (text: string) => void;
}

/** Parse `args` (without `node` and the script) and run the command; resolves with the exit code. */
export async function main(
  args: readonly string[],
  output: CliOutput = { writeErr: (text) => process.stderr.write(text) },
): Promise<number> {
  const program = new Command('crosstalk').description(
    'Is it safe to share this HTTP client between concurrent callers? Verify it against a recording mock Cloudant.',
  );
  const configure = (command: Command): Command =>
    command.exitOverride().configureOutput({ writeErr: output.writeErr });
  configure(program);
  for (const make of COMMANDS) program.addCommand(configure(make()));
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // Help and version exit through here too, with code 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof ConfigError) {
      output.writeErr(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    output.writeErr(`crosstalk: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

/** True when this file is the process's entry (directly, or through the npm bin symlink), not an import. */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

if (isEntry()) {
  const code = await main(process.argv.slice(2));
  // Never overwrite the outcome a command reported through process.exitCode.
  const exitCode = code !== EXIT.ok ? code : Number(process.exitCode ?? EXIT.ok);
  // Every command closes what it opened, but a client under test may leave sockets, timers or child processes
  // behind, and node's exit would wait for them: once the report is out, the process ends.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(exitCode);
}
