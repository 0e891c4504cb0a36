// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: PCI driver.  Probe maps BAR0 and allocates; bring-up is one reset
 * work function that also serves recovery; removal shuts the controller
 * down and frees everything.
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/module.h>

#include "nvmx.h"
#include "trace.h"

#define NVMX_MAX_KB		4096	/* largest transfer, before MDTS */
#define NVMX_MAX_SEGS		128
#define NVMX_SHUTDOWN_MIN_MS	5000
#define NVMX_SHUTDOWN_MAX_MS	60000

/*
 * Integer parameters with a range: the value comes first so that
 * param_get_uint() reads it; a value out of range fails the load (or the
 * write) with a log line and leaves the parameter as it was.
 */
static int nvmx_param_set_range(const char *val, const struct kernel_param *kp)
{
	struct nvmx_uint_param *p = kp->arg;
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < p->min || n > p->max) {
		pr_err("nvmx: %s=%s is invalid: expected an integer from %u to %u\n",
		       kp->name, val, p->min, p->max);
		return -EINVAL;
	}
	p->val = n;
	return 0;
}

static const struct kernel_param_ops nvmx_range_ops = {
	.set = nvmx_param_set_range,
	.get = param_get_uint,
};

struct nvmx_uint_param nvmx_admin_timeout = { 60, 1, 3600 };
module_param_cb(admin_timeout, &nvmx_range_ops, &nvmx_admin_timeout, 0444);
MODULE_PARM_DESC(admin_timeout,
		 "timeout of admin commands in seconds (1-3600, default 60)");

struct nvmx_uint_param nvmx_io_timeout = { 30, 1, 3600 };
module_param_cb(io_timeout, &nvmx_range_ops, &nvmx_io_timeout, 0444);
MODULE_PARM_DESC(io_timeout,
		 "timeout of I/O commands in seconds (1-3600, default 30)");

struct nvmx_uint_param nvmx_max_retries = { 5, 0, 255 };
module_param_cb(max_retries, &nvmx_range_ops, &nvmx_max_retries, 0444);
MODULE_PARM_DESC(max_retries,
		 "times a failed command without DNR is sent again (0-255, default 5)");

struct nvmx_uint_param nvmx_nr_io_queues = { 0, 0, 65535 };
module_param_cb(nr_io_queues, &nvmx_range_ops, &nvmx_nr_io_queues, 0444);
MODULE_PARM_DESC(nr_io_queues,
		 "most I/O queue pairs per controller, 0 for one per CPU (0-65535, default 0)");

/*
 * The command id carries a 12-bit tag: a queue of 4096 slots holds 4095
 * commands, tags 0 to 4094.
 */
struct nvmx_uint_param nvmx_io_queue_depth = { 1024, 2, 4096 };
module_param_cb(io_queue_depth, &nvmx_range_ops, &nvmx_io_queue_depth, 0444);
MODULE_PARM_DESC(io_queue_depth,
		 "slots per I/O queue, capped by CAP.MQES (2-4096, default 1024)");

struct nvmx_uint_param nvmx_poll_queues = { 0, 0, 256 };
module_param_cb(poll_queues, &nvmx_range_ops, &nvmx_poll_queues, 0444);
MODULE_PARM_DESC(poll_queues,
		 "I/O queue pairs without interrupts, for polled I/O (0-256, default 0)");

/* SGLs for transfers of at least this many bytes; 0 means PRPs only. */
struct nvmx_uint_param nvmx_sgl_threshold = { SZ_32K, 0, UINT_MAX };
module_param_cb(sgl_threshold, &nvmx_range_ops, &nvmx_sgl_threshold, 0644);
MODULE_PARM_DESC(sgl_threshold,
		 "use SGLs for transfers of at least this many bytes when the controller supports them, 0 for PRPs only (default 32768)");

bool nvmx_use_dbbuf = true;
module_param_named(use_dbbuf, nvmx_use_dbbuf, bool, 0444);
MODULE_PARM_DESC(use_dbbuf,
		 "use shadow doorbells when the controller offers them (default on)");

struct workqueue_struct *nvmx_wq;
/* unbinds dead controllers; separate, as removal flushes nvmx_wq's work */
static struct workqueue_struct *nvmx_remove_wq;

static inline u32 nvmx_csts(struct nvmx_ctrl *ctrl)
{
	return readl(ctrl->bar + NVME_REG_CSTS);
}

/*
 * Wait until (CSTS & @mask) == @val, for at most @timeout_ms.  A register
 * reading all ones means the device is gone.
 */
static int nvmx_wait_csts(struct nvmx_ctrl *ctrl, u32 mask, u32 val,
			  u32 timeout_ms, const char *what)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	u32 csts;

	for (;;) {
		csts = nvmx_csts(ctrl);
		if (csts == ~0U) {
			dev_err(&ctrl->device, "%s: controller is gone (CSTS reads all ones)\n",
				what);
			return -ENODEV;
		}
		if ((csts & mask) == val)
			return 0;
		if ((mask & NVME_CSTS_CFS) && (csts & NVME_CSTS_CFS)) {
			dev_err(&ctrl->device, "%s: controller fatal status (CSTS 0x%x)\n",
				what, csts);
			return -EIO;
		}
		if (time_after(jiffies, deadline)) {
			dev_err(&ctrl->device, "%s: no response in %u ms (CSTS 0x%x)\n",
				what, timeout_ms, csts);
			return -ENODEV;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		usleep_range(1000, 2000);
	}
}

