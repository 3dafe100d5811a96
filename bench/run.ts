/**
 * `npm run bench`: runs every benchmark in bench/*.bench.ts in one run and
 * prints our figures side by side with the peers', with ratios and targets.
 *
 *   node --import tsx bench/run.ts [--smoke] [--json FILE] [NAME...]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Table from 'cli-table3';
import { advantage, type Bench, type BenchRow } from './harness.ts';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const jsonIdx = args.indexOf('--json');
const jsonFile = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const names = args.filter((a, i) => !a.startsWith('--') && (jsonIdx < 0 || i !== jsonIdx + 1));

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => names.length === 0 || names.some((n) => f.includes(n)))
  .sort();

const rows: (BenchRow & { bench: string })[] = [];
let failed = 0;
for (const f of files) {
  const bench = f.replace(/\.bench\.ts$/, '');
  process.stderr.write(`\n== ${bench}${smoke ? ' (smoke)' : ''}\n`);
  const mod = (await import(pathToFileURL(`${dir}/${f}`).href)) as { default: Bench };
  try {
    await mod.default({
      smoke,
      report: (row) => {
        rows.push({ ...row, bench });
        process.stderr.write(
          `   ${row.name}: ${fmt(row.value)} ${row.unit}${row.peer ? ` (${row.peer.name}: ${fmt(row.peer.value)})` : ''}\n`,
        );
      },
      log: (msg) => process.stderr.write(`   ${msg}\n`),
    });
  } catch (err) {
    failed++;
    process.stderr.write(`   FAILED: ${(err as Error).stack ?? err}\n`);
  }
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(3)).toString();
}

const table = new Table({ head: ['bench', 'measure', 'raingauge', 'peer', 'ratio', 'target', 'met'] });
for (const r of rows) {
  const adv = advantage(r);
  table.push([
    r.bench,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.peer ? `${r.peer.name}: ${fmt(r.peer.value)} ${r.unit}` : '',
    adv === undefined ? '' : `${fmt(adv)}× ${adv >= 1 ? 'better' : 'worse'}`,
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
}
process.stdout.write(`${table.toString()}\n`);
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(rows, null, 2));
if (failed) {
  process.stderr.write(`${failed} benchmark(s) failed\n`);
  process.exitCode = 1;
}
