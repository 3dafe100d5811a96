/**
 * `/sys/class/hwmon/hwmon<N>/*`: hardware monitoring chips and their sensors
 * (Documentation/hwmon/sysfs-interface.rst). Go procfs has no reader for
 * this class.
 *
 * Units the kernel uses, and what {@link HwmonSensor.values} converts them to:
 *
 * | sensor | kernel unit | converted to |
 * |---|---|---|
 * | `temp*` | millidegree Celsius | degrees Celsius (÷ 1000) |
 * | `in*` | millivolt | volt (÷ 1000) |
 * | `curr*` | milliampere | ampere (÷ 1000) |
 * | `power*` | microwatt | watt (÷ 10^6) |
 * | `energy*` | microjoule | joule (÷ 10^6) |
 * | `humidity*` | milli-percent relative humidity | percent RH (÷ 1000) |
 * | `fan*` | RPM | RPM (unchanged) |
 * | `freq*` | Hz | Hz (unchanged) |
 * | `pwm*` | duty cycle 0–255 | unchanged |
 * | `intrusion*` | 0/1 alarm flags | unchanged |
 *
 * Only measurement-like attributes are converted (`input`, `min`, `max`,
 * `crit`, `lcrit`, `emergency`, the `*_hyst` ones, `average`, `lowest`,
 * `highest`, `offset`, `cap*`, `rated_*`, `target` …); flags and settings
 * (`alarm`, `beep`, `fault`, `enable`, `type`, `div`, `average_interval` in
 * ms, `accuracy` in percent …) are kept as the kernel gives them.
 * @module
 */
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/** Sensor kinds of the hwmon sysfs interface. */
export type HwmonSensorType =
  | 'temp'
  | 'in'
  | 'curr'
  | 'power'
  | 'energy'
  | 'humidity'
  | 'fan'
  | 'freq'
  | 'pwm'
  | 'intrusion';

/** The unit of {@link HwmonSensor.values} for each sensor type. */
export const HWMON_UNITS: Readonly<Record<HwmonSensorType, string>> = {
  temp: 'celsius',
  in: 'volts',
  curr: 'amperes',
  power: 'watts',
  energy: 'joules',
  humidity: 'percentRH',
  fan: 'rpm',
  freq: 'hertz',
  pwm: 'dutyCycle255',
  intrusion: 'flag',
};

/** Divisor from the kernel unit to {@link HWMON_UNITS}. */
const DIVISOR: Readonly<Record<HwmonSensorType, number>> = {
  temp: 1000,
  in: 1000,
  curr: 1000,
  power: 1_000_000,
  energy: 1_000_000,
  humidity: 1000,
  fan: 1,
  freq: 1,
  pwm: 1,
  intrusion: 1,
};

/** Attribute suffixes holding a measurement in the sensor's unit (converted in `values`). */
const SCALED = new Set([
  'input',
  'min',
  'max',
  'crit',
  'lcrit',
  'emergency',
  'max_hyst',
  'min_hyst',
  'crit_hyst',
  'lcrit_hyst',
  'emergency_hyst',
  'average',
  'lowest',
  'highest',
  'input_lowest',
  'input_highest',
  'average_lowest',
  'average_highest',
  'average_min',
  'average_max',
  'offset',
  'cap',
  'cap_min',
  'cap_max',
  'cap_hyst',
  'rated_min',
  'rated_max',
  'target',
  'value',
]);

/** Sensor attribute suffixes whose value is text, not a number (besides `label`). */
const TEXT_SUFFIXES = new Set(['model_number', 'oem_info', 'serial_number']);

const SENSOR_RE = /^(temp|in|curr|power|energy|humidity|fan|freq|pwm|intrusion)(\d+)(?:_(.+))?$/;

/** True for file names of the hwmon sensor interface (`temp1_input`, `pwm1`, `in0_label` …) and `name`. */
export function isHwmonAttribute(file: string): boolean {
  return file === 'name' || SENSOR_RE.test(file);
}

