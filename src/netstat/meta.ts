/**
 * What the network counters mean: gauge or counter, which kernel function
 * changes them, and the names node_exporter exports them under.
 *
 * Names are the ones printed in `/proc/net/netstat`, `/proc/net/snmp` and
 * `/proc/net/snmp6` (tables `snmp4_net_list`, `snmp4_tcp_list`, … in
 * net/ipv4/proc.c and net/ipv6/proc.c); the enum behind each is in
 * include/uapi/linux/snmp.h (`LINUX_MIB_*`, `TCP_MIB_*`, `IPSTATS_MIB_*`,
 * `UDP_MIB_*`, `ICMP_MIB_*`, `ICMP6_MIB_*`).
 * @module
 */

/** `counter`: only ever increases (use deltas/rates); `gauge`: a current value or setting. */
export type CounterKind = 'counter' | 'gauge';

/** The explanation of one counter, from the kernel source. */
export interface CounterDescription {
  /** Protocol section, e.g. `TcpExt`. */
  proto: string;
  /** Counter name, e.g. `ListenOverflows`. */
  name: string;
  /** What the number counts (or, for a gauge, what it is). */
  meaning: string;
  /** Kernel function(s) that change it, with their source files. */
  incrementedBy: string[];
  /** Counter or gauge. */
  kind: CounterKind;
  /** The MIB enum entry in include/uapi/linux/snmp.h, e.g. `LINUX_MIB_LISTENOVERFLOWS`. */
  mib?: string;
  /** Related counters as `Proto.Name`. */
  seeAlso?: string[];
  /**
   * How `netstat -s` (net-tools) words this counter, e.g. `times the listen
   * queue of a socket overflowed`, for mapping its output back to the name.
   */
  netstatS?: string;
}

/** `netstat -s` (net-tools) phrases of well-known counters, without the leading number. */
const NETSTAT_S: Record<string, string> = {
  'TcpExt.ListenOverflows': 'times the listen queue of a socket overflowed',
  'TcpExt.ListenDrops': 'SYNs to LISTEN sockets dropped',
  'TcpExt.SyncookiesSent': 'SYN cookies sent',
  'TcpExt.SyncookiesRecv': 'SYN cookies received',
  'TcpExt.SyncookiesFailed': 'invalid SYN cookies received',
  'TcpExt.EmbryonicRsts': 'resets received for embryonic SYN_RECV sockets',
  'Tcp.ActiveOpens': 'active connection openings',
  'Tcp.PassiveOpens': 'passive connection openings',
  'Tcp.AttemptFails': 'failed connection attempts',
  'Tcp.EstabResets': 'connection resets received',
  'Tcp.CurrEstab': 'connections established',
  'Tcp.InSegs': 'segments received',
  'Tcp.OutSegs': 'segments sent out',
  'Tcp.RetransSegs': 'segments retransmitted',
  'Tcp.InErrs': 'bad segments received',
  'Tcp.OutRsts': 'resets sent',
};

/**
 * Find the counter a `netstat -s` line talks about: `"22438 times the listen
 * queue of a socket overflowed"` → `['TcpExt', 'ListenOverflows']`. Matches
 * the known phrases case-insensitively, ignoring the number; `undefined` when
 * none matches.
 */