static int nvmx_disable_ctrl(struct nvmx_ctrl *ctrl)
{
	u32 cc = readl(ctrl->bar + NVME_REG_CC);

	writel(cc & ~(NVME_CC_ENABLE | NVME_CC_SHN_MASK),
	       ctrl->bar + NVME_REG_CC);
	return nvmx_wait_csts(ctrl, NVME_CSTS_RDY, 0,
			      nvmx_cap_timeout_ms(ctrl->cap), "disable");
}

/* Return: 0 once the shutdown, or the disable it falls back to, is done. */
static int nvmx_shutdown_ctrl(struct nvmx_ctrl *ctrl)
{
	u32 cc = readl(ctrl->bar + NVME_REG_CC);
	u32 timeout = clamp_t(u32, ctrl->rtd3e / 1000, NVMX_SHUTDOWN_MIN_MS,
			      NVMX_SHUTDOWN_MAX_MS);

	cc = (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL;
	writel(cc, ctrl->bar + NVME_REG_CC);
	if (nvmx_wait_csts(ctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT,
			   timeout, "shutdown"))
		return nvmx_disable_ctrl(ctrl);
	return 0;
}

/*
 * Program the admin queue and CC, then enable.  Bus mastering, which a
 * disable the controller did not confirm turned off (nvmx_dev_disable()),
 * comes back only once the controller is seen disabled, with nothing left
 * of what it was doing.  Context: shutdown_lock.
 */
static int nvmx_enable_ctrl(struct nvmx_ctrl *ctrl)
{
	struct nvmx_queue *aq = &ctrl->queues[0];
	u32 cc;
	int ret;

	ret = nvmx_disable_ctrl(ctrl);
	if (ret)
		return ret;
	pci_set_master(ctrl->pdev);

	writel((aq->depth - 1) << 16 | (aq->depth - 1),
	       ctrl->bar + NVME_REG_AQA);
	lo_hi_writeq(aq->sq_dma, ctrl->bar + NVME_REG_ASQ);
	lo_hi_writeq(aq->cq_dma, ctrl->bar + NVME_REG_ACQ);

	cc = NVME_CC_CSS_NVM | (ctrl->page_shift - 12) << NVME_CC_MPS_SHIFT |
	     NVME_CC_AMS_RR | NVME_CC_SHN_NONE |
	     NVMX_SQES << NVME_CC_IOSQES_SHIFT |
	     NVMX_CQES << NVME_CC_IOCQES_SHIFT | NVME_CC_ENABLE;
	writel(cc, ctrl->bar + NVME_REG_CC);
	return nvmx_wait_csts(ctrl, NVME_CSTS_RDY | NVME_CSTS_CFS,
			      NVME_CSTS_RDY, nvmx_cap_timeout_ms(ctrl->cap),
			      "enable");
}

/*
 * Interrupt vectors, admin queue interrupt and controller enable.
 * Context: reset work, shutdown_lock held.
 */
static int nvmx_setup_admin(struct nvmx_ctrl *ctrl)
{
	struct nvmx_queue *aq = &ctrl->queues[0];
	int ret;

	/*
	 * A shutdown or removal that disabled the controller since this
	 * reset began must find it disabled, bus mastering off.
	 */
	if (READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING)
		return -ENODEV;
	ret = pci_alloc_irq_vectors(ctrl->pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;
	ctrl->nr_vectors = ret;

	nvmx_init_queue(aq);
	ret = nvmx_enable_ctrl(ctrl);
	if (ret)
		goto free_vectors;
	aq->cq_vector = 0;
	ret = nvmx_queue_request_irq(aq);
	if (ret) {
		aq->cq_vector = -1;
		goto disable_ctrl;
	}
	set_bit(NVMX_QUEUE_LIVE, &aq->flags);
	return 0;

disable_ctrl:
	nvmx_disable_ctrl(ctrl);
free_vectors:
	pci_free_irq_vectors(ctrl->pdev);
	ctrl->nr_vectors = 0;
	return ret;
}

/**
 * nvmx_dev_disable() - stop the controller and end everything in flight
 * @ctrl: the controller
 * @shutdown: notify a shutdown (CC.SHN) instead of a plain disable
 *
 * Idempotent.  Requests the controller did not complete are cancelled
 * with a host-aborted status: retryable ones are requeued and sent again
 * once a reset brings the queues back; the rest fail.
 *
 * Context: process context; takes shutdown_lock.
 */
void nvmx_dev_disable(struct nvmx_ctrl *ctrl, bool shutdown)
{
	enum nvmx_ctrl_state state;
	struct nvmx_queue *aq = &ctrl->queues[0];
	unsigned int i;
	bool stopped;
	u32 csts;

	mutex_lock(&ctrl->shutdown_lock);
	ctrl->disable_gen++;
	nvmx_quiesce_io(ctrl);
	blk_mq_quiesce_queue(ctrl->admin_q);

	csts = nvmx_csts(ctrl);
	if (csts == ~0U)
		stopped = false;
	else if (!(readl(ctrl->bar + NVME_REG_CC) & NVME_CC_ENABLE) &&
		 !(csts & NVME_CSTS_RDY))
		stopped = true;
	else if (static_branch_unlikely(&nvmx_fault_armed) &&
		 nvmx_fault_disable(ctrl))
		stopped = false;
	else if (shutdown)
		stopped = !nvmx_shutdown_ctrl(ctrl);
	else
		stopped = !nvmx_disable_ctrl(ctrl);
	/*
	 * A controller that did not confirm it stopped (RDY still set, or
	 * no answer: it may come back after a link drop) may still fetch
	 * commands, move data and post completions.  The requests are about
	 * to be cancelled and their buffers unmapped: cut its DMA off first.
	 * nvmx_enable_ctrl() turns it on again.
	 */
	if (!stopped) {
		dev_warn(&ctrl->device, "controller did not confirm it stopped (CSTS 0x%x): bus mastering off\n",
			 csts);
		pci_clear_master(ctrl->pdev);
	}

	for (i = 0; i < ctrl->nr_alloc_queues; i++)
		clear_bit(NVMX_QUEUE_LIVE, &ctrl->queues[i].flags);
	/* the event request went with the controller's state */
	spin_lock(&aq->sq_lock);
	clear_bit(NVMX_CTRL_AEN_PENDING, &ctrl->flags);
	spin_unlock(&aq->sq_lock);
	for (i = 0; i < ctrl->nr_alloc_queues; i++) {
		nvmx_queue_reap(&ctrl->queues[i]);
		nvmx_queue_free_irq(&ctrl->queues[i]);
	}
	pci_free_irq_vectors(ctrl->pdev);
	nvmx_fault_flush(ctrl);
	ctrl->nr_vectors = 0;
	ctrl->nr_io_queues = 0;
	ctrl->nr_poll_queues = 0;

	blk_mq_tagset_busy_iter(&ctrl->admin_set, nvmx_cancel_request, NULL);
	blk_mq_tagset_wait_completed_request(&ctrl->admin_set);
	if (ctrl->tagset.tags) {
		blk_mq_tagset_busy_iter(&ctrl->tagset, nvmx_cancel_request,
					NULL);
		blk_mq_tagset_wait_completed_request(&ctrl->tagset);
	}
	/*
	 * The admin queue always runs again: the reset work needs it, and
	 * otherwise its requests fail.  I/O waits for the reset, unless none
	 * is coming.
	 */
	blk_mq_unquiesce_queue(ctrl->admin_q);
	state = READ_ONCE(ctrl->state);
	if (shutdown || state == NVMX_CTRL_DEAD || state == NVMX_CTRL_DELETING)
		nvmx_unquiesce_io(ctrl);
	mutex_unlock(&ctrl->shutdown_lock);
}

static size_t nvmx_dbbuf_size(struct nvmx_ctrl *ctrl)
{
	return ctrl->nr_queues * 2 * ctrl->db_stride;
}

static void nvmx_dbbuf_free(struct nvmx_ctrl *ctrl)
{
	struct device *dmadev = &ctrl->pdev->dev;

	if (ctrl->dbbuf_dbs)
		dma_free_coherent(dmadev, nvmx_dbbuf_size(ctrl),
				  ctrl->dbbuf_dbs, ctrl->dbbuf_dbs_dma);
	if (ctrl->dbbuf_eis)
		dma_free_coherent(dmadev, nvmx_dbbuf_size(ctrl),
				  ctrl->dbbuf_eis, ctrl->dbbuf_eis_dma);
	ctrl->dbbuf_dbs = NULL;
	ctrl->dbbuf_eis = NULL;
}

/*
 * Shadow doorbells (Doorbell Buffer Config), when the controller offers
 * them and use_dbbuf allows; without them the real doorbells serve.
 * Context: reset work, before the I/O queues are created.
 */
static void nvmx_dbbuf_setup(struct nvmx_ctrl *ctrl)
{
	struct device *dmadev = &ctrl->pdev->dev;
	size_t size = nvmx_dbbuf_size(ctrl);
	int ret;

	if (!nvmx_use_dbbuf || !(ctrl->oacs & NVME_CTRL_OACS_DBBUF_SUPP))
		return;
	if (ctrl->dbbuf_dbs) {
		memset(ctrl->dbbuf_dbs, 0, size);
		memset(ctrl->dbbuf_eis, 0, size);
	} else {
		ctrl->dbbuf_dbs = dma_alloc_coherent(dmadev, size,
						     &ctrl->dbbuf_dbs_dma,
						     GFP_KERNEL);
		ctrl->dbbuf_eis = dma_alloc_coherent(dmadev, size,
						     &ctrl->dbbuf_eis_dma,
						     GFP_KERNEL);
		if (!ctrl->dbbuf_dbs || !ctrl->dbbuf_eis) {
			nvmx_dbbuf_free(ctrl);
			return;
		}
	}
	ret = nvmx_dbbuf_config(ctrl);
	if (ret) {
		dev_warn(&ctrl->device, "shadow doorbells refused (%d); using the doorbell registers\n",
			 ret);
		nvmx_dbbuf_free(ctrl);
	}
}

/* Point an I/O queue at its shadow doorbells, or at none. */
static void nvmx_dbbuf_init(struct nvmx_ctrl *ctrl, struct nvmx_queue *nq)
{
	u32 sq = 2 * nq->qid * ctrl->db_stride / sizeof(__le32);
	u32 cq = sq + ctrl->db_stride / sizeof(__le32);

	if (!ctrl->dbbuf_dbs) {
		nq->dbbuf_sq_db = NULL;
		nq->dbbuf_cq_db = NULL;
		nq->dbbuf_sq_ei = NULL;
		nq->dbbuf_cq_ei = NULL;
		return;
	}
	nq->dbbuf_sq_db = &ctrl->dbbuf_dbs[sq];
	nq->dbbuf_cq_db = &ctrl->dbbuf_dbs[cq];
	nq->dbbuf_sq_ei = &ctrl->dbbuf_eis[sq];
	nq->dbbuf_cq_ei = &ctrl->dbbuf_eis[cq];
}

/*
 * Create one I/O queue pair on the controller: CQ first, then the SQ that
 * completes into it.  Context: reset work.
 */
static int nvmx_create_io_queue(struct nvmx_ctrl *ctrl, u16 qid, int vector)
{
	struct nvmx_queue *nq = &ctrl->queues[qid];
	int ret;

	nvmx_init_queue(nq);
	nvmx_dbbuf_init(ctrl, nq);
	/*
	 * Consumed entries may go unreported for a while only where nothing
	 * but room depends on the CQ head: MSI-X messages and polling.  Pin
	 * and MSI interrupts stay asserted until the head catches up.
	 */
	nq->cq_hold = vector < 0 || ctrl->pdev->msix_enabled ?
		      nvmx_cq_hold(nq->depth, nq->cq_depth) : 0;
	ret = nvmx_create_cq(ctrl, nq, vector);
	if (ret)
		return ret;
	ret = nvmx_create_sq(ctrl, nq);
	if (ret)
		goto delete_cq;
	/* the timeout handler reaps a live queue through its vector */
	mutex_lock(&ctrl->shutdown_lock);
	if (vector >= 0) {
		nq->cq_vector = vector;
		ret = nvmx_queue_request_irq(nq);
		if (ret) {
			nq->cq_vector = -1;
			mutex_unlock(&ctrl->shutdown_lock);
			goto delete_sq;
		}
	}
	set_bit(NVMX_QUEUE_LIVE, &nq->flags);
	mutex_unlock(&ctrl->shutdown_lock);
	return 0;

delete_sq:
	nvmx_delete_queue(ctrl, nvme_admin_delete_sq, qid);
delete_cq:
	nvmx_delete_queue(ctrl, nvme_admin_delete_cq, qid);
	return ret;
}

/*
 * Spread interrupt vectors: one for the admin queue and one per I/O queue,
 * with affinity, falling back to fewer vectors, MSI and the pin.  With a
 * single vector one I/O queue shares it with the admin queue.
 * Context: reset work.  An admin command of the scan work may be in
 * flight: its completion is reaped by the new handler.  shutdown_lock
 * keeps the timeout handler, which reaps the admin queue through its
 * vector, out while the vectors change.
 */
static int nvmx_setup_vectors(struct nvmx_ctrl *ctrl, unsigned int nr_io)
{
	struct irq_affinity affd = { .pre_vectors = 1 };
	struct nvmx_queue *aq = &ctrl->queues[0];
	int ret;

	mutex_lock(&ctrl->shutdown_lock);
	nvmx_queue_free_irq(aq);
	pci_free_irq_vectors(ctrl->pdev);
	ctrl->nr_vectors = 0;
	ret = pci_alloc_irq_vectors_affinity(ctrl->pdev, 1, nr_io + 1,
					     PCI_IRQ_ALL_TYPES | PCI_IRQ_AFFINITY,
					     &affd);
	if (ret < 0)
		goto unlock;
	ctrl->nr_vectors = ret;
	aq->cq_vector = 0;
	ret = nvmx_queue_request_irq(aq);
	if (ret)
		aq->cq_vector = -1;
unlock:
	mutex_unlock(&ctrl->shutdown_lock);
	return ret;
}

/**
 * nvmx_setup_io_queues() - negotiate, then create the I/O queue pairs
 * @ctrl: the controller, admin queue live
 *
 * Asks for one interrupt-driven queue pair per CPU (at most nr_io_queues)
 * plus poll_queues without interrupts, and uses what the controller grants
 * and the vectors allow; poll queues give way first, and at least one
 * interrupt-driven queue remains.  A controller that grants none stays
 * reachable through the admin queue only.  Interrupt-driven queues come
 * first (qid 1 to n), poll queues last.
 *
 * Context: reset work.
 */
static int nvmx_setup_io_queues(struct nvmx_ctrl *ctrl)
{
	unsigned int nr = ctrl->nr_queues - 1, max_db, nr_irq, nr_poll, i;
	int ret;

	max_db = (ctrl->bar_size - NVME_REG_DBS) / (2 * ctrl->db_stride) - 1;
	nr = min(nr, max_db);
	ret = nr ? nvmx_set_queue_count(ctrl, &nr) : 0;
	if (ret < 0)
		return ret;
	if (ret > 0 || !nr) {
		dev_warn(&ctrl->device, "no I/O queues granted (status 0x%x); admin queue only\n",
			 ret);
		return 0;
	}
	if (static_branch_unlikely(&nvmx_fault_armed))
		nr = nvmx_fault_queue_limit(ctrl, nr);
	nr_poll = min(ctrl->nr_poll_wanted, nr - 1);
	nr_irq = nr - nr_poll;

	ret = nvmx_setup_vectors(ctrl, nr_irq);
	if (ret)
		return ret;
	nr_irq = min(nr_irq, max(ctrl->nr_vectors - 1, 1U));
	nr = nr_irq + nr_poll;

	for (i = 1; i <= nr; i++) {
		int vector = ctrl->nr_vectors > 1 ? i : 0;

		if (i > nr_irq)
			vector = -1;
		ret = nvmx_alloc_queue(ctrl, i, ctrl->io_depth,
				       nvmx_cq_depth(ctrl->io_depth,
						     nvmx_cap_max_entries(ctrl->cap)));
		if (ret)
			break;
		ret = nvmx_create_io_queue(ctrl, i, vector);
		if (ret)
			break;
		ctrl->nr_io_queues = i;
	}
	ctrl->nr_poll_queues = ctrl->nr_io_queues > nr_irq ?
			       ctrl->nr_io_queues - nr_irq : 0;
	if (!ctrl->nr_io_queues)
		return ret < 0 ? ret : -EIO;
	if (ctrl->nr_io_queues < nr)
		dev_warn(&ctrl->device, "created %u of %u I/O queues (%d)\n",
			 ctrl->nr_io_queues, nr, ret);
	return 0;
}

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
 */
static int nvmx_start_io(struct nvmx_ctrl *ctrl)
{
	struct nvmx_frozen_ns *frozen;
	int ret = 0;

	if (!ctrl->nr_io_queues) {
		/* namespaces of an earlier bring-up would wait forever */
		return ctrl->tagset.tags ? -EIO : 0;
	}
	if (!ctrl->tagset.tags) {
		ret = nvmx_alloc_io_tags(ctrl);
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
	blk_mq_update_nr_hw_queues(&ctrl->tagset, ctrl->nr_io_queues);
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
 * Delete the I/O queues before a shutdown, SQ before its CQ.  A controller
 * that does not answer is cut short by the admin timeout.
 */
static void nvmx_delete_io_queues(struct nvmx_ctrl *ctrl)
{
	unsigned int qid;

	for (qid = ctrl->nr_io_queues; qid > 0; qid--) {
		clear_bit(NVMX_QUEUE_LIVE, &ctrl->queues[qid].flags);
		if (nvmx_delete_queue(ctrl, nvme_admin_delete_sq, qid) ||
		    nvmx_delete_queue(ctrl, nvme_admin_delete_cq, qid))
			return;
	}
}

static void nvmx_update_limits(struct nvmx_ctrl *ctrl)
{
	u32 max = min_t(size_t, NVMX_MAX_KB * 2,
			dma_max_mapping_size(&ctrl->pdev->dev) >> SECTOR_SHIFT);

	if (ctrl->mdts) {
		u32 mdts_shift = nvmx_cap_mps_min_shift(ctrl->cap) +
				 ctrl->mdts - SECTOR_SHIFT;

		if (mdts_shift < 31)
			max = min_t(u32, max, 1U << mdts_shift);
	}
	ctrl->max_hw_sectors = max;
	blk_queue_max_hw_sectors(ctrl->admin_q, max);
}

static void nvmx_reset_work(struct work_struct *work)
{
	struct nvmx_ctrl *ctrl = container_of(work, struct nvmx_ctrl,
					      reset_work);
	bool live;
	u64 gen;
	int ret;

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING) {
		dev_warn(&ctrl->device, "reset skipped in state %s\n",
			 nvmx_state_name(READ_ONCE(ctrl->state)));
		return;
	}
	ctrl->nr_resets++;
	trace_nvmx_reset(ctrl, "start", 0);
	nvmx_dev_disable(ctrl, false);

	mutex_lock(&ctrl->shutdown_lock);
	gen = ctrl->disable_gen;
	ret = nvmx_setup_admin(ctrl);
	mutex_unlock(&ctrl->shutdown_lock);
	if (ret)
		goto fail;

	ret = nvmx_identify_ctrl(ctrl);
	if (ret)
		goto fail;
	nvmx_identify_ctrl_nvm(ctrl);
	nvmx_set_write_cache(ctrl, nvmx_get_vwc(ctrl));
	nvmx_update_limits(ctrl);
	nvmx_dbbuf_setup(ctrl);
	ret = nvmx_setup_io_queues(ctrl);
	if (ret)
		goto fail;
	ret = nvmx_start_io(ctrl);
	if (ret)
		goto fail;
	nvmx_aen_configure(ctrl);

	/*
	 * An admin command that timed out meanwhile has disabled the
	 * controller (nvmx_timeout_not_live()), and the steps above that
	 * ignore errors went on: the controller is not what they set up.
	 */
	mutex_lock(&ctrl->shutdown_lock);
	if (ctrl->disable_gen != gen) {
		mutex_unlock(&ctrl->shutdown_lock);
		dev_err(&ctrl->device, "controller disabled during the reset\n");
		ret = -EIO;
		goto fail;
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
	dev_info(&ctrl->device, "%u I/O queues (%u polled) of %u slots, %u interrupt vectors (%s), shadow doorbells %s\n",
		 ctrl->nr_io_queues, ctrl->nr_poll_queues, ctrl->io_depth,
		 ctrl->nr_vectors,
		 ctrl->pdev->msix_enabled ? "MSI-X" :
		 ctrl->pdev->msi_enabled ? "MSI" : "pin",
		 ctrl->dbbuf_dbs ? "on" : "off");
	trace_nvmx_reset(ctrl, "live", 0);
	/* bios of requests whose queue did not come back */
	queue_work(nvmx_wq, &ctrl->requeue_work);
	nvmx_aen_submit(ctrl);
	nvmx_hwmon_add(ctrl);
	queue_work(nvmx_wq, &ctrl->scan_work);
	return;

fail:
	trace_nvmx_reset(ctrl, "failed", ret);
	dev_err(&ctrl->device, "reset failed (%d)\n", ret);
	nvmx_kill_ctrl(ctrl);
}

/* Unbind a dead controller: its devices go, rmmod and rebinding work. */
static void nvmx_remove_dead_work(struct work_struct *work)
{
	struct nvmx_ctrl *ctrl = container_of(work, struct nvmx_ctrl,
					      remove_work);
	struct pci_dev *pdev = ctrl->pdev;

	if (pci_get_drvdata(pdev) == ctrl)
		device_release_driver(&pdev->dev);
	put_device(&ctrl->device);
	pci_dev_put(pdev);
}

/**
 * nvmx_kill_ctrl() - give up on a controller
 * @ctrl: the controller, failed to reset or gone from the bus
 *
 * Marks it dead, so that its I/O fails fast, cancels what is in flight and
 * unbinds it from a work item, unless a removal is already under way.
 *
 * Context: process context (reset work, timeout handler).
 */
void nvmx_kill_ctrl(struct nvmx_ctrl *ctrl)
{
	bool removing = READ_ONCE(ctrl->state) == NVMX_CTRL_DELETING;

	nvmx_change_state(ctrl, NVMX_CTRL_DEAD);
	nvmx_dev_disable(ctrl, false);
	/* held bios now fail fast */
	queue_work(nvmx_wq, &ctrl->requeue_work);
	if (removing)
		return;
	dev_err(&ctrl->device, "controller dead, removing its devices\n");
	pci_dev_get(ctrl->pdev);
	get_device(&ctrl->device);
	if (!queue_work(nvmx_remove_wq, &ctrl->remove_work)) {
		put_device(&ctrl->device);
		pci_dev_put(ctrl->pdev);
	}
}

/*
 * Enter RESETTING and queue the reset work in one step under state_lock,
 * after an NVM Subsystem Reset when @nssr: once removal has set DELETING,
 * no reset can be queued behind its flush_work(), and no NSSR written to a
 * BAR it has unmapped.
 */
static bool nvmx_queue_reset(struct nvmx_ctrl *ctrl, bool nssr)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ctrl->state_lock, flags);
	ok = __nvmx_change_state(ctrl, NVMX_CTRL_RESETTING);
	if (ok) {
		if (nssr)
			writel(NVMX_NSSR_MAGIC, ctrl->bar + NVME_REG_NSSR);
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
 */
void nvmx_schedule_reset(struct nvmx_ctrl *ctrl)
{
	nvmx_queue_reset(ctrl, false);
}

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
 * The reset takes the controller down; the reset work brings it back.
 * Return: 0, -ENOTTY without NSSR support, -EBUSY when not live.
 */
int nvmx_subsystem_reset(struct nvmx_ctrl *ctrl)
{
	if (!(ctrl->cap & NVMX_CAP_NSSRS))
		return -ENOTTY;
	if (!nvmx_queue_reset(ctrl, true))
		return -EBUSY;
	dev_warn(&ctrl->device, "NVM subsystem reset (requested by %s)\n",
		 current->comm);
	return 0;
}

static int nvmx_pci_map(struct nvmx_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	int ret;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto disable_device;
	ret = pci_request_mem_regions(pdev, "nvmx");
	if (ret)
		goto disable_device;

	ctrl->bar_size = pci_resource_len(pdev, 0);
	ret = -ENODEV;
	if (ctrl->bar_size < NVME_REG_DBS + 8) {
		dev_err(&pdev->dev, "BAR0 of %pa bytes is too small\n",
			&ctrl->bar_size);
		goto release_regions;
	}
	ctrl->bar = pci_iomap(pdev, 0, 0);
	if (!ctrl->bar) {
		ret = -ENOMEM;
		goto release_regions;
	}
	if (nvmx_csts(ctrl) == ~0U) {
		dev_err(&pdev->dev, "controller does not respond (CSTS reads all ones)\n");
		goto unmap_bar;
	}

	ctrl->cap = lo_hi_readq(ctrl->bar + NVME_REG_CAP);
	ctrl->vs = readl(ctrl->bar + NVME_REG_VS);
	ctrl->db_stride = nvmx_cap_db_stride(ctrl->cap);
	ctrl->page_shift = nvmx_ctrl_page_shift(ctrl->cap, PAGE_SHIFT);
	if (!ctrl->page_shift) {
		dev_err(&pdev->dev, "controller minimum page size 2^%u is larger than the host's\n",
			nvmx_cap_mps_min_shift(ctrl->cap));
		goto unmap_bar;
	}
	/* a bounce buffer must keep the offset into the controller page */
	dma_set_min_align_mask(&pdev->dev, (1U << ctrl->page_shift) - 1);
	if (!(NVME_CAP_CSS(ctrl->cap) & NVME_CAP_CSS_NVM)) {
		dev_err(&pdev->dev, "controller does not support the NVM command set\n");
		goto unmap_bar;
	}
	if (NVME_REG_DBS + 2 * ctrl->db_stride > ctrl->bar_size) {
		dev_err(&pdev->dev, "BAR0 too small for the admin doorbells\n");
		goto unmap_bar;
	}
	return 0;

unmap_bar:
	pci_iounmap(pdev, ctrl->bar);
release_regions:
	pci_release_mem_regions(pdev);
disable_device:
	pci_disable_device(pdev);
	return ret;
}

static void nvmx_pci_unmap(struct nvmx_ctrl *ctrl)
{
	pci_iounmap(ctrl->pdev, ctrl->bar);
	pci_release_mem_regions(ctrl->pdev);
	pci_disable_device(ctrl->pdev);
}

static int nvmx_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int node = dev_to_node(&pdev->dev);
	struct nvmx_ctrl *ctrl;
	int ret;

	ctrl = kzalloc_node(sizeof(*ctrl), GFP_KERNEL, node);
	if (!ctrl)
		return -ENOMEM;
	ctrl->nr_queues = num_possible_cpus();
	if (nvmx_nr_io_queues.val)
		ctrl->nr_queues = min(ctrl->nr_queues, nvmx_nr_io_queues.val);
	ctrl->nr_poll_wanted = nvmx_poll_queues.val;
	ctrl->nr_queues += ctrl->nr_poll_wanted + 1;
	ctrl->queues = kcalloc_node(ctrl->nr_queues, sizeof(*ctrl->queues),
				    GFP_KERNEL, node);
	if (!ctrl->queues) {
		kfree(ctrl);
		return -ENOMEM;
	}
	ctrl->pdev = pdev;
	ctrl->max_hw_sectors = NVMX_MAX_KB * 2;
	ctrl->max_segments = NVMX_MAX_SEGS;
	INIT_WORK(&ctrl->reset_work, nvmx_reset_work);
	INIT_WORK(&ctrl->scan_work, nvmx_scan_work);
	INIT_WORK(&ctrl->aen_work, nvmx_aen_work);
	INIT_WORK(&ctrl->remove_work, nvmx_remove_dead_work);
	INIT_WORK(&ctrl->requeue_work, nvmx_requeue_work);
	spin_lock_init(&ctrl->requeue_lock);
	bio_list_init(&ctrl->requeue_bios);
	nvmx_fault_init(ctrl);
	init_rwsem(&ctrl->ns_rwsem);
	mutex_init(&ctrl->scan_lock);
	INIT_LIST_HEAD(&ctrl->namespaces);
	/* from here on put_device() frees ctrl and its queue array */
	ret = nvmx_ctrl_init(ctrl, &pdev->dev);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, ctrl);

	ret = nvmx_pci_map(ctrl);
	if (ret)
		goto put_ctrl;
	ctrl->io_depth = nvmx_queue_depth(ctrl->cap, nvmx_io_queue_depth.val);
	nvmx_debugfs_add_ctrl(ctrl);
	ret = nvmx_setup_dma_pools(ctrl);
	if (ret)
		goto remove_debugfs;
	ret = nvmx_alloc_queue(ctrl, 0, NVMX_AQ_DEPTH, NVMX_AQ_DEPTH);
	if (ret)
		goto release_pools;
	ret = nvmx_alloc_admin_tags(ctrl);
	if (ret)
		goto free_queues;
	ret = nvmx_ctrl_publish(ctrl);
	if (ret)
		goto destroy_admin_queue;

	dev_info(&ctrl->device, "probed %s: CAP 0x%llx, VS 0x%x\n",
		 pci_name(pdev), ctrl->cap, ctrl->vs);
	nvmx_schedule_reset(ctrl);
	return 0;

destroy_admin_queue:
	nvmx_destroy_admin_queue(ctrl);
free_queues:
	nvmx_free_queues(ctrl, 0);
release_pools:
	nvmx_release_dma_pools(ctrl);
remove_debugfs:
	nvmx_debugfs_remove_ctrl(ctrl);
	nvmx_pci_unmap(ctrl);
put_ctrl:
	pci_set_drvdata(pdev, NULL);
	put_device(&ctrl->device);
	return ret;
}

static void nvmx_remove(struct pci_dev *pdev)
{
	struct nvmx_ctrl *ctrl = pci_get_drvdata(pdev);

	nvmx_change_state(ctrl, NVMX_CTRL_DELETING);
	if (!pci_device_is_present(pdev)) {
		nvmx_change_state(ctrl, NVMX_CTRL_DEAD);
		nvmx_dev_disable(ctrl, false);
	}
	flush_work(&ctrl->reset_work);
	flush_work(&ctrl->aen_work);
	flush_work(&ctrl->scan_work);
	nvmx_hwmon_remove(ctrl);
	/* no reset comes now: let queued I/O finish or fail before del_gendisk */
	nvmx_unquiesce_io(ctrl);
	queue_work(nvmx_wq, &ctrl->requeue_work);
	flush_work(&ctrl->requeue_work);
	nvmx_remove_namespaces(ctrl);
	nvmx_ctrl_unpublish(ctrl);
	if (READ_ONCE(ctrl->state) == NVMX_CTRL_DELETING)
		nvmx_delete_io_queues(ctrl);
	nvmx_dev_disable(ctrl, true);
	/* nothing the controller still does may reach the memory freed below */
	pci_clear_master(pdev);
	if (ctrl->tagset.tags)
		blk_mq_free_tag_set(&ctrl->tagset);
	nvmx_destroy_admin_queue(ctrl);
	nvmx_debugfs_remove_ctrl(ctrl);
	nvmx_dbbuf_free(ctrl);
	nvmx_free_queues(ctrl, 0);
	nvmx_release_dma_pools(ctrl);
	nvmx_pci_unmap(ctrl);
	pci_set_drvdata(pdev, NULL);
	dev_info(&ctrl->device, "removed\n");
	put_device(&ctrl->device);
}

/* Power off or reboot: a shutdown notification; later I/O fails. */
static void nvmx_shutdown(struct pci_dev *pdev)
{
	struct nvmx_ctrl *ctrl = pci_get_drvdata(pdev);

	nvmx_change_state(ctrl, NVMX_CTRL_DELETING);
	/*
	 * A reset under way would enable the controller again: let it end.
	 * It stops at nvmx_setup_admin(), which refuses once the state is
	 * not RESETTING, or fails when an admin command of it times out,
	 * which disables the controller.
	 */
	flush_work(&ctrl->reset_work);
	nvmx_dev_disable(ctrl, true);
	pci_clear_master(pdev);
	/* held bios fail now */
	queue_work(nvmx_wq, &ctrl->requeue_work);
}

/*
 * Every NVMe controller by class.  There is deliberately no
 * MODULE_DEVICE_TABLE: nvmx is never autoloaded in place of the in-tree
 * driver; it takes the controllers that are free when it loads, and those
 * whose driver_override says nvmx.
 */
static const struct pci_device_id nvmx_id_table[] = {
	{ PCI_DEVICE_CLASS(PCI_CLASS_STORAGE_EXPRESS, 0xffffff) },
	{ }
};

static struct pci_driver nvmx_driver = {
	.name		= "nvmx",
	.id_table	= nvmx_id_table,
	.probe		= nvmx_probe,
	.remove		= nvmx_remove,
	.shutdown	= nvmx_shutdown,
};

static int __init nvmx_init(void)
{
	int ret;

	nvmx_wq = alloc_workqueue("nvmx-wq", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nvmx_wq)
		return -ENOMEM;
	nvmx_remove_wq = alloc_workqueue("nvmx-remove-wq", WQ_UNBOUND, 0);
	if (!nvmx_remove_wq) {
		ret = -ENOMEM;
		goto destroy_wq;
	}
	ret = nvmx_core_init();
	if (ret)
		goto destroy_remove_wq;
	nvmx_debugfs_init();
	ret = pci_register_driver(&nvmx_driver);
	if (ret)
		goto debugfs_exit;
	return 0;

debugfs_exit:
	nvmx_debugfs_exit();
	nvmx_core_exit();
destroy_remove_wq:
	destroy_workqueue(nvmx_remove_wq);
destroy_wq:
	destroy_workqueue(nvmx_wq);
	return ret;
}

static void __exit nvmx_exit(void)
{
	pci_unregister_driver(&nvmx_driver);
	/* a pending unbind finds no controller now; let it end */
	destroy_workqueue(nvmx_remove_wq);
	nvmx_debugfs_exit();
	nvmx_core_exit();
	destroy_workqueue(nvmx_wq);
}

module_init(nvmx_init);
module_exit(nvmx_exit);
MODULE_DESCRIPTION("nvmx: NVMe PCIe host driver");
MODULE_LICENSE("GPL");
