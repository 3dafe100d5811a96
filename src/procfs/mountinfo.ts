/**
 * `/proc/<pid>/mountinfo` (kernel `show_mountinfo`): one line per mount in the
 * process's mount namespace.
 *
 * Go procfs: `MountInfo`, `Proc.MountInfo()`, `GetMounts()`, `GetProcMounts(pid)`.
 * @module
 */
import { type ProcWhere, procFail, procLines, pUint, safeKey, unescapeOctal } from './proc_util.js';

/** One mountinfo line. Paths have the kernel's octal escapes (`\040`…) expanded. */
export interface MountInfo {
  /** (1) Unique mount ID. */
  mountId: number;
  /** (2) Parent mount ID (itself for the root of the namespace). */
  parentId: number;
  /** (3) `major:minor` of the filesystem (`st_dev`), as printed. */
  majorMinorVer: string;
  /** Major device number from (3). */
  major: number;
  /** Minor device number from (3). */
  minor: number;
  /** (4) Root of the mount inside its filesystem. */
  root: string;
  /** (5) Mount point relative to the process's root. */
  mountPoint: string;
  /** (6) Per-mount options, e.g. `{ rw: '', relatime: '' }`. */
  options: Record<string, string>;
  /** (7) Optional fields, e.g. `{ shared: '1', master: '2' }` (`unbindable` → `''`). */
  optionalFields: Record<string, string>;
  /** (9) Filesystem type, e.g. `ext4`, `cgroup2`. */
  fsType: string;
  /** (10) Filesystem-specific source or `none`. */
  source: string;
  /** (11) Superblock options. */
  superOptions: Record<string, string>;
}

/** Split `a,b=c` mount options into a record (values unescaped). */
export function parseMountOptions(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (s === '') return out;
  for (const o of s.split(',')) {
    const e = o.indexOf('=');
    const k = e < 0 ? o : o.slice(0, e);
    if (safeKey(k)) out[k] = e < 0 ? '' : unescapeOctal(o.slice(e + 1));
  }
  return out;
}

/** Parse `/proc/<pid>/mountinfo`. @throws {ParseError} on a malformed line. */
export function parseMountInfo(text: string, file = '/proc/<pid>/mountinfo'): MountInfo[] {
  const out: MountInfo[] = [];
  const ls = procLines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 10 || sep < 0 || f.length - sep < 3)
      procFail(where, 'expected at least 10 fields with a "-" separator');
    const mm = /^(\d+):(\d+)$/.exec(f[2]!);
    if (!mm) procFail(where, `major:minor: got ${JSON.stringify(f[2])}`);
    const optional: Record<string, string> = {};
    for (const o of f.slice(6, sep)) {
      const c = o.indexOf(':');
      const k = c < 0 ? o : o.slice(0, c);
      if (safeKey(k)) optional[k] = c < 0 ? '' : o.slice(c + 1);
    }
    out.push({
      mountId: pUint(f[0], where, 'mount ID'),
      parentId: pUint(f[1], where, 'parent ID'),
      majorMinorVer: f[2]!,
      major: pUint(mm[1], where, 'major'),
      minor: pUint(mm[2], where, 'minor'),
      root: unescapeOctal(f[3]!),
      mountPoint: unescapeOctal(f[4]!),
      options: parseMountOptions(f[5]!),
      optionalFields: optional,
      fsType: unescapeOctal(f[sep + 1]!),
      source: unescapeOctal(f[sep + 2]!),
      superOptions: parseMountOptions(f.slice(sep + 3).join(' ')),
    });
  }
  return out;
}
