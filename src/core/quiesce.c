// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx core: when the namespace queues and the admin queue dispatch.  All
 * of the quiesce bookkeeping is here.
 *
 * The rules:
 *  1. A disable quiesces the admin queue and every namespace queue before
 *     it stops the controller (nvmx_quiesce_all()), so that nothing new
 *     reaches queues that are going away.
 *  2. After the disable has cancelled what was in flight, the admin queue
 *     runs again: the reset work needs it, and without a reset its
 *     requests fail.  The namespace queues stay quiesced for the reset to
 *     restart them once their hardware queues exist again, unless no reset
 *     is coming: a shutdown, a dead controller, a removal
 *     (nvmx_resume_after_disable()).
 *  3. The reset work restarts them when the tag set matches the queues the
 *     controller has now (nvmx_start_io() in reset.c); removal restarts
 *     them so that what is queued ends before the disks go
 *     (nvmx_ctrl_remove_devices()).
 *  4. NVMX_CTRL_IO_QUIESCED says which: it changes only under ns_rwsem, so
 *     a namespace that joins the list takes the list's state, and one that
 *     leaves it gives its quiesce back (blk-mq counts them) - off the list
 *     no reset would ever restart it.
 */
#include "nvmx.h"

static void nvmx_quiesce_io(struct nvmx_ctrl *ctrl)
{
	struct nvmx_ns *ns;

	down_write(&ctrl->ns_rwsem);
	if (!test_and_set_bit(NVMX_CTRL_IO_QUIESCED, &ctrl->flags))
		list_for_each_entry(ns, &ctrl->namespaces, list)
			blk_mq_quiesce_queue(ns->disk->queue);
	up_write(&ctrl->ns_rwsem);
}

/**
 * nvmx_unquiesce_io() - restart dispatch on every namespace queue
 * @ctrl: the controller
 *
 * Idempotent (rule 3).  Context: process context; takes ns_rwsem.
 */
void nvmx_unquiesce_io(struct nvmx_ctrl *ctrl)
{
	struct nvmx_ns *ns;

	down_write(&ctrl->ns_rwsem);
	if (test_and_clear_bit(NVMX_CTRL_IO_QUIESCED, &ctrl->flags))
		list_for_each_entry(ns, &ctrl->namespaces, list)
			blk_mq_unquiesce_queue(ns->disk->queue);
	up_write(&ctrl->ns_rwsem);
}
EXPORT_SYMBOL_NS_GPL(nvmx_unquiesce_io, NVMX);

/**
 * nvmx_quiesce_all() - stop dispatch before a disable (rule 1)
 * @ctrl: the controller
 *
 * Context: the transport's disable, shutdown_lock held.
 */
void nvmx_quiesce_all(struct nvmx_ctrl *ctrl)
{
	nvmx_quiesce_io(ctrl);
	blk_mq_quiesce_queue(ctrl->admin_q);
}
EXPORT_SYMBOL_NS_GPL(nvmx_quiesce_all, NVMX);

/**
 * nvmx_resume_after_disable() - what runs again after a disable (rule 2)
 * @ctrl: the controller, its requests cancelled
 * @shutdown: the disable was a shutdown
 *
 * Context: the transport's disable, shutdown_lock held.
 */
void nvmx_resume_after_disable(struct nvmx_ctrl *ctrl, bool shutdown)
{
	enum nvmx_ctrl_state state;

	blk_mq_unquiesce_queue(ctrl->admin_q);
	state = READ_ONCE(ctrl->state);
	if (shutdown || state == NVMX_CTRL_DEAD || state == NVMX_CTRL_DELETING)
		nvmx_unquiesce_io(ctrl);
}
EXPORT_SYMBOL_NS_GPL(nvmx_resume_after_disable, NVMX);

/* A new namespace joins the list, quiesced if the others are (rule 4). */
void nvmx_ns_list_add(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns)
{
	down_write(&ctrl->ns_rwsem);
	if (test_bit(NVMX_CTRL_IO_QUIESCED, &ctrl->flags))
		blk_mq_quiesce_queue(ns->disk->queue);
	list_add_tail(&ns->list, &ctrl->namespaces);
	up_write(&ctrl->ns_rwsem);
}

/* A namespace leaves the list, its quiesce given back (rule 4). */
void nvmx_ns_list_del_locked(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns)
{
	lockdep_assert_held_write(&ctrl->ns_rwsem);
	list_del(&ns->list);
	if (test_bit(NVMX_CTRL_IO_QUIESCED, &ctrl->flags))
		blk_mq_unquiesce_queue(ns->disk->queue);
}
