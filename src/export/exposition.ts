/**
 * Prometheus exposition: metric families → the text format 0.0.4 and
 * OpenMetrics 1.0 text, with the escaping each one requires, their
 * Content-Types, and the `Accept` / `Accept-Encoding` negotiation a
 * `/metrics` handler needs.
 *
 * The family shape is the one {@link MetricFamilySnapshot} from the shared
 * counters has (`name`, `help`, `type`, `series`), widened with `untyped` and
 * an optional `unit`, so snapshots from the shared-memory registry, from the
 * kernel collectors and from the middleware all go through one encoder.
 *
 * Rules followed (prometheus/docs exposition_formats.md and the OpenMetrics
 * 1.0 specification):
 * - text 0.0.4: `# HELP` escapes `\` and newline; label values escape `\`,
 *   `"` and newline; one HELP and TYPE per family before its samples; the
 *   last line ends in `\n`.
 * - OpenMetrics 1.0: TYPE, UNIT, HELP in that order; HELP also escapes `"`;
 *   a counter family's name has no `_total` and its sample is
 *   `<family>_total`; `untyped` is written `unknown`; `le` values are
 *   canonical numbers (`1.0`, `+Inf`); the output ends in `# EOF\n`.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';

/** Content-Type of the Prometheus text format 0.0.4 (the default of `/metrics`). */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content-Type of OpenMetrics 1.0 text. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The two text formats raingauge writes. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** Metric types the encoder knows. `untyped` is OpenMetrics' `unknown`. */
export type ExpositionMetricType = 'counter' | 'gauge' | 'histogram' | 'untyped';

/** One cumulative histogram bucket: observations ≤ `le` (the last one is `le: Infinity`). */
export interface ExpositionBucket {
  /** Upper bound (inclusive); `Infinity` for the `+Inf` bucket. */
  le: number;
  /** Cumulative count of observations ≤ `le`. */
  count: number;
}

/** One series (label set) of a family. */
export interface ExpositionSeries {
  /** Label names → values (names must match `[a-zA-Z_][a-zA-Z0-9_]*`; values any UTF-8). */
  labels?: Readonly<Record<string, string>>;
  /** Counter, gauge or untyped value. Bigints are written with all their digits. */
  value?: number | bigint;
  /** Histogram: cumulative buckets in increasing `le`; a `+Inf` bucket is added from `count` when missing. */
  buckets?: readonly ExpositionBucket[];
  /** Histogram: sum of the observations. */
  sum?: number;
  /** Histogram: number of observations (equals the `+Inf` bucket). */
  count?: number;
}

