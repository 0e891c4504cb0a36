// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx PCIe transport: queue pairs in host memory, the submission path
 * (steps 1-2 of the seed's eight), the completion path (steps 6-8),
 * interrupts and polling, the blk-mq operations, the timeout's PCIe steps,
 * the Asynchronous Event Request's slot on the admin SQ.
 */
#include <linux/blk-mq-pci.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/mempool.h>
#include <linux/sched/clock.h>

#include "pci.h"
#include "core/trace.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define SQ_BYTES(depth)	((size_t)(depth) << NVMX_SQES)
#define CQ_BYTES(depth)	((size_t)(depth) << NVMX_CQES)

/**
 * nvmx_alloc_queue() - allocate the rings of queue @qid
 * @ctrl: the controller
 * @qid: queue id, 0 for admin
 * @depth: slots in the submission queue
 * @cq_depth: slots in the completion queue, at least @depth
 *
 * Rings survive resets: a queue that already has its rings keeps them.
 *
 * Context: process context, under shutdown_lock or before the controller
 * is published.
 * Return: 0 or -ENOMEM.
 */
int nvmx_alloc_queue(struct nvmx_pci_ctrl *ctrl, u16 qid, u16 depth,
		     u16 cq_depth)
{
	struct nvmx_queue *nq = &ctrl->queues[qid];
	struct device *dmadev = &ctrl->pdev->dev;

	if (qid < ctrl->nr_alloc_queues)
		return 0;
	if (WARN_ON_ONCE(qid != ctrl->nr_alloc_queues || qid >= ctrl->nr_queues))
		return -EINVAL;

	nq->cqes = dma_alloc_coherent(dmadev, CQ_BYTES(cq_depth), &nq->cq_dma,
				      GFP_KERNEL);
	if (!nq->cqes)
		return -ENOMEM;
	nq->sqes = dma_alloc_coherent(dmadev, SQ_BYTES(depth), &nq->sq_dma,
				      GFP_KERNEL);
	if (!nq->sqes)
		goto free_cqes;

	nq->ctrl = &ctrl->ctrl;
	nq->qid = qid;
	nq->depth = depth;
	nq->cq_depth = cq_depth;
	nq->cq_vector = -1;
	spin_lock_init(&nq->sq_lock);
	spin_lock_init(&nq->cq_lock);
	nq->sq_db = ctrl->bar + NVME_REG_DBS + 2 * qid * ctrl->db_stride;
	nq->cq_db = ctrl->bar + NVME_REG_DBS + (2 * qid + 1) * ctrl->db_stride;
	nvmx_init_queue(nq);
	nvmx_pci_debugfs_add_queue(nq);
	ctrl->nr_alloc_queues++;
	return 0;

free_cqes:
	dma_free_coherent(dmadev, CQ_BYTES(cq_depth), nq->cqes, nq->cq_dma);
	nq->cqes = NULL;
	return -ENOMEM;
}

/**
 * nvmx_free_queues() - free the rings of queues @lowest and above
 * @ctrl: the controller, disabled
 * @lowest: first queue id to free
 */
void nvmx_free_queues(struct nvmx_pci_ctrl *ctrl, unsigned int lowest)
{
	struct device *dmadev = &ctrl->pdev->dev;

	while (ctrl->nr_alloc_queues > lowest) {
		struct nvmx_queue *nq = &ctrl->queues[--ctrl->nr_alloc_queues];

		dma_free_coherent(dmadev, SQ_BYTES(nq->depth), nq->sqes,
				  nq->sq_dma);
		dma_free_coherent(dmadev, CQ_BYTES(nq->cq_depth), nq->cqes,
				  nq->cq_dma);
		nq->sqes = NULL;
		nq->cqes = NULL;
	}
}

/**
 * nvmx_init_queue() - reset a queue's ring state before (re)creation
 * @nq: the queue, not live
 */
void nvmx_init_queue(struct nvmx_queue *nq)
{
	nq->sq_tail = 0;
	nq->last_sq_tail = 0;
	nq->cq_head = 0;
	nq->cq_reported = 0;
	nq->cq_phase = 1;
	memset(nq->cqes, 0, CQ_BYTES(nq->cq_depth));
}

/* ---- submission: steps 1 and 2 ---- */

/*
 * The fast path's functions below are __always_inline: each is one frame
 * in queue_rq, queue_rqs, the interrupt handler or poll, as the
 * instruction counts of make cost want (docs/cost.md).
 */

/* Step 1: copy the command into the next SQ slot.  Context: sq_lock held. */
static __always_inline void nvmx_sq_write(struct nvmx_queue *nq, const struct nvme_command *cmd)
{
	u64 inflight;

	memcpy(&nq->sqes[nq->sq_tail], cmd, sizeof(*cmd));
	trace_nvmx_sq_write(nq, cmd, nq->sq_tail);
	nq->sq_tail = nvmx_ring_next(nq->sq_tail, nq->depth);
	nq->submitted++;
	inflight = nq->submitted - READ_ONCE(nq->completed);
	if (inflight > nq->max_inflight)
		nq->max_inflight = inflight;
}

/*
 * Publish a new index in the shadow doorbell, if the queue has one.
 * Return: whether the doorbell register must still be written.
 */
static __always_inline bool nvmx_dbbuf_update(u16 value, __le32 *db, __le32 *ei)
{
	u16 old;

	if (!db)
		return true;
	/* the ring update (SQ entries, CQ consumption) before the index */
	wmb();
	old = le32_to_cpu(*db);
	WRITE_ONCE(*db, cpu_to_le32(value));
	/* the index before reading where the controller wants to be told */
	mb();
	return nvmx_event_crossed(le32_to_cpu(READ_ONCE(*ei)), value, old);
}

/* Step 2: publish new entries through the SQ tail doorbell.  Context: sq_lock held. */
static __always_inline void nvmx_sq_ring(struct nvmx_queue *nq)
{
	bool mmio;

	if (nq->sq_tail == nq->last_sq_tail)
		return;
	mmio = nvmx_dbbuf_update(nq->sq_tail, nq->dbbuf_sq_db, nq->dbbuf_sq_ei);
	/* the batch size only when the event is on */
	if (trace_nvmx_sq_doorbell_enabled())
		trace_nvmx_sq_doorbell(nq, nq->sq_tail,
				       nvmx_ring_used(nq->last_sq_tail,
						      nq->sq_tail, nq->depth),
				       mmio);
	if (mmio) {
		/* writel orders the SQ entry stores before the doorbell */
		writel(nq->sq_tail, nq->sq_db);
		nq->sq_doorbells++;
	} else {
		nq->sq_shadowed++;
	}
	nq->last_sq_tail = nq->sq_tail;
}

/*
 * A command outside blk-mq (the Asynchronous Event Request): into the SQ
 * and rung at once, not counted as a block-layer command.
 * Context: sq_lock held.
 */
static void nvmx_sq_submit_raw(struct nvmx_queue *nq, const struct nvme_command *cmd)
{
	memcpy(&nq->sqes[nq->sq_tail], cmd, sizeof(*cmd));
	trace_nvmx_sq_write(nq, cmd, nq->sq_tail);
	nq->sq_tail = nvmx_ring_next(nq->sq_tail, nq->depth);
	nvmx_sq_ring(nq);
}

static void nvmx_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct nvmx_queue *nq = hctx->driver_data;

	spin_lock(&nq->sq_lock);
	nvmx_sq_ring(nq);
	spin_unlock(&nq->sq_lock);
}

