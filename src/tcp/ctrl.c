// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx NVMe/TCP transport: the controller.  What the core's ops table
 * asks of a transport (docs/architecture.md), done over NVMe/TCP: the
 * registers through Property Get and Set, enable as connections (admin
 * queue, then CC.EN and RDY over properties, Identify, the I/O queues),
 * disable as closing them, reconnecting every reconnect_delay seconds
 * until ctrl_loss_tmo after a lost connection, the keep-alive, and the
 * controller's creation and deletion.
 */
#include <linux/inet.h>
#include <linux/slab.h>

#include "tcp.h"

/* how often CSTS is read while waiting for RDY or a shutdown */
#define NVMX_TCP_CSTS_POLL_MS	100
/* a shutdown waits at least this long, RTD3E permitting more */
#define NVMX_TCP_SHUTDOWN_MS	5000

static LIST_HEAD(nvmx_tcp_ctrls);
static DEFINE_MUTEX(nvmx_tcp_lock);	/* protects nvmx_tcp_ctrls */

/* ---- registers: Property Get and Set on the admin queue ---- */

static int nvmx_tcp_reg_read32(struct nvmx_ctrl *ctrl, u32 off, u32 *val)
{
	u64 v;
	int ret;

	ret = nvmx_prop_get(ctrl, off, &v);
	if (ret)
		return ret > 0 ? -EIO : ret;
	*val = v;
	return 0;
}

static int nvmx_tcp_reg_read64(struct nvmx_ctrl *ctrl, u32 off, u64 *val)
{
	int ret = nvmx_prop_get(ctrl, off, val);

	return ret > 0 ? -EIO : ret;
}

static int nvmx_tcp_reg_write32(struct nvmx_ctrl *ctrl, u32 off, u32 val)
{
	int ret = nvmx_prop_set(ctrl, off, val);

	return ret > 0 ? -EIO : ret;
}

/*
 * Wait until CSTS & @mask is @val, reading it every 100 ms for at most
 * @timeout_ms; CSTS.CFS ends the wait with an error.
 */
static int nvmx_tcp_wait_csts(struct nvmx_tcp_ctrl *tctrl, u32 mask, u32 val,
			      u32 timeout_ms, const char *what)
{
	struct nvmx_ctrl *ctrl = &tctrl->ctrl;
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	u32 csts;
	int ret;

	for (;;) {
		ret = nvmx_tcp_reg_read32(ctrl, NVME_REG_CSTS, &csts);
		if (ret) {
			dev_err(&ctrl->device, "%s: CSTS not read (%d)\n",
				what, ret);
			return ret;
		}
		if ((csts & mask) == val)
			return 0;
		if (csts & NVME_CSTS_CFS) {
			dev_err(&ctrl->device, "%s: controller fatal status (CSTS 0x%x)\n",
				what, csts);
			return -EIO;
		}
		if (time_after(jiffies, deadline)) {
			dev_err(&ctrl->device, "%s: CSTS 0x%x after %u ms\n",
				what, csts, timeout_ms);
			return -ETIMEDOUT;
		}
		msleep(NVMX_TCP_CSTS_POLL_MS);
	}
}

/*
 * CAP and VS, then CC: 4 KiB pages (what every fabrics controller takes),
 * the NVM command set, the entry sizes, enable; then RDY.
 */
static int nvmx_tcp_enable_ctrl(struct nvmx_tcp_ctrl *tctrl)
{
	struct nvmx_ctrl *ctrl = &tctrl->ctrl;
	u32 cc;
	int ret;

	ret = nvmx_tcp_reg_read64(ctrl, NVME_REG_CAP, &ctrl->cap);
	if (ret)
		return ret;
	ret = nvmx_tcp_reg_read32(ctrl, NVME_REG_VS, &ctrl->vs);
	if (ret)
		return ret;
	ctrl->io_depth = nvmx_queue_depth(ctrl->cap, tctrl->opts.queue_size);
	cc = NVME_CC_CSS_NVM | 0 << NVME_CC_MPS_SHIFT | NVME_CC_AMS_RR |
	     NVME_CC_SHN_NONE | NVME_NVM_IOSQES << NVME_CC_IOSQES_SHIFT |
	     NVME_NVM_IOCQES << NVME_CC_IOCQES_SHIFT | NVME_CC_ENABLE;
	ret = nvmx_tcp_reg_write32(ctrl, NVME_REG_CC, cc);
	if (ret)
		return ret;
	return nvmx_tcp_wait_csts(tctrl, NVME_CSTS_RDY, NVME_CSTS_RDY,
				  nvmx_cap_timeout_ms(ctrl->cap), "enable");
}

