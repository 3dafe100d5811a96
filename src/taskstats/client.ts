/**
 * `TaskstatsClient`: the generic-netlink TASKSTATS family (kernel/taskstats.c)
 * over raingauge's netlink layer — per-task and per-process queries and the
 * stream of exit records.
 *
 * Two sockets: queries go through one, exit events arrive on a second one
 * (created on first use) so that a query never swallows an event and a slow
 * consumer of events never delays a query.
 * @module
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { InvalidArgumentError, PermissionError, ProcessGoneError } from '../errors.js';
import { NETLINK_GENERIC } from '../netlink/constants.js';
import { NetlinkError, NetlinkOverrunError, NetlinkSocketStateError } from '../netlink/errors.js';
import { encodeGenlHeader, resolveGenlFamily } from '../netlink/genl.js';
import type { NetlinkMessage } from '../netlink/message.js';
import { NetlinkSocket } from '../netlink/socket.js';
import {
  TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK,
  TASKSTATS_CMD_ATTR_PID,
  TASKSTATS_CMD_ATTR_REGISTER_CPUMASK,
  TASKSTATS_CMD_ATTR_TGID,
  TASKSTATS_CMD_GET,
  TASKSTATS_GENL_NAME,
  TASKSTATS_GENL_VERSION,
} from './layout.js';
import { decodeTaskstatsMessage, type TaskstatsEntry } from './message.js';
import type { TaskstatsRecord } from './record.js';
import { decodeExitStatus, delayFieldsAllZero, type TaskstatsExitStatus } from './status.js';
import { delayAccounting, possibleCpuList, validateCpuList } from './sysctl.js';

/** Default kernel receive buffer of the exit-event socket: 4 MiB (the kernel reports twice that). */
export const TASKSTATS_DEFAULT_EVENT_RCVBUF = 4 * 1024 * 1024;

/** Options of {@link TaskstatsClient.open}. */
export interface TaskstatsClientOptions {
  /**
   * Kernel receive buffer (SO_RCVBUFFORCE as root, else SO_RCVBUF) of the
   * exit-event socket, in bytes. Each exit event takes about 1.3 KB of it
   * (596-byte message + kernel overhead; 1172 bytes when the group aggregate
   * rides along). Default {@link TASKSTATS_DEFAULT_EVENT_RCVBUF}.
   */
  eventRcvbufBytes?: number;
  /** How long one wait for exit events lasts before the iterator re-checks its stop signal (default 250 ms). */
  pollSliceMs?: number;
}

/** An exiting task, as {@link TaskstatsClient.exits} yields it. */
export interface TaskstatsExitRecord {
  kind: 'exit';
  /** Thread id of the exiting task (`TASKSTATS_TYPE_PID`, init pid namespace). */
  pid: number;
  /** Its thread-group (process) id (`ac_tgid`; the pid itself on kernels before taskstats v12). */
  tgid: number;
  /** `ac_comm` of the task. */
  comm: string;
  /** `ac_exitcode` decoded. */
  exitStatus: TaskstatsExitStatus;
  /** The task's statistics. */
  stats: TaskstatsRecord;
  /**
   * Present when this was the last thread of a multi-threaded process: the
   * process's aggregate over all its threads, past and present (`AGGR_TGID`).
   * Single-threaded processes send no aggregate (the task record is the process).
   */
  group?: { tgid: number; stats: TaskstatsRecord };
}

/**
 * Exit events were lost: the kernel found the event socket's receive buffer
 * full and dropped at least one (the next read failed with ENOBUFS). Enlarge
 * it ({@link TaskstatsClient.setRxBufSize}) or consume faster.
 */
export interface TaskstatsLostRecord {
  kind: 'lost';
  /** Overruns reported by this record (always 1: one ENOBUFS = one or more events dropped). */
  overruns: number;
  /** Overruns since the client opened ({@link TaskstatsClient.lostEventOverruns}). */
  totalOverruns: number;
}

/** What {@link TaskstatsClient.exits} yields. */
export type TaskstatsExitEvent = TaskstatsExitRecord | TaskstatsLostRecord;

/** Options of {@link TaskstatsClient.exits}. */
export interface TaskstatsExitsOptions {
  /** Stop the iteration (the iterator returns; a registration it made is removed). */
  signal?: AbortSignal;
  /** cpulist to register when not registered yet (default: all possible CPUs). */
  cpumask?: string;
}

