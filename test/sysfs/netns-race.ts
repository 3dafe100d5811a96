/**
 * Helper for live.test.ts, run by it inside `unshare --net --mount` with a
 * fresh sysfs mounted on /sys (so /sys/class/net shows this namespace's
 * interfaces): while a shell creates and deletes veth pairs as fast as it
 * can, read the net class over and over. Prints a JSON summary.
 */
import { spawn } from 'node:child_process';
import { SysFS } from '../../src/sysfs/index.ts';

const sys = new SysFS();
const churn = spawn(
  'sh',
  [
    '-c',
    'i=0; while [ $i -lt 300 ]; do ip link add rga$i type veth peer name rgb$i; ip link del rga$i; i=$((i+1)); done',
  ],
  { stdio: 'ignore' },
);
let scans = 0;
let seen = 0;
const problems: string[] = [];
const names = new Set<string>();
let running = true;
churn.on('exit', () => {
  running = false;
});
const deadline = Date.now() + 20_000;
try {
  while (running && Date.now() < deadline) {
    let nc: ReturnType<SysFS['netClass']>;
    try {
      nc = sys.netClass();
    } catch (err) {
      problems.push(`netClass threw ${String(err)}`);
      break;
    }
    scans++;
    if (!nc.has('lo')) problems.push('lo missing');
    for (const [name, i] of nc) {
      seen++;
      names.add(name);
      if (Object.keys(i.errors).length > 0) problems.push(`${name}: errors ${Object.keys(i.errors).join(',')}`);
      if (i.ifIndex === undefined || i.mtu === undefined) problems.push(`${name}: partial item`);
    }
    await new Promise((r) => setImmediate(r));
  }
} finally {
  churn.kill('SIGKILL');
}
process.stdout.write(JSON.stringify({ scans, seen, distinct: names.size, problems: problems.slice(0, 20) }));
