/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx: driver structures, locking rules and prototypes.
 *
 * Locking overview
 *  - nvmx_ctrl.state is changed only through nvmx_change_state(), under
 *    state_lock.  Readers that only take a decision use READ_ONCE().
 *  - nvmx_ctrl.shutdown_lock serialises enabling and disabling the
 *    controller (reset work, timeout handler, remove).
 *  - nvmx_queue submission fields are protected by sq_lock; completion
 *    fields are owned by whoever reaps the queue: its interrupt handler, or
 *    a caller holding cq_lock with the interrupt disabled or synchronised.
 *  - nvmx_ctrl.namespaces is protected by ns_rwsem.  Nobody holds it while
 *    waiting for a command, since a timeout may need it to disable the
 *    controller.
 *  - nvmx_ctrl.scan_lock keeps namespace scans apart from a Format NVM
 *    sent through passthrough, which holds it, with every namespace queue
 *    frozen, until the namespaces have their new formats.  Neither the
 *    timeout handler nor the reset work takes it.
 */
#ifndef NVMX_H
#define NVMX_H

#include <linux/bio.h>
#include <linux/blk-mq.h>
#include <linux/cdev.h>
#include <linux/dmapool.h>
#include <linux/jump_label.h>
#include <linux/llist.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/nvme.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>

#include "nvmx_logic.h"

#define NVMX_AQ_DEPTH		32
/* admin tags 0 to NVMX_AQ_DEPTH - 3 are blk-mq's; this one is the AER's */
#define NVMX_AEN_TAG		(NVMX_AQ_DEPTH - 2)
#define NVMX_SQES		6	/* log2 of the 64-byte SQ entry */
#define NVMX_CQES		4	/* log2 of the 16-byte CQ entry */
#define NVMX_INLINE_SG		2	/* segments mapped without allocation */
#define NVMX_MAX_PRP_LISTS	4	/* chained PRP list pages per command */
/* PRP lists of up to 32 entries, SGL lists of up to 16 descriptors */
#define NVMX_SMALL_POOL_SIZE	256
#define NVMX_WZ_DEAC		BIT(9)	/* Write Zeroes: deallocate */
#define NVMX_CAP_NSSRS		BIT_ULL(36)	/* NVM Subsystem Reset supported */
#define NVMX_NSSR_MAGIC		0x4e564d65	/* "NVMe" */

/* A module parameter with its allowed range; @val must stay first. */
struct nvmx_uint_param {
	unsigned int val;
	unsigned int min;
	unsigned int max;
};

extern struct nvmx_uint_param nvmx_admin_timeout;	/* seconds */
extern struct nvmx_uint_param nvmx_io_timeout;		/* seconds */
extern struct nvmx_uint_param nvmx_max_retries;
extern struct nvmx_uint_param nvmx_nr_io_queues;	/* 0: one per CPU */
extern struct nvmx_uint_param nvmx_io_queue_depth;
extern struct nvmx_uint_param nvmx_poll_queues;
extern struct nvmx_uint_param nvmx_sgl_threshold;	/* bytes, 0: never */
extern bool nvmx_use_dbbuf;

enum nvmx_ctrl_state {
	NVMX_CTRL_NEW,
	NVMX_CTRL_RESETTING,	/* reset work is bringing the controller up */
	NVMX_CTRL_LIVE,
	NVMX_CTRL_DELETING,	/* being removed; no more resets */
	NVMX_CTRL_DEAD,		/* failed; I/O fails fast */
};

struct nvmx_ctrl;

/**
 * struct nvmx_queue - one submission/completion queue pair
 *
 * The admin queue is queue 0; I/O queues follow.  Both rings live in
 * coherent DMA memory; the doorbells are in BAR0.
 */
