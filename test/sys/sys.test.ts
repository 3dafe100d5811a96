import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as sys from '../../src/sys/index.ts';

test('sys: a netlink socket binds and reports its port id', () => {
  const fd = sys.socket(sys.AF_NETLINK, sys.SOCK_RAW, 4);
  try {
    sys.bind(fd, sys.sockaddrNl());
    const a = Buffer.alloc(12);
    assert.equal(sys.getsockname(fd, a), 12);
    assert.equal(a.readUInt16LE(0), sys.AF_NETLINK);
    assert.ok(a.readUInt32LE(4) > 0);
    assert.equal(sys.recv(fd, Buffer.alloc(64), 64, sys.MSG_DONTWAIT), -1);
  } finally {
    sys.close(fd);
  }
});

test('sys: errno becomes a typed SysCallError', () => {
  assert.throws(() => sys.close(1_000_000), { name: 'SysCallError', errnoName: 'EBADF', call: 'close' });
  assert.throws(() => sys.socket(99, sys.SOCK_STREAM, 0), { name: 'SysCallError', errnoName: 'EAFNOSUPPORT' });
});

test('sys: errno names are the kernel spellings where Linux has aliases', () => {
  assert.equal(sys.errnoName(sys.errno.EOPNOTSUPP), 'EOPNOTSUPP');
  assert.equal(sys.errnoName(sys.errno.EAGAIN), 'EAGAIN');
  assert.equal(sys.errnoName(sys.errno.ENOBUFS), 'ENOBUFS');
  assert.equal(sys.errnoName(4095), 'E4095');
});