let delayacctCache: { at: number; on: boolean | undefined } | undefined;

function delayAccountingCached(): boolean | undefined {
  const now = Date.now();
  if (delayacctCache && now - delayacctCache.at < 1000) return delayacctCache.on;
  let on: boolean | undefined;
  try {
    on = delayAccounting();
  } catch {
    on = undefined;
  }
  delayacctCache = { at: now, on };
  return on;
}

/**
 * The warning attached to a record whose delay-accounting fields (all but
 * CPU) are zero: either the task never waited on I/O, swap, reclaim … or it
 * started while `kernel.task_delayacct` was off, and then they stay 0.
 * Returns undefined when some of those delays are non-zero.
 */
export function taskstatsDelayWarning(rec: TaskstatsRecord): string | undefined {
  if (!delayFieldsAllZero(rec)) return undefined;
  const on = delayAccountingCached();
  if (on === false) {
    return 'block I/O, swap, reclaim, thrashing, compaction, wpcopy and IRQ delays are 0 because delay accounting is off (kernel.task_delayacct = 0); enable it with setDelayAccounting(true) or `sysctl kernel.task_delayacct=1` — it counts only for tasks started afterwards';
  }
  return 'block I/O, swap, reclaim, thrashing, compaction, wpcopy and IRQ delays are all 0: the task had no such waits, or it started while delay accounting (kernel.task_delayacct) was off';
}

function checkId(what: string, id: number): void {
  if (!Number.isInteger(id) || id <= 0 || id > 0x7fffffff) {
    throw new InvalidArgumentError(`${what} must be a positive integer (a ${what} of a live task), got ${id}`, id);
  }
}

/**
 * A client of the kernel's TASKSTATS generic-netlink family.
 *
 * Every query and registration needs CAP_NET_ADMIN (checked by the kernel at
 * send time): without it calls throw {@link PermissionError}; use
 * `procDelayStats(pid)` as the unprivileged fallback.
 *
 * ```ts
 * const ts = await TaskstatsClient.open();
 * const me = await ts.pidStats(process.pid);
 * console.log(me.cpuDelayTotal, me.readBytes);
 * for await (const ev of ts.exits({ signal })) if (ev.kind === 'exit') console.log(ev.pid, ev.comm);
 * await ts.close();
 * ```
 */
export class TaskstatsClient {
  /** The family id the controller assigned to TASKSTATS (dynamic, e.g. 31). */
  readonly familyId: number;
  /** The family's protocol version (`CTRL_ATTR_VERSION`). */
  readonly familyVersion: number;
  /**
   * ENOBUFS overruns seen on the event socket since open: each means one or
   * more exit events were dropped by the kernel.
   */
  lostEventOverruns = 0;
  private readonly sock: NetlinkSocket;
  private events: NetlinkSocket | undefined;
  private readonly options: TaskstatsClientOptions;
  private registeredMask: string | undefined;
  private pending: NetlinkMessage[] = [];
  private closed = false;
  private readonly getPayload = Buffer.alloc(12);

  private constructor(sock: NetlinkSocket, familyId: number, familyVersion: number, options: TaskstatsClientOptions) {
    this.sock = sock;
    this.familyId = familyId;
    this.familyVersion = familyVersion;
    this.options = options;
    encodeGenlHeader(TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION).copy(this.getPayload, 0);
    this.getPayload.writeUInt16LE(8, 4); // nla_len of the u32 PID/TGID attribute
  }

  /**
   * Open a NETLINK_GENERIC socket and resolve the TASKSTATS family (works
   * unprivileged; the queries themselves need CAP_NET_ADMIN).
   * @throws {NotSupportedError} when the kernel lacks CONFIG_TASKSTATS.
   */
  static async open(options: TaskstatsClientOptions = {}): Promise<TaskstatsClient> {
    const sock = NetlinkSocket.open(NETLINK_GENERIC, { recvBufferBytes: 64 * 1024 });
    try {
      const fam = await resolveGenlFamily(sock, TASKSTATS_GENL_NAME);
      return new TaskstatsClient(sock, fam.id, fam.version, options);
    } catch (e) {
      sock.close();
      throw e;
    }
  }

  /** Port id of the query socket. */
  get portId(): number {
    return this.sock.portId;
  }

