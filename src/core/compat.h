/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx: every difference between the kernels nvmx builds for, in one
 * place.  Supported: Debian's 6.1 and 6.12 (LTS).  The rest of the code
 * is written against the calls below, never against a version.
 *
 * How each difference is told apart, best first:
 *  1. a macro the newer API defines (BLK_FEAT_WRITE_CACHE,
 *     BLK_STS_RESV_CONFLICT);
 *  2. a feature test Kbuild runs on the kernel's headers (NVMX_HAVE_*):
 *     a header that exists or not, and what a distribution backports
 *     without a macro to see (NVMX_HAVE_RQ_LIST: Debian's 6.12 has the
 *     struct rq_list plug lists of 6.13);
 * No version number is compared: a test names what it needs.
 *
 * A newer kernel: install its headers, build (KVER=<release> make), and
 * for each error add one entry here, tested as above (a new feature test
 * goes in Kbuild), with the older branch kept as it is; then run the VM
 * tests on it (KVER=<release> make check).  checkpatch exceptions here:
 * none.
 */
#ifndef NVMX_COMPAT_H
#define NVMX_COMPAT_H

#include <linux/blk-mq.h>
#include <linux/blkdev.h>

/* ---- headers that moved ---- */

#ifdef NVMX_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>		/* 6.12 */
#else
#include <asm/unaligned.h>
#endif

#ifdef NVMX_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>		/* 6.12: struct io_uring_cmd here */
#define NVMX_URING_CMD(ioucmd)	io_uring_sqe_cmd((ioucmd)->sqe)
#else
#include <linux/io_uring.h>
#define NVMX_URING_CMD(ioucmd)	((ioucmd)->cmd)
#endif

/* ---- driver core ---- */

#ifdef NVMX_HAVE_CLASS_CREATE_NAME_ONLY
#define nvmx_class_create(name)	class_create(name)		/* 6.4 */
#else
#define nvmx_class_create(name)	class_create(THIS_MODULE, name)
#endif

/* ---- tracing: __assign_str() lost its source argument in 6.10 ---- */

#ifdef NVMX_HAVE_ASSIGN_STR_ONE_ARG
#define nvmx_assign_str(field, src)	__assign_str(field)
#else
#define nvmx_assign_str(field, src)	__assign_str(field, src)
#endif

/* ---- block device open mode: blk_mode_t from 6.5 ---- */

#ifdef BLK_OPEN_WRITE
#define NVMX_BDEV_MODE			blk_mode_t
#define nvmx_bdev_writable(mode)	(!!((mode) & BLK_OPEN_WRITE))
#else
#define NVMX_BDEV_MODE			fmode_t
#define nvmx_bdev_writable(mode)	(!!((mode) & FMODE_WRITE))
#endif

/* ---- block status ---- */

#ifdef BLK_STS_RESV_CONFLICT
#define NVMX_BLK_STS_RESV_CONFLICT	BLK_STS_RESV_CONFLICT	/* 6.5 */
#else
#define NVMX_BLK_STS_RESV_CONFLICT	BLK_STS_NEXUS
#endif

/* ---- plug lists: a struct rq_list (FIFO) or a request pointer (LIFO) ---- */

#ifdef NVMX_HAVE_RQ_LIST
#define NVMX_RQ_LIST			struct rq_list
#define NVMX_RQ_LIST_INIT		{ }
#define nvmx_rq_list_keep(list, rq)	rq_list_add_tail(list, rq)
#define nvmx_iob_empty(iob)		rq_list_empty(&(iob)->req_list)
#else
#define NVMX_RQ_LIST			struct request *
#define NVMX_RQ_LIST_INIT		NULL
#define nvmx_rq_list_keep(list, rq)	rq_list_add(list, rq)
#define nvmx_iob_empty(iob)		rq_list_empty((iob)->req_list)
#endif

/* ---- queue limits ---- */

/*
 * A set of limit changes to one queue.  6.11 and later validate and apply
 * them at once (nvmx_lim_commit(), which can fail); before, each change
 * applies when it is made and the commit has nothing left to do.
 * Write cache and FUA are features of the limits from 6.11, queue flags
 * before; a queue is non-rotational by default from 6.11.
 */