/*
 * A normal shutdown (CC.SHN) before the connections close, when the
 * admin queue still answers.  Bounded by RTD3E, at least 5 s.
 */
static void nvmx_tcp_shutdown_ctrl(struct nvmx_tcp_ctrl *tctrl)
{
	struct nvmx_ctrl *ctrl = &tctrl->ctrl;
	u32 cc, timeout = max_t(u32, ctrl->rtd3e / 1000, NVMX_TCP_SHUTDOWN_MS);

	if (nvmx_tcp_reg_read32(ctrl, NVME_REG_CC, &cc))
		return;
	cc = (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL;
	if (nvmx_tcp_reg_write32(ctrl, NVME_REG_CC, cc))
		return;
	nvmx_tcp_wait_csts(tctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT,
			   timeout, "shutdown");
}

/* ---- keep-alive ---- */

static unsigned long nvmx_tcp_ka_interval(struct nvmx_tcp_ctrl *tctrl)
{
	return max_t(unsigned long, tctrl->opts.kato * HZ / 2, 1);
}

/*
 * The Keep Alive's answer.  Lost (a timeout, which resets a live
 * controller, or a connection error) or failed while live, the
 * connection is gone: recover.  Answered, the next one in KATO/2.
 */
static enum rq_end_io_ret nvmx_tcp_ka_done(struct request *rq,
					   blk_status_t sts)
{
	struct nvmx_tcp_ctrl *tctrl = rq->end_io_data;
	struct nvmx_ctrl *ctrl = &tctrl->ctrl;
	int status = nvmx_req(rq)->status;
	enum nvmx_ctrl_state state = READ_ONCE(ctrl->state);

	if (!sts && !status) {
		/* not for connections a disable has closed since it went out */
		if (READ_ONCE(ctrl->disable_gen) == tctrl->ka_gen)
			queue_delayed_work(nvmx_tcp_ctl_wq, &tctrl->ka_work,
					   nvmx_tcp_ka_interval(tctrl));
	} else if (state == NVMX_CTRL_LIVE) {
		dev_warn(&ctrl->device, "keep-alive failed (status 0x%x, %d), recovering\n",
			 status, blk_status_to_errno(sts));
		nvmx_schedule_reset(ctrl);
	}
	return RQ_END_IO_FREE;
}

/*
 * Keep Alive every KATO/2 (the controller drops us after KATO without
 * one), on the admin tag kept for it, and not waited for: a worker that
 * waited could hold up the reclaim it is part of.  The tag is still in
 * use only while the last one is unanswered, and that one's timeout (KATO)
 * recovers.
 */
static void nvmx_tcp_ka_work(struct work_struct *work)
{
	struct nvmx_tcp_ctrl *tctrl = container_of(to_delayed_work(work),
						   struct nvmx_tcp_ctrl,
						   ka_work);
	struct nvme_command cmd = { };
	struct request *rq;

	cmd.common.opcode = nvme_admin_keep_alive;
	rq = nvmx_alloc_cmd_rq(tctrl->ctrl.admin_q, &cmd, 0,
			       BLK_MQ_REQ_RESERVED | BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(rq)) {
		queue_delayed_work(nvmx_tcp_ctl_wq, &tctrl->ka_work,
				   nvmx_tcp_ka_interval(tctrl));
		return;
	}
	tctrl->ka_gen = READ_ONCE(tctrl->ctrl.disable_gen);
	rq->timeout = tctrl->opts.kato * HZ;
	rq->end_io = nvmx_tcp_ka_done;
	rq->end_io_data = tctrl;
	blk_execute_rq_nowait(rq, false);
}

/* ---- queues ---- */

static void nvmx_tcp_stop_queues(struct nvmx_tcp_ctrl *tctrl)
{
	unsigned int i;

	for (i = tctrl->nr_queues; i-- > 0;)
		nvmx_tcp_stop_queue(&tctrl->queues[i]);
}

/*
 * The I/O queues: as many as Set Features grants of those asked for,
 * each a connection and a Connect with the admin Connect's cntlid.
 */
static int nvmx_tcp_setup_io_queues(struct nvmx_tcp_ctrl *tctrl, u16 cntlid,
				    u64 gen)
{
	struct nvmx_ctrl *ctrl = &tctrl->ctrl;
	unsigned int nr = tctrl->nr_queues - 1, i;
	int ret;

	ret = nvmx_set_queue_count(ctrl, &nr);
	if (ret < 0)
		return ret;
	if (ret > 0 || !nr) {
		dev_err(&ctrl->device, "no I/O queues granted (status 0x%x)\n",
			ret);
		return -EIO;
	}
	nr = min(nr, tctrl->nr_queues - 1);
	for (i = 1; i <= nr; i++) {
		struct nvmx_tcp_queue *queue = &tctrl->queues[i];

		/* a deletion waits for this reset: no more connects for it */
		if (READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING)
			return -ENODEV;
		/* tags of a hardware context gone with an earlier count */
		mutex_lock(&ctrl->shutdown_lock);
		if (!ctrl->tagset.tags || i > ctrl->tagset.nr_hw_queues)
			WRITE_ONCE(queue->tags, NULL);
		mutex_unlock(&ctrl->shutdown_lock);
		queue->sqsize = ctrl->io_depth;
		ret = nvmx_tcp_start_queue(tctrl, i, &cntlid);
		if (ret)
			return ret;
		/*
		 * A disable meanwhile (a connection error, a timeout) stopped
		 * this queue or the admin queue: the controller it belonged
		 * to is gone, and a queue marked live now would take requests
		 * that nothing sends.
		 */
		mutex_lock(&ctrl->shutdown_lock);
		if (ctrl->disable_gen != gen ||
		    !test_bit(NVMX_TCP_Q_ALLOCATED, &queue->flags)) {
			mutex_unlock(&ctrl->shutdown_lock);
			nvmx_tcp_stop_queue(queue);
			return -ECONNRESET;
		}
		/* what started the queue is seen by queue_rq's acquire */
		smp_mb__before_atomic();
		set_bit(NVMX_TCP_Q_LIVE, &queue->flags);
		ctrl->nr_io_queues = i;
		mutex_unlock(&ctrl->shutdown_lock);
	}
	return 0;
}

/* ---- enable and disable (the ops) ---- */

/* One try at bringing the controller up: see nvmx_tcp_enable(). */
static int nvmx_tcp_try_enable(struct nvmx_tcp_ctrl *tctrl, u64 *gen)
{
	struct nvmx_ctrl *ctrl = &tctrl->ctrl;
	struct nvmx_tcp_queue *aq = &tctrl->queues[0];
	u16 cntlid = 0xffff;
	int ret;

	mutex_lock(&ctrl->shutdown_lock);
	*gen = ctrl->disable_gen;
	mutex_unlock(&ctrl->shutdown_lock);
	if (READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING)
		return -ENODEV;
	/* not under shutdown_lock: connecting may take seconds */
	aq->sqsize = NVMX_AQ_DEPTH;
	ret = nvmx_tcp_start_queue(tctrl, 0, &cntlid);
	if (ret)
		return ret;
	/* a disable meanwhile (a deletion) found no queue to stop */
	mutex_lock(&ctrl->shutdown_lock);
	if (ctrl->disable_gen != *gen ||
	    READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING) {
		ret = READ_ONCE(ctrl->state) == NVMX_CTRL_RESETTING ?
		      -ECONNRESET : -ENODEV;
		mutex_unlock(&ctrl->shutdown_lock);
		nvmx_tcp_stop_queue(aq);
		return ret;
	}
	/* what started the queue is seen by queue_rq's acquire */
	smp_mb__before_atomic();
	set_bit(NVMX_TCP_Q_LIVE, &aq->flags);
	mutex_unlock(&ctrl->shutdown_lock);

	ret = nvmx_tcp_enable_ctrl(tctrl);
	if (ret)
		return ret;
	/*
	 * The controller counts KATO from its admin Connect: keep-alives from
	 * now on (not before RDY: commands other than fabrics ones fail
	 * until then), not after the I/O queues, which may take long.
	 */
	if (tctrl->opts.kato)
		mod_delayed_work(nvmx_tcp_ctl_wq, &tctrl->ka_work,
				 nvmx_tcp_ka_interval(tctrl));
	ret = nvmx_init_identify(ctrl);
	if (ret)
		return ret > 0 ? -EIO : ret;
	if (ctrl->cntlid != cntlid)
		dev_warn(&ctrl->device, "Identify says cntlid %u, Connect gave %u\n",
			 ctrl->cntlid, cntlid);
	/* in-capsule data where the capsule holds it, at offset 0 only */
	tctrl->inline_max = ctrl->icdoff ? 0 :
			    nvmx_tcp_ioccsz_inline(ctrl->ioccsz);
	return nvmx_tcp_setup_io_queues(tctrl, cntlid, *gen);
}

/*
 * The controller has been lost for longer than ctrl_loss_tmo allows, or
 * will be by the next try, @delay seconds away (-1: never given up).
 */
static bool nvmx_tcp_given_up(struct nvmx_tcp_ctrl *tctrl, u32 delay)
{
	unsigned long tmo = (unsigned long)tctrl->opts.ctrl_loss_tmo * HZ;

	if (tctrl->opts.ctrl_loss_tmo < 0 ||
	    !time_after(jiffies + delay * HZ, tctrl->lost_at + tmo))
		return false;
	dev_err(&tctrl->ctrl.device, "controller lost for %u s (ctrl_loss_tmo %d), giving up\n",
		jiffies_to_msecs(jiffies - tctrl->lost_at) / 1000,
		tctrl->opts.ctrl_loss_tmo);
	return true;
}

/*
 * Wait @secs seconds before the next try, or less when the controller
 * leaves RESETTING (a deletion).  Return: false when it left.
 */
static bool nvmx_tcp_reconnect_wait(struct nvmx_tcp_ctrl *tctrl, u32 secs)
{
	struct nvmx_ctrl *ctrl = &tctrl->ctrl;

	wait_event_timeout(tctrl->wait,
			   READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING,
			   secs * HZ);
	return READ_ONCE(ctrl->state) == NVMX_CTRL_RESETTING;
}

/**
 * nvmx_tcp_enable() - connect (nvmx_ctrl_ops.enable)
 * @ctrl: the controller, disabled, RESETTING
 * @gen: disable_gen as the successful try read it
 *
 * A controller that has been live once is tried again every
 * reconnect_delay seconds until ctrl_loss_tmo has passed (-1: for ever);
 * its requests wait meanwhile (the queues are quiesced, and requeued ones
 * held).  A first connect is tried once: the user who asked for it gets
 * the error.
 *
 * Context: the reset work.
 */
static int nvmx_tcp_enable(struct nvmx_ctrl *ctrl, u64 *gen)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(ctrl);
	unsigned int tries = 1;
	int ret;

	if (tctrl->was_live && !tctrl->lost) {
		tctrl->lost = true;
		tctrl->lost_at = jiffies;
	}
	for (;; tries++) {
		ret = nvmx_tcp_try_enable(tctrl, gen);
		if (!ret) {
			if (tries > 1)
				dev_info(&ctrl->device, "reconnected after %u tries\n",
					 tries);
			return 0;
		}
		tctrl->connect_err = ret;
		if (ret == -ENODEV || !tctrl->was_live)
			return ret;
		if (nvmx_tcp_given_up(tctrl, tctrl->opts.reconnect_delay))
			return ret;
		nvmx_tcp_disable(ctrl, false);
		dev_info(&ctrl->device, "connect failed (%d), try %u; again in %u s\n",
			 ret, tries, tctrl->opts.reconnect_delay);
		if (!nvmx_tcp_reconnect_wait(tctrl, tctrl->opts.reconnect_delay))
			return -ENODEV;
	}
}

