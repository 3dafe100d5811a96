/**
 * `/proc/net/tls_stat`: kernel TLS (kTLS) counters of the network namespace (kernel
 * `tls_statistics_seq_show`, one `Name value` per line), present once the `tls` module is loaded.
 *
 * Go procfs: `NewTLSStat() TLSStat`.
 * @module
 */
import { fail, fields, lines, record, uint } from './system_util.js';

/**
 * `/proc/net/tls_stat` counters by the kernel's name (`TlsCurrTxSw`, `TlsTxSw`, `TlsRxDevice`,
 * `TlsDecryptError`, `TlsRxNoPadViolation` …): every line is kept, names this library does not know
 * included. `TlsCurr*` are gauges (sessions open now), the others counters since the namespace
 * started.
 */
export type TLSStat = Record<string, number>;

/**
 * Parse the text of `/proc/net/tls_stat`.
 * @throws ParseError on a line that is not `Name value`, or a name given twice.
 */
export function parseTLSStat(text: string, file = '/proc/net/tls_stat'): TLSStat {
  const out: TLSStat = record();
  lines(text).forEach((t, i) => {
    if (t.trim() === '') return;
    const w = { file, line: i + 1, text: t };
    const f = fields(t);
    if (f.length !== 2 || !/^Tls\w+$/.test(f[0]!)) fail(w, 'expected "TlsName value"');
    if (f[0]! in out) fail(w, `${f[0]} repeated`);
    out[f[0]!] = uint(f[1], w, f[0]);
  });
  return out;
}