/* ---- blk-mq ---- */

/*
 * Map a request's data.  The fast path is inline: one segment within two
 * controller pages and below the SGL threshold gets PRP1 and PRP2 from its
 * bio_vec; nvmx_map_data() takes everything else.
 */
static __always_inline blk_status_t nvmx_map_rq(struct nvmx_pci_ctrl *pctrl,
						struct request *rq)
{
	if (blk_rq_nr_phys_segments(rq) == 1) {
		struct bio_vec bv = req_bvec(rq);

		/* an SGL candidate?  (sgl_threshold 0, never, wraps around) */
		if (bv.bv_len <= READ_ONCE(nvmx_sgl_threshold.val) - 1 &&
		    nvmx_prp_simple_fits(pctrl, &bv))
			return nvmx_map_simple(pctrl, rq, &bv);
	}
	return nvmx_map_data(pctrl, rq);
}

/*
 * Everything but the SQ write: build the command, map the data, start the
 * request.  On failure nothing is left mapped or allocated.
 */
static __always_inline blk_status_t nvmx_prep_rq(struct nvmx_queue *nq,
						 struct request *rq)
{
	struct nvmx_ctrl *ctrl = nq->ctrl;
	struct nvmx_pci_request *preq = nvmx_pci_req(rq);
	struct nvmx_request *req = &preq->req;
	blk_status_t ret;

	/* its status now, as the early returns below fail it with that */
	req->status = 0;
	/*
	 * Distinct tags below depth - 1: never more than depth - 1 commands
	 * on an I/O queue, which the CQ hold (nvmx_cq_hold()) relies on.  The
	 * admin tag set's depth keeps its tags below NVMX_AEN_TAG.
	 */
	if (WARN_ON_ONCE(rq->tag >= nq->depth - 1))
		return BLK_STS_IOERR;
	if (static_branch_unlikely(&nvmx_fault_armed) && !nq->qid &&
	    nvmx_fault_admin(ctrl, rq))
		return BLK_STS_IOERR;

