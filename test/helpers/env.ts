/**
 * Shared helpers for tests: privilege checks that skip with a printed reason
 * (and fail instead when CI=true, where everything must run), and running a
 * script inside a private network namespace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const isRoot = process.getuid?.() === 0;
export const inCI = process.env.CI === 'true' || process.env.CI === '1';
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Skip the test with `reason` printed, unless CI=true: there a missing
 * prerequisite is a failure, because CI runs as root with everything installed.
 * Returns true when the caller should return early.
 */
export function skipBecause(t: TestContext, reason: string): boolean {
  if (inCI) throw new Error(`prerequisite missing in CI: ${reason}`);
  process.stderr.write(`# SKIP ${t.name}: ${reason}\n`);
  t.skip(reason);
  return true;
}

/** Skip (or fail in CI) unless running as root. Returns true when the caller should return early. */
export function needRoot(t: TestContext): boolean {
  return isRoot ? false : skipBecause(t, 'needs root (run the tests as root: sudo npm test)');
}

/** True when `cmd` is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Skip (or fail in CI) unless root and `unshare` + `ip` exist. */
export function needNetns(t: TestContext): boolean {
  if (needRoot(t)) return true;
  if (!have('unshare') || !have('ip')) return skipBecause(t, 'needs unshare (util-linux) and ip (iproute2)');
  return false;
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a TypeScript script with `node --import tsx` inside a fresh network
 * namespace whose loopback is up (`unshare --net`). The namespace disappears
 * with the process. Rejects after `timeoutMs`, killing the process.
 */
export function runInNetns(script: string, args: string[] = [], timeoutMs = 120_000): Promise<ScriptResult> {
  if (!existsSync(script)) throw new Error(`no such script ${script}`);
  const inner = `ip link set lo up && exec "${process.execPath}" --import tsx "$@"`;
  return runCapture('unshare', ['--net', '--', 'sh', '-c', inner, 'sh', script, ...args], timeoutMs);
}

/** Run a command, capture its output, kill it after `timeoutMs`. */
export function runCapture(cmd: string, args: string[], timeoutMs = 120_000): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