  /** The cpulist registered for exit events, or undefined. */
  get registeredCpumask(): string | undefined {
    return this.registeredMask;
  }

  /**
   * Statistics of one task (thread) by its id (`TASKSTATS_CMD_ATTR_PID`).
   * Works for zombies (exit status visible) until they are reaped.
   * @throws {PermissionError} without CAP_NET_ADMIN.
   * @throws {ProcessGoneError} when no such task exists (never existed or reaped): ESRCH.
   */
  async pidStats(tid: number): Promise<TaskstatsRecord> {
    return this.pidStatsSync(tid);
  }

  /**
   * Statistics summed over a thread group (`TASKSTATS_CMD_ATTR_TGID`): its
   * live threads plus those that exited. In a live process only the delays,
   * `cpuRun*Total`, `acUtime`/`acStime`, `nvcsw`/`nivcsw` and `acEtime` are
   * filled (pid, comm, uid and I/O are 0); max/min delays are not reliable.
   * @throws {PermissionError} without CAP_NET_ADMIN.
   * @throws {ProcessGoneError} when no such process exists.
   */
  async tgidStats(tgid: number): Promise<TaskstatsRecord> {
    return this.tgidStatsSync(tgid);
  }

  /**
   * {@link pidStats}, synchronously. The kernel builds the reply inside the
   * send (generic netlink runs the command in the caller's context), so the
   * receive never waits: a query takes tens of microseconds and never parks
   * the event loop. The async forms use this path too (a worker-thread hop
   * would cost ten times the query).
   */
  pidStatsSync(tid: number): TaskstatsRecord {
    checkId('tid', tid);
    return this.pick(this.querySync(TASKSTATS_CMD_ATTR_PID, tid), 'pid', tid);
  }

  /** {@link tgidStats}, synchronously (see {@link pidStatsSync}). */
  tgidStatsSync(tgid: number): TaskstatsRecord {
    checkId('tgid', tgid);
    return this.pick(this.querySync(TASKSTATS_CMD_ATTR_TGID, tgid), 'tgid', tgid);
  }

  /**
   * Register the event socket for exit records of tasks exiting on the CPUs
   * of `cpumask` (a cpulist such as `0-3,5`; default: every possible CPU from
   * /sys/devices/system/cpu/possible). Sent NUL-terminated with NLM_F_ACK.
   * Events go to the initial network namespace only.
   * @throws {PermissionError} without CAP_NET_ADMIN.
   * @throws {InvalidArgumentError} for a malformed mask or CPUs beyond the possible ones (ERANGE).
   */
  async registerCpumask(cpumask?: string): Promise<void> {
    const mask = cpumask === undefined ? possibleCpuList() : validateCpuList(cpumask);
    const ev = this.eventSocket();
    await this.cpumaskRequest(ev, TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, mask);
    this.registeredMask = mask;
  }

  /**
   * Remove the registration for the CPUs of `cpumask` (default: every
   * possible CPU). Registrations are keyed by the socket's port id: without
   * this a later socket reusing the port id would inherit them.
   */
  async deregisterCpumask(cpumask?: string): Promise<void> {
    const mask = cpumask === undefined ? possibleCpuList() : validateCpuList(cpumask);
    if (!this.events) return;
    await this.cpumaskRequest(this.events, TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, mask);
    if (cpumask === undefined || mask === this.registeredMask) this.registeredMask = undefined;
  }

  /**
   * Wait for the next exit message after {@link registerCpumask} and return
   * its records: the task's, plus its process's aggregate when it was the
   * last thread of a multi-threaded process. Returns `[]` when `timeoutMs` passes first.
   * Overruns are counted in {@link lostEventOverruns} and do not interrupt the wait.
   */
  async listenRegistered(timeoutMs?: number): Promise<TaskstatsEntry[]> {
    const ev = this.eventSocket();
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    for (;;) {
      const m = this.pending.shift();
      if (m) {
        if (m.type !== this.familyId) continue;
        return decodeTaskstatsMessage(m.payload).entries;
      }
      const left = deadline - Date.now();
      if (left <= 0) return [];
      try {
        this.pending.push(...(await ev.receive(Math.min(left, 2 ** 31 - 1))));
      } catch (e) {
        if (!(e instanceof NetlinkOverrunError)) throw e;
        this.lostEventOverruns++;
      }
    }
  }

