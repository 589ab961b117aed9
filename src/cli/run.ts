import type { Command } from 'commander';
import { CommandContext, type GlobalFlags } from './context.js';

/**
 * Run a command's body with a context built from the global flags, and record its exit code. The
 * body returns the exit code (0 by default); errors propagate to main, which prints them.
 */
export async function runCommand(cmd: Command, body: (ctx: CommandContext) => Promise<number | void> | number | void): Promise<void> {
  const flags = cmd.optsWithGlobals() as GlobalFlags;
  const ctx = new CommandContext(flags);
  try {
    const code = await body(ctx);
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } finally {
    ctx.close();
  }
}
