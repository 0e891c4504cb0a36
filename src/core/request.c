// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx core: block requests to NVMe commands (read, write, flush, discard,
 * write zeroes, protection information), status to block status and its
 * log line, the retry policy, request cancellation, requests whose queue
 * a reset did not bring back, tag sets and queue limits.  What every
 * transport's queue_rq and completion share.
 */
#include <linux/slab.h>

#include "nvmx.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* for the transports */
EXPORT_TRACEPOINT_SYMBOL_GPL(nvmx_complete);
EXPORT_TRACEPOINT_SYMBOL_GPL(nvmx_timeout);

/*
 * Block I/O to a namespace with protection information (8 bytes per block,
 * nothing else, see nvmx_ns_block_io()): the controller inserts it on
 * writes and strips it on reads (PRACT), checking the guard, and for Types
 * 1 and 2 the reference tag, which is the low 32 bits of the LBA.  @check
 * is false for Write Zeroes, which checks nothing.  Return: the PRINFO
 * bits for the command's control field.
 */
u16 nvmx_setup_pi(struct nvmx_ns *ns, struct nvme_command *cmd, bool check)
{
	u16 control = NVME_RW_PRINFO_PRACT;

	switch (ns->pi_type) {
	case NVME_NS_DPS_PI_TYPE1:
	case NVME_NS_DPS_PI_TYPE2:
		if (check)
			control |= NVME_RW_PRINFO_PRCHK_GUARD |
				   NVME_RW_PRINFO_PRCHK_REF;
		cmd->rw.reftag = cpu_to_le32(lower_32_bits(le64_to_cpu(cmd->rw.slba)));
		break;
	case NVME_NS_DPS_PI_TYPE3:
		if (check)
			control |= NVME_RW_PRINFO_PRCHK_GUARD;
		break;
	}
	return control;
}
EXPORT_SYMBOL_NS_GPL(nvmx_setup_pi, NVMX);

/**
 * nvmx_format_misfit() - log a request that does not fit the format
 * @ns: the namespace
 * @pos: the request's first sector
 * @sectors: its length
 *
 * See nvmx_fits_format().  A format the block layer cannot use at all fails
 * every request: it would move metadata from nowhere.
 * Return: false, for the caller to return.
 */
bool __cold nvmx_format_misfit(struct nvmx_ns *ns, sector_t pos,
			       unsigned int sectors)
{
	pr_warn_ratelimited("%s: a request of %u sectors at sector %llu does not fit the new format; failed\n",
			    ns->disk->disk_name, sectors, (u64)pos);
	return false;
}
EXPORT_SYMBOL_NS_GPL(nvmx_format_misfit, NVMX);

/*
 * Dataset Management, deallocate: one range per bio of the request, in a
 * buffer that becomes the request's data (freed by nvmx_cleanup_cmd()).
 */
static blk_status_t nvmx_setup_discard(struct nvmx_ns *ns, struct request *rq,
				       struct nvme_command *cmd)
{
	unsigned short segments = blk_rq_nr_discard_segments(rq), n = 0;
	u8 shift = ns->lba_shift - SECTOR_SHIFT;
	struct nvme_dsm_range *range;
	struct bio *bio;

	range = kmalloc_array(segments, sizeof(*range),
			      GFP_ATOMIC | __GFP_NOWARN);
	if (!range)
		return BLK_STS_RESOURCE;
	__rq_for_each_bio(bio, rq) {
		if (WARN_ON_ONCE(n == segments) ||
		    !nvmx_fits_format(ns, bio->bi_iter.bi_sector,
				      bio_sectors(bio))) {
			kfree(range);
			return BLK_STS_IOERR;
		}
		range[n].cattr = 0;
		range[n].nlb = cpu_to_le32(bio->bi_iter.bi_size >>
					   ns->lba_shift);
		range[n].slba = cpu_to_le64(bio->bi_iter.bi_sector >> shift);
		n++;
	}

	cmd->dsm.opcode = nvme_cmd_dsm;
	cmd->dsm.nsid = cpu_to_le32(ns->nsid);
	cmd->dsm.nr = cpu_to_le32(n - 1);
	cmd->dsm.attributes = cpu_to_le32(NVME_DSMGMT_AD);

