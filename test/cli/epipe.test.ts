import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { repoRoot } from '../helpers/env.ts';

const RUN = "import { main } from './src/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));";

/** Run the CLI from source, close our end of its stdout after the first chunk, and wait for it to exit. */
function closeAfterFirstChunk(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUN, '--', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`raingauge ${args.join(' ')} did not end after its stdout closed; stderr: ${stderr}`));
    }, 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

test('a closed pipe ends a repeating command quietly (netstat --interval 0.05 | head -1)', async () => {
  const r = await closeAfterFirstChunk(['netstat', '--interval', '0.05', '--zeros']);
  assert.equal(r.signal, null);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
});