#ifdef BLK_FEAT_WRITE_CACHE

struct nvmx_lim {
	struct request_queue *q;
	struct queue_limits l;
};

static inline void nvmx_lim_start(struct nvmx_lim *lim,
				  struct request_queue *q)
{
	lim->q = q;
	lim->l = queue_limits_start_update(q);
}

static inline int nvmx_lim_commit(struct nvmx_lim *lim)
{
	return queue_limits_commit_update(lim->q, &lim->l);
}

#define NVMX_LIM_SET(name, field)					\
static inline void nvmx_lim_##name(struct nvmx_lim *lim, unsigned int v) \
{									\
	lim->l.field = v;						\
}

NVMX_LIM_SET(max_hw_sectors, max_hw_sectors)
NVMX_LIM_SET(max_segments, max_segments)
NVMX_LIM_SET(logical_block_size, logical_block_size)
NVMX_LIM_SET(physical_block_size, physical_block_size)
NVMX_LIM_SET(io_min, io_min)
NVMX_LIM_SET(io_opt, io_opt)
NVMX_LIM_SET(max_discard_segments, max_discard_segments)
NVMX_LIM_SET(max_discard_sectors, max_hw_discard_sectors)
NVMX_LIM_SET(discard_granularity, discard_granularity)
NVMX_LIM_SET(max_write_zeroes_sectors, max_write_zeroes_sectors)
NVMX_LIM_SET(dma_alignment, dma_alignment)

/*
 * With a virt boundary, segments are bounded by it, not by a size: as
 * blk_queue_virt_boundary() did before 6.11.  A queue allocated without
 * limits got the 64 KiB default, which the update would keep.
 */
static inline void nvmx_lim_virt_boundary(struct nvmx_lim *lim,
					  unsigned long mask)
{
	lim->l.virt_boundary_mask = mask;
	lim->l.max_segment_size = UINT_MAX;
}

static inline void nvmx_lim_write_cache(struct nvmx_lim *lim, bool on)
{
	if (on)
		lim->l.features |= BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA;
	else
		lim->l.features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA);
}

/* pages must not change while under write-back (a digest covers them) */
static inline void nvmx_lim_stable_writes(struct nvmx_lim *lim)
{
	lim->l.features |= BLK_FEAT_STABLE_WRITES;
}

static inline void nvmx_set_nonrot(struct request_queue *q)
{
}

#define nvmx_alloc_disk(set, queuedata)	blk_mq_alloc_disk(set, NULL, queuedata)
#define nvmx_blk_alloc_queue(set, queuedata) \
	blk_mq_alloc_queue(set, NULL, queuedata)

#else /* !BLK_FEAT_WRITE_CACHE */

struct nvmx_lim {
	struct request_queue *q;
};

static inline void nvmx_lim_start(struct nvmx_lim *lim,
				  struct request_queue *q)
{
	lim->q = q;
}

static inline int nvmx_lim_commit(struct nvmx_lim *lim)
{
	return 0;
}

#define NVMX_LIM_SET(name, setter)					\
static inline void nvmx_lim_##name(struct nvmx_lim *lim, unsigned int v) \
{									\
	setter(lim->q, v);						\
}

NVMX_LIM_SET(max_hw_sectors, blk_queue_max_hw_sectors)
NVMX_LIM_SET(max_segments, blk_queue_max_segments)
NVMX_LIM_SET(logical_block_size, blk_queue_logical_block_size)
NVMX_LIM_SET(physical_block_size, blk_queue_physical_block_size)
NVMX_LIM_SET(io_min, blk_queue_io_min)
NVMX_LIM_SET(io_opt, blk_queue_io_opt)
NVMX_LIM_SET(max_discard_segments, blk_queue_max_discard_segments)
NVMX_LIM_SET(max_discard_sectors, blk_queue_max_discard_sectors)
NVMX_LIM_SET(max_write_zeroes_sectors, blk_queue_max_write_zeroes_sectors)
NVMX_LIM_SET(dma_alignment, blk_queue_dma_alignment)