/** One sensor of a chip (all files `<type><index>_*`). */
export interface HwmonSensor {
  /** `<type><index>`, e.g. `temp1`, `in0`, `fan2`. */
  id: string;
  /** Sensor kind. */
  type: HwmonSensorType;
  /** Index from the file name (`in` starts at 0, the others at 1). */
  index: number;
  /** `<id>_label`: what the sensor measures (`Package id 0`, `Vcore`, `CPU Fan`). */
  label?: string;
  /** Unit of {@link HwmonSensor.values} (see {@link HWMON_UNITS}). */
  unit: string;
  /** `<id>_input` converted to {@link HwmonSensor.unit}: the current reading (for `pwm*`: the duty cycle). */
  input?: number;
  /**
   * Every numeric attribute as the kernel gives it, keyed by suffix
   * (`input`, `max`, `crit`, `alarm` …). A bare `pwm<N>` file is under `value`.
   */
  raw: Record<string, number>;
  /** Measurement attributes converted to {@link HwmonSensor.unit}, keyed by suffix. */
  values: Record<string, number>;
  /** Textual attributes other than the label (ACPI power meter `power1_model_number`, `_oem_info`, `_serial_number`). */
  text?: Record<string, string>;
  /** This sensor's attributes that could not be read or parsed, keyed by file name. */
  errors: AttributeErrors;
}

/** One hwmon chip, from `/sys/class/hwmon/hwmon<N>/`. */
export interface HwmonChip {
  /** Directory name, e.g. `hwmon0` (numbering is not stable across boots; use `name` and `device`). */
  hwmon: string;
  /** `name`: the chip driver's name (`coretemp`, `k10temp`, `nvme`, `acpitz`, `nct6775`). */
  name?: string;
  /** Last path component of the `device` link (e.g. `coretemp.0`, `0000:00:18.3`, `nvme0`), when there is one. */
  device?: string;
  /** Sensors sorted by type then index. */
  sensors: HwmonSensor[];
  /** Chip-level attributes other than `name` (e.g. `update_interval` in ms, `label`), trimmed text. */
  attributes: Record<string, string>;
  /** Every attribute of the chip that could not be read or parsed (sensors' included), keyed by file name. */
  errors: AttributeErrors;
}

const TYPE_ORDER: HwmonSensorType[] = [
  'temp',
  'in',
  'curr',
  'power',
  'energy',
  'humidity',
  'fan',
  'freq',
  'pwm',
  'intrusion',
];

/** Build an {@link HwmonChip} from the files of its directory (pure; never throws). */
export function buildHwmonChip(hwmon: string, attrs: AttrMap, device?: string, dir = hwmon): HwmonChip {
  const r = new AttrReader(attrs, dir);
  const chip: HwmonChip = { hwmon, sensors: [], attributes: {}, errors: r.errors };
  if (device !== undefined) chip.device = device;
  const sensors = new Map<string, HwmonSensor>();
  for (const file of attrs.keys()) {
    if (file === 'uevent') continue;
    const m = SENSOR_RE.exec(file);
    if (!m) {
      const v = r.str(file);
      if (v === undefined) continue;
      if (file === 'name') chip.name = v;
      else chip.attributes[file] = v;
      continue;
    }
    const type = m[1] as HwmonSensorType;
    const index = Number(m[2]);
    const suffix = m[3] ?? 'value';
    const id = `${type}${index}`;
    let s = sensors.get(id);
    if (!s) {
      s = { id, type, index, unit: HWMON_UNITS[type], raw: {}, values: {}, errors: {} };
      sensors.set(id, s);
    }
    if (suffix === 'label') {
      const v = r.str(file);
      if (v !== undefined) s.label = v;
    } else if (TEXT_SUFFIXES.has(suffix)) {
      const v = r.str(file);
      if (v !== undefined) s.text = { ...s.text, [suffix]: v };
    } else {
      const v = r.int(file);
      if (v !== undefined) {
        s.raw[suffix] = v;
        if (SCALED.has(suffix)) s.values[suffix] = v / DIVISOR[type];
      }
    }
    const e = r.errors[file];
    if (e) s.errors[file] = e;
  }
  for (const s of sensors.values()) {
    const cur = s.values.input ?? (s.type === 'pwm' ? s.values.value : undefined);
    if (cur !== undefined) s.input = cur;
  }
  chip.sensors = [...sensors.values()].sort(
    (a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || a.index - b.index,
  );
  return chip;
}