	rq->special_vec.bv_page = virt_to_page(range);
	rq->special_vec.bv_offset = offset_in_page(range);
	rq->special_vec.bv_len = n * sizeof(*range);
	rq->rq_flags |= RQF_SPECIAL_PAYLOAD;
	return BLK_STS_OK;
}

static void nvmx_setup_write_zeroes(struct nvmx_ns *ns, struct request *rq,
				    struct nvme_command *cmd)
{
	u16 control = 0;

	cmd->write_zeroes.opcode = nvme_cmd_write_zeroes;
	cmd->write_zeroes.nsid = cpu_to_le32(ns->nsid);
	cmd->write_zeroes.slba = cpu_to_le64(blk_rq_pos(rq) >>
					     (ns->lba_shift - SECTOR_SHIFT));
	cmd->write_zeroes.length =
		cpu_to_le16((blk_rq_bytes(rq) >> ns->lba_shift) - 1);
	if (!(rq->cmd_flags & REQ_NOUNMAP) && ns->deac)
		control |= NVMX_WZ_DEAC;
	if (ns->pi_type)
		control |= nvmx_setup_pi(ns, cmd, false);
	cmd->write_zeroes.control = cpu_to_le16(control);
}

/**
 * nvmx_cleanup_cmd() - free what nvmx_setup_cmd() allocated
 * @rq: the request: the range buffer of a Dataset Management
 *
 * Context: the transport, when it unmaps the request or fails to send it.
 */
void nvmx_cleanup_cmd(struct request *rq)
{
	if (rq->rq_flags & RQF_SPECIAL_PAYLOAD) {
		kfree(bvec_virt(&rq->special_vec));
		rq->rq_flags &= ~RQF_SPECIAL_PAYLOAD;
	}
}
EXPORT_SYMBOL_NS_GPL(nvmx_cleanup_cmd, NVMX);

/*
 * Build the command for a block request.  Passthrough brings its own.
 * Context: the transport's queue_rq.
 */
blk_status_t nvmx_setup_cmd(struct request *rq)
{
	struct nvme_command *cmd = &nvmx_req(rq)->cmd;
	struct nvmx_ns *ns = rq->q->queuedata;

	switch (req_op(rq)) {
	case REQ_OP_DRV_IN:
	case REQ_OP_DRV_OUT:
		return BLK_STS_OK;
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		/* nvmx_setup_rw() writes every other field */
		memset(&cmd->common.dptr, 0, sizeof(cmd->common.dptr));
		return nvmx_setup_rw(ns, rq, cmd) ? BLK_STS_OK : BLK_STS_IOERR;
	case REQ_OP_FLUSH:
		memset(cmd, 0, sizeof(*cmd));
		cmd->common.opcode = nvme_cmd_flush;
		cmd->common.nsid = cpu_to_le32(ns->nsid);
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
		memset(cmd, 0, sizeof(*cmd));
		return nvmx_setup_discard(ns, rq, cmd);
	case REQ_OP_WRITE_ZEROES:
		if (!nvmx_fits_format(ns, blk_rq_pos(rq), blk_rq_sectors(rq)))
			return BLK_STS_IOERR;
		memset(cmd, 0, sizeof(*cmd));
		nvmx_setup_write_zeroes(ns, rq, cmd);
		return BLK_STS_OK;
	default:
		return BLK_STS_NOTSUPP;
	}
}
EXPORT_SYMBOL_NS_GPL(nvmx_setup_cmd, NVMX);

/**
 * nvmx_queue_not_live() - a request arrives while its queue is not live
 * @ctrl: the controller
 * @qid: the queue the request is bound for
 * @rq: the request
 *
 * While a reset brings the queue back, the request waits (BLK_STS_RESOURCE
 * has blk-mq send it again later).  A queue beyond those the reset created
 * (the controller granted fewer, fewer vectors came back, a creation
 * failed) never comes back, and the request cannot wait for it:
 * blk_mq_update_nr_hw_queues() freezes the namespaces and waits for every
 * request, this one too.  So its bios are taken from it, the request ends
 * without them, and they are sent again, on the queues there are then,
 * once the controller is live (nvmx_requeue_work()).  Only a request whose
 * bios are its own can be treated so: one with an end_io of its own (a
 * flush sequence step, a clone of a stacked request-based driver) fails
 * as cancelled by the reset, which its owner sees (dm-multipath tries
 * another path).  Passthrough never gets here: it is failfast.  Once the
 * controller is live the queue count is final (nvmx_start_io() checks
 * it), and a request for a queue beyond it fails.
 *
 * Context: the transport's queue_rq.
 */
