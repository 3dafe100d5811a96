/**
 * `/sys/class/net/<iface>/*`: per-interface attributes and
 * `statistics/*` counters (struct rtnl_link_stats64 as exposed by
 * net/core/net-sysfs.c).
 * @module
 */
import { join } from 'node:path';
import { type AttributeErrors, type AttrMap, AttrReader, SysfsAttributeError } from './attr.js';

/**
 * One network interface, from the files in `/sys/class/net/<iface>/`.
 * Every attribute is optional: absent when the file does not exist or when
 * the kernel answers `EINVAL`/`EOPNOTSUPP`/`ENODATA` (its way of saying "no
 * value for this device now", e.g. `speed` and `duplex` of a link that is
 * down, `phys_port_id` of a driver without ports). Other failures are in
 * {@link NetClassIface.errors}.
 */
export interface NetClassIface {
  /** Interface name (the directory name). */
  name: string;
  /** `addr_assign_type`: how the MAC address was assigned (0 permanent, 1 random, 2 stolen, 3 set by user). */
  addrAssignType?: number;
  /** `addr_len`: hardware address length in bytes. */
  addrLen?: number;
  /** `address`: hardware (MAC) address, colon-separated hex. */
  address?: string;
  /** `broadcast`: hardware broadcast address. */
  broadcast?: string;
  /** `carrier`: 1 when the physical link is up, 0 when down (absent while the interface is administratively down: EINVAL). */
  carrier?: number;
  /** `carrier_changes`: number of carrier up/down transitions since the device was created. */
  carrierChanges?: number;
  /** `carrier_up_count`: times the carrier went up. */
  carrierUpCount?: number;
  /** `carrier_down_count`: times the carrier went down. */
  carrierDownCount?: number;
  /** `dev_id`: device id among devices sharing one hardware address (the kernel prints it in `0x` hex). */
  devID?: number;
  /** `dev_port`: port number of the device on a multi-port NIC. */
  devPort?: number;
  /** `dormant`: 1 when the interface is dormant (RFC 2863). */
  dormant?: number;
  /** `duplex`: `full`, `half` or `unknown` (absent while the link is down). */
  duplex?: string;
  /** `flags`: the interface flags (IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8 …), printed by the kernel in hex. */
  flags?: number;
  /** `ifalias`: the SNMP alias set by the administrator (empty string when none). */
  ifAlias?: string;
  /** `ifindex`: the interface index (as used by netlink and `if_nametoindex`). */
  ifIndex?: number;
  /** `iflink`: ifindex of the underlying link (equal to `ifIndex` for physical devices). */
  ifLink?: number;
  /** `link_mode`: 0 default, 1 dormant (userspace controls operstate). */
  linkMode?: number;
  /** `mtu`: maximum transmission unit in bytes. */
  mtu?: number;
  /** `name_assign_type`: how the name was chosen (1 enumerated, 2 predictable, 3 by user, 4 renamed). */
  nameAssignType?: number;
  /** `netdev_group`: the device group number. */
  netDevGroup?: number;
  /** `operstate`: RFC 2863 operational state (`up`, `down`, `unknown`, `dormant`, `lowerlayerdown`, `notpresent`, `testing`). */
  operState?: string;
  /** `phys_port_id`: physical port identifier (hex string) where the driver provides one. */
  physPortID?: string;
  /** `phys_port_name`: physical port name where the driver provides one. */
  physPortName?: string;
  /** `phys_switch_id`: identifier of the switch the port belongs to. */
  physSwitchID?: string;
  /** `proto_down`: 1 when the protocol has put the carrier down. */
  protoDown?: number;
  /**
   * `speed`: link speed in Mbit/s. Absent when the kernel reports no speed:
   * `-1` (SPEED_UNKNOWN, e.g. virtio and a link that is down) or EINVAL.
   */
  speed?: number;
  /** {@link NetClassIface.speed} converted to bytes per second (Mbit/s × 125000), as node_exporter's `node_network_speed_bytes`. */
  speedBytesPerSecond?: number;
  /** `testing`: 1 when the interface is in testing mode (RFC 2863). */
  testing?: number;
  /** `tx_queue_len`: length of the transmit queue in packets. */
  txQueueLen?: number;
  /** `type`: ARPHRD_* hardware type (1 Ethernet, 772 loopback, 65534 none …). */
  type?: number;
  /**
   * `statistics/*`: the interface counters (struct rtnl_link_stats64), keyed
   * by file name (`rx_bytes`, `tx_packets`, `rx_dropped`, `rx_nohandler` …).
   * `bigint` because they are 64-bit and byte counters pass 2^53 within days
   * at 100 Gbit/s.
   */
  statistics: Record<string, bigint>;
  /** Attributes that exist but could not be read or parsed, keyed by file name (e.g. `mtu`, `statistics/rx_bytes`). */
  errors: AttributeErrors;
}

