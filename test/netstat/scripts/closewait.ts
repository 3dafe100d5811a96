/**
 * Runs in a fresh network namespace: Tcp CurrEstab with both ends of a
 * loopback connection ESTABLISHED, then after the client's FIN (server in
 * CLOSE_WAIT, client in FIN_WAIT2), then after the server's FIN too; and
 * EstabResets after a reset. Each step waits for the event that proves the
 * state change happened. Prints the values as JSON.
 */
import { once } from 'node:events';
import net from 'node:net';
import { netCounters } from '../../../src/netstat/index.ts';

const est = () => Number(netCounters().Tcp!.CurrEstab);
const resets = () => Number(netCounters().Tcp!.EstabResets);
const out: Record<string, number> = { start: est() };
const accepted: net.Socket[] = [];
const srv = net.createServer({ allowHalfOpen: true }, (s) => {
  s.on('error', () => {});
  accepted.push(s);
  srv.emit('accepted', s);
});
srv.listen(0, '127.0.0.1');
await once(srv, 'listening');
const port = (srv.address() as net.AddressInfo).port;

const c = net.connect(port, '127.0.0.1');
c.on('error', () => {});
const [s1] = (await Promise.all([once(srv, 'accepted'), once(c, 'connect')]))[0] as [net.Socket];
out.established = est();
c.end(); // client FIN: server → CLOSE_WAIT, client → FIN_WAIT2
await once(s1, 'end');
out.closeWait = est();
s1.end(); // server FIN: server → LAST_ACK, client → TIME_WAIT
await once(c, 'end');
out.closed = est();

const before = resets();
const c2 = net.connect(port, '127.0.0.1');
c2.on('error', () => {});
const [s2] = (await Promise.all([once(srv, 'accepted'), once(c2, 'connect')]))[0] as [net.Socket];
c2.resetAndDestroy(); // RST: both ends go ESTABLISHED → CLOSE
await new Promise((r) => s2.on('close', r)); // not once(): it rejects on the ECONNRESET 'error'
out.estabResets = resets() - before;
srv.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
