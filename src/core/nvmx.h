/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx core: what every transport shares (docs/architecture.md).  The
 * controller object and its state machine, namespaces and their block and
 * char devices, the ioctls, asynchronous events, hwmon, debugfs, fault
 * injection, command setup and the retry policy.  A transport embeds
 * struct nvmx_ctrl in its own controller and gives the core a struct
 * nvmx_ctrl_ops; that table is the only way the core reaches it.
 *
 * Locking overview
 *  - nvmx_ctrl.state is changed only through nvmx_change_state(), under
 *    state_lock.  Readers that only take a decision use READ_ONCE().
 *  - nvmx_ctrl.shutdown_lock serialises enabling and disabling the
 *    controller (reset work, timeout handler, remove); disable_gen counts
 *    the disables under it.
 *  - nvmx_ctrl.namespaces and nvmx_ctrl.leaving are protected by ns_rwsem.
 *    Nobody holds it while waiting for a command, since a timeout may need
 *    it to disable the controller.  NVMX_CTRL_IO_QUIESCED changes only
 *    under it too (quiesce.c).
 *  - nvmx_ctrl.scan_lock keeps namespace scans apart from a Format NVM
 *    sent through passthrough, which holds it, with every namespace queue
 *    frozen, until the namespaces have their new formats.  Neither the
 *    timeout handler nor the reset work takes it.
 *  - The transport's own queues and locks are its business; the core
 *    calls its ops without holding any lock but where an op says so.
 */
#ifndef NVMX_H
#define NVMX_H

#include <linux/bio.h>
#include <linux/blk-mq.h>
#include <linux/cdev.h>
#include <linux/jump_label.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nvme.h>
#include <linux/rwsem.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "nvmx_logic.h"

#define NVMX_AQ_DEPTH		32
/* admin tags 0 to NVMX_AQ_DEPTH - 3 are blk-mq's; this one is the AER's */
#define NVMX_AEN_TAG		(NVMX_AQ_DEPTH - 2)
#define NVMX_WZ_DEAC		BIT(9)	/* Write Zeroes: deallocate */
#define NVMX_CAP_NSSRS		BIT_ULL(36)	/* NVM Subsystem Reset supported */
#define NVMX_CAP_PMRS		BIT_ULL(56)	/* Persistent Memory Region supported */
#define NVMX_SMART_CRIT_PMR_RO	BIT(5)	/* SMART critical warning, NVMe 1.4 */
/* Asynchronous event types (completion dword 0, bits 2:0) */
#define NVMX_AER_TYPE_ERROR	0
#define NVMX_AER_TYPE_SMART	1
#define NVMX_AER_TYPE_NOTICE	2
/* the status 6.1's nvme.h calls NVME_SC_ONCS_NOT_SUPPORTED (gone in 6.12) */
#define NVMX_SC_ONCS_NOT_SUPPORTED	0x183

/* A module parameter with its allowed range; @val must stay first. */
struct nvmx_uint_param {
	unsigned int val;
	unsigned int min;
	unsigned int max;
};

/* params.c: nvmx.ko's parameters that every transport honours */
extern const struct kernel_param_ops nvmx_range_ops;
extern struct nvmx_uint_param nvmx_admin_timeout;	/* seconds */
extern struct nvmx_uint_param nvmx_io_timeout;		/* seconds */
extern struct nvmx_uint_param nvmx_max_retries;
extern struct nvmx_uint_param nvmx_nr_io_queues;	/* 0: one per CPU */
extern struct nvmx_uint_param nvmx_io_queue_depth;

enum nvmx_ctrl_state {
	NVMX_CTRL_NEW,
	NVMX_CTRL_RESETTING,	/* reset work is bringing the controller up */
	NVMX_CTRL_LIVE,
	NVMX_CTRL_DELETING,	/* being removed; no more resets */
	NVMX_CTRL_DEAD,		/* failed; I/O fails fast */
};

