// Bench helper: listen on HOST PORT with BACKLOG, accept and hold every connection
// (paused: nothing is read). Prints "ready" once listening, then "accepted N" on stdin "?".
import net from 'node:net';

const [host, port, backlog] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 4096)];
const held = [];
const server = net.createServer({ pauseOnConnect: true }, (s) => {
  s.on('error', () => {});
  held.push(s);
});
server.listen({ host, port, backlog }, () => process.stdout.write('ready\n'));
process.stdin.on('data', () => process.stdout.write(`accepted ${held.length}\n`));
process.stdin.on('end', () => process.exit(0));
