/**
 * Run by client.test.ts as user nobody (no capabilities): tries a taskstats
 * query (must fail with PermissionError naming CAP_NET_ADMIN) and the /proc
 * fallback (must work), and prints the outcome as JSON on stdout.
 */
import { PermissionError } from '../../src/errors.ts';
import {
  delayAccounting,
  procDelayStats,
  setDelayAccounting,
  TaskstatsClient,
  taskstatsJsonReplacer,
} from '../../src/taskstats/index.ts';

const out: Record<string, unknown> = { uid: process.getuid?.() };
const client = await TaskstatsClient.open();
out.familyResolved = client.familyId > 0;
try {
  await client.pidStats(process.pid);
  out.query = 'succeeded';
} catch (e) {
  out.query = e instanceof PermissionError ? 'PermissionError' : `other: ${(e as Error).name}`;
  out.capability = (e as PermissionError).capability;
  out.message = (e as Error).message;
}
try {
  await client.registerCpumask();
  out.register = 'succeeded';
} catch (e) {
  out.register = e instanceof PermissionError ? 'PermissionError' : `other: ${(e as Error).name}`;
}
await client.close();
const before = delayAccounting();
try {
  setDelayAccounting(!before);
  setDelayAccounting(before); // must not happen; restore if it did
  out.sysctl = 'succeeded';
} catch (e) {
  out.sysctl = e instanceof PermissionError ? `PermissionError ${(e as PermissionError).capability}` : String(e);
}
// some work so the counters move
let x = 0;
for (let i = 0; i < 1e6; i++) x += i;
out.work = x > 0;
out.fallback = procDelayStats(process.pid);
process.stdout.write(`${JSON.stringify(out, taskstatsJsonReplacer)}\n`);
