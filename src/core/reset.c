// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx core: the reset work, which brings a controller up at probe and
 * back after an error, around the transport's disable and enable; giving
 * up on a controller; resets asked for by users.
 */
#include "nvmx.h"
#include "trace.h"

/**
 * nvmx_init_identify() - what the core reads once the admin queue is up
 * @ctrl: the controller, its admin queue live
 *
 * Identify Controller (and its NVM command set part), whether the write
 * cache is on, and the transfer limit: the transport's, then MDTS.  Called by the
 * transport's enable between its admin queue and its I/O queues.
 *
 * Context: the reset work.
 * Return: 0, the Identify Controller's error, or the block layer's
 * refusal of the admin queue's new limit.
 */
int nvmx_init_identify(struct nvmx_ctrl *ctrl)
{
	u32 max = ctrl->transport_max_sectors;
	struct nvmx_lim lim;
	int ret;

	ret = nvmx_identify_ctrl(ctrl);
	if (ret)
		return ret;
	nvmx_identify_ctrl_nvm(ctrl);
	/* the queues learn it once they run again (nvmx_reset_work()) */
	WRITE_ONCE(ctrl->vwc_on, nvmx_get_vwc(ctrl));

	if (ctrl->mdts) {
		u32 mdts_shift = nvmx_cap_mps_min_shift(ctrl->cap) +
				 ctrl->mdts - SECTOR_SHIFT;

		if (mdts_shift < 31)
			max = min_t(u32, max, 1U << mdts_shift);
	}
	ctrl->max_hw_sectors = max;
	nvmx_lim_start(&lim, ctrl->admin_q);
	nvmx_lim_max_hw_sectors(&lim, max);
	return nvmx_lim_commit(&lim);
}
EXPORT_SYMBOL_NS_GPL(nvmx_init_identify, NVMX);

/*
 * Size the I/O tag set to the queues created and let I/O run again.
 *
 * blk_mq_update_nr_hw_queues() freezes the namespaces and waits for every
 * request; requeued ones must be able to run first (nvmx_queue_not_live()
 * takes those bound for a queue that is gone).  A request the controller
 * never completes would keep it waiting for good, its timeouts only
 * rearming while the controller resets: the queues are frozen here first,
 * and given io_timeout to drain, or the reset fails.  The update then finds
 * them frozen already.  On 6.1 it falls back to the old count when it
 * cannot allocate, which is checked.
 *
 * The tag set changes under shutdown_lock, in the generation @gen that
 * the enable brought up: a disable (a timeout, a lost connection) walks
 * the tag set to cancel requests, and must not meet one being replaced.
 * Nothing is waited for under it: the namespaces are frozen and drained.
 * One window is left: a namespace a concurrent scan added after the
 * freeze, whose first read is in flight when its connection drops (or
 * the PCIe device dies) during the update; the update waits for that
 * read, whose cancellation waits for shutdown_lock.  Closing it needs
 * the scan kept out across the freeze (a scan may itself wait for this
 * reset) or a cancellation that takes no lock; neither is done yet.
 */
static int nvmx_start_io(struct nvmx_ctrl *ctrl, u64 gen)
{
	struct nvmx_ns_set *frozen;
	int ret = 0;

	if (!ctrl->nr_io_queues) {
		/* namespaces of an earlier bring-up would wait forever */
		return ctrl->tagset.tags ? -EIO : 0;
	}
	if (!ctrl->tagset.tags) {
		mutex_lock(&ctrl->shutdown_lock);
		ret = ctrl->disable_gen == gen ? nvmx_alloc_io_tags(ctrl) : -EIO;
		mutex_unlock(&ctrl->shutdown_lock);
		if (ret)
			return ret;
	}
	if (ctrl->tagset.nr_hw_queues == ctrl->nr_io_queues) {
		nvmx_unquiesce_io(ctrl);
		return 0;
	}

	frozen = nvmx_freeze_io(ctrl);
	if (IS_ERR(frozen))
		return PTR_ERR(frozen);
	nvmx_unquiesce_io(ctrl);
	if (!nvmx_wait_freeze_io(frozen, nvmx_io_timeout.val * HZ)) {
		dev_err(&ctrl->device, "I/O did not drain within %u s to change the number of queues\n",
			nvmx_io_timeout.val);
		ret = -ETIMEDOUT;
		goto unfreeze;
	}
	mutex_lock(&ctrl->shutdown_lock);
	if (ctrl->disable_gen != gen) {
		mutex_unlock(&ctrl->shutdown_lock);
		ret = -EIO;
		goto unfreeze;
	}
	blk_mq_update_nr_hw_queues(&ctrl->tagset, ctrl->nr_io_queues);
	mutex_unlock(&ctrl->shutdown_lock);
	if (ctrl->tagset.nr_hw_queues != ctrl->nr_io_queues) {
		dev_err(&ctrl->device, "block layer kept %u hardware queues for %u I/O queues\n",
			ctrl->tagset.nr_hw_queues, ctrl->nr_io_queues);
		ret = -ENOMEM;
	}
unfreeze:
	nvmx_unfreeze_io(frozen);
	return ret;
}

