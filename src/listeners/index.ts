/**
 * Listener statistics: raindrops' `tcp_listener_stats` / `unix_listener_stats`
 * (active, queued, backlog per listener) from sock_diag, plus owners and a
 * queued-only mode, and the listen-overflow diagnosis (TcpExt counters +
 * accept queues → the full listeners and the fix). See docs/listeners.md.
 * @module
 */
export {
  canonicalTcpListenerKey,
  InvalidListenerAddressError,
  parseTcpListenerAddress,
  type TcpListenerAddress,
} from './address.js';
export { IncrementalListenerCounts, type IncrementalListenerOptions } from './incremental.js';
export {
  describeOverflowFinding,
  diagnoseListenOverflows,
  formatOverflowOwners,
  type ListenerFinding,
  type ListenerSource,
  type ListenLimits,
  type ListenQueueMember,
  type ListenQueueStats,
  type MemberFinding,
  OVERFLOW_COUNTERS,
  type OverflowCounterName,
  type OverflowReport,
  readListenLimits,
  type WatchOverflowOptions,
  watchListenOverflows,
} from './overflows.js';
export { findSocketOwners, findSocketOwnersSync, SocketOwnerCache, type SocketOwnerScan } from './owners.js';
export { closeListenerStatsSockets } from './sockets.js';
export {
  type TcpListenerStatsOptions,
  tcpListenerStats,
  tcpListenerStatsSync,
} from './tcp.js';
export type { ListenerMember, ListenerOwner, ListenerStats, ListenerStatsOptions, ListenerUsage } from './types.js';
export {
  InvalidListenerPathError,
  type UnixListenerPaths,
  type UnixListenerStatsOptions,
  unixListenerQuery,
  unixListenerStats,
  unixListenerStatsSync,
} from './unix.js';
export { fullestMember, listenerUsage, queueFull, queuePercent } from './usage.js';