	nvmx_start_rq(rq);

	preq->nents = 0;
	preq->first_len = 0;
	preq->nr_prp_lists = 0;
	preq->sgl = false;
	/* reads and writes build their command inline, the rest in the core */
	if (likely(req_op(rq) == REQ_OP_READ || req_op(rq) == REQ_OP_WRITE)) {
		if (unlikely(!nvmx_setup_rw(rq->q->queuedata, rq, &req->cmd)))
			return BLK_STS_IOERR;
	} else {
		ret = nvmx_setup_cmd(rq);
		if (ret)
			return ret;
	}
	if (blk_rq_nr_phys_segments(rq)) {
		ret = nvmx_map_rq(to_pci_ctrl(ctrl), rq);
		if (unlikely(ret)) {
			nvmx_cleanup_cmd(rq);
			return ret;
		}
	}
	req->gen = nvmx_gen_next(req->gen);
	req->cmd.common.command_id = nvmx_cid_make(rq->tag, req->gen);
	/* local_clock(): the CPU's counter, no clocksource read per I/O */
	req->submit_ns = static_branch_unlikely(&nvmx_lat_enabled) ?
			 local_clock() : 0;
	blk_mq_start_request(rq);
	return BLK_STS_OK;
}

static blk_status_t nvmx_queue_rq(struct blk_mq_hw_ctx *hctx,
				  const struct blk_mq_queue_data *bd)
{
	struct nvmx_queue *nq = hctx->driver_data;
	struct request *rq = bd->rq;
	blk_status_t ret;

	if (unlikely(!test_bit(NVMX_QUEUE_LIVE, &nq->flags)))
		return nvmx_queue_not_live(nq->ctrl, nq->qid, rq);
	ret = nvmx_prep_rq(nq, rq);
	if (ret)
		return ret;
	spin_lock(&nq->sq_lock);
	nvmx_sq_write(nq, &nvmx_req(rq)->cmd);
	nq->sgl_cmds += nvmx_pci_req(rq)->sgl;
	if (bd->last)
		nvmx_sq_ring(nq);
	spin_unlock(&nq->sq_lock);
	return BLK_STS_OK;
}

/* Write a list of prepared requests of one queue; one lock, one doorbell. */
static void nvmx_submit_list(struct nvmx_queue *nq, struct request *list)
{
	struct request *rq;

	spin_lock(&nq->sq_lock);
	while (list) {
		rq = list;
		list = rq->rq_next;
		nvmx_sq_write(nq, &nvmx_req(rq)->cmd);
		nq->sgl_cmds += nvmx_pci_req(rq)->sgl;
	}
	nq->plug_lists++;
	nvmx_sq_ring(nq);
	spin_unlock(&nq->sq_lock);
}

/**
 * nvmx_queue_rqs() - submit a plug list
 * @rqlist: the requests; on return, those not submitted
 *
 * Runs of requests for the same queue are written under one lock with one
 * doorbell.  A request that cannot be prepared stays on @rqlist, and
 * blk-mq sends it through nvmx_queue_rq(), which reports its error.
 */
static void nvmx_queue_rqs(NVMX_RQ_LIST *rqlist)
{
	struct request *rq, *batch = NULL, **batch_tail = &batch;
	NVMX_RQ_LIST leftover = NVMX_RQ_LIST_INIT;
	struct nvmx_queue *batch_nq = NULL;

	while ((rq = rq_list_pop(rqlist))) {
		struct nvmx_queue *nq = rq->mq_hctx->driver_data;

		if (nq != batch_nq && batch) {
			nvmx_submit_list(batch_nq, batch);
			batch = NULL;
			batch_tail = &batch;
		}
		batch_nq = nq;
		/* requests of a plug skip the dispatch that records this */
		rq->mq_hctx->tags->rqs[rq->tag] = rq;
		if (!test_bit(NVMX_QUEUE_LIVE, &nq->flags) ||
		    nvmx_prep_rq(nq, rq) != BLK_STS_OK) {
			nvmx_rq_list_keep(&leftover, rq);
			continue;
		}
		rq->rq_next = NULL;
		*batch_tail = rq;
		batch_tail = &rq->rq_next;
	}
	if (batch)
		nvmx_submit_list(batch_nq, batch);
	*rqlist = leftover;
}