/**
 * nvmx_tcp_disable() - close the connections (nvmx_ctrl_ops.disable)
 * @ctrl: the controller
 * @shutdown: a normal shutdown first, when the admin queue answers
 *
 * Closing the admin connection ends the controller on the target's side
 * (a fabrics controller lives as long as its admin queue), so nothing it
 * was doing reaches this host afterwards: the requests are cancelled,
 * and retryable ones are sent again once a reconnect brings the queues
 * back.  Idempotent.
 *
 * Context: process context; takes shutdown_lock.
 */
void nvmx_tcp_disable(struct nvmx_ctrl *ctrl, bool shutdown)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(ctrl);

	/*
	 * Not under shutdown_lock, which a timeout of the Property Set takes
	 * (nvmx_tcp_timeout()): nothing waits for a command under it.
	 */
	if (shutdown && test_bit(NVMX_TCP_Q_LIVE, &tctrl->queues[0].flags))
		nvmx_tcp_shutdown_ctrl(tctrl);
	mutex_lock(&ctrl->shutdown_lock);
	ctrl->disable_gen++;
	/*
	 * After the generation moved: an answer from now on does not queue
	 * the keep-alive again (nvmx_tcp_ka_done()); it never blocks.
	 */
	cancel_delayed_work_sync(&tctrl->ka_work);
	nvmx_quiesce_all(ctrl);
	nvmx_tcp_stop_queues(tctrl);
	clear_bit(NVMX_CTRL_AEN_PENDING, &ctrl->flags);
	ctrl->nr_io_queues = 0;
	nvmx_cancel_all(ctrl);
	nvmx_resume_after_disable(ctrl, shutdown);
	mutex_unlock(&ctrl->shutdown_lock);
}

