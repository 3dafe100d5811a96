/**
 * `/sys/block/mdN/md/*`: Linux software RAID arrays as the md driver shows them in sysfs
 * (drivers/md/md.c `md_default_attrs`, `md_redundancy_attrs`, and `dev-<member>/` per member).
 *
 * Go procfs (sysfs): `FS.Mdraids()` → `Mdraid`, `MdraidComponent`.
 * @module
 */
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/** One member of an array (`md/dev-<device>/`) (Go procfs: `MdraidComponent`). */
export interface MdraidComponent {
  /** Block device name (`sda1`). */
  device: string;
  /** `state`: comma-separated flags (`in_sync`, `faulty`, `spare`, `write_mostly`, `blocked`, `journal`, `replacement`, `want_replacement` …). */
  state: string[];
  /** `slot`: the member's role slot, absent for a spare or faulty member (`none`). */
  slot?: number;
  /** `errors`: read errors corrected on this member since it was added. */
  errors?: number;
}

/** One md array (Go procfs: `Mdraid`). Absent fields: the array (or its personality) does not provide them. */
export interface Mdraid {
  /** Array device name (`md0`). */
  device: string;
  /** `level`: `raid1`, `raid5`, `raid10`, `linear`, `''` for an array without personality (inactive). */
  level?: string;
  /** `array_state`: `clear`, `inactive`, `suspended`, `readonly`, `read-auto`, `clean`, `active`, `write-pending`, `active-idle`, `broken`. */
  arrayState?: string;
  /** `metadata_version`: `1.2`, `0.90`, `external:imsm`, `none`. */
  metadataVersion?: string;
  /** `raid_disks`: member slots of the array. */
  disks?: number;
  /** `chunk_size`: bytes. */
  chunkSizeBytes?: number;
  /** `component_size`: KiB used on each member. */
  componentSizeKiB?: number;
  /** `degraded`: missing members (redundant levels only). */
  degradedDisks?: number;
  /** `sync_action`: `idle`, `resync`, `recover`, `check`, `repair`, `reshape`, `frozen` (redundant levels). */
  syncAction?: string;
  /** `sync_completed` as a fraction 0…1 while a sync runs; absent when it says `none`. */
  syncCompleted?: number;
  /** `sync_completed` sectors done / total while a sync runs. */
  syncCompletedSectors?: { done: number; total: number };
  /** `mismatch_cnt`: sectors found different by the last check/repair. */
  mismatchSectors?: number;
  /** `uuid`: array UUID (Linux 6.x). */
  uuid?: string;
  /** Members, by device name ascending. */
  components: MdraidComponent[];
  /** Attributes that exist but could not be read or parsed (`dev-sda1/state` for a member's). */
  errors: AttributeErrors;
}

/** The array files {@link buildMdraid} reads (relative to `md/`). */
export const MDRAID_ATTRIBUTES: readonly string[] = [
  'level',
  'array_state',
  'metadata_version',
  'raid_disks',
  'chunk_size',
  'component_size',
  'degraded',
  'sync_action',
  'sync_completed',
  'mismatch_cnt',
  'uuid',
];

/** The member files read below `md/dev-<device>/`. */
export const MDRAID_MEMBER_ATTRIBUTES: readonly string[] = ['state', 'slot', 'errors'];

/**
 * Build an {@link Mdraid} from the attributes of `block/<device>/md/` and of each member directory
 * (keys `dev-<member>/<file>` in `attrs`) (pure; never throws).
 */
export function buildMdraid(device: string, attrs: AttrMap, members: readonly string[], dir = device): Mdraid {
  const r = new AttrReader(attrs, dir);
  const out: Mdraid = { device, components: [], errors: r.errors };
  const set = <K extends keyof Mdraid>(k: K, v: Mdraid[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('level', r.str('level'));
  set('arrayState', r.str('array_state'));
  set('metadataVersion', r.str('metadata_version'));
  set('disks', r.int('raid_disks'));
  set('chunkSizeBytes', r.int('chunk_size'));
  set('componentSizeKiB', r.int('component_size'));
  set('degradedDisks', r.int('degraded'));
  set('syncAction', r.str('sync_action'));
  const sc = r.str('sync_completed');
  if (sc !== undefined && sc !== 'none' && sc !== 'delayed') {
    const m = /^(\d+)\s*\/\s*(\d+)$/.exec(sc);
    if (m && Number(m[2]) > 0) {
      out.syncCompletedSectors = { done: Number(m[1]), total: Number(m[2]) };
      out.syncCompleted = Number(m[1]) / Number(m[2]);
    } else r.fail('sync_completed', 'expected "done / total" sectors, "none" or "delayed"', sc);
  }
  set('mismatchSectors', r.int('mismatch_cnt'));
  set('uuid', r.str('uuid'));
  for (const m of [...members].sort()) {
    const state = r.str(`dev-${m}/state`);
    const c: MdraidComponent = { device: m, state: state === undefined || state === '' ? [] : state.split(',') };
    const slot = r.str(`dev-${m}/slot`);
    if (slot !== undefined && slot !== 'none') {
      if (/^\d+$/.test(slot)) c.slot = Number(slot);
      else r.fail(`dev-${m}/slot`, 'expected a slot number or "none"', slot);
    }
    const errors = r.int(`dev-${m}/errors`);
    if (errors !== undefined) c.errors = errors;
    out.components.push(c);
  }
  return out;
}
