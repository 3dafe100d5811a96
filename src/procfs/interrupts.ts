/**
 * `/proc/interrupts`: interrupts serviced per CPU, by IRQ line and by architecture-specific kind
 * (kernel `show_interrupts`, `arch_show_interrupts`). Not in Go procfs.
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, lines, parseCPUHeader, uint } from './system_util.js';

/** One row of `/proc/interrupts`. */
export interface Interrupt {
  /** IRQ number (`24`) or architecture name (`NMI`, `LOC`, `TLB`, `ERR`, `MIS`, …), without the colon. */
  irq: string;
  /**
   * One count per CPU column. Rows such as `ERR` and `MIS` have a single system-wide count and
   * then hold one element.
   */
  counts: number[];
  /** Sum of `counts`. */
  total: number;
  /** The rest of the line: controller, hardware IRQ, trigger and device names, or a description. */
  description?: string;
}

/** `/proc/interrupts` parsed. */
export interface Interrupts {
  /** CPU numbers of the columns (from the header). */
  cpus: number[];
  /** Rows in file order. */
  rows: Interrupt[];
}

/**
 * Parse the text of `/proc/interrupts`.
 * @throws ParseError on a missing header, a row without a count, or more counts than CPUs.
 */
export function parseInterrupts(text: string, file = '/proc/interrupts'): Interrupts {
  const ls = lines(text);
  const cpus = parseCPUHeader(ls[0], firstLineAt(ls, file));
  const rows: Interrupt[] = [];
  for (const w of rowsAt(ls, file)) {
    const t = w.text;
    const c = t.indexOf(':');
    if (c < 0) fail(w, 'expected "IRQ: counts…"');
    const irq = t.slice(0, c).trim();
    if (irq === '') fail(w, 'empty IRQ name');
    const rest = fields(t.slice(c + 1));
    const counts: number[] = [];
    let j = 0;
    while (j < rest.length && counts.length < cpus.length && /^\d+$/.test(rest[j]!)) {
      counts.push(uint(rest[j], w, 'count'));
      j++;
    }
    if (counts.length === 0) fail(w, 'no count');
    const row: Interrupt = { irq, counts, total: counts.reduce((a, b) => a + b, 0) };
    if (j < rest.length) row.description = rest.slice(j).join(' ');
    rows.push(row);
  }
  return { cpus, rows };
}
