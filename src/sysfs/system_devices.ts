/**
 * `/sys/devices/system/…` beyond CPUs' topology and cpufreq: clock sources
 * (`clocksource/clocksourceN/{available,current}_clocksource`, kernel/time/clocksource.c) and CPU
 * vulnerabilities (`cpu/vulnerabilities/<name>`, drivers/base/cpu.c `cpu_show_*`).
 *
 * Go procfs (sysfs): `FS.ClockSources()`, `FS.CPUVulnerabilities()`.
 * @module
 */
import { ParseError } from '../errors.js';

/** One clock-source device (Go procfs: `ClockSource`). */
export interface ClockSource {
  /** The N of `clocksourceN` as a string, as Go procfs names it. */
  name: string;
  /** `available_clocksource`: clock sources the kernel can switch to (`tsc hpet acpi_pm`). */
  available: string[];
  /** `current_clocksource`: the one timekeeping uses now (`tsc`, `kvm-clock`, `arch_sys_counter` …). */
  current: string;
}

/** Build a {@link ClockSource} from the texts of its two files. @throws ParseError on an empty current_clocksource. */
export function parseClockSource(name: string, available: string, current: string, dir = 'clocksource'): ClockSource {
  const cur = current.trim();
  if (cur === '' || /\s/.test(cur)) {
    throw new ParseError(`${dir}/current_clocksource`, 'expected one clock source name', { text: current });
  }
  const av = available.trim();
  return { name, available: av === '' ? [] : av.split(/\s+/), current: cur };
}

/** What the kernel says about one CPU vulnerability (Go procfs: `VulnerabilityState`). */
export type VulnerabilityState = 'not affected' | 'vulnerable' | 'mitigation' | 'unknown';

/** One file of `/sys/devices/system/cpu/vulnerabilities/` (Go procfs: `Vulnerability`). */
export interface Vulnerability {
  /** The file name: `spectre_v2`, `meltdown`, `retbleed`, `gather_data_sampling` … */
  codeName: string;
  /**
   * `not affected` (`Not affected`), `vulnerable` (`Vulnerable…`, `Processor vulnerable`),
   * `mitigation` (`Mitigation: …`, also after a `KVM: ` prefix), `unknown` (`Unknown: …` or text
   * this parser does not know).
   */
  state: VulnerabilityState;
  /** The text after `Mitigation: ` or `Vulnerable: ` (`Retpolines; IBPB: conditional …`); '' when none. */
  mitigation: string;
  /** The line as the kernel wrote it. */
  raw: string;
}

/** Classify the text of one vulnerabilities file. Never throws: unknown wording is `unknown`. */
export function parseVulnerability(codeName: string, text: string): Vulnerability {
  const raw = text.trim();
  const s = raw.replace(/^KVM: /, '');
  let state: VulnerabilityState = 'unknown';
  let mitigation = '';
  if (/^Not affected\b/i.test(s)) state = 'not affected';
  else if (/^Mitigation\b/.test(s)) {
    state = 'mitigation';
    mitigation = s.replace(/^Mitigation:?\s*/, '');
  } else if (/^(Vulnerable|Processor vulnerable)\b/.test(s)) {
    state = 'vulnerable';
    mitigation = s.replace(/^(Vulnerable|Processor vulnerable):?\s*/, '');
  }
  return { codeName, state, mitigation, raw };
}