  /**
   * Async iterator of exit records. Registers for every possible CPU (or
   * `options.cpumask`) when not registered yet and deregisters when the
   * iteration ends (break, `options.signal`, {@link close}). Reading waits with
   * poll on a worker thread, so the event loop is never blocked. Lost events
   * (ENOBUFS) yield a {@link TaskstatsLostRecord} and the stream continues.
   */
  async *exits(options: TaskstatsExitsOptions = {}): AsyncGenerator<TaskstatsExitEvent, void, undefined> {
    const registeredHere = this.registeredMask === undefined;
    if (registeredHere) await this.registerCpumask(options.cpumask);
    const ev = this.eventSocket();
    const slice = this.options.pollSliceMs ?? 250;
    try {
      for (;;) {
        while (this.pending.length > 0) {
          const m = this.pending.shift()!;
          if (m.type !== this.familyId) continue;
          const rec = toExitRecord(decodeTaskstatsMessage(m.payload).entries);
          if (rec) yield rec;
        }
        if (this.closed || options.signal?.aborted) return;
        try {
          this.pending.push(...(await ev.receive(slice)));
        } catch (e) {
          if (e instanceof NetlinkOverrunError) {
            this.lostEventOverruns++;
            yield { kind: 'lost', overruns: 1, totalOverruns: this.lostEventOverruns };
            continue;
          }
          if (e instanceof NetlinkSocketStateError && this.closed) return;
          throw e;
        }
      }
    } finally {
      if (registeredHere && !this.closed && this.registeredMask !== undefined) {
        await this.deregisterCpumask().catch(() => undefined);
      }
    }
  }

  /**
   * Set the kernel receive buffer of the exit-event socket (SO_RCVBUFFORCE
   * as root, else SO_RCVBUF capped by net.core.rmem_max).
   */
  setRxBufSize(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes <= 0) {
      throw new InvalidArgumentError(`receive buffer size must be a positive integer, got ${bytes}`, bytes);
    }
    this.eventSocket().setReceiveBufferSize(bytes);
  }

  /** The exit-event socket's kernel receive buffer (getsockopt SO_RCVBUF: twice the value set). */
  getRxBufSize(): number {
    return this.eventSocket().getReceiveBufferSize();
  }

  /** Deregister exit events (if registered), then close both sockets. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.events && this.registeredMask !== undefined) {
      try {
        await this.deregisterCpumask();
      } catch {
        // the socket goes away anyway; the kernel drops listeners whose port is gone
      }
    }
    this.closed = true;
    this.events?.close();
    this.sock.close();
  }

  // ------------------------------------------------------------------ internals

  private eventSocket(): NetlinkSocket {
    if (this.closed) throw new NetlinkSocketStateError('TaskstatsClient is closed');
    if (!this.events) {
      this.events = NetlinkSocket.open(NETLINK_GENERIC, {
        rcvbuf: this.options.eventRcvbufBytes ?? TASKSTATS_DEFAULT_EVENT_RCVBUF,
      });
    }
    return this.events;
  }

  private payloadFor(attr: number, id: number): Buffer {
    this.getPayload.writeUInt16LE(attr, 6);
    this.getPayload.writeUInt32LE(id, 8);
    return this.getPayload;
  }

  private querySync(attr: number, id: number): NetlinkMessage[] {
    const what = describe(attr, id);
    try {
      return this.sock.requestSync(this.familyId, 0, this.payloadFor(attr, id), what);
    } catch (e) {
      throw mapError(e, what, id);
    }
  }

  private pick(msgs: NetlinkMessage[], scope: 'pid' | 'tgid', id: number): TaskstatsRecord {
    for (const m of msgs) {
      if (m.type !== this.familyId) continue;
      for (const e of decodeTaskstatsMessage(m.payload).entries) {
        if (e.scope === scope) {
          const w = taskstatsDelayWarning(e.stats);
          if (w) e.stats.warnings = [w];
          return e.stats;
        }
      }
    }
    throw new ProcessGoneError(id, describe(scope === 'pid' ? TASKSTATS_CMD_ATTR_PID : TASKSTATS_CMD_ATTR_TGID, id));
  }

  private async cpumaskRequest(sock: NetlinkSocket, attr: number, mask: string): Promise<void> {
    const verb = attr === TASKSTATS_CMD_ATTR_REGISTER_CPUMASK ? 'REGISTER_CPUMASK' : 'DEREGISTER_CPUMASK';
    const what = `TASKSTATS_CMD_GET ${verb} "${mask}"`;
    const str = Buffer.from(`${mask}\0`, 'latin1'); // the kernel parses a NUL-terminated cpulist
    const attrLen = 4 + str.length;
    const payload = Buffer.alloc(4 + ((attrLen + 3) & ~3));
    encodeGenlHeader(TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION).copy(payload, 0);
    payload.writeUInt16LE(attrLen, 4);
    payload.writeUInt16LE(attr, 6);
    str.copy(payload, 8);
    try {
      await sock.request(this.familyId, 0, payload, what);
    } catch (e) {
      if (e instanceof NetlinkError && e.errnoName === 'ERANGE') {
        throw new InvalidArgumentError(
          `${what} was refused (ERANGE): the mask names CPUs beyond /sys/devices/system/cpu/possible (${safePossible()})`,
          mask,
        );
      }
      if (e instanceof NetlinkError && e.errnoName === 'EINVAL') {
        throw new InvalidArgumentError(
          `${what} was refused (EINVAL): either the mask is not a valid cpulist within ${safePossible()}, or this process is not in the initial user and pid namespaces (the kernel accepts exit-event listeners only there)`,
          mask,
        );
      }
      throw mapError(e, what, 0);
    }
  }
}

/**
 * Why exit events may not reach this process, or undefined when it runs in
 * the initial network, pid and user namespaces. The kernel delivers exit
 * events only to sockets of the initial network namespace (registration
 * elsewhere is acknowledged but nothing arrives) and refuses listeners from
 * other pid/user namespaces. Compares /proc/self/ns/* with the namespaces of
 * kthreadd (pid 2 of the initial pid namespace; kernel threads always live in
 * the initial namespaces). Undefined as well when that cannot be read.
 */