blk_status_t nvmx_queue_not_live(struct nvmx_ctrl *ctrl, u16 qid,
				 struct request *rq)
{
	enum nvmx_ctrl_state state = READ_ONCE(ctrl->state);
	struct bio_list bios = BIO_EMPTY_LIST;
	unsigned long flags;
	struct bio *bio;

	nvmx_req(rq)->status = 0;
	if (state == NVMX_CTRL_DEAD || state == NVMX_CTRL_DELETING ||
	    blk_noretry_request(rq))
		return BLK_STS_IOERR;
	if (qid <= READ_ONCE(ctrl->nr_io_queues))
		return BLK_STS_RESOURCE;

	if (rq->end_io || !rq->bio || state != NVMX_CTRL_RESETTING) {
		nvmx_req(rq)->status = NVME_SC_HOST_ABORTED_CMD;
		pr_warn_ratelimited("nvmx%d: %s request on qid %u, which the reset did not bring back: failed\n",
				    ctrl->instance, blk_op_str(req_op(rq)),
				    qid);
		return BLK_STS_IOERR;
	}
	blk_mq_start_request(rq);
	blk_steal_bios(&bios, rq);
	blk_mq_end_request(rq, BLK_STS_OK);
	/*
	 * Sent again from a work item, maybe while a queue is frozen: not
	 * REQ_NOWAIT, which would fail them with EAGAIN, and not REQ_POLLED,
	 * whose cookie named the old queue.
	 */
	for (bio = bios.head; bio; bio = bio->bi_next) {
		bio->bi_opf &= ~(REQ_NOWAIT | REQ_POLLED);
		bio->bi_cookie = BLK_QC_T_NONE;
	}
	spin_lock_irqsave(&ctrl->requeue_lock, flags);
	bio_list_merge(&ctrl->requeue_bios, &bios);
	ctrl->nr_requeued++;
	spin_unlock_irqrestore(&ctrl->requeue_lock, flags);
	/* the reset may have ended since: then nobody else kicks the work */
	if (READ_ONCE(ctrl->state) != NVMX_CTRL_RESETTING)
		queue_work(nvmx_wq, &ctrl->requeue_work);
	return BLK_STS_OK;
}
EXPORT_SYMBOL_NS_GPL(nvmx_queue_not_live, NVMX);

/**
 * nvmx_requeue_work() - send again the bios nvmx_queue_not_live() took
 * @work: the controller's requeue_work
 *
 * Queued when the controller is live again, dead, or going away; in the
 * last two cases the bios fail fast.
 */
void nvmx_requeue_work(struct work_struct *work)
{
	struct nvmx_ctrl *ctrl = container_of(work, struct nvmx_ctrl,
					      requeue_work);
	struct bio_list bios;
	struct bio *bio;

	spin_lock_irq(&ctrl->requeue_lock);
	bios = ctrl->requeue_bios;
	bio_list_init(&ctrl->requeue_bios);
	spin_unlock_irq(&ctrl->requeue_lock);
	while ((bio = bio_list_pop(&bios)))
		submit_bio_noacct(bio);
}

static blk_status_t nvmx_status_to_blk(u16 status)
{
	switch (nvmx_status_code(status)) {
	case NVME_SC_SUCCESS:
		return BLK_STS_OK;
	case NVME_SC_CAP_EXCEEDED:
		return BLK_STS_NOSPC;
	case NVME_SC_LBA_RANGE:
		return BLK_STS_TARGET;
	case NVME_SC_BAD_ATTRIBUTES:
	case NVMX_SC_ONCS_NOT_SUPPORTED:
	case NVME_SC_INVALID_OPCODE:
	case NVME_SC_INVALID_FIELD:
	case NVME_SC_INVALID_NS:
		return BLK_STS_NOTSUPP;
	case NVME_SC_WRITE_FAULT:
	case NVME_SC_READ_ERROR:
	case NVME_SC_UNWRITTEN_BLOCK:
	case NVME_SC_ACCESS_DENIED:
	case NVME_SC_READ_ONLY:
	case NVME_SC_COMPARE_FAILED:
		return BLK_STS_MEDIUM;
	case NVME_SC_GUARD_CHECK:
	case NVME_SC_APPTAG_CHECK:
	case NVME_SC_REFTAG_CHECK:
	case NVME_SC_INVALID_PI:
		return BLK_STS_PROTECTION;
	case NVME_SC_RESERVATION_CONFLICT:
		return NVMX_BLK_STS_RESV_CONFLICT;
	default:
		return BLK_STS_IOERR;
	}
}

