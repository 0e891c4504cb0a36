// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: queue pairs in host memory, the submission path (steps 1-2 of the
 * seed's eight), the completion path (steps 6-8), blk-mq glue and PRP
 * mapping.  Everything here is specific to the PCIe transport.
 */
#include <linux/blk-mq-pci.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/mempool.h>
#include <linux/sched/clock.h>

#include "nvmx.h"

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
int nvmx_alloc_queue(struct nvmx_ctrl *ctrl, u16 qid, u16 depth, u16 cq_depth)
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

	nq->ctrl = ctrl;
	nq->qid = qid;
	nq->depth = depth;
	nq->cq_depth = cq_depth;
	nq->cq_vector = -1;
	spin_lock_init(&nq->sq_lock);
	spin_lock_init(&nq->cq_lock);
	nq->sq_db = ctrl->bar + NVME_REG_DBS + 2 * qid * ctrl->db_stride;
	nq->cq_db = ctrl->bar + NVME_REG_DBS + (2 * qid + 1) * ctrl->db_stride;
	nvmx_init_queue(nq);
	nvmx_debugfs_add_queue(nq);
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
void nvmx_free_queues(struct nvmx_ctrl *ctrl, unsigned int lowest)
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

/* Step 1: copy the command into the next SQ slot.  Context: sq_lock held. */
static void nvmx_sq_write(struct nvmx_queue *nq, const struct nvme_command *cmd)
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
static bool nvmx_dbbuf_update(u16 value, __le32 *db, __le32 *ei)
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
static void nvmx_sq_ring(struct nvmx_queue *nq)
{
	bool mmio;

	if (nq->sq_tail == nq->last_sq_tail)
		return;
	mmio = nvmx_dbbuf_update(nq->sq_tail, nq->dbbuf_sq_db, nq->dbbuf_sq_ei);
	trace_nvmx_sq_doorbell(nq, nq->sq_tail,
			       nvmx_ring_used(nq->last_sq_tail, nq->sq_tail,
					      nq->depth), mmio);
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
void nvmx_sq_submit_raw(struct nvmx_queue *nq, const struct nvme_command *cmd)
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

/* ---- data mapping: PRPs ---- */

static void nvmx_free_prp_lists(struct nvmx_ctrl *ctrl,
				struct nvmx_request *req)
{
	struct dma_pool *pool = req->small_list ? ctrl->prp_small_pool :
						  ctrl->prp_page_pool;

	while (req->nr_prp_lists) {
		req->nr_prp_lists--;
		dma_pool_free(pool, req->prp_lists[req->nr_prp_lists],
			      req->prp_dma[req->nr_prp_lists]);
	}
}

/* The range buffer of a Dataset Management request. */
static void nvmx_free_special(struct request *rq)
{
	if (rq->rq_flags & RQF_SPECIAL_PAYLOAD) {
		kfree(bvec_virt(&rq->special_vec));
		rq->rq_flags &= ~RQF_SPECIAL_PAYLOAD;
	}
}

static void nvmx_unmap_data(struct nvmx_ctrl *ctrl, struct request *rq)
{
	struct nvmx_request *req = nvmx_req(rq);
	struct device *dmadev = &ctrl->pdev->dev;

	if (req->first_len) {
		dma_unmap_page(dmadev, req->first_dma, req->first_len,
			       rq_dma_dir(rq));
		req->first_len = 0;
		nvmx_free_special(rq);
		return;
	}
	if (!req->nents)
		return;
	nvmx_free_prp_lists(ctrl, req);
	dma_unmap_sg(dmadev, req->sg, req->nents, rq_dma_dir(rq));
	if (req->sg != req->inline_sg)
		mempool_free(req->sg, ctrl->sg_pool);
	req->nents = 0;
}

/*
 * One segment that spans at most two controller pages: PRP1 and PRP2 come
 * straight from the mapped bio_vec, with no scatterlist and no list.
 */
static blk_status_t nvmx_map_simple(struct nvmx_ctrl *ctrl, struct request *rq,
				    struct bio_vec *bv)
{
	struct nvmx_request *req = nvmx_req(rq);
	u32 page = 1U << ctrl->page_shift;
	dma_addr_t dma;
	u32 first;

	dma = dma_map_bvec(&ctrl->pdev->dev, bv, rq_dma_dir(rq), 0);
	if (dma_mapping_error(&ctrl->pdev->dev, dma))
		return BLK_STS_RESOURCE;
	first = page - (dma & (page - 1));
	req->first_dma = dma;
	req->first_len = bv->bv_len;
	req->cmd.common.dptr.prp1 = cpu_to_le64(dma);
	req->cmd.common.dptr.prp2 = bv->bv_len > first ?
				    cpu_to_le64(dma + first) : 0;
	return BLK_STS_OK;
}

/*
 * Build PRP1/PRP2 and, for more than two pages, chained PRP lists from a
 * mapped scatterlist.  The queue's virt_boundary guarantees that every
 * segment but the first starts on a controller page and every segment but
 * the last ends on one.
 */
static blk_status_t nvmx_setup_prps(struct nvmx_ctrl *ctrl, struct request *rq,
				    int mapped)
{
	struct nvmx_request *req = nvmx_req(rq);
	u32 shift = ctrl->page_shift;
	u32 page = 1U << shift, per_page = page >> 3;
	struct scatterlist *sg = req->sg;
	u64 addr = sg_dma_address(sg);
	u32 seg_left = sg_dma_len(sg);
	u32 left = blk_rq_payload_bytes(rq);
	u32 entries, lists, step, slot = 0, list = 0;
	struct dma_pool *pool;
	__le64 *prps;

	req->cmd.common.dptr.prp1 = cpu_to_le64(addr);
	entries = nvmx_prp_pages(addr, left, shift) - 1;
	step = min(page - (u32)(addr & (page - 1)), left);

	if (entries == 0) {
		req->cmd.common.dptr.prp2 = 0;
		return BLK_STS_OK;
	}

	lists = entries == 1 ? 0 : nvmx_prp_list_pages(entries, shift);
	if (WARN_ON_ONCE(lists > NVMX_MAX_PRP_LISTS))
		return BLK_STS_IOERR;
	req->small_list = lists == 1 && entries * 8 <= NVMX_SMALL_POOL_SIZE;
	pool = req->small_list ? ctrl->prp_small_pool : ctrl->prp_page_pool;
	for (; req->nr_prp_lists < lists; req->nr_prp_lists++) {
		u8 i = req->nr_prp_lists;

		req->prp_lists[i] = dma_pool_alloc(pool, GFP_ATOMIC,
						   &req->prp_dma[i]);
		if (!req->prp_lists[i]) {
			nvmx_free_prp_lists(ctrl, req);
			return BLK_STS_RESOURCE;
		}
		if (i) {
			prps = req->prp_lists[i - 1];
			prps[per_page - 1] = cpu_to_le64(req->prp_dma[i]);
		}
	}

	while (left > step) {
		left -= step;
		addr += step;
		seg_left -= step;
		if (!seg_left) {
			if (WARN_ON_ONCE(--mapped <= 0))
				goto bad_sgl;
			sg = sg_next(sg);
			addr = sg_dma_address(sg);
			seg_left = sg_dma_len(sg);
		}
		if (!lists) {
			req->cmd.common.dptr.prp2 = cpu_to_le64(addr);
		} else {
			if (slot == per_page - 1 && list + 1 < lists) {
				list++;
				slot = 0;
			}
			prps = req->prp_lists[list];
			prps[slot++] = cpu_to_le64(addr);
		}
		step = min3(page, seg_left, left);
	}
	if (lists)
		req->cmd.common.dptr.prp2 = cpu_to_le64(req->prp_dma[0]);
	return BLK_STS_OK;

bad_sgl:
	nvmx_free_prp_lists(ctrl, req);
	return BLK_STS_IOERR;
}

/* ---- data mapping: SGLs ---- */

static void nvmx_sgl_data(struct nvme_sgl_desc *desc, dma_addr_t addr,
			  u32 len)
{
	desc->addr = cpu_to_le64(addr);
	desc->length = cpu_to_le32(len);
	memset(desc->rsvd, 0, sizeof(desc->rsvd));
	desc->type = NVME_SGL_FMT_DATA_DESC << 4;
}

/* One segment: a data block descriptor in the command, nothing allocated. */
static blk_status_t nvmx_map_sgl_simple(struct nvmx_ctrl *ctrl,
					struct request *rq, struct bio_vec *bv)
{
	struct nvmx_request *req = nvmx_req(rq);
	dma_addr_t dma;

	dma = dma_map_bvec(&ctrl->pdev->dev, bv, rq_dma_dir(rq), 0);
	if (dma_mapping_error(&ctrl->pdev->dev, dma))
		return BLK_STS_RESOURCE;
	req->first_dma = dma;
	req->first_len = bv->bv_len;
	req->sgl = true;
	req->cmd.common.flags |= NVME_CMD_SGL_METABUF;
	nvmx_sgl_data(&req->cmd.common.dptr.sgl, dma, bv->bv_len);
	return BLK_STS_OK;
}

/*
 * Several segments: one descriptor list, the command's descriptor being
 * the last (and only) segment that points at it.  max_segments keeps the
 * list within one controller page.
 */
static blk_status_t nvmx_setup_sgls(struct nvmx_ctrl *ctrl, struct request *rq,
				    int mapped)
{
	struct nvmx_request *req = nvmx_req(rq);
	struct nvme_sgl_desc *list, *seg = &req->cmd.common.dptr.sgl;
	u32 bytes = mapped * sizeof(*list);
	struct scatterlist *sg;
	struct dma_pool *pool;
	int i;

	req->sgl = true;
	req->cmd.common.flags |= NVME_CMD_SGL_METABUF;
	if (mapped == 1) {
		nvmx_sgl_data(seg, sg_dma_address(req->sg),
			      sg_dma_len(req->sg));
		return BLK_STS_OK;
	}
	if (WARN_ON_ONCE(bytes > (1U << ctrl->page_shift)))
		return BLK_STS_IOERR;
	req->small_list = bytes <= NVMX_SMALL_POOL_SIZE;
	pool = req->small_list ? ctrl->prp_small_pool : ctrl->prp_page_pool;
	list = dma_pool_alloc(pool, GFP_ATOMIC, &req->prp_dma[0]);
	if (!list)
		return BLK_STS_RESOURCE;
	req->prp_lists[0] = list;
	req->nr_prp_lists = 1;
	for_each_sg(req->sg, sg, mapped, i)
		nvmx_sgl_data(&list[i], sg_dma_address(sg), sg_dma_len(sg));

	seg->addr = cpu_to_le64(req->prp_dma[0]);
	seg->length = cpu_to_le32(bytes);
	memset(seg->rsvd, 0, sizeof(seg->rsvd));
	seg->type = NVME_SGL_FMT_LAST_SEG_DESC << 4;
	return BLK_STS_OK;
}

static blk_status_t nvmx_map_data(struct nvmx_ctrl *ctrl, struct request *rq)
{
	struct nvmx_queue *nq = rq->mq_hctx->driver_data;
	struct nvmx_request *req = nvmx_req(rq);
	unsigned short nsegs = blk_rq_nr_phys_segments(rq);
	u32 page = 1U << ctrl->page_shift;
	blk_status_t ret;
	bool sgl;
	int n, mapped;

	/*
	 * Admin commands take PRPs only; passthrough commands keep the
	 * flags their submitter chose.
	 */
	sgl = nq->qid && !blk_rq_is_passthrough(rq) &&
	      nvmx_use_sgl(ctrl->sgls, READ_ONCE(nvmx_sgl_threshold.val),
			   blk_rq_payload_bytes(rq));
	if (nsegs == 1) {
		struct bio_vec bv = req_bvec(rq);

		if (sgl)
			return nvmx_map_sgl_simple(ctrl, rq, &bv);
		if ((bv.bv_offset & (page - 1)) + bv.bv_len <= 2 * page)
			return nvmx_map_simple(ctrl, rq, &bv);
	}

	if (nsegs <= NVMX_INLINE_SG) {
		req->sg = req->inline_sg;
	} else {
		req->sg = mempool_alloc(ctrl->sg_pool, GFP_ATOMIC);
		if (!req->sg)
			return BLK_STS_RESOURCE;
	}
	sg_init_table(req->sg, nsegs);
	n = blk_rq_map_sg(rq->q, rq, req->sg);
	if (!n) {
		ret = BLK_STS_IOERR;
		goto free_sg;
	}
	mapped = dma_map_sg_attrs(&ctrl->pdev->dev, req->sg, n,
				  rq_dma_dir(rq), DMA_ATTR_NO_WARN);
	if (!mapped) {
		/* out of mapping space; comes back when requests complete */
		ret = BLK_STS_RESOURCE;
		goto free_sg;
	}
	if (sgl)
		ret = nvmx_setup_sgls(ctrl, rq, mapped);
	else
		ret = nvmx_setup_prps(ctrl, rq, mapped);
	if (ret)
		goto unmap_sg;
	req->nents = n;
	return BLK_STS_OK;

unmap_sg:
	dma_unmap_sg(&ctrl->pdev->dev, req->sg, n, rq_dma_dir(rq));
free_sg:
	if (req->sg != req->inline_sg)
		mempool_free(req->sg, ctrl->sg_pool);
	return ret;
}

/* ---- blk-mq ---- */

/*
 * Block I/O to a namespace with protection information (8 bytes per block,
 * nothing else, see nvmx_ns_block_io()): the controller inserts it on
 * writes and strips it on reads (PRACT), checking the guard, and for Types
 * 1 and 2 the reference tag, which is the low 32 bits of the LBA.  @check
 * is false for Write Zeroes, which checks nothing.  Return: the PRINFO
 * bits for the command's control field.
 */
static u16 nvmx_setup_pi(struct nvmx_ns *ns, struct nvme_command *cmd,
			 bool check)
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

/*
 * A request that waited for a Format NVM's frozen queue was split and
 * checked against the old format: it must not go out under the new one,
 * where its block count would mean something else (or, for a format the
 * block layer cannot use, move metadata from nowhere).
 */
static bool nvmx_fits_format(struct nvmx_ns *ns, sector_t pos,
			     unsigned int sectors)
{
	u32 mask = (1U << (ns->lba_shift - SECTOR_SHIFT)) - 1;

	if (likely(ns->block_io && !((pos | sectors) & mask)))
		return true;
	pr_warn_ratelimited("%s: a request of %u sectors at sector %llu does not fit the new format; failed\n",
			    ns->disk->disk_name, sectors, (u64)pos);
	return false;
}

static void nvmx_setup_rw(struct nvmx_ns *ns, struct request *rq,
			  struct nvme_command *cmd)
{
	u16 control = 0;

	if (rq->cmd_flags & REQ_FUA)
		control |= NVME_RW_FUA;
	if (rq->cmd_flags & (REQ_FAILFAST_DEV | REQ_RAHEAD))
		control |= NVME_RW_LR;

	cmd->rw.opcode = rq_data_dir(rq) == WRITE ? nvme_cmd_write :
						    nvme_cmd_read;
	cmd->rw.nsid = cpu_to_le32(ns->nsid);
	cmd->rw.slba = cpu_to_le64(blk_rq_pos(rq) >>
				   (ns->lba_shift - SECTOR_SHIFT));
	cmd->rw.length = cpu_to_le16((blk_rq_bytes(rq) >> ns->lba_shift) - 1);
	if (ns->pi_type)
		control |= nvmx_setup_pi(ns, cmd, true);
	cmd->rw.control = cpu_to_le16(control);
}

/*
 * Dataset Management, deallocate: one range per bio of the request, in a
 * buffer that becomes the request's data (freed in nvmx_unmap_data()).
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

/* Build the command for a block request.  Passthrough brings its own. */
static blk_status_t nvmx_setup_cmd(struct request *rq)
{
	struct nvme_command *cmd = &nvmx_req(rq)->cmd;
	struct nvmx_ns *ns = rq->q->queuedata;

	switch (req_op(rq)) {
	case REQ_OP_DRV_IN:
	case REQ_OP_DRV_OUT:
		return BLK_STS_OK;
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		if (!nvmx_fits_format(ns, blk_rq_pos(rq), blk_rq_sectors(rq)))
			return BLK_STS_IOERR;
		memset(cmd, 0, sizeof(*cmd));
		nvmx_setup_rw(ns, rq, cmd);
		return BLK_STS_OK;
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

/**
 * nvmx_queue_not_live() - a request arrives while its queue is not live
 * @nq: the queue
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
 * Context: queue_rq.
 */
static blk_status_t nvmx_queue_not_live(struct nvmx_queue *nq,
					struct request *rq)
{
	struct nvmx_ctrl *ctrl = nq->ctrl;
	enum nvmx_ctrl_state state = READ_ONCE(ctrl->state);
	struct bio_list bios = BIO_EMPTY_LIST;
	unsigned long flags;
	struct bio *bio;

	nvmx_req(rq)->status = 0;
	if (state == NVMX_CTRL_DEAD || state == NVMX_CTRL_DELETING ||
	    blk_noretry_request(rq))
		return BLK_STS_IOERR;
	if (nq->qid <= READ_ONCE(ctrl->nr_io_queues))
		return BLK_STS_RESOURCE;

	if (rq->end_io || !rq->bio || state != NVMX_CTRL_RESETTING) {
		nvmx_req(rq)->status = NVME_SC_HOST_ABORTED_CMD;
		pr_warn_ratelimited("nvmx%d: %s request on qid %u, which the reset did not bring back: failed\n",
				    ctrl->instance, blk_op_str(req_op(rq)),
				    nq->qid);
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

/*
 * Everything but the SQ write: build the command, map the data, start the
 * request.  On failure nothing is left mapped or allocated.
 */
static blk_status_t nvmx_prep_rq(struct nvmx_queue *nq, struct request *rq)
{
	struct nvmx_ctrl *ctrl = nq->ctrl;
	struct nvmx_request *req = nvmx_req(rq);
	blk_status_t ret;

	req->status = 0;
	req->aborted = false;
	req->timed_out = false;
	req->fatal = false;
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

	/* first dispatch of this request, not a retry: start counting */
	if (!(rq->rq_flags & RQF_DONTPREP)) {
		req->retries = 0;
		rq->rq_flags |= RQF_DONTPREP;
	}
	req->nents = 0;
	req->first_len = 0;
	req->nr_prp_lists = 0;
	req->sgl = false;
	ret = nvmx_setup_cmd(rq);
	if (ret)
		return ret;
	if (blk_rq_nr_phys_segments(rq)) {
		ret = nvmx_map_data(ctrl, rq);
		if (ret) {
			nvmx_free_special(rq);
			return ret;
		}
	}
	req->gen = nvmx_gen_next(req->gen);
	req->cmd.common.command_id = nvmx_cid_make(rq->tag, req->gen);
	/* local_clock(): the CPU's counter, no clocksource read per I/O */
	req->submit_ns = local_clock();
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
		return nvmx_queue_not_live(nq, rq);
	ret = nvmx_prep_rq(nq, rq);
	if (ret)
		return ret;
	spin_lock(&nq->sq_lock);
	nvmx_sq_write(nq, &nvmx_req(rq)->cmd);
	nq->sgl_cmds += nvmx_req(rq)->sgl;
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
		nq->sgl_cmds += nvmx_req(rq)->sgl;
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
static void nvmx_queue_rqs(struct request **rqlist)
{
	struct request *rq, *batch = NULL, **batch_tail = &batch;
	struct request *leftover = NULL;
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
			rq_list_add(&leftover, rq);
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
	case NVME_SC_ONCS_NOT_SUPPORTED:
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
		return BLK_STS_NEXUS;
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

static void nvmx_complete_rq(struct request *rq)
{
	struct nvmx_queue *nq = rq->mq_hctx->driver_data;
	struct nvmx_request *req = nvmx_req(rq);
	enum nvmx_ctrl_state state = READ_ONCE(nq->ctrl->state);

	nvmx_unmap_data(nq->ctrl, rq);
	if (likely(!req->status)) {
		trace_nvmx_complete(nq, rq, false);
		blk_mq_end_request(rq, BLK_STS_OK);
		return;
	}
	if (!blk_noretry_request(rq) &&
	    state != NVMX_CTRL_DEAD && state != NVMX_CTRL_DELETING) {
		/*
		 * Cancelled by a reset it did not cause: sent again after the
		 * reset, not counted as a retry.  A command that timed out
		 * counts, so one that breaks every controller fails in the end.
		 */
		if (req->status == NVME_SC_HOST_ABORTED_CMD && !req->timed_out) {
			trace_nvmx_complete(nq, rq, true);
			blk_mq_requeue_request(rq, true);
			return;
		}
		if (nvmx_should_retry(req->status, req->retries,
				      nvmx_max_retries.val)) {
			trace_nvmx_complete(nq, rq, true);
			req->retries++;
			blk_mq_requeue_request(rq, true);
			return;
		}
	}
	trace_nvmx_complete(nq, rq, false);
	nvmx_log_error(rq);
	blk_mq_end_request(rq, nvmx_status_to_blk(req->status));
}

static void nvmx_complete_batch(struct io_comp_batch *iob)
{
	struct request *rq;

	rq_list_for_each(&iob->req_list, rq) {
		struct nvmx_queue *nq = rq->mq_hctx->driver_data;

		nvmx_unmap_data(nq->ctrl, rq);
		trace_nvmx_complete(nq, rq, false);
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
static void nvmx_handle_cqe(struct nvmx_queue *nq, struct io_comp_batch *iob,
			    struct nvme_completion *cqe)
{
	u16 cid = cqe->command_id;
	struct nvmx_request *req;
	struct blk_mq_tags *tags;
	struct request *rq;

	if (unlikely(!nq->qid && nvmx_cid_tag(cid) == NVMX_AEN_TAG)) {
		trace_nvmx_cqe(nq, cqe);
		nvmx_aen_complete(nq->ctrl, cqe);
		return;
	}
	tags = nvmx_queue_tags(nq);
	rq = tags ? blk_mq_tag_to_rq(tags, nvmx_cid_tag(cid)) : NULL;
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
	    nvmx_fault_cqe(nq, rq))
		return;
	nq->completed++;
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
static bool nvmx_cq_hold_full(struct nvmx_queue *nq)
{
	return nvmx_ring_used(nq->cq_reported, nq->cq_head, nq->cq_depth) >=
	       nq->cq_hold;
}

static void nvmx_cq_ring(struct nvmx_queue *nq, int found)
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
static int nvmx_process_cq(struct nvmx_queue *nq, struct io_comp_batch *iob)
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
	if (iob.req_list)
		iob.complete(&iob);
	return IRQ_HANDLED;
}

/*
 * A poll queue has no interrupt: blk-mq polls it for io_uring IOPOLL and
 * polled bios.  cq_lock keeps two pollers (and a reap) apart.
 */
static int nvmx_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct nvmx_queue *nq = hctx->driver_data;
	int found;

	if (!nvmx_cqe_pending(nq))
		return 0;
	spin_lock(&nq->cq_lock);
	found = nvmx_process_cq(nq, iob);
	if (found)
		nq->polls++;
	spin_unlock(&nq->cq_lock);
	return found;
}

int nvmx_queue_request_irq(struct nvmx_queue *nq)
{
	return pci_request_irq(nq->ctrl->pdev, nq->cq_vector, nvmx_irq, NULL,
			       nq, "nvmx%dq%d", nq->ctrl->instance, nq->qid);
}

void nvmx_queue_free_irq(struct nvmx_queue *nq)
{
	if (nq->cq_vector < 0)
		return;
	pci_free_irq(nq->ctrl->pdev, nq->cq_vector, nq);
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
		int irq = pci_irq_vector(nq->ctrl->pdev, nq->cq_vector);

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
	atomic_dec(&ctrl->aborts_outstanding);
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

	if (atomic_inc_return(&ctrl->aborts_outstanding) > ctrl->acl + 1)
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
	atomic_dec(&ctrl->aborts_outstanding);
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
static enum blk_eh_timer_return nvmx_timeout_not_live(struct nvmx_queue *nq)
{
	struct nvmx_ctrl *ctrl = nq->ctrl;
	enum nvmx_ctrl_state state = READ_ONCE(ctrl->state);

	if (nq->qid && (state == NVMX_CTRL_NEW ||
			state == NVMX_CTRL_RESETTING))
		return BLK_EH_RESET_TIMER;
	nvmx_dev_disable(ctrl, false);
	return BLK_EH_DONE;
}

/**
 * nvmx_timeout() - a command did not complete within its timeout
 * @rq: the request
 *
 * Escalation: (1) a controller that reports a fatal status or no longer
 * answers is reset (or, when gone from the bus, marked dead); (2) a lost
 * interrupt is ruled out by reaping the queue; (3) when the controller is
 * not live, see nvmx_timeout_not_live(); (4) an I/O command gets an
 * Abort, within the controller's Abort Command Limit, and another timeout
 * period; (5) otherwise, and when it times out again, the controller is
 * reset, which cancels and requeues everything in flight.
 */
static enum blk_eh_timer_return nvmx_timeout(struct request *rq)
{
	struct nvmx_queue *nq = rq->mq_hctx->driver_data;
	struct nvmx_ctrl *ctrl = nq->ctrl;
	struct nvmx_request *req = nvmx_req(rq);
	u32 csts = readl(ctrl->bar + NVME_REG_CSTS);

	/* fault injection holds this completion on purpose */
	if (READ_ONCE(req->held))
		return BLK_EH_RESET_TIMER;
	if (static_branch_unlikely(&nvmx_fault_armed))
		csts = nvmx_fault_csts(ctrl, rq, csts);
	if (csts == ~0U || (csts & NVME_CSTS_CFS)) {
		/* the first timeout acts; the others wait for the reset */
		if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
			return nvmx_timeout_not_live(nq);
		/*
		 * It may be the command that broke the controller: the
		 * reset's cancellation counts as its retry, so one that
		 * breaks the controller every time fails in the end.
		 */
		req->timed_out = true;
		atomic64_inc(&nq->timeouts);
		trace_nvmx_timeout(nq, rq, csts);
		dev_warn(&ctrl->device,
			 "qid %u tag %d timed out, controller %s (csts 0x%x)\n",
			 nq->qid, rq->tag,
			 csts == ~0U ? "not answering" : "fatal status", csts);
		if (csts == ~0U && !pci_device_is_present(ctrl->pdev)) {
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

	req->timed_out = true;
	atomic64_inc(&nq->timeouts);
	trace_nvmx_timeout(nq, rq, csts);
	dev_warn(&ctrl->device,
		 "qid %u tag %d opcode 0x%02x timed out (csts 0x%x)%s\n",
		 nq->qid, rq->tag, req->cmd.common.opcode, csts,
		 req->aborted ? " after an Abort" : "");

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
		return nvmx_timeout_not_live(nq);
	if (nq->qid && !req->aborted && nvmx_send_abort(nq, rq))
		return BLK_EH_RESET_TIMER;
	dev_warn(&ctrl->device, "resetting controller to recover qid %u tag %d\n",
		 nq->qid, rq->tag);
	nvmx_schedule_reset(ctrl);
	return BLK_EH_RESET_TIMER;
}

/**
 * nvmx_cancel_request() - end an in-flight request the controller dropped
 * @rq: the request
 * @data: unused
 *
 * Context: the controller is disabled and its queues reaped.  The host
 * aborted status lets a retryable request be requeued for after a reset.
 */
bool nvmx_cancel_request(struct request *rq, void *data)
{
	if (blk_mq_request_completed(rq))
		return true;
	nvmx_req(rq)->status = NVME_SC_HOST_ABORTED_CMD;
	blk_mq_complete_request(rq);
	return true;
}

/* Hardware context i of the I/O tag set drives queue i + 1; admin, queue 0. */
static int nvmx_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			  unsigned int hctx_idx)
{
	struct nvmx_ctrl *ctrl = data;
	struct blk_mq_tag_set *set = hctx->queue->tag_set;
	struct nvmx_queue *nq;

	nq = &ctrl->queues[set == &ctrl->admin_set ? 0 : hctx_idx + 1];
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
	struct nvmx_ctrl *ctrl = set->driver_data;
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

static const struct blk_mq_ops nvmx_mq_ops = {
	.queue_rq	= nvmx_queue_rq,
	.queue_rqs	= nvmx_queue_rqs,
	.commit_rqs	= nvmx_commit_rqs,
	.complete	= nvmx_complete_rq,
	.init_hctx	= nvmx_init_hctx,
	.map_queues	= nvmx_map_queues,
	.poll		= nvmx_poll,
	.timeout	= nvmx_timeout,
};

static const struct blk_mq_ops nvmx_admin_mq_ops = {
	.queue_rq	= nvmx_queue_rq,
	.commit_rqs	= nvmx_commit_rqs,
	.complete	= nvmx_complete_rq,
	.init_hctx	= nvmx_init_hctx,
	.timeout	= nvmx_timeout,
};

/* The controller's transfer limits, for the admin and namespace queues. */
void nvmx_set_queue_limits(struct nvmx_ctrl *ctrl, struct request_queue *q)
{
	blk_queue_max_hw_sectors(q, ctrl->max_hw_sectors);
	blk_queue_max_segments(q, ctrl->max_segments);
	blk_queue_virt_boundary(q, (1UL << ctrl->page_shift) - 1);
	blk_queue_dma_alignment(q, 3);
}

/**
 * nvmx_alloc_admin_tags() - tag set and request queue of the admin queue
 * @ctrl: the controller
 *
 * Context: process context, once per controller.
 */
int nvmx_alloc_admin_tags(struct nvmx_ctrl *ctrl)
{
	struct blk_mq_tag_set *set = &ctrl->admin_set;
	int ret;

	set->ops = &nvmx_admin_mq_ops;
	set->nr_hw_queues = 1;
	set->queue_depth = NVMX_AEN_TAG;	/* tags below the AER's */
	set->timeout = nvmx_admin_timeout.val * HZ;
	set->numa_node = dev_to_node(&ctrl->pdev->dev);
	set->cmd_size = sizeof(struct nvmx_request);
	set->flags = BLK_MQ_F_NO_SCHED;
	set->driver_data = ctrl;
	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;

	ctrl->admin_q = blk_mq_init_queue(set);
	if (IS_ERR(ctrl->admin_q)) {
		ret = PTR_ERR(ctrl->admin_q);
		ctrl->admin_q = NULL;
		goto free_tag_set;
	}
	ctrl->admin_q->queuedata = ctrl;
	nvmx_set_queue_limits(ctrl, ctrl->admin_q);
	return 0;

free_tag_set:
	blk_mq_free_tag_set(set);
	return ret;
}

/**
 * nvmx_alloc_io_tags() - the tag set shared by all namespaces
 * @ctrl: the controller, its I/O queues created
 *
 * One hardware context per I/O queue; a queue of depth slots holds at most
 * depth - 1 commands.
 */
int nvmx_alloc_io_tags(struct nvmx_ctrl *ctrl)
{
	struct blk_mq_tag_set *set = &ctrl->tagset;

	set->ops = &nvmx_mq_ops;
	set->nr_hw_queues = ctrl->nr_io_queues;
	set->nr_maps = HCTX_MAX_TYPES;
	set->queue_depth = ctrl->io_depth - 1;
	set->timeout = nvmx_io_timeout.val * HZ;
	set->numa_node = dev_to_node(&ctrl->pdev->dev);
	set->cmd_size = sizeof(struct nvmx_request);
	set->flags = BLK_MQ_F_SHOULD_MERGE;
	set->driver_data = ctrl;
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

void nvmx_put_admin_queue(struct nvmx_ctrl *ctrl)
{
	if (!ctrl->admin_q)
		return;
	blk_put_queue(ctrl->admin_q);
	ctrl->admin_q = NULL;
	blk_mq_free_tag_set(&ctrl->admin_set);
}

/**
 * nvmx_setup_dma_pools() - pools for PRP lists and large scatterlists
 * @ctrl: the controller
 */
int nvmx_setup_dma_pools(struct nvmx_ctrl *ctrl)
{
	struct device *dmadev = &ctrl->pdev->dev;
	size_t page = 1UL << ctrl->page_shift;
	size_t sg_bytes;

	ctrl->prp_page_pool = dma_pool_create("nvmx prp list page", dmadev,
					      page, page, 0);
	if (!ctrl->prp_page_pool)
		return -ENOMEM;
	ctrl->prp_small_pool = dma_pool_create("nvmx prp list 256", dmadev,
					       NVMX_SMALL_POOL_SIZE,
					       NVMX_SMALL_POOL_SIZE, 0);
	if (!ctrl->prp_small_pool)
		goto destroy_page_pool;
	sg_bytes = ctrl->max_segments * sizeof(struct scatterlist);
	ctrl->sg_pool = mempool_create_kmalloc_pool(1, sg_bytes);
	if (!ctrl->sg_pool)
		goto destroy_small_pool;
	return 0;

destroy_small_pool:
	dma_pool_destroy(ctrl->prp_small_pool);
destroy_page_pool:
	dma_pool_destroy(ctrl->prp_page_pool);
	return -ENOMEM;
}

void nvmx_release_dma_pools(struct nvmx_ctrl *ctrl)
{
	mempool_destroy(ctrl->sg_pool);
	dma_pool_destroy(ctrl->prp_small_pool);
	dma_pool_destroy(ctrl->prp_page_pool);
}
