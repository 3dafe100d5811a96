/**
 * Captures real netlink replies from the running kernel into
 * test/fixtures/netlink/ (run as root: `node --import tsx test/netlink/capture.ts`).
 * Each fixture is the concatenation of the raw datagrams of one reply.
 */
import { writeFileSync } from 'node:fs';
import {
  CTRL_ATTR_FAMILY_NAME,
  CTRL_CMD_GETFAMILY,
  encodeGenlHeader,
  encodeNetlinkAttributes,
  encodeNetlinkMessage,
  forEachNetlinkMessage,
  GENL_ID_CTRL,
  KernelNetlinkTransport,
  NETLINK_GENERIC,
  NETLINK_SOCK_DIAG,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  nlAttrString,
  nlAttrU32,
} from '../../src/netlink/index.ts';

const dir = new URL('../fixtures/netlink/', import.meta.url);

export function captureReply(protocol: number, type: number, flags: number, payload: Buffer): Buffer {
  const t = new KernelNetlinkTransport(protocol);
  try {
    const msg = encodeNetlinkMessage({ type, flags: flags | NLM_F_REQUEST, seq: 1 }, payload);
    t.send(msg, msg.length);
    const parts: Buffer[] = [];
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = t.recv(buf, buf.length, 0);
      if (n < 0) throw new Error('timeout');
      parts.push(Buffer.from(buf.subarray(0, n)));
      let end = false;
      forEachNetlinkMessage(buf, n, (ty) => {
        if (ty === NLMSG_DONE || ty === NLMSG_ERROR) end = true;
      });
      if (end) break;
    }
    return Buffer.concat(parts);
  } finally {
    t.close();
  }
}

function genl(name: string, extra: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([
    encodeGenlHeader(CTRL_CMD_GETFAMILY, 1),
    encodeNetlinkAttributes([nlAttrString(CTRL_ATTR_FAMILY_NAME, name)]),
    extra,
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const save = (name: string, b: Buffer) => {
    writeFileSync(new URL(name, dir), b);
    console.log(name, b.length);
  };
  save('genl-family-taskstats.bin', captureReply(NETLINK_GENERIC, GENL_ID_CTRL, NLM_F_ACK, genl('TASKSTATS')));
  save('genl-family-nlctrl.bin', captureReply(NETLINK_GENERIC, GENL_ID_CTRL, NLM_F_ACK, genl('nlctrl')));
  save('genl-error-enoent.bin', captureReply(NETLINK_GENERIC, GENL_ID_CTRL, NLM_F_ACK, genl('nosuchfamily')));
  // a family name longer than GENL_NAMSIZ fails policy validation: an error with extended-ACK text
  save('genl-error-extack.bin', captureReply(NETLINK_GENERIC, GENL_ID_CTRL, NLM_F_ACK, genl('x'.repeat(40))));
  save(
    'genl-dump-families.bin',
    captureReply(NETLINK_GENERIC, GENL_ID_CTRL, NLM_F_DUMP, encodeGenlHeader(CTRL_CMD_GETFAMILY, 1)),
  );
  // sock_diag: bad protocol → NLMSG_ERROR; a LISTEN dump of inet tcp
  const bad = Buffer.alloc(56);
  bad[0] = 2;
  bad[1] = 200;
  save('sockdiag-error-enoent.bin', captureReply(NETLINK_SOCK_DIAG, 20, NLM_F_DUMP, bad));
  const listen = Buffer.alloc(56);
  listen[0] = 2;
  listen[1] = 6;
  listen.writeUInt32LE(1 << 10, 4);
  save('sockdiag-listen-dump.bin', captureReply(NETLINK_SOCK_DIAG, 20, NLM_F_DUMP, listen));
  void nlAttrU32;
}