/*
 * The reset work: disable, let the transport enable (admin queue,
 * Identify, I/O queues), size the tag set, configure events, go live,
 * then the event request, hwmon and a scan.  A failure gives up on the
 * controller.
 */
void nvmx_reset_work(struct work_struct *work)
{
	struct nvmx_ctrl *ctrl = container_of(work, struct nvmx_ctrl,
					      reset_work);
	bool live;
	u64 gen;
	int ret;

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING) {
		if (test_and_clear_bit(NVMX_CTRL_NSSR, &ctrl->flags))
			dev_warn(&ctrl->device, "NVM subsystem reset not sent\n");
		dev_warn(&ctrl->device, "reset skipped in state %s\n",
			 nvmx_state_name(READ_ONCE(ctrl->state)));
		return;
	}
	ctrl->nr_resets++;
	trace_nvmx_reset(ctrl, "start", 0);
	/* under the work removal flushes: never after the transport is gone */
	if (test_and_clear_bit(NVMX_CTRL_NSSR, &ctrl->flags))
		ctrl->ops->subsystem_reset(ctrl);
again:
	ctrl->ops->disable(ctrl, false);
	ret = ctrl->ops->enable(ctrl, &gen);
	if (ret)
		goto fail;
	ret = nvmx_start_io(ctrl, gen);
	if (ret)
		goto disabled;
	nvmx_aen_configure(ctrl);

	/*
	 * A command that timed out meanwhile has disabled the controller
	 * (the transport's timeout handler, a lost connection), and the
	 * steps above that ignore errors went on: the controller is not what
	 * they set up.
	 */
	mutex_lock(&ctrl->shutdown_lock);
	if (ctrl->disable_gen != gen) {
		mutex_unlock(&ctrl->shutdown_lock);
		ret = -EIO;
		goto disabled;
	}
	live = nvmx_change_state(ctrl, NVMX_CTRL_LIVE);
	mutex_unlock(&ctrl->shutdown_lock);
	if (!live) {
		dev_warn(&ctrl->device, "not live: state changed to %s during reset\n",
			 nvmx_state_name(READ_ONCE(ctrl->state)));
		return;
	}
	dev_info(&ctrl->device, "%s, serial %s, firmware %s, NVMe %u.%u.%u\n",
		 ctrl->model, ctrl->serial, ctrl->firmware_rev,
		 nvmx_vs_major(ctrl->vs), nvmx_vs_minor(ctrl->vs),
		 nvmx_vs_tertiary(ctrl->vs));
	if (ctrl->ops->describe)
		ctrl->ops->describe(ctrl);
	trace_nvmx_reset(ctrl, "live", 0);
	nvmx_set_write_cache(ctrl, READ_ONCE(ctrl->vwc_on));
	/* bios of requests whose queue did not come back */
	queue_work(nvmx_wq, &ctrl->requeue_work);
	ctrl->ops->submit_async_event(ctrl);
	nvmx_hwmon_add(ctrl);
	queue_work(nvmx_wq, &ctrl->scan_work);
	return;

