// Bench helper: open N connections to HOST PORT (optionally from LOCAL address),
// at most 256 in flight, hold them, print "connected N" (or "failed MSG") and wait
// until stdin closes.
import net from 'node:net';

const [host, port, n, local] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
const held = [];
let started = 0;
let done = 0;
let failed = false;
function one() {
  if (started >= n || failed) return;
  started++;
  const opts = { host, port };
  if (local) opts.localAddress = local;
  const c = net.connect(opts);
  c.on('connect', () => {
    held.push(c);
    c.pause();
    if (++done === n) process.stdout.write(`connected ${done}\n`);
    else one();
  });
  c.on('error', (e) => {
    if (!failed && done < n) {
      failed = true;
      process.stdout.write(`failed ${e.message}\n`);
    }
  });
}
for (let i = 0; i < Math.min(256, n); i++) one();
process.stdin.on('data', () => {});
process.stdin.on('end', () => process.exit(0));
