// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx fault injection: debugfs files under
 * /sys/kernel/debug/nvmx/nvmx<C>/fault/ make the driver misbehave on
 * purpose, so tests can drive the recovery paths on a controller that works.
 *
 *   drop_completions     drop the next N I/O completions: the commands
 *                        time out, get aborted, and a reset requeues them
 *   fail_completions     complete the next N I/O commands with fail_status
 *   fail_status          the status field for them (bits 14:0 of the CQE's
 *                        status word: DNR 0x4000, SCT << 8, SC); default
 *                        0x6, Internal Error, retryable
 *   delay_completions    hold the next N I/O completions for delay_ms
 *   delay_ms             how long (1-60000, default 100)
 *   fail_admin_in_reset  fail the next N admin commands sent while the
 *                        controller resets: the reset fails
 *   ignore_disable       the next N controller disables are not sent, as
 *                        if CSTS.RDY never dropped: the controller keeps
 *                        running while its commands are cancelled
 *   limit_io_queues      resets create at most N I/O queues, as if the
 *                        controller granted fewer (0, the default: no limit)
 *   fatal_lba            every read or write that starts at this LBA loses
 *                        its completion, and its timeout finds CSTS.CFS set:
 *                        a command that breaks the controller each time it
 *                        is sent (0, the default: off)
 *   injected             faults injected so far (read-only)
 *
 * Nothing happens until a count is written: the hooks sit behind a static
 * key that stays off until then.
 */

#include <linux/debugfs.h>
#include "nvmx.h"

/* DEFINE_STATIC_KEY_FALSE(), spelt out for the export to follow it */
struct static_key_false nvmx_fault_armed = STATIC_KEY_FALSE_INIT;
EXPORT_SYMBOL_NS_GPL(nvmx_fault_armed, NVMX);

/* Complete every held request, with the status its CQE carried. */
static void nvmx_fault_release(struct nvmx_fault *f)
{
	struct llist_node *list = llist_del_all(&f->held);
	struct nvmx_request *req, *next;

	llist_for_each_entry_safe(req, next, list, held_node) {
		WRITE_ONCE(req->held, false);
		blk_mq_complete_request(blk_mq_rq_from_pdu(req));
	}
}

static void nvmx_fault_release_work(struct work_struct *work)
{
	nvmx_fault_release(container_of(to_delayed_work(work),
					struct nvmx_fault, release_work));
}

void nvmx_fault_init(struct nvmx_ctrl *ctrl)
{
	struct nvmx_fault *f = &ctrl->fault;

	f->fail_status = NVME_SC_INTERNAL;
	f->delay_ms = 100;
	init_llist_head(&f->held);
	INIT_DELAYED_WORK(&f->release_work, nvmx_fault_release_work);
}

static void nvmx_fault_note(struct nvmx_ctrl *ctrl, struct request *rq,
			    const char *what)
{
	atomic64_inc(&ctrl->fault.injected);
	dev_info_ratelimited(&ctrl->device,
			     "fault injection: tag %d opcode 0x%02x: %s\n",
			     rq->tag, nvmx_req(rq)->cmd.common.opcode, what);
}

/**
 * nvmx_fault_cqe() - apply a completion fault to an I/O completion
 * @ctrl: the controller
 * @rq: an I/O request, status and result already taken from its completion
 *
 * Context: whoever reaps the request's queue (interrupt, poll or reap).
 * Return: true when the completion was dropped or held, false when the
 * caller goes on to complete @rq (its status perhaps replaced).
 */
