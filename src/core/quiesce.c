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
 *     a namespace that joins the list takes the list's state.
 *  5. A namespace removed (by a scan, with the controller) moves to the
 *     leaving list, which rules 1 to 4 cover as well, until del_gendisk()
 *     has drained its queue and left it frozen for good: until then its
 *     queue may dispatch into the tag set's hardware queues, and a disable
 *     that did not quiesce it could have a request pass queue_rq's test of
 *     a transport queue the disable is stopping.  Its deletion waits, as
 *     its I/O does, for the reset to restart it (over TCP, for as long as
 *     the reconnect takes, as with the in-tree driver), and the reset's
 *     bounded drain before a queue count change waits for it too
 *     (nvmx_freeze_io()).  Once its disk is deleted it leaves the leaving
 *     list and gives its quiesce back (blk-mq counts them) - off both
 *     lists no reset would ever restart it.
 */
#include "nvmx.h"

/* Quiesce or restart the queues of one list of namespaces. */
static void nvmx_quiesce_ns_list(struct list_head *head, bool quiesce)
{
	struct nvmx_ns *ns;

	list_for_each_entry(ns, head, list) {
		if (quiesce)
			blk_mq_quiesce_queue(ns->disk->queue);
		else
			blk_mq_unquiesce_queue(ns->disk->queue);
	}
}

static void nvmx_quiesce_io(struct nvmx_ctrl *ctrl)
{
	down_write(&ctrl->ns_rwsem);
	if (!test_and_set_bit(NVMX_CTRL_IO_QUIESCED, &ctrl->flags)) {
		nvmx_quiesce_ns_list(&ctrl->namespaces, true);
		nvmx_quiesce_ns_list(&ctrl->leaving, true);
	}
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
	down_write(&ctrl->ns_rwsem);
	if (test_and_clear_bit(NVMX_CTRL_IO_QUIESCED, &ctrl->flags)) {
		nvmx_quiesce_ns_list(&ctrl->namespaces, false);
		nvmx_quiesce_ns_list(&ctrl->leaving, false);
	}
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

/* A removed namespace moves to the leaving list, quiesced or not (rule 5). */
void nvmx_ns_leave_locked(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns)
{
	lockdep_assert_held_write(&ctrl->ns_rwsem);
	list_move_tail(&ns->list, &ctrl->leaving);
}

/*
 * A namespace whose disk is deleted, or was never added, leaves whichever
 * list it is on and gives its quiesce back (rule 5).
 */
void nvmx_ns_list_del(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns)
{
	down_write(&ctrl->ns_rwsem);
	list_del(&ns->list);
	if (test_bit(NVMX_CTRL_IO_QUIESCED, &ctrl->flags))
		blk_mq_unquiesce_queue(ns->disk->queue);
	up_write(&ctrl->ns_rwsem);
}
