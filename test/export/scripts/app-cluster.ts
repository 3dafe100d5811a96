/**
 * A node:cluster application for test/export/application.test.ts: the
 * primary creates a named MetricsRegistry (name in argv[2]), forks
 * argv[3] workers; worker i adds i+1 to a labelled counter 1 000 times and
 * observes 500 values into a labelled histogram, then reports done. The
 * primary then SIGKILLs worker 0, waits for its exit and prints
 * `ready <pid>`; it exits (killing the rest) when stdin closes.
 * Also used with a file path: argv[4] = 'path' makes argv[2] a file path.
 */
import cluster from 'node:cluster';
import { MetricsRegistry } from '../../../src/stats/index.ts';

const [name, nStr, mode] = process.argv.slice(2) as [string, string, string | undefined];
const opts = mode === 'path' ? { path: name } : { name };
const N = 1000;
const M = 500;

const families = (reg: MetricsRegistry) => ({
  jobs: reg.counter('app_jobs_total', 'Jobs done.', ['worker', 'kind']),
  dur: reg.histogram('app_job_seconds', 'Job duration.', ['kind'], [0.1, 0.5, 1]),
});

if (cluster.isPrimary) {
  const reg = new MetricsRegistry({ ...opts, zero: true });
  families(reg);
  const n = Number(nStr);
  const workers = Array.from({ length: n }, (_, i) => cluster.fork({ APP_WORKER: String(i) }));
  let done = 0;
  for (const w of workers) {
    w.on('message', (m) => {
      if (m !== 'done' || ++done < n) return;
      const first = workers[0]!;
      first.once('exit', () => process.stdout.write(`ready ${process.pid}\n`));
      first.process.kill('SIGKILL');
    });
  }
  process.stdin.resume();
  process.stdin.on('end', () => {
    for (const w of workers) w.process.kill('SIGKILL');
    reg.close();
    process.exit(0);
  });
} else {
  const i = Number(process.env.APP_WORKER);
  const reg = new MetricsRegistry(opts);
  const { jobs, dur } = families(reg);
  for (let k = 0; k < N; k++) jobs.inc({ worker: String(i), kind: k % 2 ? 'odd' : 'even' }, i + 1);
  // values 0.05, 0.3, 0.7, 2 in turn: one in each bucket (0.1, 0.5, 1, +Inf)
  const vals = [0.05, 0.3, 0.7, 2];
  for (let k = 0; k < M; k++) dur.observe({ kind: 'render' }, vals[k % 4]!);
  process.send!('done');
  // stay alive holding the mapping until killed
  setInterval(() => {}, 1 << 30);
}
