// Test helper: drops to uid/gid 65534 (nobody) after loading, then prints the
// TCP listener statistics with owners as one JSON line. Shows what a process
// without privileges gets: every number (sock_diag needs no privilege), but
// no owners for other users' processes (ownersComplete false).
import { tcpListenerStats } from '../../../src/listeners/index.ts';

process.setgroups?.([]);
process.setgid!(65534);
process.setuid!(65534);
const stats = await tcpListenerStats(undefined, { owners: true });
process.stdout.write(`${JSON.stringify({ uid: process.getuid!(), stats: Object.fromEntries(stats) })}\n`);
