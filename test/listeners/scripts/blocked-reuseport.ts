// Test helper: COUNT listening sockets on HOST:PORT sharing the port with
// SO_REUSEPORT (Node 20 has no `reusePort` listen option, so the sockets are
// made with the sys layer and handed to net.Server as descriptors), each with
// BACKLOG; then the event loop blocks so nothing is ever accepted.
// Prints "ready" when all listen.
import net from 'node:net';
import { reusePortSocket } from './lib.ts';

const [host, port, backlog, count] = [
  process.argv[2]!,
  Number(process.argv[3]),
  Number(process.argv[4]),
  Number(process.argv[5]),
];
let listening = 0;
for (let i = 0; i < count; i++) {
  const s = net.createServer(() => {});
  s.listen({ fd: reusePortSocket(host, port) }, backlog, () => {
    if (++listening === count) {
      process.stdout.write('ready\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
  });
}