struct nvmx_ctrl;

/**
 * struct nvmx_request - per-request state, in the blk-mq PDU
 * @cmd: the command; filled by the submitter for passthrough requests,
 *	built by queue_rq for block I/O
 * @result: the completion's command specific result
 * @status: the completion's status field, shifted right past the phase bit
 * @retries: times this request was sent again after a retryable error
 * @gen: generation counter folded into the command id
 * @submit_ns: when the transport sent the command (local_clock(),
 *	good for a latency histogram across CPUs, not for wall time); 0 when
 *	not stamped: a transport stamps only while its histogram is on
 * @aborted: an Abort was sent for it; the next timeout resets
 * @timed_out: it timed out since it was last sent; a reset's cancellation
 *	counts as a retry
 * @held: fault injection holds its completion (on @held_node)
 * @fatal: fault injection dropped its completion; its timeout finds the
 *	controller fatal
 * @held_node: entry in nvmx_fault.held
 *
 * The transport's per-request data follows it in the blk-mq PDU: a
 * transport's own request structure begins with this one.
 */
struct nvmx_request {
	struct nvme_command cmd;
	union nvme_result result;
	u16 status;
	u8 retries;
	u8 gen;
	bool aborted;
	bool timed_out;
	bool held;
	bool fatal;
	u64 submit_ns;
	struct llist_node held_node;
};

/* A namespace's identifiers; all zero when not reported. */
struct nvmx_ns_ids {
	u8 eui64[8];
	u8 nguid[16];
	uuid_t uuid;
};