bool nvmx_fault_cqe(struct nvmx_ctrl *ctrl, struct request *rq)
{
	struct nvmx_fault *f = &ctrl->fault;
	struct nvmx_request *req = nvmx_req(rq);

	if (atomic_dec_if_positive(&f->drop) >= 0) {
		nvmx_fault_note(ctrl, rq, "completion dropped");
		return true;
	}
	if (READ_ONCE(f->fatal_lba) && nvmx_is_rw(1, &req->cmd) &&
	    le64_to_cpu(req->cmd.rw.slba) == READ_ONCE(f->fatal_lba)) {
		nvmx_fault_note(ctrl, rq, "completion dropped, controller to look fatal");
		WRITE_ONCE(req->fatal, true);
		return true;
	}
	if (atomic_dec_if_positive(&f->fail) >= 0) {
		req->status = READ_ONCE(f->fail_status);
		nvmx_fault_note(ctrl, rq, "completion status replaced");
	}
	if (atomic_dec_if_positive(&f->delay) >= 0) {
		nvmx_fault_note(ctrl, rq, "completion held");
		WRITE_ONCE(req->held, true);
		llist_add(&req->held_node, &f->held);
		queue_delayed_work(nvmx_wq, &f->release_work,
				   msecs_to_jiffies(READ_ONCE(f->delay_ms)));
		return true;
	}
	return false;
}
EXPORT_SYMBOL_NS_GPL(nvmx_fault_cqe, NVMX);

/**
 * nvmx_fault_admin() - whether to fail an admin command now
 * @ctrl: the controller
 * @rq: the command's request
 *
 * Context: queue_rq of the admin queue.
 * Return: true when the command is to fail without reaching the controller.
 */
bool nvmx_fault_admin(struct nvmx_ctrl *ctrl, struct request *rq)
{
	if (READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING ||
	    atomic_dec_if_positive(&ctrl->fault.admin_in_reset) < 0)
		return false;
	nvmx_fault_note(ctrl, rq, "admin command failed during reset");
	return true;
}
EXPORT_SYMBOL_NS_GPL(nvmx_fault_admin, NVMX);

/**
 * nvmx_fault_disable() - whether to skip a controller disable
 * @ctrl: the controller
 *
 * Context: the transport's disable, shutdown_lock held.
 * Return: true when the disable is not to be sent; the caller treats the
 * controller as one whose RDY never dropped.
 */
bool nvmx_fault_disable(struct nvmx_ctrl *ctrl)
{
	if (atomic_dec_if_positive(&ctrl->fault.ignore_disable) < 0)
		return false;
	atomic64_inc(&ctrl->fault.injected);
	dev_info(&ctrl->device, "fault injection: controller disable not sent\n");
	return true;
}
EXPORT_SYMBOL_NS_GPL(nvmx_fault_disable, NVMX);

/**
 * nvmx_fault_queue_limit() - the I/O queues a reset may create
 * @ctrl: the controller
 * @nr: the queues granted
 *
 * Context: reset work.
 * Return: @nr, or fewer when limit_io_queues says so.
 */
unsigned int nvmx_fault_queue_limit(struct nvmx_ctrl *ctrl, unsigned int nr)
{
	u32 limit = READ_ONCE(ctrl->fault.queue_limit);

	if (!limit || limit >= nr)
		return nr;
	atomic64_inc(&ctrl->fault.injected);
	dev_info(&ctrl->device, "fault injection: %u of %u I/O queues granted\n",
		 limit, nr);
	return limit;
}
EXPORT_SYMBOL_NS_GPL(nvmx_fault_queue_limit, NVMX);

/**
 * nvmx_fault_csts() - CSTS as the timeout handler is to see it
 * @ctrl: the controller
 * @rq: the request that timed out
 * @csts: CSTS as read
 *
 * Return: @csts, with CFS set for a request fatal_lba caught.
 */
u32 nvmx_fault_csts(struct nvmx_ctrl *ctrl, struct request *rq, u32 csts)
{
	if (!READ_ONCE(nvmx_req(rq)->fatal) || csts == ~0U)
		return csts;
	return csts | NVME_CSTS_CFS;
}
EXPORT_SYMBOL_NS_GPL(nvmx_fault_csts, NVMX);

/**
 * nvmx_fault_flush() - complete the held requests now
 * @ctrl: the controller, its queues reaped and their interrupts freed
 *
 * Called before in-flight requests are cancelled, so that none is both
 * cancelled and later released.
 */