static inline void nvmx_lim_discard_granularity(struct nvmx_lim *lim,
						unsigned int v)
{
	lim->q->limits.discard_granularity = v;
}

static inline void nvmx_lim_virt_boundary(struct nvmx_lim *lim,
					  unsigned long mask)
{
	blk_queue_virt_boundary(lim->q, mask);
}

static inline void nvmx_lim_write_cache(struct nvmx_lim *lim, bool on)
{
	blk_queue_write_cache(lim->q, on, on);
}

static inline void nvmx_lim_stable_writes(struct nvmx_lim *lim)
{
	blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, lim->q);
}

static inline void nvmx_set_nonrot(struct request_queue *q)
{
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
}

#define nvmx_alloc_disk(set, queuedata)	blk_mq_alloc_disk(set, queuedata)

static inline struct request_queue *
nvmx_blk_alloc_queue(struct blk_mq_tag_set *set, void *queuedata)
{
	struct request_queue *q = blk_mq_init_queue(set);

	if (!IS_ERR(q))
		q->queuedata = queuedata;
	return q;
}

#endif /* BLK_FEAT_WRITE_CACHE */

/*
 * Sending one page's bytes on a kernel socket without copying them (the
 * TCP transport): kernel_sendpage() up to 6.4, sendmsg with
 * MSG_SPLICE_PAGES from 6.5.  6.1 stable defines MSG_SPLICE_PAGES, which
 * its TCP ignores, so the test is MSG_SENDPAGE_NOTLAST, gone with
 * kernel_sendpage().  @more: more bytes of the same PDU follow.  A page
 * that must not be referenced (slab, no refcount) is copied;
 * nvmx_send_own_page() is for pages the caller allocated for sending.
 * The range stays within the page: a 6.1 sender's frag that crosses pages
 * reaches a loopback receiver whole, and a copy across a large folio's
 * end is a hardened usercopy BUG there.  MSG_NOSIGNAL: the sender may be
 * a task submitting I/O (the TCP transport's queue_rq), which a
 * connection gone must not kill with SIGPIPE.
 */
#if IS_ENABLED(CONFIG_NET)
#include <linux/highmem.h>
#include <linux/net.h>
#include <linux/socket.h>

#ifdef MSG_SENDPAGE_NOTLAST
static __always_inline int __nvmx_send_page(struct socket *sock,
					    struct page *page, unsigned int off,
					    unsigned int len, bool more,
					    bool by_ref)
{
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL |
		    (more ? MSG_MORE | MSG_SENDPAGE_NOTLAST : MSG_EOR);

	if (!by_ref) {
		struct msghdr msg = { .msg_flags = flags & ~MSG_SENDPAGE_NOTLAST };
		struct kvec iov = { .iov_len = len };
		int ret;

		iov.iov_base = kmap_local_page(page) + off;
		ret = kernel_sendmsg(sock, &msg, &iov, 1, len);
		kunmap_local(iov.iov_base);
		return ret;
	}
	return kernel_sendpage(sock, page, off, len, flags);
}
#else
static __always_inline int __nvmx_send_page(struct socket *sock,
					    struct page *page, unsigned int off,
					    unsigned int len, bool more,
					    bool by_ref)
{
	struct msghdr msg = {
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL |
			     (more ? MSG_MORE : MSG_EOR),
	};
	struct bio_vec bv;

	if (by_ref)
		msg.msg_flags |= MSG_SPLICE_PAGES;
	bvec_set_page(&bv, page, len, off);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1, len);
	return sock_sendmsg(sock, &msg);
}
#endif /* MSG_SENDPAGE_NOTLAST */

static __always_inline int nvmx_send_page(struct socket *sock,
					  struct page *page, unsigned int off,
					  unsigned int len, bool more)
{
	return __nvmx_send_page(sock, page, off, len, more, sendpage_ok(page));
}

/* A page of the driver's own, which the socket may always reference. */
static __always_inline int nvmx_send_own_page(struct socket *sock,
					      struct page *page,
					      unsigned int off,
					      unsigned int len, bool more)
{
	return __nvmx_send_page(sock, page, off, len, more, true);
}
#endif /* CONFIG_NET */

#endif /* NVMX_COMPAT_H */