/**
 * struct nvmx_ns - one namespace: a block device and a generic char device
 * @list: entry in nvmx_ctrl.namespaces, then in nvmx_ctrl.leaving until
 *	its disk is deleted (quiesce.c)
 * @ctrl: the controller
 * @disk: /dev/nvmx<C>n<N>
 * @nsid: namespace id
 * @lba_shift: log2 of the logical block size
 * @pi_type: protection information type (NVME_NS_DPS_PI_TYPE1..3), or 0
 * @ext: metadata is at the end of each block (extended LBA), not separate
 * @ms: metadata bytes per block
 * @deac: Write Zeroes may deallocate, and deallocated blocks read as zeroes
 * @limits_refused: the block layer refused the queue limits of the format
 *	(6.11 and later validate them): no capacity, the next scan retries
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
	/*
	 * Block I/O must start and end on a logical block: the block's
	 * sectors minus 1, or all ones without block I/O (nvmx_setup_rw())
	 */
	u32 fmt_mask;
	bool deac;
	bool limits_refused;
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
static inline bool nvmx_is_rw(u16 qid, const struct nvme_command *cmd)
{
	return qid && (cmd->common.opcode == nvme_cmd_read ||
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
 * struct nvmx_ctrl_ops - what a transport provides; the core reaches the
 * transport through nothing else
 * @name: the transport, as /sys/class/nvmx/nvmx<C>/transport shows it
 * @module: a transport in a module of its own: held from nvmx_ctrl_init()
 *	until @free_ctrl has run, so that a file kept open never calls into
 *	an unloaded transport (NULL for the PCIe transport, part of nvmx.ko)
 * @blocking: the transport's queue_rq may sleep (it sends on a socket):
 *	its tag sets get BLK_MQ_F_BLOCKING
 * @reg_read32: read a 32-bit controller register (MMIO on PCIe, Property
 *	Get on fabrics); @off is its offset (NVME_REG_*)
 * @reg_read64: read a 64-bit controller register
 * @reg_write32: write a 32-bit controller register
 * @enable: the transport's part of a reset, with the controller disabled:
 *	bring up the admin queue, call nvmx_init_identify(), create the I/O
 *	queues and set nr_io_queues.  Sets *@gen to disable_gen as read under
 *	shutdown_lock together with the admin queue's bring-up, so that the
 *	reset work sees any disable after it.  Fails with -ENODEV unless the
 *	state is RESETTING.  Context: the reset work.
 * @disable: stop the controller and end everything in flight: quiesce
 *	(nvmx_quiesce_all()), stop the controller, cut off its DMA when it did
 *	not confirm it stopped, reap, bump disable_gen, clear
 *	NVMX_CTRL_AEN_PENDING, cancel (nvmx_cancel_all()) and resume
 *	(nvmx_resume_after_disable()).  Idempotent; a shutdown notification
 *	instead of a plain disable when @shutdown.  Context: process context,
 *	takes shutdown_lock.
 * @submit_async_event: send the Asynchronous Event Request (command id
 *	NVMX_AEN_TAG) unless NVMX_CTRL_AEN_PENDING is set, testing and setting
 *	it atomically with the admin queue's liveness, and count it in
 *	aen_submitted.  Context: process context.
 * @subsystem_reset: start an NVM Subsystem Reset; NULL when the transport
 *	has none.  Called from the reset work, before @disable.
 * @queue_limits: the transport's own limits on a request queue, into a
 *	change the core has started and will commit (the core sets the
 *	transfer size and segment count).
 * @get_address: the controller's address, one line, for sysfs.
 * @retry_reset: optional: the controller was disabled (a lost connection,
 *	a timeout) after @enable succeeded, before it went live: true to
 *	disable and enable it again in the same reset, false (or NULL) to
 *	fail the reset.  Context: the reset work.
 * @describe: optional: called each time the controller has just gone
 *	live; logs the transport's line about it (queues, interrupts, ...).
 * @delete_ctrl: remove a dead controller's devices, from a work item of
 *	the transport's (the core may be in the reset work or a timeout).
 * @free_ctrl: free the transport's controller; called by the release of
 *	ctrl->device, after the core has let go of everything.
 */
struct nvmx_ctrl_ops {
	const char *name;
	struct module *module;
	bool blocking;
	int (*reg_read32)(struct nvmx_ctrl *ctrl, u32 off, u32 *val);
	int (*reg_read64)(struct nvmx_ctrl *ctrl, u32 off, u64 *val);
	int (*reg_write32)(struct nvmx_ctrl *ctrl, u32 off, u32 val);
	int (*enable)(struct nvmx_ctrl *ctrl, u64 *gen);
	void (*disable)(struct nvmx_ctrl *ctrl, bool shutdown);
	void (*submit_async_event)(struct nvmx_ctrl *ctrl);
	void (*subsystem_reset)(struct nvmx_ctrl *ctrl);
	void (*queue_limits)(struct nvmx_ctrl *ctrl, struct nvmx_lim *lim);
	int (*get_address)(struct nvmx_ctrl *ctrl, char *buf, int size);
	bool (*retry_reset)(struct nvmx_ctrl *ctrl);
	void (*describe)(struct nvmx_ctrl *ctrl);
	void (*delete_ctrl)(struct nvmx_ctrl *ctrl);
	void (*free_ctrl)(struct nvmx_ctrl *ctrl);
};

/**
 * struct nvmx_ctrl - one NVMe controller, as the core sees it
 *
 * Embedded in the transport's controller (struct nvmx_pci_ctrl, ...).
 */
struct nvmx_ctrl {
	const struct nvmx_ctrl_ops *ops;
	struct device device;	/* /sys/class/nvmx/nvmx<C>, owns the struct */
	struct cdev cdev;
	int instance;
	/* maps separate metadata for passthrough; NULL: the transport has none */
	struct device *dma_dev;

	spinlock_t state_lock;		/* protects state */
	enum nvmx_ctrl_state state;
	struct mutex shutdown_lock;	/* serialises enable and disable */
	struct work_struct reset_work;
	/* bios of requests whose queue a reset did not bring back */
	spinlock_t requeue_lock;
	struct bio_list requeue_bios;	/* under requeue_lock */
	u64 nr_requeued;		/* under requeue_lock: requests */
	struct work_struct requeue_work;	/* sends them again */

	/* registers, read by the transport at probe */
	u64 cap;
	u32 vs;

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
	/* fabrics: capsule sizes in 16 bytes, data offset, keep-alive unit */
	u32 ioccsz;		/* I/O command capsule, 0 on PCIe */
	u16 icdoff;		/* in-capsule data offset, in 16 bytes */
	u16 kas;		/* keep-alive granularity, 100 ms units */
	u32 ctratt;		/* controller attributes */

	/* transfer limits: the transport's, then MDTS (nvmx_init_identify()) */
	u32 transport_max_sectors;	/* set by the transport at probe */
	u32 max_hw_sectors;
	unsigned int max_segments;	/* set by the transport at probe */
	/* admin tags kept for the transport (a keep-alive), set at probe */
	unsigned int admin_reserved;
	/* fabrics: the host's NQN and ID, set at probe; NULL on PCIe */
	const char *hostnqn;
	const uuid_t *hostid;

	unsigned int nr_io_queues;	/* I/O queues created on the controller */
	u16 io_depth;			/* slots per I/O queue */

	unsigned long flags;
#define NVMX_CTRL_IO_QUIESCED	0	/* namespace queues are quiesced */
/*
 * an Asynchronous Event Request is outstanding: set by the transport's
 * submit_async_event, atomically with its admin queue's liveness; cleared
 * by its completion or a disable
 */
#define NVMX_CTRL_AEN_PENDING	1
/* an NVM Subsystem Reset is to start the reset work (nvmx_subsystem_reset) */
#define NVMX_CTRL_NSSR		2

	struct blk_mq_tag_set admin_set;
	struct request_queue *admin_q;
	struct blk_mq_tag_set tagset;	/* I/O; tags NULL until first used */

	struct rw_semaphore ns_rwsem;
	struct list_head namespaces;	/* under ns_rwsem */
	/* removed namespaces whose disks are being deleted, under ns_rwsem */
	struct list_head leaving;
	struct work_struct scan_work;
	struct mutex scan_lock;		/* see the locking overview */
	u32 scan_gen;			/* scans started, by the scan work */

	u64 nr_resets;			/* by the reset work */
	u64 disable_gen;		/* disables done, under shutdown_lock */
	struct nvmx_fault fault;
	struct work_struct aen_work;
	u32 aen_result;			/* of the last event, for aen_work */
	u64 aen_submitted;		/* by the transport's submit_async_event */
	u64 aen_events;			/* by aen_work */
	struct device *hwmon;		/* by the reset work, then remove */
	struct dentry *debugfs;		/* /sys/kernel/debug/nvmx/nvmx<C> */
};

/* The submission queue id a request goes out on: 0 for admin. */
static inline u16 nvmx_rq_qid(struct request *rq)
{
	struct nvmx_ctrl *ctrl = rq->mq_hctx->queue->tag_set->driver_data;

	return rq->mq_hctx->queue->tag_set == &ctrl->admin_set ? 0 :
	       rq->mq_hctx->queue_num + 1;
}

/* The controller's NUMA node: its parent's; none for a fabrics controller. */
static inline int nvmx_ctrl_node(struct nvmx_ctrl *ctrl)
{
	return ctrl->device.parent ? dev_to_node(ctrl->device.parent) :
				     NUMA_NO_NODE;
}

static inline struct nvmx_ctrl *nvmx_rq_ctrl(struct request *rq)
{
	return rq->mq_hctx->queue->tag_set->driver_data;
}

/* ctrl.c: controller object, state machine, class and char devices */
int nvmx_core_init(void);
void nvmx_core_exit(void);
int nvmx_ctrl_init(struct nvmx_ctrl *ctrl, struct device *parent,
		   const struct nvmx_ctrl_ops *ops);
int nvmx_ctrl_publish(struct nvmx_ctrl *ctrl);
void nvmx_ctrl_unpublish(struct nvmx_ctrl *ctrl);
void nvmx_ctrl_remove_devices(struct nvmx_ctrl *ctrl);
int nvmx_ns_init_generic(struct nvmx_ns *ns);
int nvmx_ns_add_generic(struct nvmx_ns *ns);
void nvmx_ns_remove_generic(struct nvmx_ns *ns);
bool nvmx_change_state(struct nvmx_ctrl *ctrl, enum nvmx_ctrl_state new);
bool __nvmx_change_state(struct nvmx_ctrl *ctrl, enum nvmx_ctrl_state new);
const char *nvmx_state_name(enum nvmx_ctrl_state state);
extern struct workqueue_struct *nvmx_wq;

/* reset.c: the reset work around the transport's enable and disable */
void nvmx_reset_work(struct work_struct *work);
bool nvmx_schedule_reset(struct nvmx_ctrl *ctrl);
int nvmx_reset_sync(struct nvmx_ctrl *ctrl);
int nvmx_subsystem_reset(struct nvmx_ctrl *ctrl);
void nvmx_kill_ctrl(struct nvmx_ctrl *ctrl);
int nvmx_init_identify(struct nvmx_ctrl *ctrl);

/* quiesce.c: when namespace and admin queues dispatch */
void nvmx_quiesce_all(struct nvmx_ctrl *ctrl);
void nvmx_resume_after_disable(struct nvmx_ctrl *ctrl, bool shutdown);
void nvmx_unquiesce_io(struct nvmx_ctrl *ctrl);
void nvmx_ns_list_add(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns);
void nvmx_ns_leave_locked(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns);
void nvmx_ns_list_del(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns);

/* request.c: block requests to commands, completion, retries, tag sets */
blk_status_t nvmx_setup_cmd(struct request *rq);
bool nvmx_format_misfit(struct nvmx_ns *ns, sector_t pos, unsigned int sectors);
u16 nvmx_setup_pi(struct nvmx_ns *ns, struct nvme_command *cmd, bool check);
void nvmx_cleanup_cmd(struct request *rq);
void nvmx_complete_rq(struct request *rq);
void nvmx_req_timed_out(struct request *rq);
int nvmx_user_status(struct request *rq, blk_status_t sts);
void nvmx_requeue_work(struct work_struct *work);
blk_status_t nvmx_queue_not_live(struct nvmx_ctrl *ctrl, u16 qid,
				 struct request *rq);
void nvmx_cancel_all(struct nvmx_ctrl *ctrl);
void nvmx_set_queue_limits(struct nvmx_ctrl *ctrl, struct nvmx_lim *lim);
int nvmx_alloc_admin_tags(struct nvmx_ctrl *ctrl, const struct blk_mq_ops *ops,
			  unsigned int cmd_size);
void nvmx_init_io_tags(struct nvmx_ctrl *ctrl, const struct blk_mq_ops *ops,
		       unsigned int cmd_size);
int nvmx_alloc_io_tags(struct nvmx_ctrl *ctrl);
void nvmx_destroy_admin_queue(struct nvmx_ctrl *ctrl);
void nvmx_put_admin_queue(struct nvmx_ctrl *ctrl);

/**
 * nvmx_start_rq() - the core's part of sending a request (rule 1)
 * @rq: the request, about to be sent
 *
 * Context: the transport's queue_rq, before it builds the command.
 * Inline: it is on every transport's fast path.
 */
static __always_inline void nvmx_start_rq(struct request *rq)
{
	struct nvmx_request *req = nvmx_req(rq);

	req->status = 0;
	req->aborted = false;
	req->timed_out = false;
	req->fatal = false;
	if (!(rq->rq_flags & RQF_DONTPREP)) {
		req->retries = 0;
		rq->rq_flags |= RQF_DONTPREP;
	}
}

/*
 * Whether block I/O at @pos of @sectors starts and ends on a logical block
 * of a format the block layer can use; a misfit is logged.  A request that
 * waited for a Format NVM's frozen queue was split and checked against the
 * old format: it must not go out under the new one, where its block count
 * would mean something else.
 */
static __always_inline bool nvmx_fits_format(struct nvmx_ns *ns, sector_t pos,
					     unsigned int sectors)
{
	if (likely(!(((u32)pos | sectors) & ns->fmt_mask)))
		return true;
	return nvmx_format_misfit(ns, pos, sectors);
}

/**
 * nvmx_setup_rw() - build the Read or Write of a block request
 * @ns: the request's namespace
 * @rq: the request, REQ_OP_READ or REQ_OP_WRITE
 * @cmd: the command to fill
 *
 * Every field but the data pointer, which the transport fills as it maps
 * the data (nvmx_setup_cmd() zeroes it first).  Inline: it is the fast
 * path's command build.
 *
 * Return: false when the request does not fit the format (logged).
 */
static __always_inline bool nvmx_setup_rw(struct nvmx_ns *ns,
					  struct request *rq,
					  struct nvme_command *cmd)
{
	sector_t pos = blk_rq_pos(rq);
	unsigned int sectors = blk_rq_sectors(rq);
	u16 control = 0;

	if (unlikely(!nvmx_fits_format(ns, pos, sectors)))
		return false;
	if (unlikely(rq->cmd_flags & (REQ_FUA | REQ_FAILFAST_DEV | REQ_RAHEAD))) {
		if (rq->cmd_flags & REQ_FUA)
			control |= NVME_RW_FUA;
		if (rq->cmd_flags & (REQ_FAILFAST_DEV | REQ_RAHEAD))
			control |= NVME_RW_LR;
	}
	cmd->common.opcode = rq_data_dir(rq) == WRITE ? nvme_cmd_write :
							nvme_cmd_read;
	cmd->common.flags = 0;
	cmd->common.nsid = cpu_to_le32(ns->nsid);
	cmd->common.cdw2[0] = 0;
	cmd->common.cdw2[1] = 0;
	cmd->common.metadata = 0;
	cmd->rw.slba = cpu_to_le64(pos >> (ns->lba_shift - SECTOR_SHIFT));
	/* Dataset Management, reference tag, application tag and mask */
	cmd->common.cdw13 = 0;
	cmd->common.cdw14 = 0;
	cmd->common.cdw15 = 0;
	if (unlikely(ns->pi_type))
		control |= nvmx_setup_pi(ns, cmd, true);
	/* Number of Logical Blocks, 0's based, and Control */
	cmd->common.cdw12 = cpu_to_le32((u16)((sectors >> (ns->lba_shift - SECTOR_SHIFT)) - 1) |
					(u32)control << 16);
	return true;
}

/* admin.c: synchronous admin commands */
int nvmx_submit_sync(struct request_queue *q, struct nvme_command *cmd,
		     void *buf, unsigned int len, union nvme_result *result,
		     unsigned int timeout);
struct request *nvmx_alloc_cmd_rq(struct request_queue *q,
				  struct nvme_command *cmd, blk_opf_t opf,
				  blk_mq_req_flags_t blk_flags);
struct request *nvmx_alloc_user_rq(struct request_queue *q, bool write,
				   blk_opf_t opf, blk_mq_req_flags_t blk_flags);
int nvmx_get_log_page(struct nvmx_ctrl *ctrl, u8 lid, void *buf, u32 len);
int nvmx_identify_ctrl(struct nvmx_ctrl *ctrl);
void nvmx_identify_ctrl_nvm(struct nvmx_ctrl *ctrl);
bool nvmx_get_vwc(struct nvmx_ctrl *ctrl);
int nvmx_identify_ns(struct nvmx_ctrl *ctrl, u32 nsid, struct nvme_id_ns *id);
void nvmx_identify_ns_ids(struct nvmx_ctrl *ctrl, u32 nsid,
			  const struct nvme_id_ns *id, struct nvmx_ns_ids *ids);
int nvmx_identify_ns_list(struct nvmx_ctrl *ctrl, u32 after, __le32 *list);
int nvmx_set_queue_count(struct nvmx_ctrl *ctrl, unsigned int *count);

/**
 * struct nvmx_connect_params - what a fabrics Connect says
 * @hostid: the host identifier
 * @hostnqn: the host's NQN, terminated
 * @subnqn: the subsystem's NQN, terminated
 * @sqsize: slots of the queue being connected
 * @kato: keep-alive timeout in seconds, 0: none (admin queue only)
 */
struct nvmx_connect_params {
	uuid_t hostid;
	const char *hostnqn;
	const char *subnqn;
	u16 sqsize;
	u32 kato;
};

/* fabrics.c: the NVMe over Fabrics commands */
int nvmx_prop_get(struct nvmx_ctrl *ctrl, u32 off, u64 *val);
int nvmx_prop_set(struct nvmx_ctrl *ctrl, u32 off, u32 val);
void nvmx_connect_prep(struct nvme_command *cmd, struct nvmf_connect_data *data,
		       const struct nvmx_connect_params *c, u16 qid, u16 cntlid);
int nvmx_connect_done(struct nvmx_ctrl *ctrl, u16 qid,
		      const struct nvme_completion *cqe, u16 *cntlid);

/* ns.c: namespaces as block devices */
void nvmx_scan_work(struct work_struct *work);
void nvmx_remove_namespaces(struct nvmx_ctrl *ctrl);
struct nvmx_ns_set;
struct nvmx_ns_set *nvmx_freeze_namespaces(struct nvmx_ctrl *ctrl);
void nvmx_thaw_namespaces(struct nvmx_ctrl *ctrl, struct nvmx_ns_set *f,
			  bool reformatted);
struct nvmx_ns_set *nvmx_freeze_io(struct nvmx_ctrl *ctrl);
bool nvmx_wait_freeze_io(struct nvmx_ns_set *f, unsigned long timeout);
void nvmx_unfreeze_io(struct nvmx_ns_set *f);
void nvmx_set_write_cache(struct nvmx_ctrl *ctrl, bool on);

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
void nvmx_aen_complete(struct nvmx_ctrl *ctrl, struct nvme_completion *cqe);
void nvmx_aen_work(struct work_struct *work);

/* hwmon.c: the composite temperature */
void nvmx_hwmon_add(struct nvmx_ctrl *ctrl);
void nvmx_hwmon_remove(struct nvmx_ctrl *ctrl);

/* debugfs.c: /sys/kernel/debug/nvmx/nvmx<C>/, its transport-neutral files */
void nvmx_debugfs_init(void);
void nvmx_debugfs_exit(void);
void nvmx_debugfs_add_ctrl(struct nvmx_ctrl *ctrl);
void nvmx_debugfs_remove_ctrl(struct nvmx_ctrl *ctrl);

/* fault.c: debugfs fault injection */
DECLARE_STATIC_KEY_FALSE(nvmx_fault_armed);
void nvmx_fault_init(struct nvmx_ctrl *ctrl);
void nvmx_fault_debugfs(struct nvmx_ctrl *ctrl);
bool nvmx_fault_cqe(struct nvmx_ctrl *ctrl, struct request *rq);
bool nvmx_fault_admin(struct nvmx_ctrl *ctrl, struct request *rq);
bool nvmx_fault_disable(struct nvmx_ctrl *ctrl);
unsigned int nvmx_fault_queue_limit(struct nvmx_ctrl *ctrl, unsigned int nr);
u32 nvmx_fault_csts(struct nvmx_ctrl *ctrl, struct request *rq, u32 csts);
void nvmx_fault_flush(struct nvmx_ctrl *ctrl);

#endif /* NVMX_H */
