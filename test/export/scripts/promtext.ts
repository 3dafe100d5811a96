/**
 * A small reader of Prometheus text 0.0.4 for the tests (families with TYPE,
 * HELP, label names and samples), and a fetch helper.
 */
import { request } from 'node:http';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface ParsedFamily {
  name: string;
  type?: string;
  help?: string;
  samples: ParsedSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parse exposition text into families by name (samples attach to the last TYPE'd family they belong to). */
export function parsePromText(text: string): Map<string, ParsedFamily> {
  const out = new Map<string, ParsedFamily>();
  const fam = (n: string) => {
    let f = out.get(n);
    if (!f) {
      f = { name: n, samples: [] };
      out.set(n, f);
    }
    return f;
  };
  let current: ParsedFamily | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const sp = line.indexOf(' ', 7);
      current = fam(line.slice(7, sp < 0 ? undefined : sp));
      current.help = sp < 0 ? '' : line.slice(sp + 1);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , n, t] = line.split(' ');
      current = fam(n!);
      current.type = t;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    const base = m[1]!;
    const owner = current && (base === current.name || base.startsWith(`${current.name}_`)) ? current : fam(base);
    owner.samples.push({ name: base, labels, value });
  }
  return out;
}

/** GET a URL over http and resolve with the body text (rejects on a non-200). */
export function fetchText(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode} ${body}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Poll `url` until it answers 200 (bounded). */
export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetchText(url);
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