export function counterFromNetstatS(line: string): [proto: string, name: string] | undefined {
  const text = line
    .trim()
    .replace(/^\d+\s+/, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();
  if (text.length === 0) return undefined;
  for (const [key, phrase] of Object.entries(NETSTAT_S)) {
    if (text === phrase.toLowerCase()) {
      const dot = key.indexOf('.');
      return [key.slice(0, dot), key.slice(dot + 1)];
    }
  }
  return undefined;
}

const GAUGES = new Set([
  'Tcp.RtoAlgorithm',
  'Tcp.RtoMin',
  'Tcp.RtoMax',
  'Tcp.MaxConn',
  'Tcp.CurrEstab',
  'Ip.Forwarding',
  'Ip.DefaultTTL',
  'MPTcpExt.MPCurrEstab',
  '.ifIndex',
]);

/**
 * Whether `proto`/`name` is a gauge (a current value: `Tcp CurrEstab`,
 * `Tcp MaxConn`, `Tcp RtoAlgorithm/RtoMin/RtoMax`, `Ip Forwarding`,
 * `Ip DefaultTTL`, `MPTcpExt MPCurrEstab`) or a counter (everything else,
 * including names this library does not know).
 */
export function counterKind(proto: string, name: string): CounterKind {
  return GAUGES.has(`${proto}.${name}`) ? 'gauge' : 'counter';
}

type Entry = [mib: string | undefined, incrementedBy: string[], meaning: string, seeAlso?: string[]];

const F = {
  tcpConnReq: 'tcp_conn_request() (net/ipv4/tcp_input.c)',
  synRecvSock: 'tcp_v4_syn_recv_sock() / tcp_v6_syn_recv_sock() (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c)',
  checkReq: 'tcp_check_req() (net/ipv4/tcp_minisocks.c)',
  tcpDone: 'tcp_done() (net/ipv4/tcp.c)',
  setState: 'tcp_set_state() (net/ipv4/tcp.c)',
  tcpRcv: 'tcp_v4_rcv() / tcp_v6_rcv() (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c)',
  mibInit: 'tcp_mib_init() (net/ipv4/af_inet.c), once per network namespace',
  synFlood: 'tcp_syn_flood_action() (net/ipv4/tcp_input.c)',
  cookieCheck: 'cookie_v4_check() / cookie_v6_check() (net/ipv4/syncookies.c, net/ipv6/syncookies.c)',
  dataQueue: 'tcp_data_queue() (net/ipv4/tcp_input.c)',
  dataQueueOfo: 'tcp_data_queue_ofo() (net/ipv4/tcp_input.c)',
  udpRcv: '__udp4_lib_rcv() / __udp6_lib_rcv() (net/ipv4/udp.c, net/ipv6/udp.c)',
  udpQueue: '__udp_queue_rcv_skb() / __udpv6_queue_rcv_skb() (net/ipv4/udp.c, net/ipv6/udp.c)',
  udpRecvmsg: 'udp_recvmsg() / udpv6_recvmsg() (net/ipv4/udp.c, net/ipv6/udp.c)',
  udpSend: 'udp_send_skb() / udp_v6_send_skb() and udp_sendmsg() / udpv6_sendmsg() (net/ipv4/udp.c, net/ipv6/udp.c)',
};

const TABLE: Record<string, Entry> = {
  // ---- Tcp (TCP_MIB_*, RFC 2012), /proc/net/snmp
  'Tcp.RtoAlgorithm': [
    'TCP_MIB_RTOALGORITHM',
    [F.mibInit],
    'RFC 2012 tcpRtoAlgorithm: the retransmission timeout algorithm. Linux always reports 1 ("other"). A constant, not a counter.',
  ],
  'Tcp.RtoMin': [
    'TCP_MIB_RTOMIN',
    [F.mibInit],
    'Minimum retransmission timeout in milliseconds: the compile-time TCP_RTO_MIN (200 ms). Does not reflect net.ipv4.tcp_rto_min_us or per-route rto_min.',
  ],
  'Tcp.RtoMax': [
    'TCP_MIB_RTOMAX',
    [F.mibInit],
    'Maximum retransmission timeout in milliseconds: the compile-time TCP_RTO_MAX (120000 ms).',
  ],
  'Tcp.MaxConn': [
    'TCP_MIB_MAXCONN',
    [F.mibInit],
    'RFC 2012 tcpMaxConn: the limit on TCP connections. Linux prints -1 (signed: no fixed limit). The only negative value in these files.',
  ],
  'Tcp.ActiveOpens': [
    'TCP_MIB_ACTIVEOPENS',
    ['tcp_connect() (net/ipv4/tcp_output.c)'],
    'Active opens: connect() sent a SYN (the socket went CLOSED → SYN_SENT). Counted whether or not the connection then succeeds.',
    ['Tcp.AttemptFails', 'Tcp.PassiveOpens'],
  ],
  'Tcp.PassiveOpens': [
    'TCP_MIB_PASSIVEOPENS',
    ['tcp_create_openreq_child() (net/ipv4/tcp_minisocks.c)'],
    'Passive opens: a listener created a child socket because a passive (server-side) handshake completed (or a Fast Open SYN was accepted). Counted before the child is put on the accept queue.',
    ['Tcp.ActiveOpens', 'TcpExt.ListenOverflows'],
  ],
  'Tcp.AttemptFails': [
    'TCP_MIB_ATTEMPTFAILS',
    [F.tcpDone, F.checkReq],
    'Failed connection attempts: a socket in SYN_SENT or SYN_RECV was closed (tcp_done(), e.g. connect() refused by an RST from a port nobody listens on, or the SYN retries ran out), or an RST or SYN arrived for a request still in the passive handshake (tcp_check_req()).',
    ['Tcp.ActiveOpens', 'TcpExt.EmbryonicRsts'],
  ],
  'Tcp.EstabResets': [
    'TCP_MIB_ESTABRESETS',
    [F.setState],
    'Resets of established connections: a socket went straight from ESTABLISHED or CLOSE_WAIT to CLOSED (an RST was sent or received, or the connection was aborted), instead of through the FIN handshake.',
    ['Tcp.OutRsts', 'Tcp.CurrEstab'],
  ],
  'Tcp.CurrEstab': [
    'TCP_MIB_CURRESTAB',
    [F.setState],
    'Gauge: TCP connections now in ESTABLISHED (and, on kernels since mid-2024 / Linux 6.10, CLOSE_WAIT) state. tcp_set_state() adds one on entering and subtracts one on leaving. Counts both ends of loopback connections.',
    ['Tcp.EstabResets'],
  ],
  'Tcp.InSegs': [
    'TCP_MIB_INSEGS',
    [F.tcpRcv],
    'TCP segments received, including those received in error (InErrs).',
    ['Tcp.OutSegs', 'Tcp.InErrs'],
  ],
  'Tcp.OutSegs': [
    'TCP_MIB_OUTSEGS',
    [
      '__tcp_transmit_skb() (net/ipv4/tcp_output.c)',
      'tcp_v4_send_reset() / tcp_v4_send_ack() (net/ipv4/tcp_ipv4.c) and their IPv6 twins',
    ],
    'TCP segments sent, excluding retransmissions (RFC 2012 tcpOutSegs): __tcp_transmit_skb() counts a segment only when it carries new sequence space (data, SYN, FIN) or none at all (a pure ACK); plus RSTs and ACKs sent without a full socket. Retransmissions are in RetransSegs.',
    ['Tcp.RetransSegs', 'Tcp.InSegs'],
  ],
  'Tcp.RetransSegs': [
    'TCP_MIB_RETRANSSEGS',
    ['__tcp_retransmit_skb() (net/ipv4/tcp_output.c)', 'tcp_rtx_synack() (net/ipv4/tcp_output.c)'],
    'TCP segments retransmitted (data, SYN, FIN and SYN-ACK retransmissions). Not included in OutSegs; RetransSegs / OutSegs is the usual retransmission ratio.',
    ['TcpExt.TCPSynRetrans', 'TcpExt.TCPTimeouts', 'Tcp.OutSegs'],
  ],
  'Tcp.InErrs': [
    'TCP_MIB_INERRS',
    [F.tcpRcv, 'tcp_v4_do_rcv() (net/ipv4/tcp_ipv4.c)', 'tcp_validate_incoming() (net/ipv4/tcp_input.c)'],
    'TCP segments received in error: bad checksum (also InCsumErrors), bad header length, or a segment that failed validation on an established socket.',
    ['Tcp.InCsumErrors'],
  ],
  'Tcp.OutRsts': [
    'TCP_MIB_OUTRSTS',
    [
      'tcp_v4_send_reset() / tcp_v6_send_reset() (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c)',
      'tcp_send_active_reset() (net/ipv4/tcp_output.c)',
    ],
    'TCP segments sent with the RST flag: replies to segments for no socket (e.g. a SYN to a closed port) and aborts of existing connections (close() with unread data, SO_LINGER 0, …).',
    ['Tcp.EstabResets'],
  ],
  'Tcp.InCsumErrors': [
    'TCP_MIB_CSUMERRORS',
    [F.tcpRcv, 'tcp_v4_do_rcv() (net/ipv4/tcp_ipv4.c)'],
    'TCP segments received with a bad checksum (each one also counts in InErrs).',
    ['Tcp.InErrs'],
  ],

  // ---- TcpExt (LINUX_MIB_*), /proc/net/netstat
  'TcpExt.ListenOverflows': [
    'LINUX_MIB_LISTENOVERFLOWS',
    [F.tcpConnReq, F.synRecvSock],
    "A listener's accept queue was full: a SYN arrived and was dropped (tcp_conn_request()), or the handshake's final ACK arrived and no child socket could be queued (tcp_v4_syn_recv_sock()). The queue's limit is min(listen() backlog, net.core.somaxconn); it counts as full when more than that many connections wait, so it holds backlog+1. Each retransmitted SYN of a client counts again. Every overflow is also a ListenDrops.",
    ['TcpExt.ListenDrops', 'TcpExt.TCPReqQFullDrop', 'TcpExt.SyncookiesSent'],
  ],
  'TcpExt.ListenDrops': [
    'LINUX_MIB_LISTENDROPS',
    [
      'tcp_listendrop() (include/net/tcp.h), called from:',
      F.tcpConnReq,
      'tcp_v4_conn_request() / tcp_v6_conn_request() (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c)',
      F.synRecvSock,
      'tcp_req_err() (net/ipv4/tcp_ipv4.c)',
    ],
    'Any connection attempt dropped at a listener: every ListenOverflows, plus SYN-queue overflows without syncookies, failures to allocate the request or child socket, to inherit the port, SYNs to broadcast/multicast addresses, and ICMP errors aborting a request. Always ≥ ListenOverflows.',
    ['TcpExt.ListenOverflows', 'TcpExt.TCPReqQFullDrop'],
  ],
  'TcpExt.SyncookiesSent': [
    'LINUX_MIB_SYNCOOKIESSENT',
    [`cookie_init_sequence() (include/net/tcp.h), from ${F.tcpConnReq}`],
    'SYN cookies sent: the SYN (request) queue of a listener was full (or net.ipv4.tcp_syncookies=2), so a SYN-ACK carrying a cookie was sent instead of keeping a request socket. A sign of a SYN flood or of a listener whose queues are too small.',
    ['TcpExt.SyncookiesRecv', 'TcpExt.SyncookiesFailed', 'TcpExt.TCPReqQFullDoCookies'],
  ],
  'TcpExt.SyncookiesRecv': [
    'LINUX_MIB_SYNCOOKIESRECV',
    [F.cookieCheck],
    'Valid SYN cookies received: an ACK carried a cookie this host sent, and a connection was created from it.',
    ['TcpExt.SyncookiesSent', 'TcpExt.SyncookiesFailed'],
  ],
  'TcpExt.SyncookiesFailed': [
    'LINUX_MIB_SYNCOOKIESFAILED',
    [F.cookieCheck],
    'Invalid SYN cookies: an ACK for a listener that recently sent cookies did not carry a valid one (wrong or expired), so no connection was created from it.',
    ['TcpExt.SyncookiesSent', 'TcpExt.SyncookiesRecv'],
  ],
  'TcpExt.TCPReqQFullDoCookies': [
    'LINUX_MIB_TCPREQQFULLDOCOOKIES',
    [F.synFlood],
    "A listener's SYN (request) queue was full and syncookies are enabled: a cookie was sent instead of queuing the request.",
    ['TcpExt.SyncookiesSent', 'TcpExt.TCPReqQFullDrop'],
  ],
  'TcpExt.TCPReqQFullDrop': [
    'LINUX_MIB_TCPREQQFULLDROP',
    [F.synFlood],
    "A listener's SYN (request) queue was full and syncookies are disabled: the SYN was dropped (the kernel logs 'Possible SYN flooding on port …'). Also a ListenDrops.",
    ['TcpExt.ListenDrops', 'TcpExt.TCPReqQFullDoCookies'],
  ],
  'TcpExt.TCPFastOpenListenOverflow': [
    'LINUX_MIB_TCPFASTOPENLISTENOVERFLOW',
    ['tcp_fastopen_queue_check() (net/ipv4/tcp_fastopen.c)'],
    "A listener's Fast Open queue (the TCP_FASTOPEN socket option's length) was full: the SYN's data was not accepted and the client fell back to a normal handshake.",
    ['TcpExt.ListenOverflows'],
  ],
  'TcpExt.EmbryonicRsts': [
    'LINUX_MIB_EMBRYONICRSTS',
    [F.checkReq],
    'Requests in SYN_RECV dropped with a reset: an RST or unexpected SYN arrived during the handshake (also counted in Tcp AttemptFails), or the accept queue overflowed while net.ipv4.tcp_abort_on_overflow=1.',
    ['Tcp.AttemptFails'],
  ],
  'TcpExt.LockDroppedIcmps': [
    'LINUX_MIB_LOCKDROPPEDICMPS',
    ['tcp_v4_err() / tcp_v6_err() (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c)'],
    'ICMP errors that arrived while a user task held the socket lock ("fragmentation needed" excepted), so TCP could not act on them right away.',
  ],
  'TcpExt.OutOfWindowIcmps': [
    'LINUX_MIB_OUTOFWINDOWICMPS',
    ['tcp_v4_err() / tcp_v6_err() (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c)', 'tcp_req_err() (net/ipv4/tcp_ipv4.c)'],
    'ICMP errors ignored because the TCP sequence number they quote is outside the current window.',
  ],
  'TcpExt.TCPBacklogDrop': [
    'LINUX_MIB_TCPBACKLOGDROP',
    ['tcp_add_backlog() (net/ipv4/tcp_ipv4.c)'],
    'Segments dropped because the socket was owned by a user task and its backlog was over its limit (about sk_rcvbuf + sk_sndbuf): the application holds the socket lock while a burst arrives.',
    ['TcpExt.TCPRcvQDrop'],
  ],
  'TcpExt.PFMemallocDrop': [
    'LINUX_MIB_PFMEMALLOCDROP',
    ['sk_filter_trim_cap() (net/core/filter.c)'],
    'Packets allocated from the emergency (pfmemalloc) memory reserve dropped because the socket is not allowed to use that reserve (no SOCK_MEMALLOC). A sign of severe memory pressure.',
  ],
  'TcpExt.TCPMinTTLDrop': [
    'LINUX_MIB_TCPMINTTLDROP',
    [F.tcpRcv, 'tcp_v4_err() / tcp_v6_err()'],
    "Segments or ICMP errors dropped because their IP TTL (hop limit) was below the socket's IP_MINTTL / IPV6_MINHOPCOUNT (RFC 5082, GTSM).",
  ],
  'TcpExt.TCPDeferAcceptDrop': [
    'LINUX_MIB_TCPDEFERACCEPTDROP',
    [F.checkReq],
    'Bare ACKs completing a handshake on a TCP_DEFER_ACCEPT listener, dropped to wait for the first data (the request stays; not an error).',
  ],
  'TcpExt.TCPOFODrop': [
    'LINUX_MIB_TCPOFODROP',
    [F.dataQueueOfo],
    'Out-of-order segments dropped because receive memory for the socket could not be reserved (receive buffer full).',
    ['TcpExt.TCPOFOQueue', 'TcpExt.TCPRcvQDrop'],
  ],
  'TcpExt.TCPOFOQueue': [
    'LINUX_MIB_TCPOFOQUEUE',
    [F.dataQueueOfo],
    'Segments received out of order and queued in the out-of-order queue (a sign of loss or reordering on the path).',
    ['TcpExt.TCPOFODrop'],
  ],
  'TcpExt.TCPZeroWindowDrop': [
    'LINUX_MIB_TCPZEROWINDOWDROP',
    [F.dataQueue],
    'Segments dropped because the receive window was zero (the application does not read and the receive buffer is full).',
    ['TcpExt.TCPRcvQDrop'],
  ],
  'TcpExt.TCPRcvQDrop': [
    'LINUX_MIB_TCPRCVQDROP',
    [F.dataQueue],
    'In-order segments dropped because receive memory could not be reserved for them (socket receive buffer or TCP memory limits reached): the application does not read fast enough, or tcp_rmem/tcp_mem are too small.',
    ['TcpExt.TCPZeroWindowDrop', 'TcpExt.TCPOFODrop', 'TcpExt.TCPBacklogDrop'],
  ],
  'TcpExt.TCPAODroppedIcmps': [
    'LINUX_MIB_TCPAODROPPEDICMPS',
    ['tcp_ao_ignore_icmp() (net/ipv4/tcp_ao.c)'],
    'ICMP errors ignored for connections protected by TCP-AO (RFC 5925 section 7.8), unless the key allows them.',
  ],
  'TcpExt.TCPPrequeueDropped': [
    'LINUX_MIB_TCPPREQUEUEDROPPED',
    ['tcp_prequeue() (include/net/tcp.h; removed in Linux 4.14)'],
    'Segments dropped from the prequeue when it overflowed (older kernels only; the prequeue was removed in Linux 4.14).',
  ],
  'TcpExt.TCPSynRetrans': [
    'LINUX_MIB_TCPSYNRETRANS',
    ['__tcp_retransmit_skb() (net/ipv4/tcp_output.c)', 'tcp_rtx_synack() (net/ipv4/tcp_output.c)'],
    'SYN and SYN-ACK retransmissions: a handshake packet got no answer within the retransmission timeout (e.g. the peer dropped the SYN because its accept queue was full).',
    ['Tcp.RetransSegs', 'TcpExt.TCPTimeouts', 'TcpExt.ListenOverflows'],
  ],
  'TcpExt.TCPTimeouts': [
    'LINUX_MIB_TCPTIMEOUTS',
    ['tcp_retransmit_timer() (net/ipv4/tcp_timer.c)', 'tcp_syn_ack_timeout() (net/ipv4/tcp_timer.c)'],
    'Retransmission timeouts: the RTO timer expired for a SYN, data or FIN (each expiry counts, including the last one that gives up), or the SYN-ACK timer of a pending request expired.',
    ['Tcp.RetransSegs', 'TcpExt.TCPSynRetrans'],
  ],

  // ---- Ip (IPSTATS_MIB_*, RFC 2011), /proc/net/snmp
  'Ip.Forwarding': [
    undefined,
    ['snmp_seq_show_ipstats() (net/ipv4/proc.c) from net.ipv4.conf.all.forwarding'],
    'Gauge (RFC 2011 ipForwarding): 1 when IPv4 forwarding is on (net.ipv4.conf.all.forwarding=1), 2 when it is off.',
  ],
  'Ip.DefaultTTL': [
    undefined,
    ['snmp_seq_show_ipstats() (net/ipv4/proc.c) from net.ipv4.ip_default_ttl'],
    'Gauge: the default TTL of outgoing IPv4 packets (net.ipv4.ip_default_ttl, usually 64).',
  ],
  'Ip.InReceives': [
    'IPSTATS_MIB_INPKTS',
    ['ip_rcv_core() (net/ipv4/ip_input.c)'],
    'IPv4 datagrams received from all interfaces, including those received in error.',
  ],
  'Ip.InHdrErrors': [
    'IPSTATS_MIB_INHDRERRORS',
    ['ip_rcv_core() (net/ipv4/ip_input.c)', 'ip_forward() (net/ipv4/ip_forward.c)'],
    'IPv4 datagrams discarded for header errors: bad version, length or header checksum, or TTL exceeded while forwarding.',
  ],
  'Ip.InDelivers': [
    'IPSTATS_MIB_INDELIVERS',
    ['ip_local_deliver_finish() (net/ipv4/ip_input.c)'],
    'IPv4 datagrams delivered to local protocols (TCP, UDP, ICMP, …).',
  ],
  'Ip.OutRequests': [
    'IPSTATS_MIB_OUTREQUESTS',
    ['__ip_local_out() (net/ipv4/ip_output.c)'],
    'IPv4 datagrams that local protocols handed to IP for sending (forwarded datagrams are not included).',
  ],
  'IpExt.InOctets': [
    'IPSTATS_MIB_INOCTETS',
    ['ip_rcv_core() (net/ipv4/ip_input.c)'],
    'Bytes of IPv4 datagrams received (IP header included). Can exceed 2^53 on a long-running host: then a bigint.',
    ['IpExt.OutOctets', 'Ip6.InOctets'],
  ],
  'IpExt.OutOctets': [
    'IPSTATS_MIB_OUTOCTETS',
    ['IP_UPD_PO_STATS(…, IPSTATS_MIB_OUT, …) on the output path (net/ipv4/ip_output.c)'],
    'Bytes of IPv4 datagrams sent (IP header included). Can exceed 2^53 on a long-running host: then a bigint.',
    ['IpExt.InOctets', 'Ip6.OutOctets'],
  ],
  'Ip6.InOctets': [
    'IPSTATS_MIB_INOCTETS',
    ['ip6_rcv_core() (net/ipv6/ip6_input.c)'],
    'Bytes of IPv6 packets received (IPv6 header included). Can exceed 2^53: then a bigint.',
    ['Ip6.OutOctets', 'IpExt.InOctets'],
  ],
  'Ip6.OutOctets': [
    'IPSTATS_MIB_OUTOCTETS',
    ['IP6_UPD_PO_STATS(…, IPSTATS_MIB_OUT, …) on the output path (net/ipv6/ip6_output.c)'],
    'Bytes of IPv6 packets sent (IPv6 header included). Can exceed 2^53: then a bigint.',
    ['Ip6.InOctets', 'IpExt.OutOctets'],
  ],

  // ---- Icmp / Icmp6
  'Icmp.InMsgs': [
    'ICMP_MIB_INMSGS',
    ['icmp_rcv() (net/ipv4/icmp.c)'],
    'ICMP messages received, including those counted in InErrors. Per-type counts are in IcmpMsg InType<N>.',
    ['Icmp.InErrors', 'Icmp.OutMsgs'],
  ],
  'Icmp.InErrors': [
    'ICMP_MIB_INERRORS',
    ['icmp_rcv() (net/ipv4/icmp.c)', 'icmp_unreach() and the other per-type handlers (net/ipv4/icmp.c)'],
    'ICMP messages received with errors: bad checksum (also InCsumErrors), too short, or malformed for their type.',
    ['Icmp.InMsgs'],
  ],
  'Icmp.OutMsgs': [
    'ICMP_MIB_OUTMSGS',
    ['icmp_out_count() (net/ipv4/icmp.c)'],
    'ICMP messages sent (port unreachable replies, echo replies, …). Per-type counts are in IcmpMsg OutType<N>.',
    ['Icmp.InMsgs', 'Udp.NoPorts'],
  ],
  'Icmp6.InMsgs': [
    'ICMP6_MIB_INMSGS',
    ['icmpv6_rcv() (net/ipv6/icmp.c)'],
    'ICMPv6 messages received (including neighbour discovery), including those counted in InErrors.',
    ['Icmp6.InErrors'],
  ],
  'Icmp6.InErrors': [
    'ICMP6_MIB_INERRORS',
    ['icmpv6_rcv() (net/ipv6/icmp.c)', 'icmpv6_notify() (net/ipv6/icmp.c)'],
    'ICMPv6 messages received with errors: bad checksum (also InCsumErrors), too short, or malformed.',
    ['Icmp6.InMsgs'],
  ],
  'Icmp6.OutMsgs': [
    'ICMP6_MIB_OUTMSGS',
    ['icmpv6_push_pending_frames() (net/ipv6/icmp.c)', 'ndisc_send_skb() (net/ipv6/ndisc.c)'],
    'ICMPv6 messages sent, including neighbour discovery.',
  ],

  // ---- Udp / Udp6 (UDP_MIB_*, RFC 2013)
  'Udp.InDatagrams': [
    'UDP_MIB_INDATAGRAMS',
    [F.udpRecvmsg],
    'UDP datagrams delivered to applications (counted when a socket reads them, not when they arrive).',
    ['Udp.RcvbufErrors', 'Udp.NoPorts'],
  ],
  'Udp.NoPorts': [
    'UDP_MIB_NOPORTS',
    [F.udpRcv],
    'UDP datagrams received for a port with no socket (answered with ICMP port unreachable).',
    ['Icmp.OutMsgs'],
  ],
  'Udp.InErrors': [
    'UDP_MIB_INERRORS',
    [F.udpRcv, F.udpQueue, F.udpRecvmsg],
    'UDP datagrams that could not be delivered for reasons other than a missing port: bad checksum or length (also InCsumErrors), or the socket receive buffer was full (also RcvbufErrors).',
    ['Udp.RcvbufErrors', 'Udp.InCsumErrors'],
  ],
  'Udp.OutDatagrams': ['UDP_MIB_OUTDATAGRAMS', [F.udpSend], 'UDP datagrams sent.'],
  'Udp.InCsumErrors': [
    'UDP_MIB_CSUMERRORS',
    [F.udpRcv, F.udpRecvmsg],
    'UDP datagrams received with a bad checksum (each one also counts in InErrors).',
    ['Udp.InErrors'],
  ],
  'Udp.RcvbufErrors': [
    'UDP_MIB_RCVBUFERRORS',
    [F.udpQueue],
    "UDP datagrams dropped because the receiving socket's buffer (SO_RCVBUF, net.core.rmem_*) was full: the application does not read fast enough. Each is also an InErrors.",
    ['Udp.InErrors'],
  ],
  'Udp.SndbufErrors': [
    'UDP_MIB_SNDBUFERRORS',
    [F.udpSend],
    'UDP sends that failed for lack of buffer space (ENOBUFS/ENOMEM from the socket send buffer or the device queue).',
  ],
};

// Udp6 / UdpLite / UdpLite6 twins share the IPv4 functions' descriptions.
for (const name of [
  'InDatagrams',
  'NoPorts',
  'InErrors',
  'OutDatagrams',
  'RcvbufErrors',
  'SndbufErrors',
  'InCsumErrors',
]) {
  const e = TABLE[`Udp.${name}`]!;
  TABLE[`Udp6.${name}`] = [e[0], e[1], `IPv6: ${e[2]}`, e[3]?.map((s) => s.replace('Udp.', 'Udp6.'))];
}
for (const [proto, v6] of [
  ['UdpLite', ''],
  ['UdpLite6', ' (IPv6)'],
] as const) {
  const e = TABLE['Udp.InErrors']!;
  TABLE[`${proto}.InErrors`] = [
    e[0],
    ['__udp4_lib_rcv() / __udp6_lib_rcv() with IPPROTO_UDPLITE (net/ipv4/udplite.c, net/ipv6/udplite.c)'],
    `UDP-Lite datagrams that could not be delivered: bad checksum coverage or checksum, or a full receive buffer${v6}.`,
  ];
}

/** Split a description key `Proto.Name`. */
function describeGeneric(proto: string, name: string): CounterDescription | undefined {
  // IcmpMsg InType<N> / OutType<N> (net/ipv4/proc.c icmpmsg_put), Icmp6 InType<N> / OutType<N> (net/ipv6/proc.c)
  const m = /^(In|Out)Type(\d+)$/.exec(name);
  if (m && (proto === 'IcmpMsg' || proto === 'Icmp6')) {
    const v6 = proto === 'Icmp6';
    const dir = m[1] === 'In' ? 'received' : 'sent';
    return {
      proto,
      name,
      kind: 'counter',
      meaning: `ICMP${v6 ? 'v6' : ''} messages of type ${m[2]} ${dir}${
        !v6 && m[2] === '3' ? ' (3 = destination unreachable)' : !v6 && m[2] === '8' ? ' (8 = echo request)' : ''
      }.`,
      incrementedBy: v6
        ? [m[1] === 'In' ? 'icmpv6_rcv() (net/ipv6/icmp.c)' : 'icmpv6_push_pending_frames() / ndisc_send_skb()']
        : [m[1] === 'In' ? 'icmp_rcv() (net/ipv4/icmp.c)' : 'icmp_out_count() (net/ipv4/icmp.c)'],
      mib: v6 ? 'ICMP6MSG (per type)' : 'ICMPMSG (per type)',
    };
  }
  return undefined;
}

/**
 * Explain a counter: what it counts, which kernel function(s) increment it,
 * whether it is a gauge. Covers at least node_exporter's default netstat
 * set, every TcpExt Listen*, Syncookies* and *Drop* counter, the Tcp group
 * and the per-type ICMP counters. Returns `undefined` for a name without a
 * description (it is still read and exported; see {@link counterKind}).
 *
 * @example
 * describeCounter('TcpExt', 'ListenOverflows')?.incrementedBy
 * // ['tcp_conn_request() (net/ipv4/tcp_input.c)', 'tcp_v4_syn_recv_sock() / …']
 */
export function describeCounter(proto: string, name: string): CounterDescription | undefined {
  const e = TABLE[`${proto}.${name}`];
  if (e === undefined) return describeGeneric(proto, name);
  const d: CounterDescription = { proto, name, meaning: e[2], incrementedBy: e[1], kind: counterKind(proto, name) };
  if (e[0] !== undefined) d.mib = e[0];
  if (e[3] !== undefined) d.seeAlso = e[3];
  const ns = NETSTAT_S[`${proto}.${name}`];
  if (ns !== undefined) d.netstatS = ns;
  return d;
}

/** Every `[proto, name]` that {@link describeCounter} has a table entry for (per-type ICMP counters excluded). */
export function describedCounters(): [proto: string, name: string][] {
  return Object.keys(TABLE).map((k) => {
    const dot = k.indexOf('.');
    return [k.slice(0, dot), k.slice(dot + 1)];
  });
}

/**
 * The Prometheus metric name node_exporter's netstat collector uses:
 * `node_netstat_<Proto>_<Name>` (`node_netstat_TcpExt_ListenOverflows`,
 * `node_netstat_Ip6_InOctets`).
 */
export function prometheusName(proto: string, name: string): string {
  return `node_netstat_${proto}_${name}`;
}

/**
 * node_exporter's default `--collector.netstat.fields` pattern, matched
 * against `<Proto>_<Name>`.
 */
export const NODE_EXPORTER_NETSTAT_FIELDS =
  /^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$/;

/** Whether node_exporter exports `proto`/`name` with its default field filter. */
export function nodeExporterDefaultField(proto: string, name: string): boolean {
  return NODE_EXPORTER_NETSTAT_FIELDS.test(`${proto}_${name}`);
}

/**
 * Prometheus text exposition of the counters exactly as node_exporter's
 * netstat collector writes them: for each exported counter
 * `# HELP node_netstat_<Proto>_<Name> Statistic <Proto><Name>.`,
 * `# TYPE … untyped` and the sample line. By default only node_exporter's
 * default field set ({@link nodeExporterDefaultField}); `all: true` exports
 * every counter. Bigints are written with all their digits.
 */
export function netstatPrometheusText(
  set: Record<string, Record<string, number | bigint>>,
  opts: { all?: boolean } = {},
): string {
  const rows: [string, string, number | bigint][] = [];
  for (const proto of Object.keys(set)) {
    const sec = set[proto]!;
    for (const name of Object.keys(sec)) {
      if (proto === '' || (!opts.all && !nodeExporterDefaultField(proto, name))) continue;
      rows.push([prometheusName(proto, name), proto + name, sec[name]!]);
    }
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = '';
  for (const [metric, nstat, v] of rows) {
    out += `# HELP ${metric} Statistic ${nstat}.\n# TYPE ${metric} untyped\n${metric} ${v}\n`;
  }
  return out;
}
