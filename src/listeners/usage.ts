/**
 * How full a listener's accept queue is. A listener key can have several
 * sockets (an SO_REUSEPORT group): the kernel hashes each new connection to
 * one member, and drops it when that member's queue is full, whatever room
 * the others have. So the fill level of a group is that of its fullest
 * member, not the ratio of the sums.
 * @module
 */
import type { ListenerMember, ListenerStats, ListenerUsage } from './types.js';

/** `100 × queued / backlog`, a backlog of 0 (`listen(fd, 0)`: one connection may wait) counting as 1. */
export function queuePercent(queued: number, backlog: number): number {
  return (100 * queued) / Math.max(backlog, 1);
}

/**
 * True when a queue is full: `queued > 0` and `queued ≥ backlog` (the kernel's
 * `sk_acceptq_is_full` is `sk_ack_backlog > sk_max_ack_backlog`: at
 * `queued = backlog` the next connection is the last one it takes).
 */
export function queueFull(queued: number, backlog: number): boolean {
  return queued > 0 && queued >= backlog;
}

/** The fullest of `members` (by queued/backlog, then by queued); undefined for an empty list. */
export function fullestMember<M extends Pick<ListenerMember, 'queued' | 'backlog'>>(
  members: readonly M[],
): M | undefined {
  let best: M | undefined;
  let bestPct = -1;
  for (const m of members) {
    const p = queuePercent(m.queued, m.backlog);
    if (p > bestPct || (p === bestPct && best !== undefined && m.queued > best.queued)) {
      best = m;
      bestPct = p;
    }
  }
  return best;
}

/**
 * The fill level of a listener from its fullest member (see the module
 * comment); without members (the `/proc/net/unix` fallback) from its own
 * `queued` / `backlog`. `percent` is undefined when the backlog is unknown.
 */
export function listenerUsage(
  s: Pick<ListenerStats, 'queued' | 'backlog' | 'members' | 'backlogUnknown'>,
): ListenerUsage {
  const member = s.members && s.members.length > 0 ? fullestMember(s.members) : undefined;
  const queued = member ? member.queued : s.queued;
  const backlog = member ? member.backlog : s.backlog;
  if (s.backlogUnknown) return { percent: undefined, full: false, member };
  return { percent: queuePercent(queued, backlog), full: queueFull(queued, backlog), member };
}
