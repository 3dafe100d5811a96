/**
 * Netlink protocol constants (include/uapi/linux/netlink.h).
 * @module
 */

/** `NLMSG_NOOP`: message to be ignored. */
export const NLMSG_NOOP = 1;
/** `NLMSG_ERROR`: error or acknowledgement (`struct nlmsgerr`; error 0 = ACK). */
export const NLMSG_ERROR = 2;
/** `NLMSG_DONE`: end of a multi-part message (dump). */
export const NLMSG_DONE = 3;
/** `NLMSG_OVERRUN`: data lost. */
export const NLMSG_OVERRUN = 4;
/** First message type that carries family data (`NLMSG_MIN_TYPE`). */
export const NLMSG_MIN_TYPE = 0x10;

/** `NLM_F_REQUEST`: the message is a request. */
export const NLM_F_REQUEST = 0x1;
/** `NLM_F_MULTI`: part of a multi-part message terminated by NLMSG_DONE. */
export const NLM_F_MULTI = 0x2;
/** `NLM_F_ACK`: reply with an acknowledgement (NLMSG_ERROR with error 0) on success. */
export const NLM_F_ACK = 0x4;
/** `NLM_F_ECHO`: echo this request. */
export const NLM_F_ECHO = 0x8;
/** `NLM_F_DUMP_INTR`: the dump was inconsistent because the table changed during it. */
export const NLM_F_DUMP_INTR = 0x10;
/** `NLM_F_DUMP_FILTERED`: the dump was filtered as requested. */
export const NLM_F_DUMP_FILTERED = 0x20;
/** `NLM_F_ROOT`: return the complete table instead of a single entry. */
export const NLM_F_ROOT = 0x100;
/** `NLM_F_MATCH`: return all entries matching the criteria in the request. */
export const NLM_F_MATCH = 0x200;
/** `NLM_F_DUMP` = `NLM_F_ROOT | NLM_F_MATCH`. */
export const NLM_F_DUMP = 0x300;
/** On NLMSG_ERROR: the copy of the request was capped to its header (`NLM_F_CAPPED`). */
export const NLM_F_CAPPED = 0x100;
/** On NLMSG_ERROR / NLMSG_DONE: extended-ACK attributes follow (`NLM_F_ACK_TLVS`). */
export const NLM_F_ACK_TLVS = 0x200;

/** `NLA_F_NESTED`: the attribute carries nested attributes. */
export const NLA_F_NESTED = 0x8000;
/** `NLA_F_NET_BYTEORDER`: the attribute's payload is in network byte order. */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** `NLA_TYPE_MASK`: the attribute type without the two flag bits. */
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** Extended-ACK attributes (`enum nlmsgerr_attrs`). */
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;
export const NLMSGERR_ATTR_COOKIE = 3;
export const NLMSGERR_ATTR_POLICY = 4;
export const NLMSGERR_ATTR_MISS_TYPE = 5;
export const NLMSGERR_ATTR_MISS_NEST = 6;

/** Netlink protocol numbers (`socket(AF_NETLINK, SOCK_RAW, protocol)`). */
export const NETLINK_ROUTE = 0;
/** `NETLINK_SOCK_DIAG` (formerly NETLINK_INET_DIAG): socket monitoring. */
export const NETLINK_SOCK_DIAG = 4;
/** `NETLINK_GENERIC`: generic netlink (taskstats, nl80211 …). */
export const NETLINK_GENERIC = 16;

/** Socket options at `SOL_NETLINK`. */
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_NO_ENOBUFS = 5;
export const NETLINK_CAP_ACK = 10;

/** Size of `struct nlmsghdr`. */
export const NLMSG_HDRLEN = 16;
/** Size of `struct nlattr`. */
export const NLA_HDRLEN = 4;