disabled:
	/* a start_io() that failed because of it fails as it does */
	if (READ_ONCE(ctrl->disable_gen) != gen) {
		dev_err(&ctrl->device, "controller disabled during the reset\n");
		if (ctrl->ops->retry_reset && ctrl->ops->retry_reset(ctrl) &&
		    READ_ONCE(ctrl->state) == NVMX_CTRL_RESETTING)
			goto again;
	}
fail:
	trace_nvmx_reset(ctrl, "failed", ret);
	dev_err(&ctrl->device, "reset failed (%d)\n", ret);
	nvmx_kill_ctrl(ctrl);
}

/**
 * nvmx_kill_ctrl() - give up on a controller
 * @ctrl: the controller, failed to reset or gone from the bus
 *
 * Marks it dead, so that its I/O fails fast, cancels what is in flight and
 * has the transport remove it, unless a removal is already under way.
 *
 * Context: process context (reset work, timeout handler).
 */
void nvmx_kill_ctrl(struct nvmx_ctrl *ctrl)
{
	bool removing = READ_ONCE(ctrl->state) == NVMX_CTRL_DELETING;

	nvmx_change_state(ctrl, NVMX_CTRL_DEAD);
	ctrl->ops->disable(ctrl, false);
	/* held bios now fail fast */
	queue_work(nvmx_wq, &ctrl->requeue_work);
	if (removing)
		return;
	dev_err(&ctrl->device, "controller dead, removing its devices\n");
	ctrl->ops->delete_ctrl(ctrl);
}
EXPORT_SYMBOL_NS_GPL(nvmx_kill_ctrl, NVMX);

/*
 * Enter RESETTING and queue the reset work in one step under state_lock,
 * with a subsystem reset to start it when @nssr: once removal has set
 * DELETING, no reset can be queued behind its flush_work().
 */
static bool nvmx_queue_reset(struct nvmx_ctrl *ctrl, bool nssr)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ctrl->state_lock, flags);
	ok = __nvmx_change_state(ctrl, NVMX_CTRL_RESETTING);
	if (ok) {
		if (nssr)
			set_bit(NVMX_CTRL_NSSR, &ctrl->flags);
		queue_work(nvmx_wq, &ctrl->reset_work);
	}
	spin_unlock_irqrestore(&ctrl->state_lock, flags);
	return ok;
}

/**
 * nvmx_schedule_reset() - start the reset work unless it cannot run now
 * @ctrl: the controller
 *
 * Context: any.
 * Return: true when the reset work is queued.
 */
bool nvmx_schedule_reset(struct nvmx_ctrl *ctrl)
{
	return nvmx_queue_reset(ctrl, false);
}
EXPORT_SYMBOL_NS_GPL(nvmx_schedule_reset, NVMX);

/**
 * nvmx_reset_sync() - reset the controller and wait for the outcome
 * @ctrl: the controller
 *
 * Context: process context (ioctl, sysfs).
 * Return: 0 when the controller is live again, -EBUSY when a reset or a
 * removal is already under way, -ENETRESET when the reset failed.
 */
int nvmx_reset_sync(struct nvmx_ctrl *ctrl)
{
	if (!nvmx_queue_reset(ctrl, false))
		return -EBUSY;
	dev_warn(&ctrl->device, "resetting controller (requested by %s)\n",
		 current->comm);
	flush_work(&ctrl->reset_work);
	return READ_ONCE(ctrl->state) == NVMX_CTRL_LIVE ? 0 : -ENETRESET;
}

/**
 * nvmx_subsystem_reset() - NVM Subsystem Reset, when CAP.NSSRS allows it
 * @ctrl: the controller
 *
 * The reset work starts the subsystem reset, which takes the controller
 * down, and brings it back.
 * Return: 0, -ENOTTY without NSSR support, -EBUSY when not live.
 */
int nvmx_subsystem_reset(struct nvmx_ctrl *ctrl)
{
	if (!ctrl->ops->subsystem_reset || !(ctrl->cap & NVMX_CAP_NSSRS))
		return -ENOTTY;
	if (!nvmx_queue_reset(ctrl, true))
		return -EBUSY;
	dev_warn(&ctrl->device, "NVM subsystem reset (requested by %s)\n",
		 current->comm);
	return 0;
}
