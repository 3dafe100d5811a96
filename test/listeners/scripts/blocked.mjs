// Test helper: a listener whose process stops accepting. Listens on a TCP
// HOST:PORT or a UNIX PATH with BACKLOG, accepts ACCEPT connections, then blocks
// its event loop forever (Atomics.wait), so later connections stay queued in
// the kernel's accept queue. Prints "ready" (and "accepted N" as it accepts).
//   node blocked.mjs tcp HOST PORT BACKLOG ACCEPT
//   node blocked.mjs unix PATH BACKLOG ACCEPT
import net from 'node:net';

const block = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
const [kind, ...rest] = process.argv.slice(2);
const opts =
  kind === 'tcp'
    ? { host: rest[0], port: Number(rest[1]), backlog: Number(rest[2]) }
    : { path: rest[0], backlog: Number(rest[1]) };
const acceptN = Number(kind === 'tcp' ? rest[3] : rest[2]);
const held = [];
const server = net.createServer((s) => {
  held.push(s);
  process.stdout.write(`accepted ${held.length}\n`);
  if (held.length >= acceptN) block();
});
server.listen(opts, () => {
  process.stdout.write('ready\n');
  if (acceptN === 0) block();
});
