/**
 * Client side of the sock_diag live tests and fixture capture. Arguments:
 * tcp4Port tcp6Port unixPath abstractName readyFile. Each stdin line
 * "N PAYLOAD" connects N clients to each of the four listeners, each writing
 * PAYLOAD; when all are connected it touches readyFile (truncating it first).
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';

const [p4, p6, unixPath, abstractName, ready] = process.argv.slice(2) as [string, string, string, string, string];
const held: net.Socket[] = [];
const targets: net.NetConnectOpts[] = [
  { host: '127.0.0.1', port: Number(p4) },
  { host: '::1', port: Number(p6) },
  { path: unixPath },
  { path: `\0${abstractName}` },
];
let round = 0;
createInterface({ input: process.stdin }).on('line', async (line) => {
  const [n, payload] = line.split(' ');
  const all: Promise<void>[] = [];
  for (const t of targets) {
    for (let i = 0; i < Number(n); i++) {
      all.push(
        new Promise((resolve, reject) => {
          const c = net.connect(t, () => {
            c.write(payload ?? '', () => resolve());
          });
          c.on('error', reject);
          held.push(c);
        }),
      );
    }
  }
  await Promise.all(all);
  round++;
  if (round >= 2) writeFileSync(ready, 'ok');
});
process.stdin.on('end', () => process.exit(0));
