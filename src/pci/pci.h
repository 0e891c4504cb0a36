/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx PCIe transport: BAR0 and its doorbells, queue pairs in host memory,
 * interrupts, PRP and SGL mapping, CC/CSTS enable and shutdown.  Built on
 * the core (../core/nvmx.h), which reaches it only through nvmx_pci_ops.
 *
 * Locking, besides the core's (see nvmx.h):
 *  - nvmx_queue submission fields are protected by sq_lock; completion
 *    fields are owned by whoever reaps the queue: its interrupt handler, or
 *    a caller holding cq_lock with the interrupt disabled or synchronised.
 *  - Interrupt vectors and NVMX_QUEUE_LIVE change under the core's
 *    shutdown_lock (the timeout handler reaps a live queue through its
 *    vector under it).
 */
#ifndef NVMX_PCI_H
#define NVMX_PCI_H

#include <linux/dmapool.h>
#include <linux/mempool.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>

#include "core/nvmx.h"
#include "pci_logic.h"

#define NVMX_SQES		6	/* log2 of the 64-byte SQ entry */
#define NVMX_CQES		4	/* log2 of the 16-byte CQ entry */
#define NVMX_INLINE_SG		2	/* segments mapped without allocation */
#define NVMX_MAX_PRP_LISTS	4	/* chained PRP list pages per command */
/* PRP lists of up to 32 entries, SGL lists of up to 16 descriptors */
#define NVMX_SMALL_POOL_SIZE	256
#define NVMX_NSSR_MAGIC		0x4e564d65	/* "NVMe", written to NSSR */

/* probe.c: the PCIe transport's parameters */
extern struct nvmx_uint_param nvmx_poll_queues;
extern struct nvmx_uint_param nvmx_sgl_threshold;	/* bytes, 0: never */
extern bool nvmx_use_dbbuf;
/* on: queues keep a submit-to-completion histogram (latency_histogram) */
DECLARE_STATIC_KEY_FALSE(nvmx_lat_enabled);

struct nvmx_pci_ctrl;

/**
 * struct nvmx_queue - one submission/completion queue pair
 *
 * The admin queue is queue 0; I/O queues follow.  Both rings live in
 * coherent DMA memory; the doorbells are in BAR0.
 */
struct nvmx_queue {
	struct nvmx_ctrl *ctrl;		/* of a struct nvmx_pci_ctrl */

	/* submission side, protected by sq_lock */
	spinlock_t sq_lock;
	struct nvme_command *sqes;
	u16 sq_tail;
	u16 last_sq_tail;	/* tail value last written to the doorbell */

	/* completion side, owned by the reaper (see the locking overview) */
	spinlock_t cq_lock;
	struct nvme_completion *cqes;
	u16 cq_head;
	u16 cq_reported;	/* head value last written to the doorbell */
	u8 cq_phase;

	/* set up at creation, read-only afterwards */
	u16 qid;
	u16 depth;		/* SQ slots */
	u16 cq_depth;		/* CQ slots, depth or more */
	u16 cq_hold;		/* consumed CQ entries that may go unreported */
	s16 cq_vector;		/* -1 when the queue has no interrupt */
	u32 __iomem *sq_db;
	u32 __iomem *cq_db;
	__le32 *dbbuf_sq_db;	/* shadow doorbells and event indexes, */
	__le32 *dbbuf_cq_db;	/* NULL when not in use */
	__le32 *dbbuf_sq_ei;
	__le32 *dbbuf_cq_ei;
	dma_addr_t sq_dma;
	dma_addr_t cq_dma;

	unsigned long flags;
#define NVMX_QUEUE_LIVE		0	/* created on the controller */

	/* statistics, updated by the side that owns the field */
	u64 submitted;		/* under sq_lock */
	u64 sq_doorbells;	/* under sq_lock: MMIO writes */
	u64 sq_shadowed;	/* under sq_lock: shadow-only updates */
	u64 max_inflight;	/* under sq_lock */
	u64 sgl_cmds;		/* under sq_lock: data described by SGLs */
	u64 plug_lists;		/* under sq_lock: runs written by queue_rqs */
	u64 completed;		/* by the reaper */
	u64 cq_doorbells;	/* by the reaper: MMIO writes */
	u64 cq_shadowed;	/* by the reaper: shadow-only updates */
	u64 cq_deferred;	/* by the reaper: heads left unreported */
	u64 irqs;		/* by the reaper */
	u64 polls;		/* by the reaper: polls that found completions */
	u64 errors;		/* by the reaper: completions with a status */
	u64 bad_cqes;		/* by the reaper */
	u64 lat_hist[NVMX_LAT_BUCKETS];	/* by the reaper */
	atomic64_t timeouts;	/* by the timeout handlers */
	atomic64_t aborts;	/* by the timeout handlers: Aborts sent */
	struct dentry *debugfs;
};

