// Package network applies the firmware's network settings (config/hostname.conf, staticip.conf,
// defaultgw.conf, resolv.conf, wpa_supplicant.conf, usb_eth_driver.conf) to a camera: the host
// name, a static IPv4 address with its gateway and resolv.conf, or a DHCPv4 lease kept renewed,
// and wpa_supplicant supervised as a child for Wi-Fi. It talks to the kernel over netlink (no
// ifconfig, route or udhcpc) and never runs a shell.
//
// It is only for freecam running as root on a camera: the caller (the system service) decides
// whether to use it at all. It must never be used on an ordinary computer's own network.
// It does not build the firmware's access-point fallback (hostapd, udhcpd).
//
// Use: cfg, err := Load(configDir); m := New(Options{…}); err = m.Apply(ctx, cfg); … m.Close().
// A bad file makes Load fail with the file and line and nothing is changed; Apply reports what it
// could not do and carries on with the rest.
package network