static void nvmx_complete_batch(struct io_comp_batch *iob)
{
	struct request *rq;

	rq_list_for_each(&iob->req_list, rq) {
		struct nvmx_queue *nq = rq->mq_hctx->driver_data;

		nvmx_unmap_data(to_pci_ctrl(nq->ctrl), rq);
		trace_nvmx_complete(rq, false);
	}
	blk_mq_end_request_batch(iob);
}

/* ---- completion: steps 6, 7 and 8 ---- */

static inline bool nvmx_cqe_pending(struct nvmx_queue *nq)
{
	struct nvme_completion *cqe = &nq->cqes[nq->cq_head];

	return (le16_to_cpu(READ_ONCE(cqe->status)) & 1) == nq->cq_phase;
}

/*
 * The tags of the hardware context that sends on @nq, looked up at each
 * completion rather than kept: blk_mq_update_nr_hw_queues() initialises a
 * returning context before it allocates its tags, and frees them when the
 * context goes.  Between the creation of a queue and that update no
 * command is sent on it.
 */
static inline struct blk_mq_tags *nvmx_queue_tags(struct nvmx_queue *nq)
{
	struct blk_mq_tag_set *set = nq->qid ? &nq->ctrl->tagset :
					       &nq->ctrl->admin_set;
	unsigned int i = nq->qid ? nq->qid - 1 : 0;

	/* a completion no command of ours can have caused */
	if (unlikely(!set->tags || i >= set->nr_hw_queues))
		return NULL;
	return set->tags[i];
}

/* Step 7: consume one completion entry. */
static __always_inline void nvmx_handle_cqe(struct nvmx_queue *nq,
					    struct io_comp_batch *iob,
					    struct nvme_completion *cqe)
{
	u16 cid = cqe->command_id, tag;
	struct nvmx_request *req;
	struct blk_mq_tags *tags;
	struct request *rq;

	if (unlikely(!nq->qid && nvmx_cid_tag(cid) == NVMX_AEN_TAG)) {
		trace_nvmx_cqe(nq, cqe);
		nvmx_aen_complete(nq->ctrl, cqe);
		return;
	}
	tags = nvmx_queue_tags(nq);
	/* blk_mq_tag_to_rq() without the call */
	tag = nvmx_cid_tag(cid);
	rq = tags && tag < tags->nr_tags ? tags->rqs[tag] : NULL;
	if (unlikely(!rq || nvmx_req(rq)->gen != nvmx_cid_gen(cid) ||
		     blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT)) {
		nq->bad_cqes++;
		dev_warn_ratelimited(&nq->ctrl->device,
				     "qid %u: completion with invalid command id 0x%x (sq_head %u), ignored\n",
				     nq->qid, cid, le16_to_cpu(cqe->sq_head));
		return;
	}
	trace_nvmx_cqe(nq, cqe);
	req = nvmx_req(rq);
	req->status = le16_to_cpu(cqe->status) >> 1;
	req->result = cqe->result;
	if (static_branch_unlikely(&nvmx_fault_armed) && nq->qid &&
	    nvmx_fault_cqe(nq->ctrl, rq))
		return;
	nq->completed++;
	/* a request sent while the histogram was off has no stamp */
	if (static_branch_unlikely(&nvmx_lat_enabled) && req->submit_ns)
		nq->lat_hist[nvmx_lat_bucket(local_clock() - req->submit_ns)]++;
	if (unlikely(req->status))
		nq->errors++;
	if (!blk_mq_add_to_batch(rq, iob, req->status != 0,
				 nvmx_complete_batch))
		blk_mq_complete_request(rq);
}

/*
 * Step 8: tell the controller how far the host has consumed.  The shadow
 * doorbell, when there is one, always gets the new head, and the register
 * is written exactly when the controller's event index asks for it, as
 * Doorbell Buffer Config wants.  Without one, a queue whose completion
 * ring has room to spare (cq_hold, see nvmx_cq_hold()) writes the register
 * only once cq_hold consumed entries are unreported; any other queue
 * writes it every time.
 * Context: the caller owns the CQ side.
 */
static __always_inline bool nvmx_cq_hold_full(struct nvmx_queue *nq)
{
	return nvmx_ring_used(nq->cq_reported, nq->cq_head, nq->cq_depth) >=
	       nq->cq_hold;
}

static __always_inline void nvmx_cq_ring(struct nvmx_queue *nq, int found)
{
	bool mmio;

	if (nq->dbbuf_cq_db)
		mmio = nvmx_dbbuf_update(nq->cq_head, nq->dbbuf_cq_db,
					 nq->dbbuf_cq_ei);
	else
		mmio = !nq->cq_hold || nvmx_cq_hold_full(nq);
	trace_nvmx_cq_doorbell(nq, nq->cq_head, found, mmio);
	if (mmio) {
		writel(nq->cq_head, nq->cq_db);
		nq->cq_reported = nq->cq_head;
		nq->cq_doorbells++;
	} else if (nq->dbbuf_cq_db) {
		/* the controller reads the head from the shadow doorbell */
		nq->cq_reported = nq->cq_head;
		nq->cq_shadowed++;
	} else {
		nq->cq_deferred++;
	}
}

