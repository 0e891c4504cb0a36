/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx: pure logic shared by the driver and the userspace unit tests.
 *
 * Nothing here calls into the kernel: register field decoding, command id
 * encoding, status decoding, the retry rule, the latency histogram.  The
 * PCIe transport's own (rings, doorbells, PRPs) is in pci/pci_logic.h.
 * tests/unit compiles these headers directly with stdint types.
 */
#ifndef NVMX_LOGIC_H
#define NVMX_LOGIC_H

/* Userspace includers define u8..u64 and bool before including this. */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

/* ---- Controller Capabilities (CAP) and Version (VS) ---- */

/* CAP.TO is in units of 500 ms. */
static inline u32 nvmx_cap_timeout_ms(u64 cap)
{
	u32 to = (cap >> 24) & 0xff;

	return (to ? to : 1) * 500;
}

/* Maximum queue entries supported: CAP.MQES is zero based. */
static inline u32 nvmx_cap_max_entries(u64 cap)
{
	return (u32)(cap & 0xffff) + 1;
}

static inline u32 nvmx_cap_mps_min_shift(u64 cap)
{
	return 12 + ((cap >> 48) & 0xf);
}

static inline u32 nvmx_cap_mps_max_shift(u64 cap)
{
	return 12 + ((cap >> 52) & 0xf);
}

/**
 * nvmx_ctrl_page_shift() - controller memory page size to program in CC.MPS
 * @cap: the CAP register
 * @host_shift: the host's page shift
 *
 * The largest page size that the controller supports and that is not
 * larger than the host page, so that one host page never straddles a
 * controller page boundary in a way PRPs cannot describe.
 *
 * Return: the page shift, or 0 when the controller's minimum page is
 * larger than the host page.
 */
static inline u32 nvmx_ctrl_page_shift(u64 cap, u32 host_shift)
{
	u32 lo = nvmx_cap_mps_min_shift(cap);
	u32 hi = nvmx_cap_mps_max_shift(cap);

	if (lo > host_shift)
		return 0;
	return hi < host_shift ? hi : host_shift;
}

/* Queue depth: the wanted depth capped by CAP.MQES+1, never below 2. */
static inline u32 nvmx_queue_depth(u64 cap, u32 wanted)
{
	u32 max = nvmx_cap_max_entries(cap);
	u32 depth = wanted < max ? wanted : max;

	return depth < 2 ? 2 : depth;
}

static inline u32 nvmx_vs_major(u32 vs)
{
	return vs >> 16;
}

static inline u32 nvmx_vs_minor(u32 vs)
{
	return (vs >> 8) & 0xff;
}

static inline u32 nvmx_vs_tertiary(u32 vs)
{
	return vs & 0xff;
}

/* ---- Command identifiers ---- */

/*
 * A command id carries the blk-mq tag in its low 12 bits and a 4-bit
 * generation counter above it, so that a completion for a command that
 * was already completed (or never sent) is recognised and rejected.
 */
#define NVMX_CID_TAG_BITS	12
#define NVMX_CID_TAG_MASK	((1U << NVMX_CID_TAG_BITS) - 1)
#define NVMX_CID_GEN_MASK	0xfU

static inline u16 nvmx_cid_make(u16 tag, u8 gen)
{
	return (u16)(((gen & NVMX_CID_GEN_MASK) << NVMX_CID_TAG_BITS) |
		     (tag & NVMX_CID_TAG_MASK));
}

static inline u16 nvmx_cid_tag(u16 cid)
{
	return cid & NVMX_CID_TAG_MASK;
}

static inline u8 nvmx_cid_gen(u16 cid)
{
	return (cid >> NVMX_CID_TAG_BITS) & NVMX_CID_GEN_MASK;
}

static inline u8 nvmx_gen_next(u8 gen)
{
	return (gen + 1) & NVMX_CID_GEN_MASK;
}

/* ---- Completion status (the CQE status field without the phase bit) ---- */

/* @status: CQE status >> 1: SC in bits 7:0, SCT 10:8, CRD 12:11, M 13, DNR 14 */
static inline u8 nvmx_status_sc(u16 status)
{
	return status & 0xff;
}

static inline u8 nvmx_status_sct(u16 status)
{
	return (status >> 8) & 0x7;
}

static inline u8 nvmx_status_crd(u16 status)
{
	return (status >> 11) & 0x3;
}

static inline bool nvmx_status_dnr(u16 status)
{
	return status & (1U << 14);
}

/* Status code and type, without the CRD, More and DNR bits. */
static inline u16 nvmx_status_code(u16 status)
{
	return status & 0x7ff;
}

/**
 * nvmx_should_retry() - whether a failed command is worth sending again
 * @status: the completion status (without phase)
 * @retries: how many times it was already retried
 * @max_retries: the limit
 */
static inline bool nvmx_should_retry(u16 status, u32 retries,
				     u32 max_retries)
{
	if (!nvmx_status_code(status) || nvmx_status_dnr(status))
		return false;
	return retries < max_retries;
}

/* ---- namespaces ---- */

/*
 * A controller without the active namespace list (before NVMe 1.1) is
 * scanned by probing ids 1 to NN, one Identify each; NN may claim up to
 * 2^32 - 1.  No such controller has more than a few namespaces.
 */
#define NVMX_NS_PROBE_MAX	1024

/* The namespace ids to probe, 1 to the value returned. */
static inline u32 nvmx_ns_probe_limit(u32 nn)
{
	return nn < NVMX_NS_PROBE_MAX ? nn : NVMX_NS_PROBE_MAX;
}

/* ---- Latency histogram ---- */

/*
 * Log2 buckets of nanoseconds: bucket i counts latencies in
 * [2^(i + 10), 2^(i + 11)) ns, bucket 0 also everything shorter and the
 * last bucket everything longer (2^33 ns, about 8.6 s, and up).
 */
#define NVMX_LAT_BUCKETS	24
#define NVMX_LAT_MIN_SHIFT	10

static inline u32 nvmx_lat_bucket(u64 ns)
{
	int msb = ns ? 63 - __builtin_clzll(ns) : 0;

	if (msb <= NVMX_LAT_MIN_SHIFT)
		return 0;
	if (msb - NVMX_LAT_MIN_SHIFT >= NVMX_LAT_BUCKETS - 1)
		return NVMX_LAT_BUCKETS - 1;
	return msb - NVMX_LAT_MIN_SHIFT;
}

#endif /* NVMX_LOGIC_H */
