// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx PCIe transport: the controller through its registers.  CC/CSTS
 * enable, disable and shutdown, the disable that ends everything in
 * flight, interrupt vectors, shadow doorbells, creating and deleting the
 * I/O queues: the transport's part of the core's reset work, and its ops.
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>

#include "pci.h"

#define NVMX_SHUTDOWN_MIN_MS	5000
#define NVMX_SHUTDOWN_MAX_MS	60000

static inline u32 nvmx_csts(struct nvmx_pci_ctrl *pctrl)
{
	return readl(pctrl->bar + NVME_REG_CSTS);
}

/*
 * Wait until (CSTS & @mask) == @val, for at most @timeout_ms.  A register
 * reading all ones means the device is gone.
 */
static int nvmx_wait_csts(struct nvmx_pci_ctrl *pctrl, u32 mask, u32 val,
			  u32 timeout_ms, const char *what)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct nvmx_ctrl *ctrl = &pctrl->ctrl;
	u32 csts;

	for (;;) {
		csts = nvmx_csts(pctrl);
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

static int nvmx_disable_ctrl(struct nvmx_pci_ctrl *pctrl)
{
	u32 cc = readl(pctrl->bar + NVME_REG_CC);

	writel(cc & ~(NVME_CC_ENABLE | NVME_CC_SHN_MASK),
	       pctrl->bar + NVME_REG_CC);
	return nvmx_wait_csts(pctrl, NVME_CSTS_RDY, 0,
			      nvmx_cap_timeout_ms(pctrl->ctrl.cap), "disable");
}

/* Return: 0 once the shutdown, or the disable it falls back to, is done. */
static int nvmx_shutdown_ctrl(struct nvmx_pci_ctrl *pctrl)
{
	u32 cc = readl(pctrl->bar + NVME_REG_CC);
	u32 timeout = clamp_t(u32, pctrl->ctrl.rtd3e / 1000,
			      NVMX_SHUTDOWN_MIN_MS, NVMX_SHUTDOWN_MAX_MS);

	cc = (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL;
	writel(cc, pctrl->bar + NVME_REG_CC);
	if (nvmx_wait_csts(pctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT,
			   timeout, "shutdown"))
		return nvmx_disable_ctrl(pctrl);
	return 0;
}

/*
 * Program the admin queue and CC, then enable.  Bus mastering, which a
 * disable the controller did not confirm turned off (nvmx_pci_disable()),
 * comes back only once the controller is seen disabled, with nothing left
 * of what it was doing.  Context: shutdown_lock.
 */
static int nvmx_enable_ctrl(struct nvmx_pci_ctrl *pctrl)
{
	struct nvmx_queue *aq = &pctrl->queues[0];
	u32 cc;
	int ret;

	ret = nvmx_disable_ctrl(pctrl);
	if (ret)
		return ret;
	pci_set_master(pctrl->pdev);

	writel((aq->depth - 1) << 16 | (aq->depth - 1),
	       pctrl->bar + NVME_REG_AQA);
	lo_hi_writeq(aq->sq_dma, pctrl->bar + NVME_REG_ASQ);
	lo_hi_writeq(aq->cq_dma, pctrl->bar + NVME_REG_ACQ);

	cc = NVME_CC_CSS_NVM | (pctrl->page_shift - 12) << NVME_CC_MPS_SHIFT |
	     NVME_CC_AMS_RR | NVME_CC_SHN_NONE |
	     NVMX_SQES << NVME_CC_IOSQES_SHIFT |
	     NVMX_CQES << NVME_CC_IOCQES_SHIFT | NVME_CC_ENABLE;
	writel(cc, pctrl->bar + NVME_REG_CC);
	return nvmx_wait_csts(pctrl, NVME_CSTS_RDY | NVME_CSTS_CFS,
			      NVME_CSTS_RDY, nvmx_cap_timeout_ms(pctrl->ctrl.cap),
			      "enable");
}

/*
 * Interrupt vectors, admin queue interrupt and controller enable.
 * Context: reset work, shutdown_lock held.
 */
static int nvmx_setup_admin(struct nvmx_pci_ctrl *pctrl)
{
	struct nvmx_queue *aq = &pctrl->queues[0];
	int ret;

	/*
	 * A shutdown or removal that disabled the controller since this
	 * reset began must find it disabled, bus mastering off.
	 */
	if (READ_ONCE(pctrl->ctrl.state) != NVMX_CTRL_RESETTING)
		return -ENODEV;
	ret = pci_alloc_irq_vectors(pctrl->pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;
	pctrl->nr_vectors = ret;

	nvmx_init_queue(aq);
	ret = nvmx_enable_ctrl(pctrl);
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
	nvmx_disable_ctrl(pctrl);
free_vectors:
	pci_free_irq_vectors(pctrl->pdev);
	pctrl->nr_vectors = 0;
	return ret;
}

/**
 * nvmx_pci_disable() - stop the controller and end everything in flight
 * (nvmx_ctrl_ops.disable)
 * @ctrl: the controller
 * @shutdown: notify a shutdown (CC.SHN) instead of a plain disable
 *
 * Idempotent.  Requests the controller did not complete are cancelled
 * with a host-aborted status: retryable ones are requeued and sent again
 * once a reset brings the queues back; the rest fail.
 *
 * Context: process context; takes shutdown_lock.
 */
void nvmx_pci_disable(struct nvmx_ctrl *ctrl, bool shutdown)
{
	struct nvmx_pci_ctrl *pctrl = to_pci_ctrl(ctrl);
	struct nvmx_queue *aq = &pctrl->queues[0];
	unsigned int i;
	bool stopped;
	u32 csts;

	mutex_lock(&ctrl->shutdown_lock);
	ctrl->disable_gen++;
	nvmx_quiesce_all(ctrl);

	csts = nvmx_csts(pctrl);
	if (csts == ~0U)
		stopped = false;
	else if (!(readl(pctrl->bar + NVME_REG_CC) & NVME_CC_ENABLE) &&
		 !(csts & NVME_CSTS_RDY))
		stopped = true;
	else if (static_branch_unlikely(&nvmx_fault_armed) &&
		 nvmx_fault_disable(ctrl))
		stopped = false;
	else if (shutdown)
		stopped = !nvmx_shutdown_ctrl(pctrl);
	else
		stopped = !nvmx_disable_ctrl(pctrl);
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
		pci_clear_master(pctrl->pdev);
	}

	for (i = 0; i < pctrl->nr_alloc_queues; i++)
		clear_bit(NVMX_QUEUE_LIVE, &pctrl->queues[i].flags);
	/* the event request went with the controller's state */
	spin_lock(&aq->sq_lock);
	clear_bit(NVMX_CTRL_AEN_PENDING, &ctrl->flags);
	spin_unlock(&aq->sq_lock);
	for (i = 0; i < pctrl->nr_alloc_queues; i++) {
		nvmx_queue_reap(&pctrl->queues[i]);
		nvmx_queue_free_irq(&pctrl->queues[i]);
	}
	pci_free_irq_vectors(pctrl->pdev);
	nvmx_fault_flush(ctrl);
	pctrl->nr_vectors = 0;
	ctrl->nr_io_queues = 0;
	pctrl->nr_poll_queues = 0;

	nvmx_cancel_all(ctrl);
	nvmx_resume_after_disable(ctrl, shutdown);
	mutex_unlock(&ctrl->shutdown_lock);
}

static size_t nvmx_dbbuf_size(struct nvmx_pci_ctrl *pctrl)
{
	return pctrl->nr_queues * 2 * pctrl->db_stride;
}

void nvmx_dbbuf_free(struct nvmx_pci_ctrl *pctrl)
{
	struct device *dmadev = &pctrl->pdev->dev;

	if (pctrl->dbbuf_dbs)
		dma_free_coherent(dmadev, nvmx_dbbuf_size(pctrl),
				  pctrl->dbbuf_dbs, pctrl->dbbuf_dbs_dma);
	if (pctrl->dbbuf_eis)
		dma_free_coherent(dmadev, nvmx_dbbuf_size(pctrl),
				  pctrl->dbbuf_eis, pctrl->dbbuf_eis_dma);
	pctrl->dbbuf_dbs = NULL;
	pctrl->dbbuf_eis = NULL;
}

/* Doorbell Buffer Config: hand the controller the shadow buffers. */
static int nvmx_dbbuf_config(struct nvmx_pci_ctrl *pctrl)
{
	struct nvme_command cmd = { };

	cmd.dbbuf.opcode = nvme_admin_dbbuf;
	cmd.dbbuf.prp1 = cpu_to_le64(pctrl->dbbuf_dbs_dma);
	cmd.dbbuf.prp2 = cpu_to_le64(pctrl->dbbuf_eis_dma);
	return nvmx_submit_sync(pctrl->ctrl.admin_q, &cmd, NULL, 0, NULL, 0);
}

/*
 * Shadow doorbells (Doorbell Buffer Config), when the controller offers
 * them and use_dbbuf allows; without them the real doorbells serve.
 * Context: reset work, before the I/O queues are created.
 */
static void nvmx_dbbuf_setup(struct nvmx_pci_ctrl *pctrl)
{
	struct device *dmadev = &pctrl->pdev->dev;
	size_t size = nvmx_dbbuf_size(pctrl);
	int ret;

	if (!nvmx_use_dbbuf || !(pctrl->ctrl.oacs & NVME_CTRL_OACS_DBBUF_SUPP))
		return;
	if (pctrl->dbbuf_dbs) {
		memset(pctrl->dbbuf_dbs, 0, size);
		memset(pctrl->dbbuf_eis, 0, size);
	} else {
		pctrl->dbbuf_dbs = dma_alloc_coherent(dmadev, size,
						      &pctrl->dbbuf_dbs_dma,
						      GFP_KERNEL);
		pctrl->dbbuf_eis = dma_alloc_coherent(dmadev, size,
						      &pctrl->dbbuf_eis_dma,
						      GFP_KERNEL);
		if (!pctrl->dbbuf_dbs || !pctrl->dbbuf_eis) {
			nvmx_dbbuf_free(pctrl);
			return;
		}
	}
	ret = nvmx_dbbuf_config(pctrl);
	if (ret) {
		dev_warn(&pctrl->ctrl.device, "shadow doorbells refused (%d); using the doorbell registers\n",
			 ret);
		nvmx_dbbuf_free(pctrl);
	}
}

/* Point an I/O queue at its shadow doorbells, or at none. */
static void nvmx_dbbuf_init(struct nvmx_pci_ctrl *pctrl, struct nvmx_queue *nq)
{
	u32 sq = 2 * nq->qid * pctrl->db_stride / sizeof(__le32);
	u32 cq = sq + pctrl->db_stride / sizeof(__le32);

	if (!pctrl->dbbuf_dbs) {
		nq->dbbuf_sq_db = NULL;
		nq->dbbuf_cq_db = NULL;
		nq->dbbuf_sq_ei = NULL;
		nq->dbbuf_cq_ei = NULL;
		return;
	}
	nq->dbbuf_sq_db = &pctrl->dbbuf_dbs[sq];
	nq->dbbuf_cq_db = &pctrl->dbbuf_dbs[cq];
	nq->dbbuf_sq_ei = &pctrl->dbbuf_eis[sq];
	nq->dbbuf_cq_ei = &pctrl->dbbuf_eis[cq];
}

/*
 * Create one I/O queue pair on the controller: CQ first, then the SQ that
 * completes into it.  Context: reset work.
 */
static int nvmx_create_io_queue(struct nvmx_pci_ctrl *pctrl, u16 qid, int vector)
{
	struct nvmx_queue *nq = &pctrl->queues[qid];
	int ret;

	nvmx_init_queue(nq);
	nvmx_dbbuf_init(pctrl, nq);
	/*
	 * Consumed entries may go unreported for a while only where nothing
	 * but room depends on the CQ head: MSI-X messages and polling.  Pin
	 * and MSI interrupts stay asserted until the head catches up.
	 */
	nq->cq_hold = vector < 0 || pctrl->pdev->msix_enabled ?
		      nvmx_cq_hold(nq->depth, nq->cq_depth) : 0;
	ret = nvmx_create_cq(pctrl, nq, vector);
	if (ret)
		return ret;
	ret = nvmx_create_sq(pctrl, nq);
	if (ret)
		goto delete_cq;
	/* the timeout handler reaps a live queue through its vector */
	mutex_lock(&pctrl->ctrl.shutdown_lock);
	if (vector >= 0) {
		nq->cq_vector = vector;
		ret = nvmx_queue_request_irq(nq);
		if (ret) {
			nq->cq_vector = -1;
			mutex_unlock(&pctrl->ctrl.shutdown_lock);
			goto delete_sq;
		}
	}
	set_bit(NVMX_QUEUE_LIVE, &nq->flags);
	mutex_unlock(&pctrl->ctrl.shutdown_lock);
	return 0;

delete_sq:
	nvmx_delete_queue(pctrl, nvme_admin_delete_sq, qid);
delete_cq:
	nvmx_delete_queue(pctrl, nvme_admin_delete_cq, qid);
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
static int nvmx_setup_vectors(struct nvmx_pci_ctrl *pctrl, unsigned int nr_io)
{
	struct irq_affinity affd = { .pre_vectors = 1 };
	struct nvmx_queue *aq = &pctrl->queues[0];
	int ret;

	mutex_lock(&pctrl->ctrl.shutdown_lock);
	nvmx_queue_free_irq(aq);
	pci_free_irq_vectors(pctrl->pdev);
	pctrl->nr_vectors = 0;
	ret = pci_alloc_irq_vectors_affinity(pctrl->pdev, 1, nr_io + 1,
					     PCI_IRQ_ALL_TYPES | PCI_IRQ_AFFINITY,
					     &affd);
	if (ret < 0)
		goto unlock;
	pctrl->nr_vectors = ret;
	aq->cq_vector = 0;
	ret = nvmx_queue_request_irq(aq);
	if (ret)
		aq->cq_vector = -1;
unlock:
	mutex_unlock(&pctrl->ctrl.shutdown_lock);
	return ret;
}

/**
 * nvmx_setup_io_queues() - negotiate, then create the I/O queue pairs
 * @pctrl: the controller, admin queue live
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
static int nvmx_setup_io_queues(struct nvmx_pci_ctrl *pctrl)
{
	unsigned int nr = pctrl->nr_queues - 1, max_db, nr_irq, nr_poll, i;
	int ret;

	max_db = (pctrl->bar_size - NVME_REG_DBS) / (2 * pctrl->db_stride) - 1;
	nr = min(nr, max_db);
	ret = nr ? nvmx_set_queue_count(&pctrl->ctrl, &nr) : 0;
	if (ret < 0)
		return ret;
	if (ret > 0 || !nr) {
		dev_warn(&pctrl->ctrl.device, "no I/O queues granted (status 0x%x); admin queue only\n",
			 ret);
		return 0;
	}
	if (static_branch_unlikely(&nvmx_fault_armed))
		nr = nvmx_fault_queue_limit(&pctrl->ctrl, nr);
	nr_poll = min(pctrl->nr_poll_wanted, nr - 1);
	nr_irq = nr - nr_poll;

	ret = nvmx_setup_vectors(pctrl, nr_irq);
	if (ret)
		return ret;
	nr_irq = min(nr_irq, max(pctrl->nr_vectors - 1, 1U));
	nr = nr_irq + nr_poll;

	for (i = 1; i <= nr; i++) {
		int vector = pctrl->nr_vectors > 1 ? i : 0;

		if (i > nr_irq)
			vector = -1;
		ret = nvmx_alloc_queue(pctrl, i, pctrl->ctrl.io_depth,
				       nvmx_cq_depth(pctrl->ctrl.io_depth,
						     nvmx_cap_max_entries(pctrl->ctrl.cap)));
		if (ret)
			break;
		ret = nvmx_create_io_queue(pctrl, i, vector);
		if (ret)
			break;
		pctrl->ctrl.nr_io_queues = i;
	}
	pctrl->nr_poll_queues = pctrl->ctrl.nr_io_queues > nr_irq ?
			       pctrl->ctrl.nr_io_queues - nr_irq : 0;
	if (!pctrl->ctrl.nr_io_queues)
		return ret < 0 ? ret : -EIO;
	if (pctrl->ctrl.nr_io_queues < nr)
		dev_warn(&pctrl->ctrl.device, "created %u of %u I/O queues (%d)\n",
			 pctrl->ctrl.nr_io_queues, nr, ret);
	return 0;
}

/*
 * Delete the I/O queues before a shutdown, SQ before its CQ.  A controller
 * that does not answer is cut short by the admin timeout.
 */
void nvmx_pci_delete_io_queues(struct nvmx_pci_ctrl *pctrl)
{
	unsigned int qid;

	for (qid = pctrl->ctrl.nr_io_queues; qid > 0; qid--) {
		clear_bit(NVMX_QUEUE_LIVE, &pctrl->queues[qid].flags);
		if (nvmx_delete_queue(pctrl, nvme_admin_delete_sq, qid) ||
		    nvmx_delete_queue(pctrl, nvme_admin_delete_cq, qid))
			return;
	}
}

/**
 * nvmx_pci_enable() - the PCIe part of a reset (nvmx_ctrl_ops.enable)
 * @ctrl: the controller, disabled
 * @gen: set to disable_gen as read when the admin queue comes up
 *
 * Enables the controller with its admin queue, lets the core identify it,
 * sets up shadow doorbells, then the interrupt vectors and the I/O queues.
 *
 * Context: the reset work.
 */
static int nvmx_pci_enable(struct nvmx_ctrl *ctrl, u64 *gen)
{
	struct nvmx_pci_ctrl *pctrl = to_pci_ctrl(ctrl);
	int ret;

	mutex_lock(&ctrl->shutdown_lock);
	*gen = ctrl->disable_gen;
	ret = nvmx_setup_admin(pctrl);
	mutex_unlock(&ctrl->shutdown_lock);
	if (ret)
		return ret;
	ret = nvmx_init_identify(ctrl);
	if (ret)
		return ret;
	nvmx_dbbuf_setup(pctrl);
	return nvmx_setup_io_queues(pctrl);
}

/* nvmx_ctrl_ops.describe: queues, interrupts, doorbells, once live. */
static void nvmx_pci_describe(struct nvmx_ctrl *ctrl)
{
	struct nvmx_pci_ctrl *pctrl = to_pci_ctrl(ctrl);

	dev_info(&ctrl->device, "%u I/O queues (%u polled) of %u slots, %u interrupt vectors (%s), shadow doorbells %s\n",
		 ctrl->nr_io_queues, pctrl->nr_poll_queues, ctrl->io_depth,
		 pctrl->nr_vectors,
		 pctrl->pdev->msix_enabled ? "MSI-X" :
		 pctrl->pdev->msi_enabled ? "MSI" : "pin",
		 pctrl->dbbuf_dbs ? "on" : "off");
}

/* ---- the registers, for the core (nvmx_ctrl_ops) ---- */

static int nvmx_pci_reg_read32(struct nvmx_ctrl *ctrl, u32 off, u32 *val)
{
	*val = readl(to_pci_ctrl(ctrl)->bar + off);
	return 0;
}

static int nvmx_pci_reg_read64(struct nvmx_ctrl *ctrl, u32 off, u64 *val)
{
	*val = lo_hi_readq(to_pci_ctrl(ctrl)->bar + off);
	return 0;
}

static int nvmx_pci_reg_write32(struct nvmx_ctrl *ctrl, u32 off, u32 val)
{
	writel(val, to_pci_ctrl(ctrl)->bar + off);
	return 0;
}

/* NVM Subsystem Reset: from the reset work, which removal flushes first. */
static void nvmx_pci_subsystem_reset(struct nvmx_ctrl *ctrl)
{
	writel(NVMX_NSSR_MAGIC, to_pci_ctrl(ctrl)->bar + NVME_REG_NSSR);
}

/*
 * PRPs: every segment but the first and last spans whole controller
 * pages, and data starts on a dword.
 */
static void nvmx_pci_queue_limits(struct nvmx_ctrl *ctrl,
				  struct nvmx_lim *lim)
{
	nvmx_lim_virt_boundary(lim, (1UL << to_pci_ctrl(ctrl)->page_shift) - 1);
	nvmx_lim_dma_alignment(lim, 3);
}

static int nvmx_pci_get_address(struct nvmx_ctrl *ctrl, char *buf, int size)
{
	return snprintf(buf, size, "%s\n", pci_name(to_pci_ctrl(ctrl)->pdev));
}

/* The PCIe transport, as the core sees it. */
const struct nvmx_ctrl_ops nvmx_pci_ops = {
	.name			= "pcie",
	.reg_read32		= nvmx_pci_reg_read32,
	.reg_read64		= nvmx_pci_reg_read64,
	.reg_write32		= nvmx_pci_reg_write32,
	.enable			= nvmx_pci_enable,
	.disable		= nvmx_pci_disable,
	.submit_async_event	= nvmx_pci_submit_async_event,
	.subsystem_reset	= nvmx_pci_subsystem_reset,
	.queue_limits		= nvmx_pci_queue_limits,
	.get_address		= nvmx_pci_get_address,
	.describe		= nvmx_pci_describe,
	.delete_ctrl		= nvmx_pci_delete_ctrl,
	.free_ctrl		= nvmx_pci_free_ctrl,
};
