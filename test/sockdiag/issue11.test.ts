/**
 * Regression tests for issue 11's sock_diag items: TCP_BOUND_INACTIVE (13)
 * named and selectable, and which extension brings INET_DIAG_CLASS_ID.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { inetSockets, stateMask, TcpState, tcpStateName } from '../../src/sockdiag/index.ts';
import * as sys from '../../src/sys/index.ts';

test('TCP state 13 is TCP_BOUND_INACTIVE: named, and stateMask(13) selects it', () => {
  assert.equal(TcpState.BOUND_INACTIVE, 13);
  assert.equal(tcpStateName(13), 'BOUND_INACTIVE');
  assert.equal(stateMask(13), 1 << 13);
  assert.equal(stateMask('BOUND_INACTIVE'), 1 << 13);
  assert.throws(() => stateMask(14), /expected 1-13/);
});

test('live: state 13 in the request mask dumps a bound, never listening TCP socket (reported as CLOSE, as the kernel holds it)', async () => {
  const fd = sys.socket(sys.AF_INET, sys.SOCK_STREAM, 0);
  try {
    const addr = Buffer.alloc(16);
    addr.writeUInt16LE(sys.AF_INET, 0);
    addr.writeUInt32BE(0x7f000001, 4); // 127.0.0.1, port 0: the kernel picks one
    sys.bind(fd, addr);
    const got = Buffer.alloc(16);
    sys.getsockname(fd, got);
    const port = got.readUInt16BE(2);
    const found = await inetSockets({ family: 'inet', states: [TcpState.BOUND_INACTIVE], filter: { localPort: port } });
    assert.equal(found.length, 1, `one bound-only socket on port ${port}`);
    assert.equal(found[0]!.state, TcpState.CLOSE);
    assert.equal(found[0]!.localAddress, '127.0.0.1');
    const closeOnly = await inetSockets({ family: 'inet', states: [TcpState.CLOSE], filter: { localPort: port } });
    assert.equal(closeOnly.length, 0, 'without bit 13 the bound-only socket is not walked');
    const viaAll = await inetSockets({ family: 'inet', filter: { localPort: port } });
    assert.equal(viaAll.length, 1, "an 'all' mask includes bit 13");
  } finally {
    sys.close(fd);
  }
});

test('live: INET_DIAG_CLASS_ID comes with the tclass extension only (tos brings just the TOS byte)', async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const q = { family: 'inet' as const, states: [TcpState.LISTEN], filter: { localPort: port } };
    const [withTos] = await inetSockets({ ...q, extensions: ['tos'] });
    assert.equal(withTos!.tos, 0);
    assert.equal(withTos!.classId, undefined, 'no CLASS_ID with tos');
    const [withTclass] = await inetSockets({ ...q, extensions: ['tclass'] });
    assert.equal(withTclass!.tclass, undefined, 'TCLASS is for IPv6 sockets');
    assert.equal(typeof withTclass!.classId, 'number', 'CLASS_ID with tclass, for an IPv4 socket too');
    assert.equal(withTclass!.tos, undefined);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
