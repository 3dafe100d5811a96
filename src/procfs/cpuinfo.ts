/**
 * `/proc/cpuinfo`: one block per logical CPU. The keys differ by architecture; the typed fields cover
 * x86 (and the arm64 names `BogoMIPS`/`Features`), and every key is also kept raw in `fields`.
 *
 * Go procfs: `FS.CPUInfo() []CPUInfo`.
 * @module
 */
import { fail, float, kvBlocks, record, uint, type Where } from './system_util.js';

/** One logical CPU (Go procfs: `CPUInfo`). Typed fields are absent when the architecture does not print them. */
export interface CPUInfo {
  /** Logical CPU number (`processor`). */
  processor: number;
  /** `vendor_id`. */
  vendorID?: string;
  /** `cpu family`. */
  cpuFamily?: string;
  /** `model`. */
  model?: string;
  /** `model name`. */
  modelName?: string;
  /** `stepping`. */
  stepping?: string;
  /** `microcode`. */
  microcode?: string;
  /** Current clock, MHz (`cpu MHz`). */
  cpuMHz?: number;
  /** `cache size` as printed (e.g. `1024 KB`). */
  cacheSize?: string;
  /** `physical id` (socket). */
  physicalID?: string;
  /** Logical CPUs in this package (`siblings`). */
  siblings?: number;
  /** `core id`. */
  coreID?: string;
  /** Cores in this package (`cpu cores`). */
  cpuCores?: number;
  /** `apicid`. */
  apicID?: string;
  /** `initial apicid`. */
  initialAPICID?: string;
  /** `fpu`. */
  fpu?: string;
  /** `fpu_exception`. */
  fpuException?: string;
  /** `cpuid level`. */
  cpuIDLevel?: number;
  /** `wp`. */
  wp?: string;
  /** Feature flags (`flags` on x86, `Features` on arm64). */
  flags?: string[];
  /** Hardware bugs the kernel works around (`bugs`). */
  bugs?: string[];
  /** `bogomips` (x86) / `BogoMIPS` (arm64). */
  bogoMips?: number;
  /** `clflush size`, bytes. */
  clFlushSize?: number;
  /** `cache_alignment`, bytes. */
  cacheAlignment?: number;
  /** `address sizes` as printed. */
  addressSizes?: string;
  /** `power management` as printed. */
  powerManagement?: string;
  /** Every `key: value` of the block, raw, by the kernel's key. */
  fields: Record<string, string>;
}

type StrKey = 'vendorID' | 'cpuFamily' | 'model' | 'modelName' | 'stepping' | 'microcode' | 'cacheSize';
type StrKey2 = 'physicalID' | 'coreID' | 'apicID' | 'initialAPICID' | 'fpu' | 'fpuException' | 'wp';
const STR: Record<string, StrKey | StrKey2 | 'addressSizes' | 'powerManagement'> = {
  vendor_id: 'vendorID',
  'cpu family': 'cpuFamily',
  model: 'model',
  'model name': 'modelName',
  stepping: 'stepping',
  microcode: 'microcode',
  'cache size': 'cacheSize',
  'physical id': 'physicalID',
  'core id': 'coreID',
  apicid: 'apicID',
  'initial apicid': 'initialAPICID',
  fpu: 'fpu',
  fpu_exception: 'fpuException',
  wp: 'wp',
  'address sizes': 'addressSizes',
  'power management': 'powerManagement',
};
const UINT: Record<string, 'siblings' | 'cpuCores' | 'cpuIDLevel' | 'clFlushSize' | 'cacheAlignment'> = {
  siblings: 'siblings',
  'cpu cores': 'cpuCores',
  'cpuid level': 'cpuIDLevel',
  'clflush size': 'clFlushSize',
  cache_alignment: 'cacheAlignment',
};

/**
 * Parse the text of `/proc/cpuinfo`. Blocks without a `processor` key (trailing `Hardware` block of
 * some 32-bit ARM kernels) are skipped.
 * @throws ParseError on a line without `:` or a malformed number.
 */
export function parseCPUInfo(text: string, file = '/proc/cpuinfo'): CPUInfo[] {
  const out: CPUInfo[] = [];
  for (const b of kvBlocks(text, file)) {
    if (!b.entries.some((e) => e.key === 'processor')) continue;
    const c: Record<string, unknown> & { fields: Record<string, string> } = { fields: record() };
    for (const { key, value, line, text } of b.entries) {
      const w: Where = { file, line, text };
      c.fields[key] = value;
      if (key === 'processor') c.processor = uint(value, w, key);
      else if (key === 'cpu MHz') c.cpuMHz = float(value, w, key);
      else if (key === 'bogomips' || key === 'BogoMIPS') c.bogoMips = float(value, w, key);
      else if (key === 'flags' || key === 'Features') c.flags = value.split(/\s+/).filter((x) => x !== '');
      else if (key === 'bugs') c.bugs = value.split(/\s+/).filter((x) => x !== '');
      else if (Object.hasOwn(STR, key)) c[STR[key]!] = value;
      else if (Object.hasOwn(UINT, key)) c[UINT[key]!] = uint(value, w, key);
    }
    if (typeof c.processor !== 'number') fail({ file, line: b.line }, 'block without a processor number');
    out.push(c as unknown as CPUInfo);
  }
  return out;
}
