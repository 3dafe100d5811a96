/**
 * `/sys/class/power_supply/<name>/*`: batteries, mains adapters, USB and UPS
 * supplies (Documentation/ABI/testing/sysfs-class-power). Units are the
 * kernel's: µV, µA, µW, µAh, µWh, tenths of °C, seconds, percent.
 * @module
 */
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/**
 * One power supply. Every attribute Go procfs knows is typed (numbers for
 * numeric attributes, text for the rest); any other attribute file is kept as
 * text in {@link PowerSupply.raw}. All fields are optional: a supply only has
 * the files its driver provides.
 */
export interface PowerSupply {
  /** The supply's name (directory name, e.g. `BAT0`, `AC`, `ucsi-source-psy-USBC000:001`). */
  name: string;
  /** `authentic`: 1 when the battery is authentic (vendor check). */
  authentic?: number;
  /** `calibrate`: 1 while the fuel gauge is calibrating. */
  calibrate?: number;
  /** `capacity`: state of charge, percent (0-100). */
  capacity?: number;
  /** `capacity_alert_max`: upper capacity alert threshold, percent. */
  capacityAlertMax?: number;
  /** `capacity_alert_min`: lower capacity alert threshold, percent. */
  capacityAlertMin?: number;
  /** `capacity_level`: coarse level: `Unknown`, `Critical`, `Low`, `Normal`, `High`, `Full`. */
  capacityLevel?: string;
  /** `charge_avg`: average charge, µAh. */
  chargeAvg?: number;
  /** `charge_control_limit`: charge control limit, driver-defined units. */
  chargeControlLimit?: number;
  /** `charge_control_limit_max`: maximum charge control limit. */
  chargeControlLimitMax?: number;
  /** `charge_counter`: coulomb counter, µAh. */
  chargeCounter?: number;
  /** `charge_empty`: charge when empty, µAh. */
  chargeEmpty?: number;
  /** `charge_empty_design`: design charge when empty, µAh. */
  chargeEmptyDesign?: number;
  /** `charge_full`: charge when full (last full charge), µAh. */
  chargeFull?: number;
  /** `charge_full_design`: design full charge, µAh. */
  chargeFullDesign?: number;
  /** `charge_now`: current charge, µAh. */
  chargeNow?: number;
  /** `charge_term_current`: charge termination current, µA. */
  chargeTermCurrent?: number;
  /** `charge_type`: `Trickle`, `Fast`, `Standard`, `Adaptive`, `Custom`, `Long Life`, `N/A` …. */
  chargeType?: string;
  /** `constant_charge_current`: constant charge current programmed, µA. */
  constantChargeCurrent?: number;
  /** `constant_charge_current_max`: maximum constant charge current, µA. */
  constantChargeCurrentMax?: number;
  /** `constant_charge_voltage`: constant charge voltage programmed, µV. */
  constantChargeVoltage?: number;
  /** `constant_charge_voltage_max`: maximum constant charge voltage, µV. */
  constantChargeVoltageMax?: number;
  /** `current_avg`: average current, µA (negative while discharging on some drivers). */
  currentAvg?: number;
  /** `current_boot`: current measured at boot, µA. */
  currentBoot?: number;
  /** `current_max`: maximum current the supply can deliver, µA. */
  currentMax?: number;
  /** `current_now`: instantaneous current, µA. */
  currentNow?: number;
  /** `cycle_count`: charge cycles. */
  cycleCount?: number;
  /** `energy_avg`: average energy, µWh. */
  energyAvg?: number;
  /** `energy_empty`: energy when empty, µWh. */
  energyEmpty?: number;
  /** `energy_empty_design`: design energy when empty, µWh. */
  energyEmptyDesign?: number;
  /** `energy_full`: energy when full (last full charge), µWh. */
  energyFull?: number;
  /** `energy_full_design`: design full energy, µWh. */
  energyFullDesign?: number;
  /** `energy_now`: current energy, µWh. */
  energyNow?: number;
  /** `health`: `Good`, `Overheat`, `Dead`, `Over voltage`, `Cold`, `Unknown` …. */
  health?: string;
  /** `input_current_limit`: input current limit, µA. */
  inputCurrentLimit?: number;
  /** `manufacturer`: manufacturer name. */
  manufacturer?: string;
  /** `model_name`: model name. */
  modelName?: string;
  /** `online`: for mains/USB supplies: 1 when connected (2 or 3 on some: fixed/programmable). */
  online?: number;
  /** `power_avg`: average power, µW. */
  powerAvg?: number;
  /** `power_now`: instantaneous power, µW. */
  powerNow?: number;
  /** `precharge_current`: pre-charge current, µA. */
  prechargeCurrent?: number;
  /** `present`: 1 when the battery is present. */
  present?: number;
  /** `scope`: `System`, `Device` or `Unknown`. */
  scope?: string;
  /** `serial_number`: serial number. */
  serialNumber?: string;
  /** `status`: `Charging`, `Discharging`, `Not charging`, `Full`, `Unknown`. */
  status?: string;
  /** `technology`: `Li-ion`, `Li-poly`, `NiMH`, `LiFe` …. */
  technology?: string;
  /** `temp`: temperature, tenths of a degree Celsius. */
  temp?: number;
  /** `temp_alert_max`: upper temperature alert, tenths of °C. */
  tempAlertMax?: number;
  /** `temp_alert_min`: lower temperature alert, tenths of °C. */
  tempAlertMin?: number;
  /** `temp_ambient`: ambient temperature, tenths of °C. */
  tempAmbient?: number;
  /** `temp_ambient_max`: upper ambient alert, tenths of °C. */
  tempAmbientMax?: number;
  /** `temp_ambient_min`: lower ambient alert, tenths of °C. */
  tempAmbientMin?: number;
  /** `temp_max`: maximum allowed temperature, tenths of °C. */
  tempMax?: number;
  /** `temp_min`: minimum allowed temperature, tenths of °C. */
  tempMin?: number;
  /** `time_to_empty_avg`: average estimated time to empty, seconds. */
  timeToEmptyAvg?: number;
  /** `time_to_empty_now`: estimated time to empty, seconds. */
  timeToEmptyNow?: number;
  /** `time_to_full_avg`: average estimated time to full, seconds. */
  timeToFullAvg?: number;
  /** `time_to_full_now`: estimated time to full, seconds. */
  timeToFullNow?: number;
  /** `type`: `Battery`, `Mains`, `USB`, `UPS`, `Wireless`. */
  type?: string;
  /** `usb_type`: USB types offered, the active one bracketed (e.g. `Unknown SDP [DCP] CDP`). */
  usbType?: string;
  /** `voltage_avg`: average voltage, µV. */
  voltageAvg?: number;
  /** `voltage_boot`: voltage measured at boot, µV. */
  voltageBoot?: number;
  /** `voltage_max`: maximum voltage, µV. */
  voltageMax?: number;
  /** `voltage_max_design`: design maximum voltage, µV. */
  voltageMaxDesign?: number;
  /** `voltage_min`: minimum voltage, µV. */
  voltageMin?: number;
  /** `voltage_min_design`: design minimum voltage, µV. */
  voltageMinDesign?: number;
  /** `voltage_now`: instantaneous voltage, µV. */
  voltageNow?: number;
  /** `voltage_ocv`: open-circuit voltage, µV. */
  voltageOCV?: number;
  /** Every other attribute file (not `uevent`), trimmed text keyed by file name. */
  raw: Record<string, string>;
  /** Attributes that exist but could not be read or parsed, keyed by file name. */
  errors: AttributeErrors;
}