void nvmx_fault_flush(struct nvmx_ctrl *ctrl)
{
	cancel_delayed_work_sync(&ctrl->fault.release_work);
	nvmx_fault_release(&ctrl->fault);
}
EXPORT_SYMBOL_NS_GPL(nvmx_fault_flush, NVMX);

/* The count files: 0 to INT_MAX; a non-zero count arms the hooks. */
static int nvmx_fault_count_get(void *data, u64 *val)
{
	*val = atomic_read(data);
	return 0;
}

static int nvmx_fault_count_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	if (val)
		static_branch_enable(&nvmx_fault_armed);
	atomic_set(data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(nvmx_fault_count_fops, nvmx_fault_count_get,
			 nvmx_fault_count_set, "%llu\n");

static int nvmx_fault_status_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u16 *)data);
	return 0;
}

/* Any non-zero status field without the phase bit: 1 to 0x7fff. */
static int nvmx_fault_status_set(void *data, u64 val)
{
	if (!val || val > 0x7fff)
		return -EINVAL;
	WRITE_ONCE(*(u16 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(nvmx_fault_status_fops, nvmx_fault_status_get,
			 nvmx_fault_status_set, "0x%llx\n");

static int nvmx_fault_delay_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u32 *)data);
	return 0;
}

static int nvmx_fault_delay_set(void *data, u64 val)
{
	if (!val || val > 60000)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(nvmx_fault_delay_fops, nvmx_fault_delay_get,
			 nvmx_fault_delay_set, "%llu\n");

/* limit_io_queues: 0 (no limit) to 65535 */
static int nvmx_fault_u32_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u32 *)data);
	return 0;
}

static int nvmx_fault_queue_limit_set(void *data, u64 val)
{
	if (val > U16_MAX)
		return -EINVAL;
	if (val)
		static_branch_enable(&nvmx_fault_armed);
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(nvmx_fault_queue_limit_fops, nvmx_fault_u32_get,
			 nvmx_fault_queue_limit_set, "%llu\n");

/* fatal_lba: any LBA, 0 for off */
static int nvmx_fault_lba_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u64 *)data);
	return 0;
}

static int nvmx_fault_lba_set(void *data, u64 val)
{
	if (val)
		static_branch_enable(&nvmx_fault_armed);
	WRITE_ONCE(*(u64 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(nvmx_fault_lba_fops, nvmx_fault_lba_get,
			 nvmx_fault_lba_set, "%llu\n");

static int nvmx_fault_injected_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(nvmx_fault_injected_fops, nvmx_fault_injected_get,
			 NULL, "%llu\n");

void nvmx_fault_debugfs(struct nvmx_ctrl *ctrl)
{
	struct nvmx_fault *f = &ctrl->fault;
	struct dentry *dir = debugfs_create_dir("fault", ctrl->debugfs);

	debugfs_create_file_unsafe("drop_completions", 0600, dir, &f->drop,
				   &nvmx_fault_count_fops);
	debugfs_create_file_unsafe("fail_completions", 0600, dir, &f->fail,
				   &nvmx_fault_count_fops);
	debugfs_create_file_unsafe("fail_status", 0600, dir, &f->fail_status,
				   &nvmx_fault_status_fops);
	debugfs_create_file_unsafe("delay_completions", 0600, dir, &f->delay,
				   &nvmx_fault_count_fops);
	debugfs_create_file_unsafe("delay_ms", 0600, dir, &f->delay_ms,
				   &nvmx_fault_delay_fops);
	debugfs_create_file_unsafe("fail_admin_in_reset", 0600, dir,
				   &f->admin_in_reset, &nvmx_fault_count_fops);
	debugfs_create_file_unsafe("ignore_disable", 0600, dir,
				   &f->ignore_disable, &nvmx_fault_count_fops);
	debugfs_create_file_unsafe("limit_io_queues", 0600, dir,
				   &f->queue_limit, &nvmx_fault_queue_limit_fops);
	debugfs_create_file_unsafe("fatal_lba", 0600, dir, &f->fatal_lba,
				   &nvmx_fault_lba_fops);
	debugfs_create_file_unsafe("injected", 0400, dir, &f->injected,
				   &nvmx_fault_injected_fops);
}