/*
 * A connection failed while the controller was not live (a reset's own
 * commands wait on it): end what is in flight now, so that the reset
 * learns of it without waiting for a timeout.  Live, it is reset.
 */
static void nvmx_tcp_err_work(struct work_struct *work)
{
	struct nvmx_tcp_ctrl *tctrl = container_of(work, struct nvmx_tcp_ctrl,
						   err_work);

	struct nvmx_ctrl *ctrl = &tctrl->ctrl;

	if (nvmx_schedule_reset(ctrl))
		return;
	/* the connections that failed may be closed and made again already */
	if (READ_ONCE(ctrl->disable_gen) == READ_ONCE(tctrl->err_gen))
		nvmx_tcp_disable(ctrl, false);
}

/* The event request: once, while the admin queue is live. */
static void nvmx_tcp_submit_async_event(struct nvmx_ctrl *ctrl)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(ctrl);
	struct nvmx_tcp_queue *aq = &tctrl->queues[0];

	mutex_lock(&ctrl->shutdown_lock);
	if (test_bit(NVMX_TCP_Q_LIVE, &aq->flags) &&
	    !test_and_set_bit(NVMX_CTRL_AEN_PENDING, &ctrl->flags)) {
		ctrl->aen_submitted++;
		nvmx_tcp_send_async(aq, &tctrl->async_req);
	}
	mutex_unlock(&ctrl->shutdown_lock);
}