static const char *nvmx_status_name(u16 status)
{
	switch (nvmx_status_code(status)) {
	case NVME_SC_INVALID_OPCODE:	return "Invalid Command Opcode";
	case NVME_SC_INVALID_FIELD:	return "Invalid Field in Command";
	case NVME_SC_DATA_XFER_ERROR:	return "Data Transfer Error";
	case NVME_SC_INTERNAL:		return "Internal Error";
	case NVME_SC_ABORT_REQ:		return "Command Abort Requested";
	case NVME_SC_INVALID_NS:	return "Invalid Namespace or Format";
	case NVME_SC_LBA_RANGE:		return "LBA Out of Range";
	case NVME_SC_CAP_EXCEEDED:	return "Capacity Exceeded";
	case NVME_SC_NS_NOT_READY:	return "Namespace Not Ready";
	case NVME_SC_WRITE_FAULT:	return "Write Fault";
	case NVME_SC_READ_ERROR:	return "Unrecovered Read Error";
	case NVME_SC_GUARD_CHECK:	return "End-to-end Guard Check Error";
	case NVME_SC_APPTAG_CHECK:	return "End-to-end Application Tag Check Error";
	case NVME_SC_REFTAG_CHECK:	return "End-to-end Reference Tag Check Error";
	case NVME_SC_COMPARE_FAILED:	return "Compare Failure";
	case NVME_SC_ACCESS_DENIED:	return "Access Denied";
	case NVME_SC_UNWRITTEN_BLOCK:	return "Deallocated or Unwritten Logical Block";
	case NVME_SC_READ_ONLY:		return "Attempted Write to Read Only Range";
	case NVME_SC_HOST_ABORTED_CMD:	return "Command Aborted By Host";
	default:			return "Error";
	}
}

/* A block I/O failed for good: say where, what and why. */
static void nvmx_log_error(struct request *rq)
{
	struct nvmx_request *req = nvmx_req(rq);
	struct nvmx_ns *ns = rq->q->queuedata;

	if (blk_rq_is_passthrough(rq) || !ns)
		return;
	pr_err_ratelimited("%s: %s of %u bytes at sector %llu failed: %s (status 0x%x%s, %u retries)\n",
			   ns->disk->disk_name, blk_op_str(req_op(rq)),
			   blk_rq_bytes(rq), (u64)blk_rq_pos(rq),
			   nvmx_status_name(req->status),
			   nvmx_status_code(req->status),
			   nvmx_status_dnr(req->status) ? ", DNR" : "",
			   req->retries);
}

/*
 * The retry policy, all of it.
 *
 *  1. A request's retry count starts at its first dispatch
 *     (nvmx_start_rq(): RQF_DONTPREP marks a request already counted) and
 *     survives requeues.
 *  2. A request whose submitter decides what failure means does not come
 *     back: passthrough (REQ_FAILFAST_DRIVER, nvmx_alloc_cmd_rq()), and any
 *     other blk_noretry_request().  Neither does one of a controller that
 *     is dead or going away.
 *  3. A request cancelled by a reset it did not cause (host aborted status,
 *     not timed out) is sent again after the reset without counting.
 *  4. A request that timed out (nvmx_req_timed_out()) counts its
 *     cancellation as a retry, also when its timeout found the controller
 *     fatal: a command that breaks every controller fails in the end.
 *  5. Any other failed command is retried, up to max_retries times, unless
 *     the controller set Do Not Retry (nvmx_should_retry()).
 *  6. A passthrough command reports to its user the NVMe status it failed
 *     with, -EINTR when a reset cancelled it, else the block status's
 *     errno (nvmx_user_status()).
 */
enum nvmx_verdict {
	NVMX_END,		/* end the request with its status */
	NVMX_REQUEUE,		/* send it again, not counted */
	NVMX_RETRY,		/* send it again, counted */
};

