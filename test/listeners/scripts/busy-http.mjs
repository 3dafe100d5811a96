// Test helper: a Node http server on 127.0.0.1:PORT (backlog BACKLOG) that, on its
// first request, prints "busy" and then blocks its event loop (a handler that never
// returns), so every later connection waits in the accept queue.
import http from 'node:http';

const [port, backlog] = [Number(process.argv[2]), Number(process.argv[3])];
const server = http.createServer(() => {
  process.stdout.write('busy\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
server.listen({ host: '127.0.0.1', port, backlog }, () => process.stdout.write('ready\n'));