/*
 * Data is described by one SGL descriptor: no boundary, no alignment.
 * With a data digest, a page that changed between the digest and the
 * send (a buffered write redirtied under write-back) would reach the
 * controller as a digest error: such queues want stable pages.
 */
static void nvmx_tcp_queue_limits(struct nvmx_ctrl *ctrl, struct nvmx_lim *lim)
{
	if (to_tcp_ctrl(ctrl)->opts.data_digest)
		nvmx_lim_stable_writes(lim);
}

/*
 * The controller's address, and the local one of the admin connection
 * while there is one (as the in-tree host shows it): the queue's
 * stop_lock keeps its socket from going meanwhile.
 */
static int nvmx_tcp_get_address(struct nvmx_ctrl *ctrl, char *buf, int size)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(ctrl);
	struct nvmx_tcp_queue *queue = &tctrl->queues[0];
	struct sockaddr_storage src;
	int len;

	len = scnprintf(buf, size, "traddr=%s,trsvcid=%s",
			tctrl->opts.traddr, tctrl->opts.trsvcid);
	mutex_lock(&queue->stop_lock);
	if (test_bit(NVMX_TCP_Q_ALLOCATED, &queue->flags) &&
	    kernel_getsockname(queue->sock, (struct sockaddr *)&src) > 0)
		len += scnprintf(buf + len, size - len, ",src_addr=%pISc",
				 &src);
	mutex_unlock(&queue->stop_lock);
	return len + scnprintf(buf + len, size - len, "\n");
}

