/**
 * Start-up of the one-shot commands (`--version`, `--help`, `listen`,
 * `netstat`, `ps`) beside a bare `node -e 0`, `ss -ltn` and `nstat -az`,
 * measured in the same run, interleaved round by round (each round runs every
 * command once, so machine noise hits all of them alike). Wall time of the
 * whole child process, spawn to exit. Target: every one-shot command ≤ 1.3×
 * `node -e 0`.
 *
 * The built CLI (`bin/raingauge.js` over `dist/`) is measured, as installed
 * users run it, with Node's compile cache in a temporary directory (removed
 * afterwards) on Node versions that have it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bench, median } from './harness.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/raingauge.js');

interface Subject {
  name: string;
  cmd: string;
  args: string[];
  /** A raingauge command judged against `node -e 0`. */
  ours?: boolean;
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function runOnce(s: Subject, env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(s.cmd, s.args, { stdio: ['ignore', 'ignore', 'pipe'], env, cwd: root });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${s.name} exited ${r.status ?? r.signal}: ${r.stderr?.toString().trim()}`);
  return ms;
}

const bench: Bench = async (ctx) => {
  if (!existsSync(join(root, 'dist/cli/main.js'))) {
    ctx.log('dist/ is not built (npm run build): start-up bench skipped');
    return;
  }
  const node = process.execPath;
  const subjects: Subject[] = [
    { name: 'node -e 0', cmd: node, args: ['-e', '0'] },
    { name: 'raingauge --version', cmd: node, args: [bin, '--version'], ours: true },
    { name: 'raingauge --help', cmd: node, args: [bin, '--help'], ours: true },
    { name: 'raingauge listen --no-owners', cmd: node, args: [bin, 'listen', '--no-owners'], ours: true },
    { name: 'raingauge listen', cmd: node, args: [bin, 'listen'], ours: true },
    { name: 'raingauge netstat', cmd: node, args: [bin, 'netstat'], ours: true },
    { name: 'raingauge ps', cmd: node, args: [bin, 'ps'], ours: true },
  ];
  if (have('ss')) subjects.push({ name: 'ss -ltn', cmd: 'ss', args: ['-ltn'] });
  if (have('nstat')) subjects.push({ name: 'nstat -az', cmd: 'nstat', args: ['-az'] });

  const cache = mkdtempSync(join(tmpdir(), 'raingauge-startup-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: cache, NO_COLOR: '1' };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  delete env.NODE_OPTIONS; // tsx's loader must not be measured
  const rounds = ctx.smoke ? 2 : 40;
  const times = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  try {
    for (const s of subjects) runOnce(s, env); // warm-up: page cache and the compile cache
    for (let i = 0; i < rounds; i++) {
      for (const s of subjects) times.get(s.name)!.push(runOnce(s, env));
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  const med = (name: string) => median([...times.get(name)!].sort((a, b) => a - b));
  const base = med('node -e 0');
  const peers = subjects
    .filter((s) => !s.ours && s.name !== 'node -e 0')
    .map((s) => `${s.name} ${med(s.name).toFixed(1)} ms`);
  const note = `median of ${rounds} interleaved rounds, ${process.version}; ${peers.join(', ')}${
    ctx.smoke ? ' (smoke: too few rounds to judge)' : ''
  }`;
  for (const s of subjects) {
    if (!s.ours) continue;
    const v = med(s.name);
    ctx.report({
      name: `start-up: ${s.name}`,
      value: v,
      unit: 'ms',
      better: 'lower',
      peer: { name: 'node -e 0', value: base },
      target: '≤ 1.3× node -e 0',
      met: ctx.smoke ? undefined : v <= 1.3 * base,
      note: `${(v / base).toFixed(2)}× node -e 0; ${note}`,
    });
  }
};

export default bench;
