/**
 * Test helper: an independent model of `struct taskstats` built from the
 * member declaration order of include/uapi/linux/taskstats.h (with C natural
 * alignment on x86_64), used to synthesize records of versions 8 … 17 and to
 * cross-check the decoder's hand-written offset table.
 */

type Kind = 'u8' | 's8' | 'u16' | 'u32' | 'u64' | 'comm' | 'pad3';

const SIZE: Record<Kind, number> = { u8: 1, s8: 1, u16: 2, u32: 4, u64: 8, comm: 32, pad3: 3 };
const ALIGN: Record<Kind, number> = { u8: 1, s8: 1, u16: 2, u32: 4, u64: 8, comm: 1, pad3: 1 };

// [name, kind, version that added it, explicit alignment]
type Decl = [string, Kind, number, number?];

const BASE: Decl[] = [
  ['version', 'u16', 1],
  ['ac_exitcode', 'u32', 1],
  ['ac_flag', 'u8', 1],
  ['ac_nice', 's8', 1],
  ['cpu_count', 'u64', 1, 8],
  ['cpu_delay_total', 'u64', 1],
  ['blkio_count', 'u64', 1],
  ['blkio_delay_total', 'u64', 1],
  ['swapin_count', 'u64', 1],
  ['swapin_delay_total', 'u64', 1],
  ['cpu_run_real_total', 'u64', 1],
  ['cpu_run_virtual_total', 'u64', 1],
  ['ac_comm', 'comm', 1],
  ['ac_sched', 'u8', 1, 8],
  ['ac_pad', 'pad3', 1],
  ['ac_uid', 'u32', 1, 8],
  ['ac_gid', 'u32', 1],
  ['ac_pid', 'u32', 1],
  ['ac_ppid', 'u32', 1],
  ['ac_btime', 'u32', 1],
  ['ac_etime', 'u64', 1, 8],
  ['ac_utime', 'u64', 1],
  ['ac_stime', 'u64', 1],
  ['ac_minflt', 'u64', 1],
  ['ac_majflt', 'u64', 1],
  ['coremem', 'u64', 1],
  ['virtmem', 'u64', 1],
  ['hiwater_rss', 'u64', 1],
  ['hiwater_vm', 'u64', 1],
  ['read_char', 'u64', 1],
  ['write_char', 'u64', 1],
  ['read_syscalls', 'u64', 1],
  ['write_syscalls', 'u64', 1],
  ['read_bytes', 'u64', 1],
  ['write_bytes', 'u64', 1],
  ['cancelled_write_bytes', 'u64', 1],
  ['nvcsw', 'u64', 1],
  ['nivcsw', 'u64', 1],
  ['ac_utimescaled', 'u64', 1],
  ['ac_stimescaled', 'u64', 1],
  ['cpu_scaled_run_real_total', 'u64', 1],
  ['freepages_count', 'u64', 8],
  ['freepages_delay_total', 'u64', 8],
  ['thrashing_count', 'u64', 9],
  ['thrashing_delay_total', 'u64', 9],
  ['ac_btime64', 'u64', 10],
  ['compact_count', 'u64', 11],
  ['compact_delay_total', 'u64', 11],
  ['ac_tgid', 'u32', 12],
  ['ac_tgetime', 'u64', 12],
  ['ac_exe_dev', 'u64', 12],
  ['ac_exe_inode', 'u64', 12],
  ['wpcopy_count', 'u64', 13],
  ['wpcopy_delay_total', 'u64', 13],
  ['irq_count', 'u64', 14],
  ['irq_delay_total', 'u64', 14],
];

const KINDS = ['cpu', 'blkio', 'swapin', 'freepages', 'thrashing', 'compact', 'wpcopy', 'irq'];

/** Member declaration order of a version (v15 inserts max/min after each *_delay_total). */
export function declarations(version: number): Decl[] {
  const upTo = Math.min(version, 16);
  const base = BASE.filter((d) => d[2] <= upTo);
  if (upTo < 15) return base;
  if (upTo === 16) {
    const tail: Decl[] = KINDS.flatMap((k) => [
      [`${k}_delay_max`, 'u64', 15] as Decl,
      [`${k}_delay_min`, 'u64', 15] as Decl,
    ]);
    return [...base, ...tail];
  }
  const out: Decl[] = [];
  for (const d of base) {
    out.push(d);
    const m = /^(\w+)_delay_total$/.exec(d[0]);
    if (m && KINDS.includes(m[1]!)) out.push([`${m[1]}_delay_max`, 'u64', 15], [`${m[1]}_delay_min`, 'u64', 15]);
  }
  return out;
}

/** Offsets (name → offset, kind) and total size of a version's layout, computed like a C compiler would. */
export function computeLayout(version: number): { fields: Map<string, { offset: number; kind: Kind }>; size: number } {
  const fields = new Map<string, { offset: number; kind: Kind }>();
  let off = 0;
  let maxAlign = 1;
  for (const [name, kind, , align] of declarations(version)) {
    const a = Math.max(ALIGN[kind], align ?? 1);
    maxAlign = Math.max(maxAlign, a);
    off = Math.ceil(off / a) * a;
    fields.set(name, { offset: off, kind });
    off += SIZE[kind];
  }
  return { fields, size: Math.ceil(off / maxAlign) * maxAlign };
}

/** snake_case → lowerCamelCase. */
export function camel(k: string): string {
  return k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Encode a record of `version` from `values` (keyed by lowerCamelCase
 * record name; missing members are 0). Versions above 16 get `extra` bytes
 * appended after the v16 members.
 */
export function encodeTaskstatsRecord(
  version: number,
  values: Record<string, unknown>,
  extra: Buffer = Buffer.alloc(0),
): Buffer {
  const { fields, size } = computeLayout(version);
  const buf = Buffer.alloc(size + (version > 16 ? extra.length : 0));
  for (const [name, { offset, kind }] of fields) {
    const v = name === 'version' ? version : values[camel(name)];
    if (v === undefined || kind === 'pad3') continue;
    switch (kind) {
      case 'u8':
        buf.writeUInt8(Number(v), offset);
        break;
      case 's8':
        buf.writeInt8(Number(v), offset);
        break;
      case 'u16':
        buf.writeUInt16LE(Number(v), offset);
        break;
      case 'u32':
        buf.writeUInt32LE(Number(v), offset);
        break;
      case 'u64':
        buf.writeBigUInt64LE(BigInt(v as bigint), offset);
        break;
      case 'comm':
        buf.write(String(v).slice(0, 31), offset, 'utf8');
        break;
    }
  }
  if (version > 16) extra.copy(buf, size);
  return buf;
}

/** A record with a distinct value in every member (u64 values above 2^53), for layout tests. */
export function distinctValues(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let i = 1;
  for (const [name, kind] of declarations(16)) {
    const key = camel(name);
    switch (kind) {
      case 'u8':
        out[key] = (i * 7) & 0xff;
        break;
      case 's8':
        out[key] = -((i % 20) + 1);
        break;
      case 'u16':
        break; // version
      case 'u32':
        out[key] = 0x10000 + i * 977;
        break;
      case 'u64':
        out[key] = (0x0123_4567n << 32n) * BigInt(i) + BigInt(i);
        break;
      case 'comm':
        out[key] = 'distinct-comm';
        break;
      case 'pad3':
        break;
    }
    i++;
  }
  return out;
}