/** A metric family: what one `# HELP`/`# TYPE` block describes. */
export interface ExpositionFamily {
  /**
   * Metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). For a counter, the name as
   * written in text 0.0.4 (usually ending in `_total`); OpenMetrics output
   * strips that suffix for the family and writes the sample as `<family>_total`.
   */
  name: string;
  /** Help text (any UTF-8; escaped by the encoder). */
  help: string;
  /** Metric type. */
  type: ExpositionMetricType;
  /** Optional unit (`seconds`, `bytes`): an OpenMetrics `# UNIT` line, when the family name ends in `_<unit>`. */
  unit?: string;
  /** The family's series. A family with none still writes its HELP/TYPE. */
  series: readonly ExpositionSeries[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid Prometheus metric name (legacy character set). */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** Whether `name` is a valid Prometheus label name (legacy character set, not reserved `__`). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

/** An invalid metric or label name given to the encoder: names the family and the rule. */
export class InvalidMetricNameError extends InvalidArgumentError {
  constructor(what: 'metric' | 'label', name: string, family?: string) {
    super(
      what === 'metric'
        ? `invalid metric name ${JSON.stringify(name)}: use [a-zA-Z_:][a-zA-Z0-9_:]* (e.g. replace '.' and '-' with '_')`
        : `invalid label name ${JSON.stringify(name)} in family ${JSON.stringify(family)}: use [a-zA-Z_][a-zA-Z0-9_]* not starting with __`,
      name,
    );
  }
}

const HELP_TEXT_RE = /[\\\n]/;
const HELP_OM_RE = /[\\\n"]/;
const LABEL_VALUE_RE = /[\\\n"]/;

/** Escape a HELP text for text 0.0.4: `\` → `\\`, newline → `\n`. */
export function escapeHelpText(s: string): string {
  if (!HELP_TEXT_RE.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Escape a HELP text for OpenMetrics: as text 0.0.4 plus `"` → `\"`. */
export function escapeHelpOpenMetrics(s: string): string {
  if (!HELP_OM_RE.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Escape a label value (both formats): `\` → `\\`, `"` → `\"`, newline → `\n`. */
export function escapeLabelValue(s: string): string {
  if (!LABEL_VALUE_RE.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * A sample value as text: integers without a decimal point, `NaN`, `+Inf`,
 * `-Inf`, other numbers in JavaScript's shortest round-trip form (which Go's
 * ParseFloat reads). Bigints keep every digit.
 */
export function formatSampleValue(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isFinite(v)) return String(v);
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

const leTextCache = new Map<number, string>();
const leOmCache = new Map<number, string>();

/** A bucket bound for text 0.0.4 (`0.005`, `1`, `+Inf`). */
function leText(le: number): string {
  let s = leTextCache.get(le);
  if (s === undefined) {
    s = formatSampleValue(le);
    if (leTextCache.size < 4096) leTextCache.set(le, s);
  }
  return s;
}

/** A bucket bound as an OpenMetrics canonical number: integers get `.0` (`1.0`), `+Inf` stays. */
function leOpenMetrics(le: number): string {
  let s = leOmCache.get(le);
  if (s === undefined) {
    s = formatSampleValue(le);
    if (Number.isInteger(le) && !s.includes('e')) s += '.0';
    if (leOmCache.size < 4096) leOmCache.set(le, s);
  }
  return s;
}

/** `{a="x",b="y"` (no closing brace) or '' for no labels; validates names. */
function labelPrefix(labels: Readonly<Record<string, string>> | undefined, family: string): string {
  if (labels === undefined) return '';
  let out = '';
  for (const k in labels) {
    const v = labels[k];
    if (v === undefined) continue;
    if (!isValidLabelName(k)) throw new InvalidMetricNameError('label', k, family);
    out += `${out === '' ? '{' : ','}${k}="${escapeLabelValue(v)}"`;
  }
  return out;
}

/** Options of {@link encodeFamilies}. */
export interface EncodeOptions {
  /** Output format (default `prometheus`, text 0.0.4). */
  format?: ExpositionFormat;
  /**
   * Append the OpenMetrics `# EOF` terminator (default true for
   * `openmetrics`). Set false when more families are appended later by
   * another call; then call {@link openMetricsEnd} once at the end.
   */
  eof?: boolean;
}

/** The OpenMetrics terminator line. */
export function openMetricsEnd(): string {
  return '# EOF\n';
}

/**
 * Encode one family. Histogram series without a `+Inf` bucket get one from
 * `count`; a series of a value type without `value` is skipped.
 *
 * @throws {InvalidMetricNameError} for a metric or label name outside the Prometheus character set.
 */
export function encodeFamily(f: ExpositionFamily, format: ExpositionFormat = 'prometheus'): string {
  if (!METRIC_NAME.test(f.name)) throw new InvalidMetricNameError('metric', f.name);
  const om = format === 'openmetrics';
  let name = f.name;
  let sampleName = name;
  if (om && f.type === 'counter') {
    if (name.endsWith('_total')) name = name.slice(0, -6);
    sampleName = `${name}_total`;
  }
  let out: string;
  if (om) {
    out = `# TYPE ${name} ${f.type === 'untyped' ? 'unknown' : f.type}\n`;
    if (f.unit !== undefined && f.unit !== '' && name.endsWith(`_${f.unit}`)) out += `# UNIT ${name} ${f.unit}\n`;
    out += `# HELP ${name} ${escapeHelpOpenMetrics(f.help)}\n`;
  } else {
    out = `# HELP ${name} ${escapeHelpText(f.help)}\n# TYPE ${name} ${f.type}\n`;
  }
  if (f.type === 'histogram') {
    const le = om ? leOpenMetrics : leText;
    for (const s of f.series) {
      const pre = labelPrefix(s.labels, f.name);
      const bpre = pre === '' ? `${name}_bucket{le="` : `${name}_bucket${pre},le="`;
      const close = pre === '' ? '' : '}';
      const buckets = s.buckets ?? [];
      let count = s.count;
      let sawInf = false;
      for (const b of buckets) {
        out += `${bpre}${le(b.le)}"} ${formatSampleValue(b.count)}\n`;
        if (b.le === Number.POSITIVE_INFINITY) {
          sawInf = true;
          if (count === undefined) count = b.count;
        }
      }
      if (count === undefined) count = buckets.length > 0 ? buckets[buckets.length - 1]!.count : 0;
      if (!sawInf) out += `${bpre}+Inf"} ${formatSampleValue(count)}\n`;
      out += `${name}_sum${pre}${close} ${formatSampleValue(s.sum ?? 0)}\n`;
      out += `${name}_count${pre}${close} ${formatSampleValue(count)}\n`;
    }
  } else {
    for (const s of f.series) {
      if (s.value === undefined) continue;
      const pre = labelPrefix(s.labels, f.name);
      out += `${sampleName}${pre}${pre === '' ? '' : '}'} ${formatSampleValue(s.value)}\n`;
    }
  }
  return out;
}

/**
 * Encode families in order into one exposition text. Families with the same
 * name must not repeat (the caller merges them); the encoder does not sort.
 *
 * @example
 * ```ts
 * encodeFamilies([{ name: 'raingauge_listener_queued_connections', help: 'Connections waiting for accept().',
 *   type: 'gauge', series: [{ labels: { listener: '127.0.0.1:8080', family: 'inet' }, value: 3 }] }]);
 * // # HELP raingauge_listener_queued_connections Connections waiting for accept().
 * // # TYPE raingauge_listener_queued_connections gauge
 * // raingauge_listener_queued_connections{listener="127.0.0.1:8080",family="inet"} 3
 * ```
 * @throws {InvalidMetricNameError} for a metric or label name outside the Prometheus character set.
 */
export function encodeFamilies(families: Iterable<ExpositionFamily>, opts: EncodeOptions = {}): string {
  const format = opts.format ?? 'prometheus';
  const parts: string[] = [];
  for (const f of families) parts.push(encodeFamily(f, format));
  if (format === 'openmetrics' && opts.eof !== false) parts.push(openMetricsEnd());
  return parts.join('');
}

/** The Content-Type header value for `format`. */
export function contentTypeFor(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_TEXT_CONTENT_TYPE;
}

/** One media range of an Accept header. */
interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
  index: number;
}

function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  let index = 0;
  for (const part of header.slice(0, 4096).split(',')) {
    const bits = part.split(';');
    const type = bits[0]!.trim().toLowerCase();
    if (type === '') continue;
    const params = new Map<string, string>();
    let q = 1;
    for (let i = 1; i < bits.length; i++) {
      const eq = bits[i]!.indexOf('=');
      if (eq < 0) continue;
      const k = bits[i]!.slice(0, eq).trim().toLowerCase();
      const v = bits[i]!.slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      if (k === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
      } else params.set(k, v);
    }
    out.push({ type, params, q, index: index++ });
  }
  return out;
}

/** Which of our formats a media range can be answered with, if any. */
function formatOfRange(r: MediaRange): ExpositionFormat | undefined {
  const version = r.params.get('version');
  if (r.type === 'application/openmetrics-text') {
    // 0.0.1 is OpenMetrics' pre-1.0 number; Prometheus parses both with the same parser
    return version === undefined || version === '1.0.0' || version === '0.0.1' ? 'openmetrics' : undefined;
  }
  if (r.type === 'text/plain') {
    // 1.0.0 is 0.0.4 plus UTF-8 names; our names are all legacy, so 0.0.4 text answers it
    return version === undefined || version === '0.0.4' || version === '1.0.0' ? 'prometheus' : undefined;
  }
  if (r.type === '*/*' || r.type === 'text/*') return 'prometheus';
  return undefined;
}

/**
 * Pick the format to answer a scrape with from its `Accept` header: the
 * supported media range with the highest q (earlier wins a tie), text 0.0.4
 * when the header is absent or names nothing we write (the content
 * negotiation rule of prometheus/docs: the text format is the fallback).
 * Protobuf ranges are never chosen.
 *
 * @example
 * negotiateFormat('application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2'); // 'openmetrics'
 * negotiateFormat(undefined); // 'prometheus'
 */
export function negotiateFormat(accept: string | readonly string[] | undefined): ExpositionFormat {
  if (accept === undefined) return 'prometheus';
  const header = typeof accept === 'string' ? accept : accept.join(',');
  let best: ExpositionFormat = 'prometheus';
  let bestQ = -1;
  for (const r of parseAccept(header)) {
    if (r.q <= 0) continue;
    const f = formatOfRange(r);
    if (f !== undefined && r.q > bestQ) {
      best = f;
      bestQ = r.q;
    }
  }
  return best;
}

/**
 * Whether an `Accept-Encoding` header accepts gzip (`gzip` or `*` with q > 0,
 * and gzip not refused with `q=0`).
 */
export function acceptsGzip(acceptEncoding: string | readonly string[] | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  const header = typeof acceptEncoding === 'string' ? acceptEncoding : acceptEncoding.join(',');
  let star: boolean | undefined;
  for (const r of parseAccept(header)) {
    if (r.type === 'gzip' || r.type === 'x-gzip') return r.q > 0;
    if (r.type === '*') star = r.q > 0;
  }
  return star === true;
}
