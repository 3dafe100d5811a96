/**
 * `/proc/cgroups`: the cgroup controllers the kernel knows (kernel `proc_cgroupstats_show`):
 * `#subsys_name hierarchy num_cgroups enabled`, one row per controller.
 *
 * Go procfs: `FS.CgroupSummarys() []CgroupSummary`.
 * @module
 */
import { rowsAt } from './rows.js';
import { fail, fields, lines, uint } from './system_util.js';

/** One controller of `/proc/cgroups` (Go procfs: `CgroupSummary`). */
export interface CgroupSummary {
  /** Controller name (`subsys_name`: `cpu`, `memory`, `pids` …). */
  subsysName: string;
  /** ID of the cgroup v1 hierarchy it is mounted on (`hierarchy`); 0 when unmounted or on cgroup v2. */
  hierarchy: number;
  /** Cgroups in that hierarchy (`num_cgroups`); on cgroup v2 every controller shows the v2 count. */
  cgroups: number;
  /** Whether the controller is enabled (`enabled`; `cgroup_disable=` on the kernel command line turns it off). */
  enabled: boolean;
}

/**
 * Parse the text of `/proc/cgroups`.
 * @throws ParseError on a missing header or a row without four columns.
 */
export function parseCgroupSummaries(text: string, file = '/proc/cgroups'): CgroupSummary[] {
  const ls = lines(text);
  if (!/^#subsys_name\s+hierarchy\s+num_cgroups\s+enabled\b/.test(ls[0] ?? '')) {
    fail({ file, line: 1, text: ls[0] ?? '' }, 'missing the "#subsys_name hierarchy num_cgroups enabled" header');
  }
  const out: CgroupSummary[] = [];
  for (const w of rowsAt(ls, file)) {
    const f = fields(w.text);
    if (f.length < 4) fail(w, `expected 4 columns, found ${f.length}`);
    const enabled = uint(f[3], w, 'enabled');
    if (enabled > 1) fail(w, `enabled must be 0 or 1, got ${enabled}`);
    out.push({
      subsysName: f[0]!,
      hierarchy: uint(f[1], w, 'hierarchy'),
      cgroups: uint(f[2], w, 'num_cgroups'),
      enabled: enabled === 1,
    });
  }
  return out;
}
