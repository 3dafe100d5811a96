/**
 * procfs per-process benchmark, side by side in one run:
 *
 * 1. A snapshot of every process (stat + status + cmdline): raingauge
 *    `fs.processes()` (one-shot: open/read/close per file) and a kept-open
 *    `ProcessScanner` vs Go procfs (`AllProcs` + `Stat` + `NewStatus` +
 *    `CmdLine`, a Go program built at run time from Debian's
 *    golang-github-prometheus-procfs-dev; it loops N times in-process and
 *    prints ns per snapshot). Target: at least as fast per process.
 * 2. The same snapshot vs systeminformation `processes()`. Target ≥ 50× faster.
 * 3. CPU % + RSS of 100 PIDs: `ProcessSampler.sample()` vs `pidusage(pids)`
 *    (both with their descriptors already open). Target ≥ 3× faster.
 *
 * 100 sleeping child processes are spawned for realistic counts (10 in the
 * smoke pass) and killed at the end. The smoke pass measures raingauge only.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcFS } from '../src/procfs/fs.ts';
import { ProcessSampler } from '../src/procfs/sampler.ts';
import { type BenchContext, median, timeIt } from './harness.ts';

const FIELDS = ['stat', 'status', 'cmdline'] as const;

const GO_PROGRAM = `package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/procfs"
)

func snapshot(fs procfs.FS) int {
	procs, err := fs.AllProcs()
	if err != nil {
		panic(err)
	}
	n := 0
	for _, p := range procs {
		if _, err := p.Stat(); err != nil {
			continue
		}
		if _, err := p.NewStatus(); err != nil {
			continue
		}
		if _, err := p.CmdLine(); err != nil {
			continue
		}
		n++
	}
	return n
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	fs, err := procfs.NewFS("/proc")
	if err != nil {
		panic(err)
	}
	for i := 0; i < 3; i++ {
		snapshot(fs)
	}
	best := int64(-1)
	samples := make([]int64, 0, n)
	procs := 0
	for i := 0; i < n; i++ {
		t := time.Now()
		procs = snapshot(fs)
		d := time.Since(t).Nanoseconds()
		samples = append(samples, d)
		if best < 0 || d < best {
			best = d
		}
	}
	// median
	for i := 1; i < len(samples); i++ {
		for j := i; j > 0 && samples[j] < samples[j-1]; j-- {
			samples[j], samples[j-1] = samples[j-1], samples[j]
		}
	}
	fmt.Printf("%d %d %d\\n", samples[len(samples)/2], best, procs)
}
`;

/** Install Go and Debian's prometheus/procfs when root and missing (idempotent, quiet). */
function ensureGo(ctx: BenchContext): boolean {
  const procfsSrc = '/usr/share/gocode/src/github.com/prometheus/procfs';
  const haveGo = spawnSync('sh', ['-c', 'command -v go'], { stdio: 'ignore' }).status === 0;
  if (haveGo && existsSync(procfsSrc)) return true;
  if (process.getuid?.() !== 0) {
    ctx.log('Go procfs peer skipped: needs golang-go and golang-github-prometheus-procfs-dev (run as root to install)');
    return false;
  }
  ctx.log('installing golang-go golang-github-prometheus-procfs-dev with apt-get…');
  const r = spawnSync('apt-get', ['install', '-y', '-q', 'golang-go', 'golang-github-prometheus-procfs-dev'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: 'ignore',
    timeout: 600_000,
  });
  if (r.status !== 0) {
    ctx.log(`apt-get failed (${r.status}); Go procfs peer skipped`);
    return false;
  }
  return existsSync(procfsSrc);
}