/*
 * Reap every new entry of a completion queue, then report the new head
 * once for the batch (earlier when a long batch reaches cq_hold).
 * Context: the caller owns the CQ side.
 */
static __always_inline int nvmx_process_cq(struct nvmx_queue *nq,
					   struct io_comp_batch *iob)
{
	int found = 0, since = 0;

	while (nvmx_cqe_pending(nq)) {
		/* read the entry only after its phase tag says it is new */
		dma_rmb();
		nvmx_handle_cqe(nq, iob, &nq->cqes[nq->cq_head]);
		nvmx_cq_advance(&nq->cq_head, &nq->cq_phase, nq->cq_depth);
		found++;
		since++;
		if (unlikely(nq->cq_hold && nvmx_cq_hold_full(nq))) {
			nvmx_cq_ring(nq, since);
			since = 0;
		}
	}
	if (since)
		nvmx_cq_ring(nq, since);
	return found;
}

/* Step 6: the controller raised the queue's interrupt. */
static irqreturn_t nvmx_irq(int irq, void *data)
{
	struct nvmx_queue *nq = data;
	DEFINE_IO_COMP_BATCH(iob);

	trace_nvmx_irq(nq);
	if (!nvmx_process_cq(nq, &iob))
		return IRQ_NONE;
	nq->irqs++;
	/* what nvmx_handle_cqe() batched, all with nvmx_complete_batch() */
	if (!nvmx_iob_empty(&iob))
		nvmx_complete_batch(&iob);
	return IRQ_HANDLED;
}

/* nvmx_poll()'s reap, out of line so that an empty poll needs no frame */
static noinline int nvmx_poll_cq(struct nvmx_queue *nq,
				 struct io_comp_batch *iob)
{
	int found;

	spin_lock(&nq->cq_lock);
	found = nvmx_process_cq(nq, iob);
	if (found)
		nq->polls++;
	spin_unlock(&nq->cq_lock);
	return found;
}

/*
 * A poll queue has no interrupt: blk-mq polls it for io_uring IOPOLL and
 * polled bios, mostly finding nothing.  cq_lock keeps two pollers (and a
 * reap) apart.
 */
static int nvmx_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct nvmx_queue *nq = hctx->driver_data;

	if (!nvmx_cqe_pending(nq))
		return 0;
	return nvmx_poll_cq(nq, iob);
}

int nvmx_queue_request_irq(struct nvmx_queue *nq)
{
	return pci_request_irq(to_pci_ctrl(nq->ctrl)->pdev, nq->cq_vector,
			       nvmx_irq, NULL,
			       nq, "nvmx%dq%d", nq->ctrl->instance, nq->qid);
}

void nvmx_queue_free_irq(struct nvmx_queue *nq)
{
	if (nq->cq_vector < 0)
		return;
	pci_free_irq(to_pci_ctrl(nq->ctrl)->pdev, nq->cq_vector, nq);
	nq->cq_vector = -1;
}

/**
 * nvmx_queue_reap() - reap a queue outside its interrupt handler
 * @nq: the queue
 *
 * Used when an interrupt may have been lost (timeout) and when disabling
 * the controller.  Completions are handled one by one, not batched.
 *
 * Context: process context; takes the queue's vector out of service while
 * it reaps.
 */
void nvmx_queue_reap(struct nvmx_queue *nq)
{
	if (nq->cq_vector >= 0) {
		int irq = pci_irq_vector(to_pci_ctrl(nq->ctrl)->pdev,
					 nq->cq_vector);

		disable_irq(irq);
		nvmx_process_cq(nq, NULL);
		enable_irq(irq);
	} else {
		spin_lock_irq(&nq->cq_lock);
		nvmx_process_cq(nq, NULL);
		spin_unlock_irq(&nq->cq_lock);
	}
}

/* The controller answered an Abort; the timed-out command may still come. */
static enum rq_end_io_ret nvmx_abort_end_io(struct request *rq,
					    blk_status_t error)
{
	struct nvmx_ctrl *ctrl = rq->end_io_data;
	struct nvmx_request *req = nvmx_req(rq);

	dev_warn(&ctrl->device,
		 "Abort of qid %u cid 0x%x: status 0x%x, %s\n",
		 le16_to_cpu(req->cmd.abort.sqid), req->cmd.abort.cid,
		 req->status,
		 req->status == NVME_SC_HOST_ABORTED_CMD ? "cancelled by a reset" :
		 error ? "failed" :
		 (le32_to_cpu(req->result.u32) & 1) ? "not aborted" : "aborted");
	atomic_dec(&to_pci_ctrl(ctrl)->aborts_outstanding);
	return RQ_END_IO_FREE;
}