/**
 * struct nvmx_pci_request - per-request state of the PCIe transport, in
 * the blk-mq PDU after the core's
 * @req: the core's part; must stay first (nvmx_req())
 * @nents: mapped scatterlist entries, 0 when @sg is unused
 * @nr_prp_lists: PRP list pages (or the one SGL list) in @prp_lists
 * @small_list: the one list came from the small pool
 * @sgl: the data is described by an SGL
 * @first_dma: DMA address of a single-segment mapping (no scatterlist)
 * @first_len: its length, 0 when the request has no single mapping
 * @sg: the scatterlist, @inline_sg or from the controller's mempool
 */
struct nvmx_pci_request {
	struct nvmx_request req;
	u8 nents;
	u8 nr_prp_lists;
	bool small_list;
	bool sgl;
	dma_addr_t first_dma;
	u32 first_len;
	struct scatterlist *sg;
	void *prp_lists[NVMX_MAX_PRP_LISTS];
	dma_addr_t prp_dma[NVMX_MAX_PRP_LISTS];
	struct scatterlist inline_sg[NVMX_INLINE_SG];
};

static inline struct nvmx_pci_request *nvmx_pci_req(struct request *rq)
{
	return blk_mq_rq_to_pdu(rq);
}

/**
 * struct nvmx_pci_ctrl - an NVMe controller on PCIe
 * @ctrl: the core's controller; its device owns this structure
 */
struct nvmx_pci_ctrl {
	struct nvmx_ctrl ctrl;
	struct pci_dev *pdev;
	void __iomem *bar;
	resource_size_t bar_size;
	struct work_struct remove_work;	/* unbinds a dead controller */

	u32 db_stride;		/* bytes between doorbells */
	u32 page_shift;		/* controller memory page size */

	/* shadow doorbell buffers, NULL when not in use (reset work) */
	__le32 *dbbuf_dbs;
	__le32 *dbbuf_eis;
	dma_addr_t dbbuf_dbs_dma;
	dma_addr_t dbbuf_eis_dma;

	struct nvmx_queue *queues;	/* [0] is the admin queue */
	unsigned int nr_queues;		/* allocated entries of @queues */
	unsigned int nr_poll_wanted;	/* poll_queues when probed */
	unsigned int nr_alloc_queues;	/* queues with rings in memory */
	unsigned int nr_vectors;	/* interrupt vectors allocated */
	unsigned int nr_poll_queues;	/* the last I/O queues, without interrupts */
	atomic_t aborts_outstanding;	/* by timeout handler and abort end_io */

	struct dma_pool *prp_page_pool;
	struct dma_pool *prp_small_pool;
	mempool_t *sg_pool;
};

static inline struct nvmx_pci_ctrl *to_pci_ctrl(struct nvmx_ctrl *ctrl)
{
	return container_of(ctrl, struct nvmx_pci_ctrl, ctrl);
}

/*
 * The controller's memory page: a constant where the host's page is 4 KiB,
 * as nvmx_ctrl_page_shift() can then choose nothing else.
 */
static __always_inline u32 nvmx_ctrl_page(struct nvmx_pci_ctrl *pctrl)
{
	return PAGE_SHIFT == 12 ? SZ_4K : 1U << pctrl->page_shift;
}

/*
 * One segment that spans at most two controller pages: PRP1 and PRP2 come
 * straight from the mapped bio_vec, with no scatterlist and no list.
 */
static __always_inline blk_status_t
nvmx_map_simple(struct nvmx_pci_ctrl *pctrl, struct request *rq,
		struct bio_vec *bv)
{
	struct nvmx_pci_request *preq = nvmx_pci_req(rq);
	u32 page = nvmx_ctrl_page(pctrl);
	dma_addr_t dma;
	u32 first;

