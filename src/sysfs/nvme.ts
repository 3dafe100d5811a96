/**
 * `/sys/class/nvme/nvmeN/*`: NVMe controllers (drivers/nvme/host/sysfs.c).
 *
 * Go procfs (sysfs): `FS.NVMeClass()` → `NVMeDevice`.
 * @module
 */
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/** One NVMe controller (Go procfs: `NVMeDevice`). Absent fields: the kernel does not provide them. */
export interface NVMeDevice {
  /** Controller name (`nvme0`). */
  name: string;
  /** `serial`: serial number (trailing spaces of the identify data trimmed). */
  serial?: string;
  /** `model`: model name. */
  model?: string;
  /** `firmware_rev`: firmware revision. */
  firmwareRevision?: string;
  /** `state`: controller state (`live`, `resetting`, `connecting`, `deleting`, `dead` …). */
  state?: string;
  /** `cntlid`: controller ID. */
  controllerId?: number;
  /** `transport`: `pcie`, `tcp`, `rdma`, `fc`, `loop`. */
  transport?: string;
  /** `subsysnqn`: NVMe qualified name of the subsystem. */
  subsystemNqn?: string;
  /** `queue_count`: I/O queues plus the admin queue. */
  queueCount?: number;
  /** Attributes that exist but could not be read or parsed. */
  errors: AttributeErrors;
}

/** The files {@link buildNVMeDevice} reads. */
export const NVME_ATTRIBUTES: readonly string[] = [
  'serial',
  'model',
  'firmware_rev',
  'state',
  'cntlid',
  'transport',
  'subsysnqn',
  'queue_count',
];

/** Build an {@link NVMeDevice} from the attributes of `class/nvme/<name>` (pure; never throws). */
export function buildNVMeDevice(name: string, attrs: AttrMap, dir = name): NVMeDevice {
  const r = new AttrReader(attrs, dir);
  const out: NVMeDevice = { name, errors: r.errors };
  const set = <K extends keyof NVMeDevice>(k: K, v: NVMeDevice[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('serial', r.str('serial'));
  set('model', r.str('model'));
  set('firmwareRevision', r.str('firmware_rev'));
  set('state', r.str('state'));
  set('controllerId', r.int('cntlid'));
  set('transport', r.str('transport'));
  set('subsystemNqn', r.str('subsysnqn'));
  set('queueCount', r.int('queue_count'));
  return out;
}