export function taskstatsNamespaceProblem(procRoot = '/proc'): string | undefined {
  let comm: string;
  try {
    comm = readFileSync(`${procRoot}/2/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (comm !== 'kthreadd') {
    return 'this process is not in the initial pid namespace (pid 2 is not kthreadd): taskstats exit events are delivered only to listeners in the initial network, pid and user namespaces';
  }
  const differ: string[] = [];
  for (const ns of ['net', 'pid', 'user']) {
    try {
      if (readlinkSync(`${procRoot}/self/ns/${ns}`) !== readlinkSync(`${procRoot}/2/ns/${ns}`)) differ.push(ns);
    } catch {
      return undefined;
    }
  }
  if (differ.length === 0) return undefined;
  return `this process is not in the initial ${differ.join('/')} namespace: taskstats exit events are delivered only to listeners in the initial network, pid and user namespaces`;
}

function safePossible(): string {
  try {
    return possibleCpuList();
  } catch {
    return '?';
  }
}

function describe(attr: number, id: number): string {
  return `TASKSTATS_CMD_GET ${attr === TASKSTATS_CMD_ATTR_PID ? 'pid' : attr === TASKSTATS_CMD_ATTR_TGID ? 'tgid' : 'attr'} ${id}`;
}

function mapError(e: unknown, what: string, id: number): unknown {
  if (e instanceof NetlinkError) {
    if (e.errnoName === 'EPERM' || e.errnoName === 'EACCES') {
      return new PermissionError(
        `${what}: taskstats needs CAP_NET_ADMIN (run as root or grant it, e.g. setcap cap_net_admin+ep); without it use procDelayStats(pid) for CPU delay and I/O from /proc`,
        { capability: 'CAP_NET_ADMIN', cause: e },
      );
    }
    if (e.errnoName === 'ESRCH' && id > 0) return new ProcessGoneError(id, what, { cause: e });
  }
  return e;
}

function toExitRecord(entries: TaskstatsEntry[]): TaskstatsExitRecord | undefined {
  const task = entries.find((e) => e.scope === 'pid');
  const group = entries.find((e) => e.scope === 'tgid');
  if (!task) return undefined;
  const rec: TaskstatsExitRecord = {
    kind: 'exit',
    pid: task.id,
    tgid: task.stats.acTgid || group?.id || task.id,
    comm: task.stats.acComm,
    exitStatus: decodeExitStatus(task.stats.acExitcode),
    stats: task.stats,
  };
  if (group) rec.group = { tgid: group.id, stats: group.stats };
  return rec;
}
