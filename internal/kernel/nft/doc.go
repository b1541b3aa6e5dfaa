// Package nft reads and changes a network namespace's nf_tables ruleset,
// the firewall nft(8) shows, over netlink (NETLINK_NETFILTER) through
// github.com/google/nftables, and narrates each netlink message it sends
// (NFT_MSG_NEWTABLE, NFT_MSG_NEWCHAIN, NFT_MSG_NEWRULE inside
// NFNL_MSG_BATCH_BEGIN/END, NFT_MSG_GET* dumps) with the kernel's answer
// and the nft(8) command that sends the same.
//
// A netlink socket belongs to the network namespace it was created in, for
// as long as it lives. To talk to a box's firewall hood opens the box's
// /proc/PID/ns/net and hands the descriptor to the library
// (nftables.WithNetNSFd); the library (mdlayher/socket) creates the socket
// on a goroutine locked to its OS thread that joins the namespace for that
// one socket(2) and returns to hood's own before it is unlocked. Every
// message on that socket then reaches the box's ruleset, never the host's.
//
// Man pages: nft(8), netlink(7); the kernel's include/uapi/linux/netfilter/
// nf_tables.h and nfnetlink.h name the messages.
package nft