/*
 * Send an Abort for @rq unless the controller's limit (ACL) is reached.
 * Return: true when the Abort is on its way.
 */
static bool nvmx_send_abort(struct nvmx_queue *nq, struct request *rq)
{
	struct nvmx_ctrl *ctrl = nq->ctrl;
	struct nvmx_request *req = nvmx_req(rq);
	struct nvme_command cmd = { };
	struct request *abort_rq;

	if (atomic_inc_return(&to_pci_ctrl(ctrl)->aborts_outstanding) >
	    ctrl->acl + 1)
		goto no_abort;
	cmd.abort.opcode = nvme_admin_abort_cmd;
	cmd.abort.cid = req->cmd.common.command_id;
	cmd.abort.sqid = cpu_to_le16(nq->qid);
	abort_rq = nvmx_alloc_cmd_rq(ctrl->admin_q, &cmd, 0,
				     BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(abort_rq))
		goto no_abort;
	req->aborted = true;
	atomic64_inc(&nq->aborts);
	abort_rq->end_io = nvmx_abort_end_io;
	abort_rq->end_io_data = ctrl;
	blk_execute_rq_nowait(abort_rq, false);
	return true;

no_abort:
	atomic_dec(&to_pci_ctrl(ctrl)->aborts_outstanding);
	return false;
}

/*
 * A timeout while the controller is not live.  During a reset an I/O
 * command is left alone: the reset cancels it, or has sent it again on
 * the new queues and its next timeout is handled once live.  An admin
 * command is one the reset work waits for, and when the controller is
 * dead or going away nothing will answer: the controller is disabled,
 * which cancels the command.
 */
static enum blk_eh_timer_return nvmx_pci_timeout_not_live(struct nvmx_queue *nq)
{
	struct nvmx_ctrl *ctrl = nq->ctrl;
	enum nvmx_ctrl_state state = READ_ONCE(ctrl->state);

	if (nq->qid && (state == NVMX_CTRL_NEW ||
			state == NVMX_CTRL_RESETTING))
		return BLK_EH_RESET_TIMER;
	nvmx_pci_disable(ctrl, false);
	return BLK_EH_DONE;
}

/**
 * nvmx_pci_timeout() - a command did not complete within its timeout
 * @rq: the request
 *
 * Escalation: (1) a controller that reports a fatal status or no longer
 * answers is reset (or, when gone from the bus, marked dead); (2) a lost
 * interrupt is ruled out by reaping the queue; (3) when the controller is
 * not live, see nvmx_pci_timeout_not_live(); (4) an I/O command gets an
 * Abort, within the controller's Abort Command Limit, and another timeout
 * period; (5) otherwise, and when it times out again, the controller is
 * reset, which cancels and requeues everything in flight.
 */
static enum blk_eh_timer_return nvmx_pci_timeout(struct request *rq)
{
	struct nvmx_queue *nq = rq->mq_hctx->driver_data;
	struct nvmx_ctrl *ctrl = nq->ctrl;
	struct nvmx_request *req = nvmx_req(rq);
	u32 csts = readl(to_pci_ctrl(ctrl)->bar + NVME_REG_CSTS);

	/* fault injection holds this completion on purpose */
	if (READ_ONCE(req->held))
		return BLK_EH_RESET_TIMER;
	if (static_branch_unlikely(&nvmx_fault_armed))
		csts = nvmx_fault_csts(ctrl, rq, csts);
	if (csts == ~0U || (csts & NVME_CSTS_CFS)) {
		/* the first timeout acts; the others wait for the reset */
		if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
			return nvmx_pci_timeout_not_live(nq);
		/*
		 * It may be the command that broke the controller: the
		 * reset's cancellation counts as its retry, so one that
		 * breaks the controller every time fails in the end.
		 */
		nvmx_req_timed_out(rq);
		atomic64_inc(&nq->timeouts);
		trace_nvmx_timeout(rq, csts);
		dev_warn(&ctrl->device,
			 "qid %u tag %d timed out, controller %s (csts 0x%x)\n",
			 nq->qid, rq->tag,
			 csts == ~0U ? "not answering" : "fatal status", csts);
		if (csts == ~0U &&
		    !pci_device_is_present(to_pci_ctrl(ctrl)->pdev)) {
			nvmx_kill_ctrl(ctrl);
			return BLK_EH_DONE;
		}
		nvmx_schedule_reset(ctrl);
		return BLK_EH_RESET_TIMER;
	}