	dma = dma_map_bvec(&pctrl->pdev->dev, bv, rq_dma_dir(rq), 0);
	if (unlikely(dma_mapping_error(&pctrl->pdev->dev, dma)))
		return BLK_STS_RESOURCE;
	first = page - (dma & (page - 1));
	preq->first_dma = dma;
	preq->first_len = bv->bv_len;
	preq->req.cmd.common.dptr.prp1 = cpu_to_le64(dma);
	preq->req.cmd.common.dptr.prp2 = bv->bv_len > first ?
					 cpu_to_le64(dma + first) : 0;
	return BLK_STS_OK;
}

/* Whether a segment at @bv spans at most two controller pages. */
static __always_inline bool nvmx_prp_simple_fits(struct nvmx_pci_ctrl *pctrl,
						 const struct bio_vec *bv)
{
	u32 page = nvmx_ctrl_page(pctrl);

	return (bv->bv_offset & (page - 1)) + bv->bv_len <= 2 * page;
}

/* ctrl.c: registers, enable, disable and shutdown, the reset's PCIe part */
extern const struct nvmx_ctrl_ops nvmx_pci_ops;
void nvmx_pci_disable(struct nvmx_ctrl *ctrl, bool shutdown);
void nvmx_pci_delete_io_queues(struct nvmx_pci_ctrl *pctrl);
void nvmx_dbbuf_free(struct nvmx_pci_ctrl *pctrl);

/* probe.c: the PCI driver */
void nvmx_pci_delete_ctrl(struct nvmx_ctrl *ctrl);
void nvmx_pci_free_ctrl(struct nvmx_ctrl *ctrl);

/* queue.c: rings, submission, completion, blk-mq, timeouts */
int nvmx_alloc_queue(struct nvmx_pci_ctrl *pctrl, u16 qid, u16 depth,
		     u16 cq_depth);
void nvmx_free_queues(struct nvmx_pci_ctrl *pctrl, unsigned int lowest);
void nvmx_init_queue(struct nvmx_queue *nq);
int nvmx_queue_request_irq(struct nvmx_queue *nq);
void nvmx_queue_free_irq(struct nvmx_queue *nq);
void nvmx_queue_reap(struct nvmx_queue *nq);
void nvmx_pci_submit_async_event(struct nvmx_ctrl *ctrl);
int nvmx_pci_alloc_admin_tags(struct nvmx_pci_ctrl *pctrl);
int nvmx_create_cq(struct nvmx_pci_ctrl *pctrl, struct nvmx_queue *nq,
		   int vector);
int nvmx_create_sq(struct nvmx_pci_ctrl *pctrl, struct nvmx_queue *nq);
int nvmx_delete_queue(struct nvmx_pci_ctrl *pctrl, u8 opcode, u16 qid);

/* map.c: PRP and SGL mapping, DMA pools */
blk_status_t nvmx_map_data(struct nvmx_pci_ctrl *pctrl, struct request *rq);
void nvmx_unmap_sg(struct nvmx_pci_ctrl *pctrl, struct request *rq);
int nvmx_setup_dma_pools(struct nvmx_pci_ctrl *pctrl);
void nvmx_release_dma_pools(struct nvmx_pci_ctrl *pctrl);

/* debugfs.c: the queues file and q<N>/ */
void nvmx_pci_debugfs_add_ctrl(struct nvmx_pci_ctrl *pctrl);
void nvmx_pci_debugfs_add_queue(struct nvmx_queue *nq);

/*
 * Undo the mapping and free what the command allocated.  Inline for the
 * single mapping of the fast path; the scatterlist case is in map.c.
 */
static __always_inline void nvmx_unmap_data(struct nvmx_pci_ctrl *pctrl,
					    struct request *rq)
{
	struct nvmx_pci_request *preq = nvmx_pci_req(rq);

	if (preq->first_len) {
		dma_unmap_page(&pctrl->pdev->dev, preq->first_dma,
			       preq->first_len, rq_dma_dir(rq));
		preq->first_len = 0;
	} else if (preq->nents) {
		nvmx_unmap_sg(pctrl, rq);
	}
	if (unlikely(rq->rq_flags & RQF_SPECIAL_PAYLOAD))
		nvmx_cleanup_cmd(rq);
}

#endif /* NVMX_PCI_H */
