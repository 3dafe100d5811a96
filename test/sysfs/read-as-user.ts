/**
 * Helper for live.test.ts, run as an unprivileged user: reads DMI from the
 * sysfs mount point given as argv[2] and the real net class, and prints what
 * it got as JSON (fields, and the error class and code per failed attribute).
 */
import { SysFS } from '../../src/sysfs/index.ts';

const sys = new SysFS(process.argv[2]);
const dmi = sys.dmiClass();
const real = new SysFS();
const net = [...real.netClass().values()].map((i) => ({ name: i.name, mtu: i.mtu, errors: Object.keys(i.errors) }));
process.stdout.write(
  JSON.stringify({
    uid: process.getuid?.(),
    dmi: { ...dmi, errors: Object.fromEntries(Object.entries(dmi.errors).map(([k, e]) => [k, [e.name, e.code]])) },
    net,
  }),
);
