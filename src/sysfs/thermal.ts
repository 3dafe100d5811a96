/**
 * `/sys/class/thermal`: thermal zones and cooling devices
 * (Documentation/driver-api/thermal/sysfs-api.rst).
 * @module
 */
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/** One trip point of a thermal zone (`trip_point_<N>_*`). */
export interface ThermalTripPoint {
  /** N of `trip_point_<N>_*`. */
  index: number;
  /** `trip_point_N_type`: `critical`, `hot`, `passive` or `active`. */
  type?: string;
  /** `trip_point_N_temp`: trip temperature, millidegrees Celsius. */
  temp?: number;
  /** `trip_point_N_hyst`: hysteresis, millidegrees Celsius. */
  hyst?: number;
}

/** One thermal zone, from `/sys/class/thermal/thermal_zone<N>/`. */
export interface ClassThermalZoneStats {
  /** N of `thermal_zone<N>` as a string (as Go procfs names it). */
  name: string;
  /** `type`: what the zone measures (`x86_pkg_temp`, `acpitz`, `cpu-thermal` …). */
  type?: string;
  /** `temp`: current temperature, millidegrees Celsius (absent with an error when the sensor has no reading: ENODATA/EAGAIN). */
  temp?: number;
  /** {@link ClassThermalZoneStats.temp} in degrees Celsius (temp / 1000). */
  tempCelsius?: number;
  /** `policy`: the thermal governor in charge (`step_wise`, `power_allocator` …). */
  policy?: string;
  /** `available_policies`: governors that can be chosen. */
  availablePolicies?: string[];
  /** `mode`: true when the zone is `enabled`, false when `disabled`. */
  mode?: boolean;
  /** `passive`: passive trip temperature, millidegrees Celsius (0: disabled). */
  passive?: number;
  /** Trip points in index order. */
  tripPoints: ThermalTripPoint[];
  /** Attributes that exist but could not be read or parsed, keyed by file name. */
  errors: AttributeErrors;
}

/** One cooling device, from `/sys/class/thermal/cooling_device<N>/`. */
export interface ClassCoolingDeviceStats {
  /** N of `cooling_device<N>` as a string. */
  name: string;
  /** `type`: the device (`Processor`, `intel_powerclamp`, `Fan` …). */
  type?: string;
  /** `cur_state`: current cooling state (0 = no cooling). */
  curState?: number;
  /** `max_state`: highest cooling state. */
  maxState?: number;
  /** Attributes that exist but could not be read or parsed, keyed by file name. */
  errors: AttributeErrors;
}

/** True for thermal zone attribute names {@link buildThermalZone} understands. */
export function isThermalZoneAttribute(file: string): boolean {
  return (
    ['type', 'temp', 'policy', 'available_policies', 'mode', 'passive'].includes(file) ||
    /^trip_point_\d+_(type|temp|hyst)$/.test(file)
  );
}

/** Build a {@link ClassThermalZoneStats} from the files of a zone directory (pure; never throws). */
export function buildThermalZone(name: string, attrs: AttrMap, dir = `thermal_zone${name}`): ClassThermalZoneStats {
  const r = new AttrReader(attrs, dir);
  const z: ClassThermalZoneStats = { name, tripPoints: [], errors: r.errors };
  const type = r.str('type');
  if (type !== undefined) z.type = type;
  const temp = r.int('temp');
  if (temp !== undefined) {
    z.temp = temp;
    z.tempCelsius = temp / 1000;
  }
  const policy = r.str('policy');
  if (policy !== undefined) z.policy = policy;
  const pols = r.str('available_policies');
  if (pols !== undefined) z.availablePolicies = pols === '' ? [] : pols.split(/\s+/);
  const mode = r.str('mode');
  if (mode === 'enabled') z.mode = true;
  else if (mode === 'disabled') z.mode = false;
  else if (mode !== undefined) r.fail('mode', 'expected "enabled" or "disabled"', mode);
  const passive = r.int('passive');
  if (passive !== undefined) z.passive = passive;
  const trips = new Map<number, ThermalTripPoint>();
  for (const key of attrs.keys()) {
    const m = /^trip_point_(\d+)_(type|temp|hyst)$/.exec(key);
    if (!m) continue;
    const index = Number(m[1]);
    let tp = trips.get(index);
    if (!tp) {
      tp = { index };
      trips.set(index, tp);
    }
    const v = m[2] === 'type' ? r.str(key) : r.int(key);
    if (v !== undefined) (tp as unknown as Record<string, unknown>)[m[2]!] = v;
  }
  z.tripPoints = [...trips.values()].sort((a, b) => a.index - b.index);
  return z;
}

/** Build a {@link ClassCoolingDeviceStats} from the files of a cooling device directory (pure; never throws). */
export function buildCoolingDevice(
  name: string,
  attrs: AttrMap,
  dir = `cooling_device${name}`,
): ClassCoolingDeviceStats {
  const r = new AttrReader(attrs, dir);
  const c: ClassCoolingDeviceStats = { name, errors: r.errors };
  const type = r.str('type');
  if (type !== undefined) c.type = type;
  const cur = r.int('cur_state');
  if (cur !== undefined) c.curState = cur;
  const max = r.int('max_state');
  if (max !== undefined) c.maxState = max;
  return c;
}
