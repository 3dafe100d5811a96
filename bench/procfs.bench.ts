/**
 * procfs per-process benchmark, side by side in one run:
 *
 * 1. A snapshot of every process (stat + status + cmdline): raingauge's
 *    ordinary API (`fs.allProcs()` then `p.stat()`, `p.status()`,
 *    `p.cmdLine()` per process: the code a user porting Go writes),
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
	"syscall"
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

func cpuNs() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
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
	c0 := cpuNs()
	t0 := time.Now()
	procs := 0
	for i := 0; i < n; i++ {
		procs = snapshot(fs)
	}
	// mean wall ns and CPU ns (user + system, all threads) per snapshot, processes in the last one
	fmt.Printf("%d %d %d\\n", time.Since(t0).Nanoseconds()/int64(n), (cpuNs()-c0)/int64(n), procs)
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

/** Run the Go program: mean wall and CPU time per snapshot (ns) and the process count. */
function runGo(bin: string, loops: number): { wallNs: number; cpuNs: number; procs: number } {
  const out = execFileSync(bin, [String(loops)], { encoding: 'utf8', timeout: 300_000 })
    .trim()
    .split(' ');
  return { wallNs: Number(out[0]), cpuNs: Number(out[1]), procs: Number(out[2]) };
}

/** Mean wall and CPU time (user + system of this process) of `n` calls, µs per item returned by `f`. */
function measure(f: () => number, n: number): { wallUs: number; cpuUs: number; items: number } {
  let items = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) items = f();
  const wallNs = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  return { wallUs: wallNs / 1e3 / n / items, cpuUs: (c.user + c.system) / n / items, items };
}

const med = (xs: number[]) => median([...xs].sort((a, b) => a - b));

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
    // Wall time and CPU time are both reported: the machine may be shared, and CPU time (user + system,
    // every thread, both for Node and for Go) is what a snapshot costs regardless of contention.
    const runs = ctx.smoke ? 5 : 20;
    const rounds = ctx.smoke ? 1 : 5;
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
    const ordinary = () => {
      let n = 0;
      for (const p of fs.allProcs()) {
        try {
          p.stat();
          p.status();
          p.cmdLine();
          n++;
        } catch {
          // exited meanwhile, as Go's loop skips it
        }
      }
      return n;
    };
    const ord = { wall: [] as number[], cpu: [] as number[] };
    const one = { wall: [] as number[], cpu: [] as number[] };
    const kept = { wall: [] as number[], cpu: [] as number[] };
    const go = { wall: [] as number[], cpu: [] as number[] };
    let procs = 0;
    let goProcs = 0;
    const scanner = fs.processScanner({ fields: FIELDS, keepOpen: true });
    try {
      for (let i = 0; i < 3; i++) {
        ordinary();
        fs.processes({ fields: FIELDS });
        scanner.scan();
      }
      // interleaved rounds so that each side sees the same machine load; medians of the rounds
      for (let r = 0; r < rounds; r++) {
        const o = measure(ordinary, runs);
        ord.wall.push(o.wallUs);
        ord.cpu.push(o.cpuUs);
        const a = measure(() => fs.processes({ fields: FIELDS }).length, runs);
        one.wall.push(a.wallUs);
        one.cpu.push(a.cpuUs);
        procs = a.items;
        const k = measure(() => scanner.scan().length, runs);
        kept.wall.push(k.wallUs);
        kept.cpu.push(k.cpuUs);
        if (goBin) {
          const g = runGo(goBin, runs);
          goProcs = g.procs;
          go.wall.push(g.wallNs / 1e3 / g.procs);
          go.cpu.push(g.cpuNs / 1e3 / g.procs);
        }
      }
    } finally {
      scanner.close();
    }
    const rows: [string, { wall: number[]; cpu: number[] }, string][] = [
      ['ordinary API allProcs()+stat()+status()+cmdLine()', ord, 'the same calls as the Go program'],
      ['one-shot fs.processes()', one, 'open/read/close per file'],
      ['kept-open ProcessScanner', kept, 'descriptors kept between scans, re-read with pread'],
    ];
    for (const [label, m, note] of rows) {
      for (const kind of ['wall', 'cpu'] as const) {
        const ours = med(m[kind]);
        const peer = go[kind].length ? med(go[kind]) : undefined;
        ctx.report({
          name: `snapshot stat+status+cmdline, ${label}, ${kind} time (${procs} procs)`,
          value: ours,
          unit: 'µs/process',
          better: 'lower',
          ...(peer !== undefined
            ? { peer: { name: 'Go procfs 0.8', value: peer }, target: '≤ Go procfs per process', met: ours <= peer }
            : {}),
          note: `${note}; median of ${rounds} rounds × ${runs} snapshots${peer !== undefined ? `; Go saw ${goProcs} procs` : ''}`,
        });
      }
    }

    // --- 2. vs systeminformation processes()
    // Same information as si's list (pid, ppid, name, state, CPU times, RSS, VSZ, nice, start, tty,
    // command line): stat + cmdline, with a kept-open scanner (si also keeps state between calls).
    // CPU time of si includes the `ps`/`cat` children it spawns (our cutime + cstime).
    if (!ctx.smoke) {
      try {
        const si = (await import('systeminformation')) as unknown as {
          processes?(): Promise<{ all: number }>;
          default?: { processes(): Promise<{ all: number }> };
        };
        const processes = si.processes ?? si.default?.processes;
        if (!processes) throw new Error('systeminformation has no processes()');
        const self = fs.self();
        const tck = self.units().clockTicksPerSecond;
        const cpuWithChildren = () => {
          const st = self.rawStat();
          return (st.utime + st.stime + st.cutime + st.cstime) / tck;
        };
        await processes();
        const siWall: number[] = [];
        let siCpu = 0;
        const siRuns = 4;
        for (let i = 0; i < siRuns; i++) {
          // processes() returns a cached result when called again within 500 ms: space the calls out
          await new Promise((r) => setTimeout(r, 600));
          const c0 = cpuWithChildren();
          const t0 = process.hrtime.bigint();
          await processes();
          siWall.push(Number(process.hrtime.bigint() - t0) / 1e6);
          siCpu += cpuWithChildren() - c0;
        }
        const siScanner = fs.processScanner({ fields: ['stat', 'cmdline'], keepOpen: true });
        try {
          siScanner.scan();
          const oursWall = median(await timeIt(() => siScanner.scan(), 20));
          const c0 = process.cpuUsage();
          for (let i = 0; i < 20; i++) siScanner.scan();
          const c = process.cpuUsage(c0);
          const oursCpu = (c.user + c.system) / 1e3 / 20;
          const rows: [string, number, number, string][] = [
            ['wall time', oursWall, med(siWall), 'ours: kept-open scanner, stat + cmdline'],
            [
              'CPU time incl. children',
              oursCpu,
              (siCpu / siRuns) * 1000,
              'si CPU = Δ(utime + stime + cutime + cstime) of this process (ps, cat… children included)',
            ],
          ];
          for (const [kind, ours, si, note] of rows) {
            ctx.report({
              name: `all processes (${procs}), same fields as si, ${kind}`,
              value: ours,
              unit: 'ms',
              better: 'lower',
              peer: { name: 'systeminformation processes()', value: si },
              target: '≥ 50× faster than systeminformation',
              met: si / ours >= 50,
              note,
            });
          }
        } finally {
          siScanner.close();
        }
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
