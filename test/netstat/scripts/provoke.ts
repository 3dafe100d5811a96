/**
 * Runs in a fresh network namespace (all counters start at 0): provokes
 * ListenOverflows (a listener with backlog B that never accepts, B+1 clients
 * that complete, K more that time out) and AttemptFails (M connects to a
 * closed port), then prints the counter deltas as JSON.
 * Usage: provoke.ts B K M
 */
import { counterDelta, deltaValues, netCounters, stringifyCounters } from '../../../src/netstat/index.ts';
import { closedPort, setSynRetries, startStuckListener, tryConnect } from './common.ts';

const [B, K, M] = process.argv.slice(2).map(Number) as [number, number, number];
setSynRetries(1);
const before = netCounters();
const { port, child } = await startStuckListener(B);
const socks = [];
for (let i = 0; i <= B; i++) {
  const r = await tryConnect(port);
  if (!r.sock) throw new Error(`client ${i} of the first B+1 failed: ${r.error}`);
  socks.push(r.sock);
}
const extra = await Promise.all(Array.from({ length: K }, () => tryConnect(port)));
const cp = await closedPort();
const refusedBefore = netCounters();
const refused = [];
for (let i = 0; i < M; i++) refused.push(await tryConnect(cp));
const after = netCounters();
for (const s of socks) s.destroy();
for (const r of extra) r.sock?.destroy();
child.kill('SIGKILL');
process.stdout.write(
  `${stringifyCounters({
    extraErrors: extra.map((r) => r.error ?? 'connected'),
    refusedErrors: refused.map((r) => r.error ?? 'connected'),
    before,
    delta: deltaValues(counterDelta(before, after)),
    refusedDelta: deltaValues(counterDelta(refusedBefore, after)),
  })}\n`,
);
