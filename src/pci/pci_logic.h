/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx PCIe transport: pure logic shared by the driver and the userspace
 * unit tests: doorbell stride, ring arithmetic, the CQ hold, shadow
 * doorbell event indexes and PRP layout.  Nothing here calls into the
 * kernel; tests/unit compiles it directly with stdint types.
 */
#ifndef NVMX_PCI_LOGIC_H
#define NVMX_PCI_LOGIC_H

/* Userspace includers define u8..u64 and bool before including this. */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

/* Doorbell stride in bytes: 2 ^ (2 + CAP.DSTRD). */
static inline u32 nvmx_cap_db_stride(u64 cap)
{
	return 4U << ((cap >> 32) & 0xf);
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

/* ---- PRP layout ---- */

/**
 * nvmx_use_sgl() - describe a transfer with an SGL rather than PRPs?
 * @sgls: Identify Controller SGLS; bits 1:0 nonzero when SGLs are supported
 * @threshold: sgl_threshold, 0 for never
 * @bytes: the transfer's length
 * @nsegs: its segments, at least 1
 *
 * PRPs cost one entry per page; an SGL costs one descriptor per segment
 * and a list as soon as there are two, so SGLs pay off on large segments:
 * the average segment must reach @threshold.  A transfer of page-sized
 * segments takes PRPs however long it is, as with the in-tree driver.
 */
static inline bool nvmx_use_sgl(u32 sgls, u32 threshold, u32 bytes,
				u32 nsegs)
{
	return (sgls & 3) && threshold &&
	       (bytes + nsegs - 1) / nsegs >= threshold;
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

#endif /* NVMX_PCI_LOGIC_H */