struct nvmx_queue {
	struct nvmx_ctrl *ctrl;

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
 * struct nvmx_request - per-request state, in the blk-mq PDU
 * @cmd: the command; filled by the submitter for passthrough requests,
 *	built by queue_rq for block I/O
 * @result: the completion's command specific result
 * @status: the completion's status field, shifted right past the phase bit
 * @retries: times this request was sent again after a retryable error
 * @gen: generation counter folded into the command id
 * @nents: mapped scatterlist entries, 0 when @sg is unused
 * @nr_prp_lists: PRP list pages (or the one SGL list) in @prp_lists
 * @small_list: the one list came from the small pool
 * @sgl: the data is described by an SGL
 * @first_dma: DMA address of a single-segment mapping (no scatterlist)
 * @first_len: its length, 0 when the request has no single mapping
 * @submit_ns: when queue_rq put the command in its SQ slot (local_clock(),
 *	good for a latency histogram across CPUs, not for wall time)
 * @aborted: an Abort was sent for it; the next timeout resets
 * @timed_out: it timed out since it was last sent; a reset's cancellation
 *	counts as a retry
 * @held: fault injection holds its completion (on @held_node)
 * @fatal: fault injection dropped its completion; its timeout finds the
 *	controller fatal
 * @held_node: entry in nvmx_fault.held
 * @sg: the scatterlist, @inline_sg or from the controller's mempool
 */
struct nvmx_request {
	struct nvme_command cmd;
	union nvme_result result;
	u16 status;
	u8 retries;
	u8 gen;
	u8 nents;
	u8 nr_prp_lists;
	bool small_list;
	bool sgl;
	bool aborted;
	bool timed_out;
	bool held;
	bool fatal;
	dma_addr_t first_dma;
	u32 first_len;
	u64 submit_ns;
	struct llist_node held_node;
	struct scatterlist *sg;
	void *prp_lists[NVMX_MAX_PRP_LISTS];
	dma_addr_t prp_dma[NVMX_MAX_PRP_LISTS];
	struct scatterlist inline_sg[NVMX_INLINE_SG];
};

/* A namespace's identifiers; all zero when not reported. */
struct nvmx_ns_ids {
	u8 eui64[8];
	u8 nguid[16];
	uuid_t uuid;
};

/**
 * struct nvmx_ns - one namespace: a block device and a generic char device
 * @list: entry in nvmx_ctrl.namespaces
 * @ctrl: the controller
 * @disk: /dev/nvmx<C>n<N>
 * @nsid: namespace id
 * @lba_shift: log2 of the logical block size
 * @pi_type: protection information type (NVME_NS_DPS_PI_TYPE1..3), or 0
 * @ext: metadata is at the end of each block (extended LBA), not separate
 * @ms: metadata bytes per block
 * @deac: Write Zeroes may deallocate, and deallocated blocks read as zeroes
 * @scan_gen: the last scan that found it (written by the scan work)
 * @ids: EUI64, NGUID, UUID, read when the namespace is found
 * @cdev: the generic char device /dev/nvmx<C>g<N>
 * @cdev_device: its device (class nvmx-generic); its release frees the
 *	namespace (see nvmx_ns_init_generic())
 * @open_lock: protects @gone against opens of @cdev
 * @gone: removed; the disk may be gone, new opens fail
 * @generic_added: @cdev_device was added
 */
struct nvmx_ns {
	struct list_head list;
	struct nvmx_ctrl *ctrl;
	struct gendisk *disk;
	u32 nsid;
	/* the format: changed only with the queue frozen (nvmx_update_ns) */
	u8 lba_shift;
	u8 pi_type;
	bool ext;
	u16 ms;
	bool block_io;	/* the block layer can use this format */
	bool deac;
	u32 scan_gen;
	struct nvmx_ns_ids ids;
	struct cdev cdev;
	struct device cdev_device;
	spinlock_t open_lock;	/* protects @gone */
	bool gone;
	bool generic_added;
};

/* Drop a reference to the namespace; the last one frees it. */
static inline void nvmx_ns_put(struct nvmx_ns *ns)
{
	put_device(&ns->cdev_device);
}

/* Protection information with a 16-bit guard: 8 bytes per block. */
#define NVMX_PI_SIZE	8

/* An I/O command with a starting LBA and a block count (for tracing). */
static inline bool nvmx_is_rw(struct nvmx_queue *nq,
			      const struct nvme_command *cmd)
{
	return nq->qid && (cmd->common.opcode == nvme_cmd_read ||
			   cmd->common.opcode == nvme_cmd_write);
}

static inline struct nvmx_request *nvmx_req(struct request *rq)
{
	return blk_mq_rq_to_pdu(rq);
}

/**
 * struct nvmx_fault - debugfs fault injection (fault.c); inert while every
 * count is zero
 * @drop: I/O completions still to drop
 * @fail: I/O completions still to complete with @fail_status
 * @fail_status: status field (DNR, SCT, SC) for them
 * @delay: I/O completions still to hold for @delay_ms
 * @delay_ms: how long a held completion waits
 * @admin_in_reset: admin commands still to fail while resetting
 * @ignore_disable: controller disables still to skip, as if RDY never
 *	dropped
 * @queue_limit: I/O queues a reset may create at most, 0: no limit
 * @fatal_lba: reads and writes starting at this LBA lose their completion
 *	and find the controller fatal when they time out, 0: off
 * @injected: faults injected so far
 * @held: requests whose completions are held, lock-free list
 * @release_work: completes the held requests
 */
struct nvmx_fault {
	atomic_t drop;
	atomic_t fail;
	u16 fail_status;
	atomic_t delay;
	u32 delay_ms;
	atomic_t admin_in_reset;
	atomic_t ignore_disable;
	u32 queue_limit;
	u64 fatal_lba;
	atomic64_t injected;
	struct llist_head held;
	struct delayed_work release_work;
};

/**
 * struct nvmx_ctrl - one NVMe controller
 */
struct nvmx_ctrl {
	struct pci_dev *pdev;
	void __iomem *bar;
	resource_size_t bar_size;
	struct device device;	/* /sys/class/nvmx/nvmx<C>, owns the struct */
	struct cdev cdev;
	int instance;