/*
 * Connected, then lost again before the reset went live: a controller
 * that has been live is reconnected, until ctrl_loss_tmo.
 */
static bool nvmx_tcp_retry_reset(struct nvmx_ctrl *ctrl)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(ctrl);
	u32 delay = tctrl->opts.reconnect_delay;

	if (!tctrl->was_live || nvmx_tcp_given_up(tctrl, delay))
		return false;
	/* closed now, so that the controller's side ends too */
	nvmx_tcp_disable(ctrl, false);
	dev_info(&ctrl->device, "again in %u s\n", delay);
	return nvmx_tcp_reconnect_wait(tctrl, delay);
}

/* Live: what it is, and the loss (if any) is over. */
static void nvmx_tcp_describe(struct nvmx_ctrl *ctrl)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(ctrl);

	tctrl->was_live = true;
	tctrl->lost = false;
	wake_up_all(&tctrl->wait);	/* a first connect waits for this */

	dev_info(&ctrl->device, "%s over TCP at %s:%s: %u I/O queues of %u, in-capsule %u bytes, digests%s%s%s\n",
		 ctrl->subnqn, tctrl->opts.traddr, tctrl->opts.trsvcid,
		 ctrl->nr_io_queues, ctrl->io_depth, tctrl->inline_max,
		 tctrl->opts.hdr_digest ? " header" : "",
		 tctrl->opts.data_digest ? " data" : "",
		 tctrl->opts.hdr_digest || tctrl->opts.data_digest ? "" :
		 " none");
}

/* ---- creation and deletion ---- */

static void nvmx_tcp_remove(struct nvmx_tcp_ctrl *tctrl)
{
	struct nvmx_ctrl *ctrl = &tctrl->ctrl;

	nvmx_change_state(ctrl, NVMX_CTRL_DELETING);
	wake_up_all(&tctrl->wait);
	nvmx_ctrl_remove_devices(ctrl);
	nvmx_tcp_disable(ctrl, READ_ONCE(ctrl->state) == NVMX_CTRL_DELETING);
	cancel_delayed_work_sync(&tctrl->ka_work);
	cancel_work_sync(&tctrl->err_work);
	if (ctrl->tagset.tags)
		blk_mq_free_tag_set(&ctrl->tagset);
	nvmx_destroy_admin_queue(ctrl);
	nvmx_debugfs_remove_ctrl(ctrl);
	dev_info(&ctrl->device, "removed\n");
}

/* delete_controller, or a controller given up on: from a work item */
static void nvmx_tcp_delete_work(struct work_struct *work)
{
	struct nvmx_tcp_ctrl *tctrl = container_of(work, struct nvmx_tcp_ctrl,
						   delete_work);
	bool listed;

	mutex_lock(&nvmx_tcp_lock);
	listed = !list_empty(&tctrl->list);
	list_del_init(&tctrl->list);
	mutex_unlock(&nvmx_tcp_lock);
	if (listed) {
		nvmx_tcp_remove(tctrl);
		put_device(&tctrl->ctrl.device);	/* the list's */
	}
	put_device(&tctrl->ctrl.device);		/* the work's */
}

/* nvmx_ctrl_ops.delete_ctrl: the core gave up on it, or a user asked. */
static void nvmx_tcp_delete_ctrl_op(struct nvmx_ctrl *ctrl)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(ctrl);

	get_device(&ctrl->device);
	if (!queue_work(nvmx_tcp_ctl_wq, &tctrl->delete_work))
		put_device(&ctrl->device);
	/* a first connect waits for this, then flushes the deletion */
	wake_up_all(&tctrl->wait);
}

static void nvmx_tcp_free_ctrl(struct nvmx_ctrl *ctrl)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(ctrl);
	unsigned int i;

	for (i = 0; i < tctrl->nr_queues; i++)
		nvmx_tcp_free_cmd_hdrs(&tctrl->queues[i]);
	kfree(tctrl->queues);
	kfree(tctrl);
}

