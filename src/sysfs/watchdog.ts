/**
 * `/sys/class/watchdog/watchdogN/*`: hardware and software watchdog timers (drivers/watchdog/
 * watchdog_dev.c, attributes visible with `CONFIG_WATCHDOG_SYSFS`).
 *
 * Go procfs (sysfs): `FS.WatchdogClass()` → `WatchdogStats`.
 * @module
 */
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/** One watchdog device (Go procfs: `WatchdogStats`). Absent fields: the driver does not provide them. */
export interface WatchdogStats {
  /** Device name (`watchdog0`). */
  name: string;
  /** `bootstatus`: why the last boot happened (`WDIOF_*` bits, e.g. 0x20 = `WDIOF_CARDRESET`: the watchdog reset the machine). */
  bootstatus?: number;
  /** `options`: supported `WDIOF_*` features (hex in the file). */
  options?: string;
  /** `fw_version`: firmware version. */
  fwVersion?: number;
  /** `identity`: driver's description (`iTCO_wdt`, `Software Watchdog`). */
  identity?: string;
  /** `nowayout`: 1 when the watchdog cannot be stopped once started. */
  nowayout?: number;
  /** `state`: `active` or `inactive`. */
  state?: string;
  /** `status`: driver-specific status word (hex in the file). */
  status?: string;
  /** `timeleft`: seconds until the watchdog fires (not every driver). */
  timeleftSeconds?: number;
  /** `timeout`: seconds without a ping before it fires. */
  timeoutSeconds?: number;
  /** `min_timeout`, seconds. */
  minTimeoutSeconds?: number;
  /** `max_timeout`, seconds. */
  maxTimeoutSeconds?: number;
  /** `pretimeout`: seconds before `timeout` when the pretimeout governor acts. */
  pretimeoutSeconds?: number;
  /** `pretimeout_governor`: `noop`, `panic`. */
  pretimeoutGovernor?: string;
  /** `access_cs0`: 1 while `/dev/watchdog` (the legacy char device 0) is open. */
  accessCs0?: number;
  /** Attributes that exist but could not be read or parsed. */
  errors: AttributeErrors;
}

/** The files {@link buildWatchdog} reads. */
export const WATCHDOG_ATTRIBUTES: readonly string[] = [
  'bootstatus',
  'options',
  'fw_version',
  'identity',
  'nowayout',
  'state',
  'status',
  'timeleft',
  'timeout',
  'min_timeout',
  'max_timeout',
  'pretimeout',
  'pretimeout_governor',
  'access_cs0',
];

/** Build {@link WatchdogStats} from the attributes of `class/watchdog/<name>` (pure; never throws). */
export function buildWatchdog(name: string, attrs: AttrMap, dir = name): WatchdogStats {
  const r = new AttrReader(attrs, dir);
  const out: WatchdogStats = { name, errors: r.errors };
  const set = <K extends keyof WatchdogStats>(k: K, v: WatchdogStats[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('bootstatus', r.int('bootstatus', true));
  set('options', r.str('options'));
  set('fwVersion', r.int('fw_version', true));
  set('identity', r.str('identity'));
  set('nowayout', r.int('nowayout'));
  set('state', r.str('state'));
  set('status', r.str('status'));
  set('timeleftSeconds', r.int('timeleft'));
  set('timeoutSeconds', r.int('timeout'));
  set('minTimeoutSeconds', r.int('min_timeout'));
  set('maxTimeoutSeconds', r.int('max_timeout'));
  set('pretimeoutSeconds', r.int('pretimeout'));
  set('pretimeoutGovernor', r.str('pretimeout_governor'));
  set('accessCs0', r.int('access_cs0'));
  return out;
}