/** All supplies of `/sys/class/power_supply`, keyed by name. */
export type PowerSupplyClass = Map<string, PowerSupply>;

const PS_ATTRS: [string, keyof PowerSupply, 'int' | 'str'][] = [
  ['authentic', 'authentic', 'int'],
  ['calibrate', 'calibrate', 'int'],
  ['capacity', 'capacity', 'int'],
  ['capacity_alert_max', 'capacityAlertMax', 'int'],
  ['capacity_alert_min', 'capacityAlertMin', 'int'],
  ['capacity_level', 'capacityLevel', 'str'],
  ['charge_avg', 'chargeAvg', 'int'],
  ['charge_control_limit', 'chargeControlLimit', 'int'],
  ['charge_control_limit_max', 'chargeControlLimitMax', 'int'],
  ['charge_counter', 'chargeCounter', 'int'],
  ['charge_empty', 'chargeEmpty', 'int'],
  ['charge_empty_design', 'chargeEmptyDesign', 'int'],
  ['charge_full', 'chargeFull', 'int'],
  ['charge_full_design', 'chargeFullDesign', 'int'],
  ['charge_now', 'chargeNow', 'int'],
  ['charge_term_current', 'chargeTermCurrent', 'int'],
  ['charge_type', 'chargeType', 'str'],
  ['constant_charge_current', 'constantChargeCurrent', 'int'],
  ['constant_charge_current_max', 'constantChargeCurrentMax', 'int'],
  ['constant_charge_voltage', 'constantChargeVoltage', 'int'],
  ['constant_charge_voltage_max', 'constantChargeVoltageMax', 'int'],
  ['current_avg', 'currentAvg', 'int'],
  ['current_boot', 'currentBoot', 'int'],
  ['current_max', 'currentMax', 'int'],
  ['current_now', 'currentNow', 'int'],
  ['cycle_count', 'cycleCount', 'int'],
  ['energy_avg', 'energyAvg', 'int'],
  ['energy_empty', 'energyEmpty', 'int'],
  ['energy_empty_design', 'energyEmptyDesign', 'int'],
  ['energy_full', 'energyFull', 'int'],
  ['energy_full_design', 'energyFullDesign', 'int'],
  ['energy_now', 'energyNow', 'int'],
  ['health', 'health', 'str'],
  ['input_current_limit', 'inputCurrentLimit', 'int'],
  ['manufacturer', 'manufacturer', 'str'],
  ['model_name', 'modelName', 'str'],
  ['online', 'online', 'int'],
  ['power_avg', 'powerAvg', 'int'],
  ['power_now', 'powerNow', 'int'],
  ['precharge_current', 'prechargeCurrent', 'int'],
  ['present', 'present', 'int'],
  ['scope', 'scope', 'str'],
  ['serial_number', 'serialNumber', 'str'],
  ['status', 'status', 'str'],
  ['technology', 'technology', 'str'],
  ['temp', 'temp', 'int'],
  ['temp_alert_max', 'tempAlertMax', 'int'],
  ['temp_alert_min', 'tempAlertMin', 'int'],
  ['temp_ambient', 'tempAmbient', 'int'],
  ['temp_ambient_max', 'tempAmbientMax', 'int'],
  ['temp_ambient_min', 'tempAmbientMin', 'int'],
  ['temp_max', 'tempMax', 'int'],
  ['temp_min', 'tempMin', 'int'],
  ['time_to_empty_avg', 'timeToEmptyAvg', 'int'],
  ['time_to_empty_now', 'timeToEmptyNow', 'int'],
  ['time_to_full_avg', 'timeToFullAvg', 'int'],
  ['time_to_full_now', 'timeToFullNow', 'int'],
  ['type', 'type', 'str'],
  ['usb_type', 'usbType', 'str'],
  ['voltage_avg', 'voltageAvg', 'int'],
  ['voltage_boot', 'voltageBoot', 'int'],
  ['voltage_max', 'voltageMax', 'int'],
  ['voltage_max_design', 'voltageMaxDesign', 'int'],
  ['voltage_min', 'voltageMin', 'int'],
  ['voltage_min_design', 'voltageMinDesign', 'int'],
  ['voltage_now', 'voltageNow', 'int'],
  ['voltage_ocv', 'voltageOCV', 'int'],
];
const PS_KNOWN = new Map(PS_ATTRS.map(([f, c, k]) => [f, [c, k] as const]));

/** True for the power_supply attribute names that have a typed field in {@link PowerSupply}. */
export function isPowerSupplyAttribute(file: string): boolean {
  return PS_KNOWN.has(file);
}

/** Build a {@link PowerSupply} from the files of its directory (pure; never throws). */
export function buildPowerSupply(name: string, attrs: AttrMap, dir = name): PowerSupply {
  const r = new AttrReader(attrs, dir);
  const ps: PowerSupply = { name, raw: {}, errors: r.errors };
  const o = ps as unknown as Record<string, unknown>;
  for (const file of attrs.keys()) {
    if (file === 'uevent') continue;
    const known = PS_KNOWN.get(file);
    const v = known === undefined || known[1] === 'str' ? r.str(file) : r.int(file);
    if (v === undefined) continue;
    if (known === undefined) ps.raw[file] = v as string;
    else o[known[0]] = v;
  }
  return ps;
}
