/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx: pure logic shared by the driver and the userspace unit tests.
 *
 * Nothing here calls into the kernel: ring arithmetic, command id
 * encoding, register field decoding, PRP layout and status decoding.
 * tests/unit compiles this header directly with stdint types.
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

/* Doorbell stride in bytes: 2 ^ (2 + CAP.DSTRD). */
static inline u32 nvmx_cap_db_stride(u64 cap)
{
	return 4U << ((cap >> 32) & 0xf);
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

/* ---- Rings ---- */

/* Next slot of a ring of @depth slots. */
static inline u16 nvmx_ring_next(u16 idx, u16 depth)
{
	return idx + 1 == depth ? 0 : idx + 1;
}

/**
 * nvmx_cq_advance() - move a completion queue head past one entry
 * @head: the head, updated
 * @phase: the expected phase tag, flipped when the head wraps
 * @depth: slots in the ring
 */
static inline void nvmx_cq_advance(u16 *head, u8 *phase, u16 depth)
{
	*head = nvmx_ring_next(*head, depth);
	if (*head == 0)
		*phase ^= 1;
}

/**
 * nvmx_cq_depth() - slots of an I/O completion queue
 * @sq_depth: slots of the submission queue that completes into it
 * @max: the largest queue the controller takes (CAP.MQES + 1)
 *
 * Twice the submission queue where the controller allows it: the slots
 * beyond @sq_depth are room the host may leave consumed without telling
 * the controller (see nvmx_cq_hold()).
 */
static inline u32 nvmx_cq_depth(u32 sq_depth, u32 max)
{
	return 2 * sq_depth < max ? 2 * sq_depth : max;
}

/**
 * nvmx_cq_hold() - consumed CQ entries the host may leave unreported
 * @sq_depth: slots of the submission queue
 * @cq_depth: slots of the completion queue
 *
 * At most @sq_depth - 1 commands are outstanding, so with h consumed
 * entries not yet reported through the CQ head doorbell the controller
 * sees at most h + @sq_depth - 2 entries in use when it posts one more; a
 * ring of @cq_depth slots holds @cq_depth - 1.  Any h up to
 * @cq_depth - @sq_depth therefore leaves the controller room for every
 * completion it can owe.
 *
 * Return: that bound; 0 when the rings are the same size.
 */
static inline u16 nvmx_cq_hold(u32 sq_depth, u32 cq_depth)
{
	return cq_depth > sq_depth ? cq_depth - sq_depth : 0;
}

/* Entries written but not yet consumed in a ring, from head to tail. */
static inline u16 nvmx_ring_used(u16 head, u16 tail, u16 depth)
{
	return tail >= head ? tail - head : depth - head + tail;
}

/*
 * Shadow doorbells: after moving an index from @old to @new in the shadow
 * buffer, the real doorbell is still due when the controller's event
 * index lies in [old, new), that is, the update passed the point where
 * the controller asked to be told.  Computed modulo 2^16, which gives the
 * right answer for ring indices below any depth up to 65536.
 */
static inline bool nvmx_event_crossed(u16 event, u16 new, u16 old)
{
	return (u16)(new - event - 1) < (u16)(new - old);
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

/* ---- PRP layout ---- */

/**
 * nvmx_use_sgl() - describe a transfer with an SGL rather than PRPs?
 * @sgls: Identify Controller SGLS; bits 1:0 nonzero when SGLs are supported
 * @threshold: sgl_threshold, 0 for never
 * @bytes: the transfer's length
 *
 * PRPs cost one entry per page; an SGL costs one descriptor per segment
 * and a list as soon as there are two, so SGLs pay off on large transfers.
 */
static inline bool nvmx_use_sgl(u32 sgls, u32 threshold, u32 bytes)
{
	return (sgls & 3) && threshold && bytes >= threshold;
}

/**
 * nvmx_prp_pages() - controller pages touched by a transfer
 * @addr: DMA address of the first byte
 * @len: length in bytes, not zero
 * @page_shift: controller page shift
 *
 * PRP1 covers the first page (from the offset of @addr); each further
 * page needs one more PRP entry.
 */
static inline u32 nvmx_prp_pages(u64 addr, u32 len, u32 page_shift)
{
	u64 page = 1ULL << page_shift;
	u64 first = page - (addr & (page - 1));

	if (len <= first)
		return 1;
	return 1 + (u32)((len - first + page - 1) >> page_shift);
}

/**
 * nvmx_prp_list_pages() - PRP list pages for a number of list entries
 * @entries: PRP entries that go in lists (all but PRP1)
 * @page_shift: controller page shift
 *
 * A list page holds page_size / 8 entries; when more entries follow, its
 * last slot points to the next list page instead.  Two or fewer PRPs in
 * all need no list (PRP2 is then the second data page itself), which the
 * caller decides; this counts pages for @entries >= 1.
 */
static inline u32 nvmx_prp_list_pages(u32 entries, u32 page_shift)
{
	u32 per_page = 1U << (page_shift - 3);

	if (entries <= per_page)
		return 1;
	return (entries - 1 + per_page - 2) / (per_page - 1);
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