	spinlock_t state_lock;		/* protects state */
	enum nvmx_ctrl_state state;
	struct mutex shutdown_lock;	/* serialises enable and disable */
	struct work_struct reset_work;
	struct work_struct remove_work;	/* unbinds a dead controller */
	/* bios of requests whose queue a reset did not bring back */
	spinlock_t requeue_lock;
	struct bio_list requeue_bios;	/* under requeue_lock */
	u64 nr_requeued;		/* under requeue_lock: requests */
	struct work_struct requeue_work;	/* sends them again */

	/* registers, read at enable */
	u64 cap;
	u32 vs;
	u32 db_stride;		/* bytes between doorbells */
	u32 page_shift;		/* controller memory page size */

	/* from Identify Controller, under shutdown_lock in reset work */
	char model[41];
	char serial[21];
	char firmware_rev[9];
	char subnqn[257];	/* Identify Controller SUBNQN, terminated */
	u16 vid;
	u16 cntlid;
	u8 mdts;
	u8 acl;			/* Abort Command Limit, 0's based */
	u8 vwc;
	bool vwc_on;		/* write cache enabled, as last set */
	u32 rtd3e;		/* microseconds, 0 if not reported */
	u32 nn;			/* number of namespaces */
	u16 oncs;		/* optional NVM commands supported */
	u16 oacs;		/* optional admin commands supported */
	u32 sgls;		/* SGL support */
	u16 awupf;		/* atomic write unit, power fail; 0's based */
	u16 cctemp;		/* critical composite temperature, K; 0: none */
	u32 oaes;		/* optional asynchronous events supported */
	u8 dmrl;		/* Dataset Management ranges, 0: no limit */
	u8 wzsl;		/* Write Zeroes size limit, 2^n min pages */
	u32 dmrsl;		/* blocks per Dataset Management range */
	u32 max_hw_sectors;

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
	unsigned int nr_io_queues;	/* I/O queues created on the controller */
	unsigned int nr_poll_queues;	/* the last of them, without interrupts */
	u16 io_depth;			/* slots per I/O queue */

	unsigned long flags;
#define NVMX_CTRL_IO_QUIESCED	0	/* namespace queues are quiesced */
/*
 * an Asynchronous Event Request is outstanding: set under the admin queue's
 * sq_lock when it is sent, cleared by its completion or a disable
 */
#define NVMX_CTRL_AEN_PENDING	1

	struct blk_mq_tag_set admin_set;
	struct request_queue *admin_q;
	struct blk_mq_tag_set tagset;	/* I/O; tags NULL until first used */

	struct rw_semaphore ns_rwsem;
	struct list_head namespaces;	/* under ns_rwsem */
	struct work_struct scan_work;
	struct mutex scan_lock;		/* see the locking overview */
	u32 scan_gen;			/* scans started, by the scan work */