	/*
	 * A disable in progress frees vectors, and will cancel @rq anyway;
	 * a reset changing vectors or creating the queue holds the lock
	 * too.  A queue that is not live has no vector to reap through.
	 */
	if (!mutex_trylock(&ctrl->shutdown_lock))
		return BLK_EH_RESET_TIMER;
	if (test_bit(NVMX_QUEUE_LIVE, &nq->flags))
		nvmx_queue_reap(nq);
	mutex_unlock(&ctrl->shutdown_lock);
	if (blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT) {
		dev_warn(&ctrl->device,
			 "qid %u tag %d: completed by polling, interrupt lost?\n",
			 nq->qid, rq->tag);
		return BLK_EH_DONE;
	}

	nvmx_req_timed_out(rq);
	atomic64_inc(&nq->timeouts);
	trace_nvmx_timeout(rq, csts);
	dev_warn(&ctrl->device,
		 "qid %u tag %d opcode 0x%02x timed out (csts 0x%x)%s\n",
		 nq->qid, rq->tag, req->cmd.common.opcode, csts,
		 req->aborted ? " after an Abort" : "");

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
		return nvmx_pci_timeout_not_live(nq);
	if (nq->qid && !req->aborted && nvmx_send_abort(nq, rq))
		return BLK_EH_RESET_TIMER;
	dev_warn(&ctrl->device, "resetting controller to recover qid %u tag %d\n",
		 nq->qid, rq->tag);
	nvmx_schedule_reset(ctrl);
	return BLK_EH_RESET_TIMER;
}

/* Hardware context i of the I/O tag set drives queue i + 1; admin, queue 0. */
static int nvmx_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			  unsigned int hctx_idx)
{
	struct nvmx_pci_ctrl *pctrl = to_pci_ctrl(data);
	struct blk_mq_tag_set *set = hctx->queue->tag_set;
	struct nvmx_queue *nq;

	nq = &pctrl->queues[set == &pctrl->ctrl.admin_set ? 0 : hctx_idx + 1];
	hctx->driver_data = nq;
	return 0;
}

/*
 * CPUs share the interrupt-driven I/O queues, following the affinity of
 * their vectors when each has one; polled I/O goes to the poll queues,
 * which come after them.  There is no separate read map.
 */
static void nvmx_map_queues(struct blk_mq_tag_set *set)
{
	struct nvmx_pci_ctrl *ctrl = to_pci_ctrl(set->driver_data);
	struct blk_mq_queue_map *map = &set->map[HCTX_TYPE_DEFAULT];
	unsigned int nr_poll = min(ctrl->nr_poll_queues,
				   set->nr_hw_queues - 1);

	map->nr_queues = set->nr_hw_queues - nr_poll;
	map->queue_offset = 0;
	if (ctrl->nr_vectors > 1)
		blk_mq_pci_map_queues(map, ctrl->pdev, 1);
	else
		blk_mq_map_queues(map);

	set->map[HCTX_TYPE_READ].nr_queues = 0;
	set->map[HCTX_TYPE_READ].queue_offset = 0;

	map = &set->map[HCTX_TYPE_POLL];
	map->nr_queues = nr_poll;
	map->queue_offset = set->nr_hw_queues - nr_poll;
	if (nr_poll)
		blk_mq_map_queues(map);
}

/* Unmap, then the core ends the request or sends it again. */
static void nvmx_pci_complete_rq(struct request *rq)
{
	struct nvmx_queue *nq = rq->mq_hctx->driver_data;

	nvmx_unmap_data(to_pci_ctrl(nq->ctrl), rq);
	nvmx_complete_rq(rq);
}

static const struct blk_mq_ops nvmx_mq_ops = {
	.queue_rq	= nvmx_queue_rq,
	.queue_rqs	= nvmx_queue_rqs,
	.commit_rqs	= nvmx_commit_rqs,
	.complete	= nvmx_pci_complete_rq,
	.init_hctx	= nvmx_init_hctx,
	.map_queues	= nvmx_map_queues,
	.poll		= nvmx_poll,
	.timeout	= nvmx_pci_timeout,
};

static const struct blk_mq_ops nvmx_admin_mq_ops = {
	.queue_rq	= nvmx_queue_rq,
	.commit_rqs	= nvmx_commit_rqs,
	.complete	= nvmx_pci_complete_rq,
	.init_hctx	= nvmx_init_hctx,
	.timeout	= nvmx_pci_timeout,
};