static enum nvmx_verdict nvmx_retry_policy(struct request *rq)
{
	struct nvmx_request *req = nvmx_req(rq);
	enum nvmx_ctrl_state state = READ_ONCE(nvmx_rq_ctrl(rq)->state);

	if (blk_noretry_request(rq) ||
	    state == NVMX_CTRL_DEAD || state == NVMX_CTRL_DELETING)
		return NVMX_END;
	if (req->status == NVME_SC_HOST_ABORTED_CMD && !req->timed_out)
		return NVMX_REQUEUE;
	if (nvmx_should_retry(req->status, req->retries,
			      nvmx_max_retries.val))
		return NVMX_RETRY;
	return NVMX_END;
}

/**
 * nvmx_req_timed_out() - mark a request the transport found timed out
 * @rq: the request (rule 4)
 */
void nvmx_req_timed_out(struct request *rq)
{
	nvmx_req(rq)->timed_out = true;
}
EXPORT_SYMBOL_NS_GPL(nvmx_req_timed_out, NVMX);

/* What a passthrough command reports (rule 6). */
int nvmx_user_status(struct request *rq, blk_status_t sts)
{
	u16 status = nvmx_req(rq)->status;

	if (status == NVME_SC_HOST_ABORTED_CMD)
		return -EINTR;
	return status ? status : blk_status_to_errno(sts);
}

/**
 * nvmx_complete_rq() - end a request the transport has completed
 * @rq: the request, its status and result set, its data unmapped
 *
 * Context: the transport's blk-mq complete.
 */
void nvmx_complete_rq(struct request *rq)
{
	struct nvmx_request *req = nvmx_req(rq);
	enum nvmx_verdict verdict;

	if (likely(!req->status)) {
		trace_nvmx_complete(rq, false);
		blk_mq_end_request(rq, BLK_STS_OK);
		return;
	}
	verdict = nvmx_retry_policy(rq);
	if (verdict != NVMX_END) {
		trace_nvmx_complete(rq, true);
		if (verdict == NVMX_RETRY)
			req->retries++;
		blk_mq_requeue_request(rq, true);
		return;
	}
	trace_nvmx_complete(rq, false);
	nvmx_log_error(rq);
	blk_mq_end_request(rq, nvmx_status_to_blk(req->status));
}
EXPORT_SYMBOL_NS_GPL(nvmx_complete_rq, NVMX);

/**
 * nvmx_cancel_request() - end an in-flight request the controller dropped
 * @rq: the request
 * @data: unused
 *
 * Context: the controller is disabled and its queues reaped.  The host
 * aborted status lets a retryable request be requeued for after a reset.
 */
static bool nvmx_cancel_request(struct request *rq, void *data)
{
	if (blk_mq_request_completed(rq))
		return true;
	nvmx_req(rq)->status = NVME_SC_HOST_ABORTED_CMD;
	blk_mq_complete_request(rq);
	return true;
}

/**
 * nvmx_cancel_all() - cancel every request the controller did not complete
 * @ctrl: the controller, disabled, its queues reaped
 *
 * Context: the transport's disable, shutdown_lock held.
 */
void nvmx_cancel_all(struct nvmx_ctrl *ctrl)
{
	blk_mq_tagset_busy_iter(&ctrl->admin_set, nvmx_cancel_request, NULL);
	blk_mq_tagset_wait_completed_request(&ctrl->admin_set);
	if (ctrl->tagset.tags) {
		blk_mq_tagset_busy_iter(&ctrl->tagset, nvmx_cancel_request,
					NULL);
		blk_mq_tagset_wait_completed_request(&ctrl->tagset);
	}
}
EXPORT_SYMBOL_NS_GPL(nvmx_cancel_all, NVMX);

/*
 * The controller's transfer limits, for the admin and namespace queues,
 * then the transport's own.
 */
void nvmx_set_queue_limits(struct nvmx_ctrl *ctrl, struct nvmx_lim *lim)
{
	nvmx_lim_max_hw_sectors(lim, ctrl->max_hw_sectors);
	nvmx_lim_max_segments(lim, ctrl->max_segments);
	ctrl->ops->queue_limits(ctrl, lim);
}

/**
 * nvmx_alloc_admin_tags() - tag set and request queue of the admin queue
 * @ctrl: the controller
 * @ops: the transport's blk-mq operations for it
 * @cmd_size: the transport's per-request size, struct nvmx_request first
 *
 * Context: process context, once per controller.
 */