static const struct nvmx_ctrl_ops nvmx_tcp_ops = {
	.name			= "tcp",
	.module			= THIS_MODULE,
	.blocking		= true,		/* queue_rq sends (queue.c) */
	.reg_read32		= nvmx_tcp_reg_read32,
	.reg_read64		= nvmx_tcp_reg_read64,
	.reg_write32		= nvmx_tcp_reg_write32,
	.enable			= nvmx_tcp_enable,
	.disable		= nvmx_tcp_disable,
	.submit_async_event	= nvmx_tcp_submit_async_event,
	.queue_limits		= nvmx_tcp_queue_limits,
	.get_address		= nvmx_tcp_get_address,
	.retry_reset		= nvmx_tcp_retry_reset,
	.describe		= nvmx_tcp_describe,
	.delete_ctrl		= nvmx_tcp_delete_ctrl_op,
	.free_ctrl		= nvmx_tcp_free_ctrl,
};

/* Host NQN and ID: the options', else one made from the module's ID. */
static int nvmx_tcp_identity(struct nvmx_tcp_ctrl *tctrl)
{
	struct nvmx_opts *o = &tctrl->opts;

	if (o->mask & NVMX_OPT_HOSTID) {
		if (uuid_parse(o->hostid, &tctrl->hostid))
			return -EINVAL;
	} else {
		uuid_copy(&tctrl->hostid, &nvmx_tcp_hostid);
	}
	if (!(o->mask & NVMX_OPT_HOSTNQN))
		snprintf(o->hostnqn, sizeof(o->hostnqn),
			 "nqn.2014-08.org.nvmexpress:uuid:%pUb", &tctrl->hostid);
	return 0;
}

static void nvmx_tcp_init_queues(struct nvmx_tcp_ctrl *tctrl)
{
	unsigned int i;

	for (i = 0; i < tctrl->nr_queues; i++) {
		struct nvmx_tcp_queue *queue = &tctrl->queues[i];

		queue->ctrl = tctrl;
		queue->qid = i;
		mutex_init(&queue->send_mutex);
		mutex_init(&queue->stop_lock);
		INIT_WORK(&queue->io_work, nvmx_tcp_io_work);
		INIT_LIST_HEAD(&queue->send_queue);
		init_llist_head(&queue->send_list);
		queue->io_cpu = WORK_CPU_UNBOUND;
	}
}

/**
 * nvmx_tcp_create_ctrl() - connect to a controller, as /dev/nvmx-fabrics asks
 * @opts: the parsed options
 *
 * Return: the controller, live, with a reference for the caller; or an
 * ERR_PTR (the reason logged).
 */
struct nvmx_tcp_ctrl *nvmx_tcp_create_ctrl(struct nvmx_opts *opts)
{
	struct nvmx_tcp_ctrl *tctrl;
	struct nvmx_ctrl *ctrl;
	unsigned int i;
	int ret;

	tctrl = kzalloc(sizeof(*tctrl), GFP_KERNEL);
	if (!tctrl)
		return ERR_PTR(-ENOMEM);
	tctrl->opts = *opts;
	ret = inet_pton_with_scope(&init_net, AF_UNSPEC, opts->traddr,
				   opts->trsvcid, &tctrl->addr);
	if (ret) {
		pr_err("nvmx-tcp: traddr=%s,trsvcid=%s is not an address (%d)\n",
		       opts->traddr, opts->trsvcid, ret);
		goto free_tctrl;
	}
	ret = nvmx_tcp_identity(tctrl);
	if (ret) {
		pr_err("nvmx-tcp: hostid=%s is not a UUID\n", opts->hostid);
		goto free_tctrl;
	}
	/* blk-mq maps no more hardware queues than CPUs (one map) */
	tctrl->nr_queues = 1 + min_not_zero(opts->nr_io_queues,
					    num_online_cpus());
	tctrl->queues = kcalloc(tctrl->nr_queues, sizeof(*tctrl->queues),
				GFP_KERNEL);
	if (!tctrl->queues) {
		ret = -ENOMEM;
		goto free_tctrl;
	}
	nvmx_tcp_init_queues(tctrl);
	for (i = 0; i < tctrl->nr_queues; i++) {
		ret = nvmx_tcp_alloc_cmd_hdrs(&tctrl->queues[i], i ?
					      opts->queue_size : NVMX_AEN_TAG);
		if (ret)
			goto free_cmd_hdrs;
	}
	init_waitqueue_head(&tctrl->wait);
	INIT_DELAYED_WORK(&tctrl->ka_work, nvmx_tcp_ka_work);
	INIT_WORK(&tctrl->delete_work, nvmx_tcp_delete_work);
	INIT_WORK(&tctrl->err_work, nvmx_tcp_err_work);
	INIT_LIST_HEAD(&tctrl->list);

