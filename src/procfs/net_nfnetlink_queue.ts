/**
 * `/proc/net/netfilter/nfnetlink_queue`: the NFQUEUE queues of the network namespace (kernel
 * `seq_show` in net/netfilter/nfnetlink_queue.c, `"%5u %6u %5u %1u %5u %5u %5u %8u %2d"`), one
 * row per bound queue; present once `nfnetlink_queue` is loaded.
 *
 * Go procfs: `FS.NFNetLinkQueue() []NFNetLinkQueue`.
 * @module
 */
import { fail, fields, lines, sint, uint } from './system_util.js';

/** One queue (Go procfs: `NFNetLinkQueue`). */
export interface NFNetLinkQueue {
  /** Queue number (`queue_num`), as in `iptables -j NFQUEUE --queue-num N`. */
  queueId: number;
  /** Netlink port ID of the program bound to the queue (`peer_portid`). */
  peerPortId: number;
  /** Packets waiting in the queue for a verdict (`queue_total`). */
  queueTotal: number;
  /** Copy mode (`copy_mode`): 0 none, 1 metadata only, 2 metadata and `copyRange` bytes of payload. */
  copyMode: number;
  /** Payload bytes copied to user space per packet (`copy_range`). */
  copyRange: number;
  /** Packets dropped because the queue was full (`queue_dropped`). */
  queueDropped: number;
  /** Packets dropped because netlink could not deliver them to the program (`queue_user_dropped`). */
  userDropped: number;
  /** ID of the last packet queued (`id_sequence`). */
  sequenceId: number;
  /** Always 1 (the kernel prints a constant in the last column). */
  always1: number;
}

/**
 * Parse the text of `/proc/net/netfilter/nfnetlink_queue` (no header; empty without queues).
 * @throws ParseError on a row without nine numeric columns.
 */
export function parseNFNetLinkQueue(text: string, file = '/proc/net/netfilter/nfnetlink_queue'): NFNetLinkQueue[] {
  const out: NFNetLinkQueue[] = [];
  lines(text).forEach((t, i) => {
    if (t.trim() === '') return;
    const w = { file, line: i + 1, text: t };
    const f = fields(t);
    if (f.length !== 9) fail(w, `expected 9 columns, found ${f.length}`);
    out.push({
      queueId: uint(f[0], w, 'queue_num'),
      peerPortId: uint(f[1], w, 'peer_portid'),
      queueTotal: uint(f[2], w, 'queue_total'),
      copyMode: uint(f[3], w, 'copy_mode'),
      copyRange: uint(f[4], w, 'copy_range'),
      queueDropped: uint(f[5], w, 'queue_dropped'),
      userDropped: uint(f[6], w, 'queue_user_dropped'),
      sequenceId: uint(f[7], w, 'id_sequence'),
      always1: sint(f[8], w, 'last column'),
    });
  });
  return out;
}