	u64 nr_resets;			/* by the reset work */
	u64 disable_gen;		/* disables done, under shutdown_lock */
	atomic_t aborts_outstanding;	/* by timeout handler and abort end_io */
	struct nvmx_fault fault;
	struct work_struct aen_work;
	u32 aen_result;			/* of the last event, for aen_work */
	u64 aen_submitted;		/* under the admin queue's sq_lock */
	u64 aen_events;			/* by aen_work */
	struct device *hwmon;		/* by the reset work, then remove */
	struct dentry *debugfs;		/* /sys/kernel/debug/nvmx/nvmx<C> */

	struct dma_pool *prp_page_pool;
	struct dma_pool *prp_small_pool;
	mempool_t *sg_pool;
	unsigned int max_segments;
};

/* core.c: controller object, state machine, class and char device */
int nvmx_core_init(void);
void nvmx_core_exit(void);
int nvmx_ctrl_init(struct nvmx_ctrl *ctrl, struct device *parent);
int nvmx_ctrl_publish(struct nvmx_ctrl *ctrl);
void nvmx_ctrl_unpublish(struct nvmx_ctrl *ctrl);
int nvmx_ns_init_generic(struct nvmx_ns *ns);
int nvmx_ns_add_generic(struct nvmx_ns *ns);
void nvmx_ns_remove_generic(struct nvmx_ns *ns);
bool nvmx_change_state(struct nvmx_ctrl *ctrl, enum nvmx_ctrl_state new);
bool __nvmx_change_state(struct nvmx_ctrl *ctrl, enum nvmx_ctrl_state new);
const char *nvmx_state_name(enum nvmx_ctrl_state state);

/* queue.c: rings, submission, completion, blk-mq */
int nvmx_alloc_queue(struct nvmx_ctrl *ctrl, u16 qid, u16 depth, u16 cq_depth);
void nvmx_free_queues(struct nvmx_ctrl *ctrl, unsigned int lowest);
void nvmx_init_queue(struct nvmx_queue *nq);
void nvmx_sq_submit_raw(struct nvmx_queue *nq, const struct nvme_command *cmd);
int nvmx_queue_request_irq(struct nvmx_queue *nq);
void nvmx_queue_free_irq(struct nvmx_queue *nq);
void nvmx_queue_reap(struct nvmx_queue *nq);
int nvmx_alloc_admin_tags(struct nvmx_ctrl *ctrl);
void nvmx_destroy_admin_queue(struct nvmx_ctrl *ctrl);
void nvmx_put_admin_queue(struct nvmx_ctrl *ctrl);
int nvmx_alloc_io_tags(struct nvmx_ctrl *ctrl);
void nvmx_set_queue_limits(struct nvmx_ctrl *ctrl, struct request_queue *q);
bool nvmx_cancel_request(struct request *rq, void *data);
void nvmx_requeue_work(struct work_struct *work);
int nvmx_setup_dma_pools(struct nvmx_ctrl *ctrl);
void nvmx_release_dma_pools(struct nvmx_ctrl *ctrl);

/* admin.c: synchronous admin commands */
int nvmx_submit_sync(struct request_queue *q, struct nvme_command *cmd,
		     void *buf, unsigned int len, union nvme_result *result,
		     unsigned int timeout);
struct request *nvmx_alloc_cmd_rq(struct request_queue *q,
				  struct nvme_command *cmd, blk_opf_t opf,
				  blk_mq_req_flags_t blk_flags);
int nvmx_get_log_page(struct nvmx_ctrl *ctrl, u8 lid, void *buf, u32 len);
int nvmx_identify_ctrl(struct nvmx_ctrl *ctrl);
void nvmx_identify_ctrl_nvm(struct nvmx_ctrl *ctrl);
bool nvmx_get_vwc(struct nvmx_ctrl *ctrl);
int nvmx_identify_ns(struct nvmx_ctrl *ctrl, u32 nsid, struct nvme_id_ns *id);
void nvmx_identify_ns_ids(struct nvmx_ctrl *ctrl, u32 nsid,
			  const struct nvme_id_ns *id, struct nvmx_ns_ids *ids);
int nvmx_identify_ns_list(struct nvmx_ctrl *ctrl, u32 after, __le32 *list);
int nvmx_set_queue_count(struct nvmx_ctrl *ctrl, unsigned int *count);
int nvmx_dbbuf_config(struct nvmx_ctrl *ctrl);
int nvmx_create_cq(struct nvmx_ctrl *ctrl, struct nvmx_queue *nq, int vector);
int nvmx_create_sq(struct nvmx_ctrl *ctrl, struct nvmx_queue *nq);
int nvmx_delete_queue(struct nvmx_ctrl *ctrl, u8 opcode, u16 qid);

/* ns.c: namespaces as block devices */
void nvmx_scan_work(struct work_struct *work);
void nvmx_remove_namespaces(struct nvmx_ctrl *ctrl);
struct nvmx_frozen_ns;
struct nvmx_frozen_ns *nvmx_freeze_namespaces(struct nvmx_ctrl *ctrl);
void nvmx_thaw_namespaces(struct nvmx_ctrl *ctrl, struct nvmx_frozen_ns *f,
			  bool reformatted);
struct nvmx_frozen_ns *nvmx_freeze_io(struct nvmx_ctrl *ctrl);
bool nvmx_wait_freeze_io(struct nvmx_frozen_ns *f, unsigned long timeout);
void nvmx_unfreeze_io(struct nvmx_frozen_ns *f);
void nvmx_set_write_cache(struct nvmx_ctrl *ctrl, bool on);
void nvmx_quiesce_io(struct nvmx_ctrl *ctrl);
void nvmx_unquiesce_io(struct nvmx_ctrl *ctrl);

/* ioctl.c: the nvme_ioctl.h ABI */
long nvmx_ctrl_ioctl(struct nvmx_ctrl *ctrl, unsigned int cmd,
		     unsigned long arg);
long nvmx_ns_ioctl(struct nvmx_ns *ns, unsigned int cmd, unsigned long arg,
		   bool writable);
struct io_uring_cmd;
int nvmx_ns_uring_cmd(struct nvmx_ns *ns, struct io_uring_cmd *ioucmd,
		      unsigned int issue_flags);
int nvmx_ctrl_uring_cmd(struct nvmx_ctrl *ctrl, struct io_uring_cmd *ioucmd,
			unsigned int issue_flags);
struct io_comp_batch;
int nvmx_ns_uring_cmd_iopoll(struct io_uring_cmd *ioucmd,
			     struct io_comp_batch *iob,
			     unsigned int poll_flags);

/* aen.c: asynchronous events */
void nvmx_aen_configure(struct nvmx_ctrl *ctrl);
void nvmx_aen_submit(struct nvmx_ctrl *ctrl);
void nvmx_aen_complete(struct nvmx_ctrl *ctrl, struct nvme_completion *cqe);
void nvmx_aen_work(struct work_struct *work);

/* hwmon.c: the composite temperature */
void nvmx_hwmon_add(struct nvmx_ctrl *ctrl);
void nvmx_hwmon_remove(struct nvmx_ctrl *ctrl);

/* debugfs.c: counters, histograms, registers */
void nvmx_debugfs_init(void);
void nvmx_debugfs_exit(void);
void nvmx_debugfs_add_ctrl(struct nvmx_ctrl *ctrl);
void nvmx_debugfs_add_queue(struct nvmx_queue *nq);
void nvmx_debugfs_remove_ctrl(struct nvmx_ctrl *ctrl);

/* fault.c: debugfs fault injection */
DECLARE_STATIC_KEY_FALSE(nvmx_fault_armed);
void nvmx_fault_init(struct nvmx_ctrl *ctrl);
void nvmx_fault_debugfs(struct nvmx_ctrl *ctrl);
bool nvmx_fault_cqe(struct nvmx_queue *nq, struct request *rq);
bool nvmx_fault_admin(struct nvmx_ctrl *ctrl, struct request *rq);
bool nvmx_fault_disable(struct nvmx_ctrl *ctrl);
unsigned int nvmx_fault_queue_limit(struct nvmx_ctrl *ctrl, unsigned int nr);
u32 nvmx_fault_csts(struct nvmx_ctrl *ctrl, struct request *rq, u32 csts);
void nvmx_fault_release_work(struct work_struct *work);
void nvmx_fault_flush(struct nvmx_ctrl *ctrl);

/* pci.c */
void nvmx_dev_disable(struct nvmx_ctrl *ctrl, bool shutdown);
void nvmx_schedule_reset(struct nvmx_ctrl *ctrl);
void nvmx_kill_ctrl(struct nvmx_ctrl *ctrl);
int nvmx_reset_sync(struct nvmx_ctrl *ctrl);
int nvmx_subsystem_reset(struct nvmx_ctrl *ctrl);
extern struct workqueue_struct *nvmx_wq;

#endif /* NVMX_H */