int nvmx_alloc_admin_tags(struct nvmx_ctrl *ctrl, const struct blk_mq_ops *ops,
			  unsigned int cmd_size)
{
	struct blk_mq_tag_set *set = &ctrl->admin_set;
	struct nvmx_lim lim;
	int ret;

	set->ops = ops;
	set->nr_hw_queues = 1;
	set->queue_depth = NVMX_AEN_TAG;	/* tags below the AER's */
	set->reserved_tags = ctrl->admin_reserved;
	set->timeout = nvmx_admin_timeout.val * HZ;
	set->numa_node = nvmx_ctrl_node(ctrl);
	set->cmd_size = cmd_size;
	set->flags = BLK_MQ_F_NO_SCHED;
	if (ctrl->ops->blocking)
		set->flags |= BLK_MQ_F_BLOCKING;
	set->driver_data = ctrl;
	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;

	ctrl->admin_q = nvmx_blk_alloc_queue(set, ctrl);
	if (IS_ERR(ctrl->admin_q)) {
		ret = PTR_ERR(ctrl->admin_q);
		ctrl->admin_q = NULL;
		goto free_tag_set;
	}
	nvmx_lim_start(&lim, ctrl->admin_q);
	nvmx_set_queue_limits(ctrl, &lim);
	ret = nvmx_lim_commit(&lim);
	if (ret) {
		dev_err(&ctrl->device, "admin queue limits refused (%d)\n", ret);
		goto destroy_queue;
	}
	return 0;

destroy_queue:
	blk_mq_destroy_queue(ctrl->admin_q);
	blk_put_queue(ctrl->admin_q);
	ctrl->admin_q = NULL;
free_tag_set:
	blk_mq_free_tag_set(set);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(nvmx_alloc_admin_tags, NVMX);

/**
 * nvmx_init_io_tags() - describe the tag set shared by all namespaces
 * @ctrl: the controller
 * @ops: the transport's blk-mq operations for I/O
 * @cmd_size: the transport's per-request size, struct nvmx_request first
 *
 * Context: the transport's probe; the reset work allocates the set once
 * the I/O queues exist (nvmx_alloc_io_tags()).
 */
void nvmx_init_io_tags(struct nvmx_ctrl *ctrl, const struct blk_mq_ops *ops,
		       unsigned int cmd_size)
{
	struct blk_mq_tag_set *set = &ctrl->tagset;

	set->ops = ops;
	set->nr_maps = HCTX_MAX_TYPES;
	set->numa_node = nvmx_ctrl_node(ctrl);
	set->cmd_size = cmd_size;
	set->flags = BLK_MQ_F_SHOULD_MERGE;
	if (ctrl->ops->blocking)
		set->flags |= BLK_MQ_F_BLOCKING;
	set->driver_data = ctrl;
}
EXPORT_SYMBOL_NS_GPL(nvmx_init_io_tags, NVMX);

/*
 * Allocate the I/O tag set: one hardware context per I/O queue; a queue
 * of io_depth slots holds at most io_depth - 1 commands.
 */
int nvmx_alloc_io_tags(struct nvmx_ctrl *ctrl)
{
	struct blk_mq_tag_set *set = &ctrl->tagset;

	if (WARN_ON_ONCE(!set->ops))
		return -EINVAL;
	set->nr_hw_queues = ctrl->nr_io_queues;
	set->queue_depth = ctrl->io_depth - 1;
	set->timeout = nvmx_io_timeout.val * HZ;
	return blk_mq_alloc_tag_set(set);
}

/*
 * Removal marks the admin queue dying: from then on passthrough from a
 * file still open fails with -ENODEV.  The queue and its tag set are
 * freed with the controller, once the last file is closed.
 */
void nvmx_destroy_admin_queue(struct nvmx_ctrl *ctrl)
{
	blk_mq_destroy_queue(ctrl->admin_q);
}
EXPORT_SYMBOL_NS_GPL(nvmx_destroy_admin_queue, NVMX);

void nvmx_put_admin_queue(struct nvmx_ctrl *ctrl)
{
	if (!ctrl->admin_q)
		return;
	blk_put_queue(ctrl->admin_q);
	ctrl->admin_q = NULL;
	blk_mq_free_tag_set(&ctrl->admin_set);
}