/* The admin queue's tag set and request queue, and the I/O tag set's shape. */
int nvmx_pci_alloc_admin_tags(struct nvmx_pci_ctrl *pctrl)
{
	/* nvmx_req() finds the core's part at the start of the PDU */
	BUILD_BUG_ON(offsetof(struct nvmx_pci_request, req));
	nvmx_init_io_tags(&pctrl->ctrl, &nvmx_mq_ops,
			  sizeof(struct nvmx_pci_request));
	return nvmx_alloc_admin_tags(&pctrl->ctrl, &nvmx_admin_mq_ops,
				     sizeof(struct nvmx_pci_request));
}

/**
 * nvmx_pci_submit_async_event() - put an Asynchronous Event Request on the
 * admin queue (nvmx_ctrl_ops.submit_async_event)
 * @ctrl: the controller, its admin queue live
 *
 * At most one is outstanding, since it has one command id: the reset work
 * and aen_work may both try after a reset, and NVMX_CTRL_AEN_PENDING,
 * tested and set under the admin queue's sq_lock, lets one through.  The
 * completion clears it, and so does a disable, which ends the request
 * without one.
 *
 * Context: process context (reset work, aen_work); takes the admin
 * queue's sq_lock.
 */
void nvmx_pci_submit_async_event(struct nvmx_ctrl *ctrl)
{
	struct nvmx_queue *aq = &to_pci_ctrl(ctrl)->queues[0];
	struct nvme_command cmd = { };

	cmd.common.opcode = nvme_admin_async_event;
	cmd.common.command_id = nvmx_cid_make(NVMX_AEN_TAG, 0);
	spin_lock(&aq->sq_lock);
	if (test_bit(NVMX_QUEUE_LIVE, &aq->flags) &&
	    !test_and_set_bit(NVMX_CTRL_AEN_PENDING, &ctrl->flags)) {
		nvmx_sq_submit_raw(aq, &cmd);
		ctrl->aen_submitted++;
	}
	spin_unlock(&aq->sq_lock);
}

/* ---- queue creation and deletion on the controller ---- */

/**
 * nvmx_create_cq() - Create I/O Completion Queue from the queue's ring
 * @pctrl: the controller
 * @nq: the queue, rings allocated and initialised
 * @vector: the interrupt vector the controller signals, negative for a
 *	polled queue without interrupts
 */
int nvmx_create_cq(struct nvmx_pci_ctrl *pctrl, struct nvmx_queue *nq, int vector)
{
	u16 flags = NVME_QUEUE_PHYS_CONTIG;
	struct nvme_command cmd = { };

	if (vector >= 0)
		flags |= NVME_CQ_IRQ_ENABLED;

	cmd.create_cq.opcode = nvme_admin_create_cq;
	cmd.create_cq.prp1 = cpu_to_le64(nq->cq_dma);
	cmd.create_cq.cqid = cpu_to_le16(nq->qid);
	cmd.create_cq.qsize = cpu_to_le16(nq->cq_depth - 1);
	cmd.create_cq.cq_flags = cpu_to_le16(flags);
	cmd.create_cq.irq_vector = cpu_to_le16(vector >= 0 ? vector : 0);
	return nvmx_submit_sync(pctrl->ctrl.admin_q, &cmd, NULL, 0, NULL, 0);
}

/* Create I/O Submission Queue, completing into the CQ of the same id. */
int nvmx_create_sq(struct nvmx_pci_ctrl *pctrl, struct nvmx_queue *nq)
{
	struct nvme_command cmd = { };

	cmd.create_sq.opcode = nvme_admin_create_sq;
	cmd.create_sq.prp1 = cpu_to_le64(nq->sq_dma);
	cmd.create_sq.sqid = cpu_to_le16(nq->qid);
	cmd.create_sq.qsize = cpu_to_le16(nq->depth - 1);
	cmd.create_sq.sq_flags = cpu_to_le16(NVME_QUEUE_PHYS_CONTIG |
					     NVME_SQ_PRIO_MEDIUM);
	cmd.create_sq.cqid = cpu_to_le16(nq->qid);
	return nvmx_submit_sync(pctrl->ctrl.admin_q, &cmd, NULL, 0, NULL, 0);
}

/* Delete I/O Submission or Completion Queue @qid. */
int nvmx_delete_queue(struct nvmx_pci_ctrl *pctrl, u8 opcode, u16 qid)
{
	struct nvme_command cmd = { };

	cmd.delete_queue.opcode = opcode;
	cmd.delete_queue.qid = cpu_to_le16(qid);
	return nvmx_submit_sync(pctrl->ctrl.admin_q, &cmd, NULL, 0, NULL, 0);
}
