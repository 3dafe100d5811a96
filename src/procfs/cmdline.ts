/**
 * `/proc/cmdline`: the kernel's boot command line.
 *
 * Go procfs: `FS.CmdLine() []string` (here `fs.kernelCmdLine()`, since `proc.cmdLine()` is the
 * process's).
 * @module
 */
import { fail, lines } from './system_util.js';

/**
 * Split the text of `/proc/cmdline` into parameters at unquoted whitespace. Double quotes group a
 * value with spaces (`foo="a b"`) and are kept, as the kernel's own parser sees them.
 * @throws ParseError when the file has more than one line or an unterminated quote.
 */
export function parseKernelCmdLine(text: string, file = '/proc/cmdline'): string[] {
  const ls = lines(text);
  if (ls.length > 1) fail({ file, line: 2, text: ls[1]! }, 'expected a single line');
  const s = ls[0] ?? '';
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ' ' || ch === '\t')) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) fail({ file, line: 1, text: s }, 'unterminated double quote');
  if (cur !== '') out.push(cur);
  return out;
}