	ctrl = &tctrl->ctrl;
	/* transfers: nvmet-tcp refuses more than 4 MiB, and says no MDTS */
	ctrl->transport_max_sectors = NVMX_TCP_MAX_XFER >> SECTOR_SHIFT;
	ctrl->max_segments = NVMX_TCP_MAX_SEGS;
	ctrl->admin_reserved = 1;	/* the keep-alive's */
	ctrl->hostnqn = tctrl->opts.hostnqn;
	ctrl->hostid = &tctrl->hostid;
	/* from here on put_device() frees the controller and its queues */
	ret = nvmx_ctrl_init(ctrl, NULL, &nvmx_tcp_ops);
	if (ret)
		return ERR_PTR(ret);
	nvmx_debugfs_add_ctrl(ctrl);
	nvmx_tcp_debugfs_add_ctrl(tctrl);
	ret = nvmx_alloc_admin_tags(ctrl, &nvmx_tcp_admin_mq_ops,
				    sizeof(struct nvmx_tcp_request));
	if (ret)
		goto remove_debugfs;
	nvmx_init_io_tags(ctrl, &nvmx_tcp_mq_ops,
			  sizeof(struct nvmx_tcp_request));
	/* one map: no poll or read queues */
	ctrl->tagset.nr_maps = 1;
	ret = nvmx_ctrl_publish(ctrl);
	if (ret)
		goto destroy_admin_queue;

	/* the list's reference; the caller's is the initial one */
	get_device(&ctrl->device);
	mutex_lock(&nvmx_tcp_lock);
	list_add_tail(&tctrl->list, &nvmx_tcp_ctrls);
	mutex_unlock(&nvmx_tcp_lock);

	/*
	 * The first reset's outcome: live, or failed (dead, its deletion
	 * queued), or a deletion; not a later reset's, which a connection
	 * lost right after going live starts (and which may take until
	 * ctrl_loss_tmo).  A first connect is tried once: this is bounded by
	 * the connection timeouts.
	 */
	nvmx_schedule_reset(ctrl);
	wait_event(tctrl->wait, READ_ONCE(tctrl->was_live) ||
		   READ_ONCE(ctrl->state) == NVMX_CTRL_DEAD ||
		   READ_ONCE(ctrl->state) == NVMX_CTRL_DELETING);
	if (!READ_ONCE(tctrl->was_live)) {
		ret = tctrl->connect_err ?: -EIO;
		flush_work(&tctrl->delete_work);
		put_device(&ctrl->device);
		return ERR_PTR(ret);
	}
	return tctrl;

destroy_admin_queue:
	nvmx_destroy_admin_queue(ctrl);
remove_debugfs:
	nvmx_debugfs_remove_ctrl(ctrl);
	put_device(&ctrl->device);
	return ERR_PTR(ret);

free_cmd_hdrs:
	for (i = 0; i < tctrl->nr_queues; i++)
		nvmx_tcp_free_cmd_hdrs(&tctrl->queues[i]);
free_tctrl:
	kfree(tctrl->queues);
	kfree(tctrl);
	return ERR_PTR(ret);
}

/**
 * nvmx_tcp_delete_ctrl() - disconnect (delete_controller)
 * @tctrl: the controller
 *
 * Context: process context, not the controller's own works.
 */
void nvmx_tcp_delete_ctrl(struct nvmx_tcp_ctrl *tctrl)
{
	nvmx_tcp_delete_ctrl_op(&tctrl->ctrl);
	flush_work(&tctrl->delete_work);
}