/** All interfaces of `/sys/class/net`, keyed by interface name. */
export type NetClass = Map<string, NetClassIface>;

type Kind = 'int' | 'hex' | 'str';
/** Attribute file → [field, kind]. */
const NET_ATTRS: [string, keyof NetClassIface, Kind][] = [
  ['addr_assign_type', 'addrAssignType', 'int'],
  ['addr_len', 'addrLen', 'int'],
  ['address', 'address', 'str'],
  ['broadcast', 'broadcast', 'str'],
  ['carrier', 'carrier', 'int'],
  ['carrier_changes', 'carrierChanges', 'int'],
  ['carrier_up_count', 'carrierUpCount', 'int'],
  ['carrier_down_count', 'carrierDownCount', 'int'],
  ['dev_id', 'devID', 'hex'],
  ['dev_port', 'devPort', 'int'],
  ['dormant', 'dormant', 'int'],
  ['duplex', 'duplex', 'str'],
  ['flags', 'flags', 'hex'],
  ['ifalias', 'ifAlias', 'str'],
  ['ifindex', 'ifIndex', 'int'],
  ['iflink', 'ifLink', 'int'],
  ['link_mode', 'linkMode', 'int'],
  ['mtu', 'mtu', 'int'],
  ['name_assign_type', 'nameAssignType', 'int'],
  ['netdev_group', 'netDevGroup', 'int'],
  ['operstate', 'operState', 'str'],
  ['phys_port_id', 'physPortID', 'str'],
  ['phys_port_name', 'physPortName', 'str'],
  ['phys_switch_id', 'physSwitchID', 'str'],
  ['proto_down', 'protoDown', 'int'],
  ['speed', 'speed', 'int'],
  ['testing', 'testing', 'int'],
  ['tx_queue_len', 'txQueueLen', 'int'],
  ['type', 'type', 'int'],
];

/** The attribute file names {@link buildNetClassIface} understands (besides `statistics/*`). */
export const NET_CLASS_ATTRIBUTES: readonly string[] = NET_ATTRS.map(([f]) => f);

/** Errnos with which net-sysfs says "this device has no such value now" (not a failure). */
const NO_VALUE = new Set(['EINVAL', 'EOPNOTSUPP', 'ENOTSUPP', 'ENODATA']);

/**
 * Build a {@link NetClassIface} from attribute texts (pure; never throws).
 * `attrs` holds file names relative to the interface directory; counters are
 * under `statistics/<name>`. `dir` is used only to name files in errors.
 */
export function buildNetClassIface(name: string, attrs: AttrMap, dir = name): NetClassIface {
  const r = new AttrReader(attrs, dir);
  const out: NetClassIface = { name, statistics: {}, errors: r.errors };
  const o = out as unknown as Record<string, unknown>;
  for (const [file, field, kind] of NET_ATTRS) {
    const err = r.errorOf(file);
    if (err instanceof SysfsAttributeError && NO_VALUE.has(err.errnoName)) continue;
    const v = kind === 'str' ? r.str(file) : r.int(file, kind === 'hex');
    if (v !== undefined) o[field] = v;
  }
  if (out.speed !== undefined && out.speed < 0) delete out.speed;
  if (out.speed !== undefined) out.speedBytesPerSecond = out.speed * 125_000;
  for (const key of attrs.keys()) {
    if (!key.startsWith('statistics/')) continue;
    const v = r.big(key);
    if (v !== undefined) out.statistics[key.slice('statistics/'.length)] = v;
  }
  return out;
}

/** Attribute names to read for one interface, given the file names found in its `statistics/` directory. */
export function netClassAttributeNames(statisticsFiles: readonly string[]): string[] {
  return [...NET_CLASS_ATTRIBUTES, ...statisticsFiles.map((f) => join('statistics', f))];
}
