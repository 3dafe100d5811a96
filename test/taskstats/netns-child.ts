/**
 * Run by client.test.ts inside a fresh network namespace: reports what
 * taskstatsNamespaceProblem() says and whether registration is acknowledged.
 */
import { TaskstatsClient, taskstatsNamespaceProblem } from '../../src/taskstats/index.ts';

const out: Record<string, unknown> = { problem: taskstatsNamespaceProblem() ?? null };
const c = await TaskstatsClient.open();
try {
  await c.registerCpumask();
  out.register = 'acknowledged';
  out.query = (await c.pidStats(process.pid)).acPid === process.pid;
} catch (e) {
  out.register = (e as Error).name;
} finally {
  await c.close();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
