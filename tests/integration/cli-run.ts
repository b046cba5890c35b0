// The CLI tests run `npm run replicate` as a user would: a child process in the repository root. One spawner and one
// reader of an output folder, so each test states only its arguments and what it checks.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/**
 * Start `replicate` with these arguments and extra environment; `onStderr` sees the whole stderr so far after each chunk
 * (a test that stops the run at a given message kills `child` there).
 */
export function startReplicate(args: string[], env: Record<string, string> = {}, onStderr?: (text: string, child: ChildProcess) => void): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/replicate.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr, child);
  });
  return { child, done: new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr }))) };
}

/** `replicate` run to its end. */
export function replicate(args: string[], env: Record<string, string> = {}, onStderr?: (text: string, child: ChildProcess) => void): Promise<CliResult> {
  return startReplicate(args, env, onStderr).done;
}

/** Every file under `dir`, by its path relative to `dir`, as text. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}
