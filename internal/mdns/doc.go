// Package mdns announces the camera on the local network over multicast DNS (RFC 6762) and
// DNS-SD (RFC 6763): it answers <host>.local (A, and AAAA for the interface's IPv6 addresses) so
// that https://<host>.local/ reaches the camera without any DNS server, and it announces the
// listeners that run (_rtsp._tcp, _https._tcp, _onvif._tcp). It replaces the firmware's
// mdns-responder (mDNSResponder -b -n $(hostname) -t _rtsp._tcp -p 8554), which announced RTSP
// only, on a hard-coded port.
//
// The responder is github.com/brutella/dnssd: it probes the host and service names before
// announcing them and renames on a conflict (dafang → dafang-2), announces twice, sends goodbyes
// (TTL 0) for withdrawn services, answers multicast queries from port 5353 by multicast and
// legacy unicast queries (dig, nss-mdns' minimal mode, any ordinary DNS client pointed at
// 224.0.0.251:5353) by unicast with the query ID and the question echoed. hashicorp/mdns answers
// every query by unicast to its source with ID 0 and no question (dig drops it), and
// grandcat/zeroconf never answers the host's A record and multicasts answers to legacy queries;
// both were rejected for that.
//
// This package must not touch the host's network configuration (addresses, routes, hostname):
// it only opens the mDNS sockets. The host name is given by the caller (hostname.conf).
package mdns
