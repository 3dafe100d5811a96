/**
 * Derives deliberately broken fixtures from the captured ones
 * (`node --import tsx test/sockdiag/make-broken.ts`); codec tests expect a
 * DecodeError naming the problem for each.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../fixtures/sockdiag/', import.meta.url);
const nl = new URL('../fixtures/netlink/', import.meta.url);
const read = (u: URL, n: string) => readFileSync(new URL(n, u));
const save = (u: URL, n: string, b: Buffer) => {
  writeFileSync(new URL(n, u), b);
  console.log(n, b.length);
};

const legacy = read(dir, 'tcp-legacy-all-ext.bin');
// a dump cut in the middle of a message (a short read)
save(dir, 'broken-truncated-dump.bin', legacy.subarray(0, 700));
// first message: the INET_DIAG_INFO attribute cut to 6 bytes (tcp_info needs 8)
{
  const b = Buffer.from(legacy);
  const msgLen = b.readUInt32LE(0);
  let off = 16 + 72;
  while (off < msgLen) {
    const len = b.readUInt16LE(off);
    const type = b.readUInt16LE(off + 2) & 0x3fff;
    if (type === 2) {
      b.writeUInt16LE(4 + 6, off);
      break;
    }
    off += (len + 3) & ~3;
  }
  save(dir, 'broken-short-tcpinfo.bin', b.subarray(0, msgLen));
}
// first message: an attribute whose length runs past the message
{
  const b = Buffer.from(legacy.subarray(0, legacy.readUInt32LE(0)));
  b.writeUInt16LE(0xfff0, 16 + 72);
  save(dir, 'broken-attr-overrun.bin', b);
}
// inet_diag_msg with family 7
{
  const b = Buffer.from(legacy.subarray(0, legacy.readUInt32LE(0)));
  b[16] = 7;
  save(dir, 'broken-inet-family.bin', b);
}
// unix_diag_msg with socket type 9
{
  const u = read(dir, 'unix-all.bin');
  const b = Buffer.from(u.subarray(0, u.readUInt32LE(0)));
  b[17] = 9;
  save(dir, 'broken-unix-type.bin', b);
}
// netlink: nlmsg_len smaller than the header; an NLMSG_ERROR whose echoed request overruns the payload
{
  const g = read(nl, 'genl-family-nlctrl.bin');
  const b = Buffer.from(g);
  b.writeUInt32LE(12, 0);
  save(nl, 'broken-short-nlmsg-len.bin', b);
  const e = Buffer.from(read(nl, 'genl-error-extack.bin'));
  e.writeUInt32LE(0x7fff, 20); // echoed nlmsg_len
  e.writeUInt16LE(e.readUInt16LE(6) & ~0x100, 6); // not capped: TLVs would start after 0x7fff bytes
  save(nl, 'broken-error-echo-overrun.bin', e);
}
