/**
 * `/proc/net/xfrm_stat`: IPsec transformation error counters (`CONFIG_XFRM_STATISTICS`).
 *
 * Go procfs: `FS.NewXfrmStat() XfrmStat` (here `fs.xfrmStat()`).
 * @module
 */
import { fail, fields, lines, record, uint, type Where } from './system_util.js';

/**
 * `/proc/net/xfrm_stat` parsed (Go procfs: `XfrmStat`). A field is absent when this kernel does not
 * print the counter; counters not in Go procfs (e.g. `XfrmOutStateDirError`) are in `other`.
 */
export interface XfrmStat {
  /** All errors not matched by another counter (`XfrmInError`). */
  xfrmInError?: number;
  /** No buffer is left (`XfrmInBufferError`). */
  xfrmInBufferError?: number;
  /** Header error (`XfrmInHdrError`). */
  xfrmInHdrError?: number;
  /** No state found (wrong SPI, address or IPsec protocol) (`XfrmInNoStates`). */
  xfrmInNoStates?: number;
  /** Transformation-protocol specific error (e.g. wrong SA key) (`XfrmInStateProtoError`). */
  xfrmInStateProtoError?: number;
  /** Transformation-mode specific error (`XfrmInStateModeError`). */
  xfrmInStateModeError?: number;
  /** Sequence error (number out of window) (`XfrmInStateSeqError`). */
  xfrmInStateSeqError?: number;
  /** State has expired (`XfrmInStateExpired`). */
  xfrmInStateExpired?: number;
  /** State has a mismatched option (e.g. UDP encapsulation type) (`XfrmInStateMismatch`). */
  xfrmInStateMismatch?: number;
  /** State is invalid (`XfrmInStateInvalid`). */
  xfrmInStateInvalid?: number;
  /** No matching template for states (`XfrmInTmplMismatch`). */
  xfrmInTmplMismatch?: number;
  /** No policy found for states (`XfrmInNoPols`). */
  xfrmInNoPols?: number;
  /** Policy discards (`XfrmInPolBlock`). */
  xfrmInPolBlock?: number;
  /** Policy error (`XfrmInPolError`). */
  xfrmInPolError?: number;
  /** All errors not matched by another counter (`XfrmOutError`). */
  xfrmOutError?: number;
  /** Bundle generation error (`XfrmOutBundleGenError`). */
  xfrmOutBundleGenError?: number;
  /** Bundle check error (`XfrmOutBundleCheckError`). */
  xfrmOutBundleCheckError?: number;
  /** No state found (`XfrmOutNoStates`). */
  xfrmOutNoStates?: number;
  /** Transformation-protocol specific error (`XfrmOutStateProtoError`). */
  xfrmOutStateProtoError?: number;
  /** Transformation-mode specific error (`XfrmOutStateModeError`). */
  xfrmOutStateModeError?: number;
  /** Sequence error (number overflow) (`XfrmOutStateSeqError`). */
  xfrmOutStateSeqError?: number;
  /** State has expired (`XfrmOutStateExpired`). */
  xfrmOutStateExpired?: number;
  /** Policy discards (`XfrmOutPolBlock`). */
  xfrmOutPolBlock?: number;
  /** Policy is dead (`XfrmOutPolDead`). */
  xfrmOutPolDead?: number;
  /** Policy error (`XfrmOutPolError`). */
  xfrmOutPolError?: number;
  /** Forward header error (`XfrmFwdHdrError`). */
  xfrmFwdHdrError?: number;
  /** State is invalid (e.g. expired) (`XfrmOutStateInvalid`). */
  xfrmOutStateInvalid?: number;
  /** State has not been fully acquired before use (`XfrmAcquireError`). */
  xfrmAcquireError?: number;
  /** Counters without a typed field, by kernel name. */
  other: Record<string, number>;
}

const NAMES: Record<string, string> = {
  XfrmInError: 'xfrmInError',
  XfrmInBufferError: 'xfrmInBufferError',
  XfrmInHdrError: 'xfrmInHdrError',
  XfrmInNoStates: 'xfrmInNoStates',
  XfrmInStateProtoError: 'xfrmInStateProtoError',
  XfrmInStateModeError: 'xfrmInStateModeError',
  XfrmInStateSeqError: 'xfrmInStateSeqError',
  XfrmInStateExpired: 'xfrmInStateExpired',
  XfrmInStateMismatch: 'xfrmInStateMismatch',
  XfrmInStateInvalid: 'xfrmInStateInvalid',
  XfrmInTmplMismatch: 'xfrmInTmplMismatch',
  XfrmInNoPols: 'xfrmInNoPols',
  XfrmInPolBlock: 'xfrmInPolBlock',
  XfrmInPolError: 'xfrmInPolError',
  XfrmOutError: 'xfrmOutError',
  XfrmOutBundleGenError: 'xfrmOutBundleGenError',
  XfrmOutBundleCheckError: 'xfrmOutBundleCheckError',
  XfrmOutNoStates: 'xfrmOutNoStates',
  XfrmOutStateProtoError: 'xfrmOutStateProtoError',
  XfrmOutStateModeError: 'xfrmOutStateModeError',
  XfrmOutStateSeqError: 'xfrmOutStateSeqError',
  XfrmOutStateExpired: 'xfrmOutStateExpired',
  XfrmOutPolBlock: 'xfrmOutPolBlock',
  XfrmOutPolDead: 'xfrmOutPolDead',
  XfrmOutPolError: 'xfrmOutPolError',
  XfrmFwdHdrError: 'xfrmFwdHdrError',
  XfrmOutStateInvalid: 'xfrmOutStateInvalid',
  XfrmAcquireError: 'xfrmAcquireError',
};

/**
 * Parse the text of `/proc/net/xfrm_stat` (lines `XfrmInError   0`).
 * @throws ParseError on a line that is not `Name value` or a repeated name.
 */
export function parseXfrmStat(text: string, file = '/proc/net/xfrm_stat'): XfrmStat {
  const out: Record<string, unknown> & { other: Record<string, number> } = { other: record() };
  const seen = new Set<string>();
  lines(text).forEach((text, i) => {
    const w: Where = { file, line: i + 1, text };
    const f = fields(text);
    if (f.length === 0) return;
    if (f.length !== 2) fail(w, 'expected "Name value"');
    const [k, v] = f as [string, string];
    if (seen.has(k)) fail(w, `${k} repeated`);
    seen.add(k);
    const n = uint(v, w, k);
    const name = Object.hasOwn(NAMES, k) ? NAMES[k] : undefined;
    if (name) out[name] = n;
    else out.other[k] = n;
  });
  return out as unknown as XfrmStat;
}