/** Build the Go program in a temp dir; returns the binary path and the dir to remove. */
function buildGo(): { bin: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rg-procfs-go-'));
  writeFileSync(join(dir, 'main.go'), GO_PROGRAM);
  const bin = join(dir, 'snapshot');
  execFileSync('go', ['build', '-o', bin, 'main.go'], {
    cwd: dir,
    env: {
      ...process.env,
      GOPATH: '/usr/share/gocode',
      GO111MODULE: 'off',
      GOCACHE: join(dir, 'cache'),
      GOFLAGS: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
  return { bin, dir };
}

function runGo(bin: string, loops: number): { medianNs: number; bestNs: number; procs: number } {
  const out = execFileSync(bin, [String(loops)], { encoding: 'utf8', timeout: 300_000 })
    .trim()
    .split(' ');
  return { medianNs: Number(out[0]), bestNs: Number(out[1]), procs: Number(out[2]) };
}

async function spawnSleepers(n: number): Promise<ChildProcess[]> {
  const out: ChildProcess[] = [];
  for (let i = 0; i < n; i++) out.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  await Promise.all(out.map((c) => new Promise((r) => c.once('spawn', r))));
  return out;
}

export default async function bench(ctx: BenchContext): Promise<void> {
  const fs = new ProcFS();
  const children = await spawnSleepers(ctx.smoke ? 10 : 100);
  let goDir: string | undefined;
  try {
    // --- 1. snapshot of every process: stat + status + cmdline
    const runs = ctx.smoke ? 5 : 30;
    const rounds = ctx.smoke ? 1 : 3;
    const ours: number[] = [];
    const oursKept: number[] = [];
    const goMedians: number[] = [];
    let procs = 0;
    let goProcs = 0;
    let goBin: string | undefined;
    if (!ctx.smoke && ensureGo(ctx)) {
      try {
        const b = buildGo();
        goBin = b.bin;
        goDir = b.dir;
      } catch (err) {
        ctx.log(`Go build failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
      }
    }
    const scanner = fs.processScanner({ fields: FIELDS, keepOpen: true });
    try {
      // interleaved rounds: the machine is shared, so compare like with like
      for (let r = 0; r < rounds; r++) {
        procs = fs.processes({ fields: FIELDS }).length;
        const t = await timeIt(() => fs.processes({ fields: FIELDS }), runs);
        ours.push(median(t) / procs);
        const k = await timeIt(() => scanner.scan(), runs);
        oursKept.push(median(k) / procs);
        if (goBin) {
          const g = runGo(goBin, runs);
          goProcs = g.procs;
          goMedians.push(g.medianNs / 1e6 / g.procs);
        }
      }
    } finally {
      scanner.close();
    }
    const oursUs = median(ours.sort((a, b) => a - b)) * 1000;
    const keptUs = median(oursKept.sort((a, b) => a - b)) * 1000;
    const goUs = goMedians.length ? median(goMedians.sort((a, b) => a - b)) * 1000 : undefined;
    ctx.report({
      name: `snapshot stat+status+cmdline, one-shot (${procs} procs)`,
      value: oursUs,
      unit: 'µs/process',
      better: 'lower',
      ...(goUs !== undefined
        ? { peer: { name: 'Go procfs 0.8', value: goUs }, target: '≤ Go procfs per process', met: oursUs <= goUs }
        : {}),
      note: `median of ${rounds}×${runs} snapshots; Go saw ${goProcs} procs`,
    });
    ctx.report({
      name: `snapshot stat+status+cmdline, kept-open scanner (${procs} procs)`,
      value: keptUs,
      unit: 'µs/process',
      better: 'lower',
      ...(goUs !== undefined
        ? { peer: { name: 'Go procfs 0.8', value: goUs }, target: '≤ Go procfs per process', met: keptUs <= goUs }
        : {}),
      note: 'descriptors kept open between scans, re-read with pread',
    });

    // --- 2. vs systeminformation processes()
    if (!ctx.smoke) {
      try {
        const si = (await import('systeminformation')) as unknown as {
          processes(): Promise<{ all: number }>;
          default?: { processes(): Promise<{ all: number }> };
        };
        const processes = si.processes ?? si.default?.processes;
        if (!processes) throw new Error('systeminformation has no processes()');
        const siT = await timeIt(() => processes(), 3, 1);
        const oursT = await timeIt(() => fs.processes({ fields: FIELDS }), 20);
        const a = median(oursT);
        const b = median(siT);
        ctx.report({
          name: `all processes snapshot (${procs} procs)`,
          value: a,
          unit: 'ms',
          better: 'lower',
          peer: { name: 'systeminformation processes()', value: b },
          target: '≥ 50× faster than systeminformation',
          met: b / a >= 50,
        });
      } catch (err) {
        ctx.log(`systeminformation peer skipped: ${(err as Error).message}`);
      }
    }

    // --- 3. CPU % + RSS of 100 pids vs pidusage
    const pids = children.map((c) => c.pid!).slice(0, 100);
    const sampler = new ProcessSampler(fs);
    try {
      sampler.sample(pids);
      const s = await timeIt(() => sampler.sample(pids), ctx.smoke ? 20 : 200);
      const ms = median(s);
      let peer: { name: string; value: number } | undefined;
      if (!ctx.smoke) {
        try {
          const pidusage = createRequire(import.meta.url)('pidusage') as ((p: number[]) => Promise<unknown>) & {
            clear(): void;
          };
          await pidusage(pids);
          const p = await timeIt(() => pidusage(pids), 200);
          peer = { name: 'pidusage', value: median(p) };
          pidusage.clear();
        } catch (err) {
          ctx.log(`pidusage peer skipped: ${(err as Error).message}`);
        }
      }
      ctx.report({
        name: `CPU % + RSS of ${pids.length} pids`,
        value: ms,
        unit: 'ms',
        better: 'lower',
        ...(peer ? { peer, target: '≥ 3× faster than pidusage', met: peer.value / ms >= 3 } : {}),
      });
    } finally {
      sampler.close();
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null,
      ),
    );
    if (goDir) rmSync(goDir, { recursive: true, force: true });
  }
}
