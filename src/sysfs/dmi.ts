/**
 * `/sys/class/dmi/id/*`: the firmware's SMBIOS/DMI identification strings
 * (drivers/firmware/dmi-id.c). The serial numbers and the product UUID are
 * readable by root only (mode 0400): for other users they appear in
 * {@link DMIClass.errors} as a `PermissionError`, the rest is still returned.
 * @module
 */
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/** DMI identification of the machine. Every field is optional (firmware leaves many empty or absent). */
export interface DMIClass {
  /** `bios_date`: BIOS release date as the firmware writes it (usually MM/DD/YYYY). */
  biosDate?: string;
  /** `bios_release`: BIOS major.minor release. */
  biosRelease?: string;
  /** `bios_vendor`: BIOS vendor. */
  biosVendor?: string;
  /** `bios_version`: BIOS version. */
  biosVersion?: string;
  /** `board_asset_tag`: baseboard asset tag. */
  boardAssetTag?: string;
  /** `board_name`: baseboard product name. */
  boardName?: string;
  /** `board_serial`: baseboard serial number (root only). */
  boardSerial?: string;
  /** `board_vendor`: baseboard manufacturer. */
  boardVendor?: string;
  /** `board_version`: baseboard version. */
  boardVersion?: string;
  /** `chassis_asset_tag`: chassis asset tag. */
  chassisAssetTag?: string;
  /** `chassis_serial`: chassis serial number (root only). */
  chassisSerial?: string;
  /** `chassis_type`: SMBIOS chassis type code as text (`3` desktop, `10` notebook, `17` main server chassis, `1` other …). */
  chassisType?: string;
  /** `chassis_vendor`: chassis manufacturer. */
  chassisVendor?: string;
  /** `chassis_version`: chassis version. */
  chassisVersion?: string;
  /** `ec_firmware_release`: embedded controller firmware major.minor release. */
  ecFirmwareRelease?: string;
  /** `product_family`: product family. */
  productFamily?: string;
  /** `product_name`: product name (e.g. `KVM`, `ThinkPad X1 Carbon Gen 9`). */
  productName?: string;
  /** `product_serial`: product serial number (root only). */
  productSerial?: string;
  /** `product_sku`: product SKU. */
  productSKU?: string;
  /** `product_uuid`: SMBIOS system UUID (root only). */
  productUUID?: string;
  /** `product_version`: product version. */
  productVersion?: string;
  /** `sys_vendor`: system manufacturer. */
  systemVendor?: string;
  /** Every other attribute file (not `modalias`, `uevent`), trimmed text keyed by file name. */
  raw: Record<string, string>;
  /** Attributes that exist but could not be read, keyed by file name (`product_serial` → PermissionError for non-root). */
  errors: AttributeErrors;
}

const DMI_ATTRS: [string, keyof DMIClass][] = [
  ['bios_date', 'biosDate'],
  ['bios_release', 'biosRelease'],
  ['bios_vendor', 'biosVendor'],
  ['bios_version', 'biosVersion'],
  ['board_asset_tag', 'boardAssetTag'],
  ['board_name', 'boardName'],
  ['board_serial', 'boardSerial'],
  ['board_vendor', 'boardVendor'],
  ['board_version', 'boardVersion'],
  ['chassis_asset_tag', 'chassisAssetTag'],
  ['chassis_serial', 'chassisSerial'],
  ['chassis_type', 'chassisType'],
  ['chassis_vendor', 'chassisVendor'],
  ['chassis_version', 'chassisVersion'],
  ['ec_firmware_release', 'ecFirmwareRelease'],
  ['product_family', 'productFamily'],
  ['product_name', 'productName'],
  ['product_serial', 'productSerial'],
  ['product_sku', 'productSKU'],
  ['product_uuid', 'productUUID'],
  ['product_version', 'productVersion'],
  ['sys_vendor', 'systemVendor'],
];
const DMI_KNOWN = new Map(DMI_ATTRS);

/** True for the DMI attribute names that have a typed field in {@link DMIClass}. */
export function isDMIAttribute(file: string): boolean {
  return DMI_KNOWN.has(file);
}

/** Build a {@link DMIClass} from the files of `class/dmi/id/` (pure; never throws). */
export function buildDMIClass(attrs: AttrMap, dir = 'class/dmi/id'): DMIClass {
  const r = new AttrReader(attrs, dir);
  const out: DMIClass = { raw: {}, errors: r.errors };
  const o = out as unknown as Record<string, unknown>;
  for (const file of attrs.keys()) {
    if (file === 'modalias' || file === 'uevent') continue;
    const v = r.str(file);
    if (v === undefined) continue;
    const field = DMI_KNOWN.get(file);
    if (field === undefined) out.raw[file] = v;
    else o[field] = v;
  }
  return out;
}
