// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx PCIe transport: a request's data for the controller.  PRPs (one or
 * two pages straight from the bio_vec, else lists), SGLs for transfers of
 * large segments when the controller has them, the DMA pools of the lists.
 * The fast path's single mapping is inline (pci.h, queue.c).
 */
#include <linux/mempool.h>

#include "pci.h"

/* ---- data mapping: PRPs ---- */

static void nvmx_free_prp_lists(struct nvmx_pci_ctrl *pctrl,
				struct nvmx_pci_request *preq)
{
	struct dma_pool *pool = preq->small_list ? pctrl->prp_small_pool :
						  pctrl->prp_page_pool;

	while (preq->nr_prp_lists) {
		preq->nr_prp_lists--;
		dma_pool_free(pool, preq->prp_lists[preq->nr_prp_lists],
			      preq->prp_dma[preq->nr_prp_lists]);
	}
}

/* The scatterlist case of nvmx_unmap_data(): lists, mapping, table. */
void nvmx_unmap_sg(struct nvmx_pci_ctrl *pctrl, struct request *rq)
{
	struct nvmx_pci_request *preq = nvmx_pci_req(rq);
	struct device *dmadev = &pctrl->pdev->dev;

	nvmx_free_prp_lists(pctrl, preq);
	dma_unmap_sg(dmadev, preq->sg, preq->nents, rq_dma_dir(rq));
	if (preq->sg != preq->inline_sg)
		mempool_free(preq->sg, pctrl->sg_pool);
	preq->nents = 0;
}

/*
 * Build PRP1/PRP2 and, for more than two pages, chained PRP lists from a
 * mapped scatterlist.  The queue's virt_boundary guarantees that every
 * segment but the first starts on a controller page and every segment but
 * the last ends on one.
 */
static blk_status_t nvmx_setup_prps(struct nvmx_pci_ctrl *pctrl, struct request *rq,
				    int mapped)
{
	struct nvmx_pci_request *preq = nvmx_pci_req(rq);
	u32 shift = pctrl->page_shift;
	u32 page = 1U << shift, per_page = page >> 3;
	struct scatterlist *sg, *last = preq->sg + mapped - 1;
	u64 addr = sg_dma_address(preq->sg), end;
	u32 entries, lists, left, list = 0;
	struct dma_pool *pool;
	__le64 *prps, *stop;
	bool passthru;
	gfp_t gfp;

	preq->req.cmd.common.dptr.prp1 = cpu_to_le64(addr);
	entries = nvmx_prp_pages(addr, blk_rq_payload_bytes(rq), shift) - 1;
	if (entries == 0) {
		preq->req.cmd.common.dptr.prp2 = 0;
		return BLK_STS_OK;
	}

	lists = entries == 1 ? 0 : nvmx_prp_list_pages(entries, shift);
	if (WARN_ON_ONCE(lists > NVMX_MAX_PRP_LISTS))
		return BLK_STS_IOERR;
	/*
	 * A passthrough command's lists are whole zeroed pages.  The
	 * controller goes by what it moves, which the driver cannot always
	 * tell (a log shorter than asked for, a vendor command).  Moving
	 * less than the buffer, it may take PRP2 for a data page and write
	 * into the list: into this command's page alone (the data is lost to
	 * the caller), never into other lists or the pool's free blocks.
	 * Moving more, it finds zeros past the buffer's entries, bus address
	 * 0, instead of pages that earlier commands used.
	 */
	passthru = blk_rq_is_passthrough(rq);
	gfp = passthru ? GFP_ATOMIC | __GFP_ZERO : GFP_ATOMIC;
	preq->small_list = !passthru && lists == 1 &&
			   entries * 8 <= NVMX_SMALL_POOL_SIZE;
	pool = preq->small_list ? pctrl->prp_small_pool : pctrl->prp_page_pool;
	for (; preq->nr_prp_lists < lists; preq->nr_prp_lists++) {
		u8 i = preq->nr_prp_lists;

		preq->prp_lists[i] = dma_pool_alloc(pool, gfp,
						    &preq->prp_dma[i]);
		if (!preq->prp_lists[i]) {
			nvmx_free_prp_lists(pctrl, preq);
			return BLK_STS_RESOURCE;
		}
		if (i) {
			prps = preq->prp_lists[i - 1];
			prps[per_page - 1] = cpu_to_le64(preq->prp_dma[i]);
		}
	}
	/* every controller page after PRP1's, in order */
	sg = preq->sg;
	addr = (addr | (page - 1)) + 1;
	end = sg_dma_address(sg) + sg_dma_len(sg);
	if (!lists) {
		/* two pages: the second is in this segment or starts the next */
		if (addr >= end) {
			if (WARN_ON_ONCE(sg == last))
				return BLK_STS_IOERR;
			addr = sg_dma_address(sg + 1);
		}
		preq->req.cmd.common.dptr.prp2 = cpu_to_le64(addr);
		return BLK_STS_OK;
	}
	/*
	 * A list page holds per_page - 1 entries and the next page's
	 * address, the last one what is left.  The table is one array (never
	 * chained), so the next entry is the next element.
	 */
	left = entries;
	prps = preq->prp_lists[0];
	stop = prps + (lists == 1 ? left : per_page - 1);
	for (;;) {
		for (; addr < end; addr += page) {
			if (unlikely(prps == stop)) {
				if (WARN_ON_ONCE(++list == lists))
					goto bad_sgl;
				left -= per_page - 1;
				prps = preq->prp_lists[list];
				stop = prps + (list + 1 == lists ? left : per_page - 1);
			}
			*prps++ = cpu_to_le64(addr);
		}
		if (++sg > last)
			break;
		addr = sg_dma_address(sg);
		end = addr + sg_dma_len(sg);
	}
	if (WARN_ON_ONCE(prps != stop || list + 1 != lists))
		goto bad_sgl;
	preq->req.cmd.common.dptr.prp2 = cpu_to_le64(preq->prp_dma[0]);
	return BLK_STS_OK;

bad_sgl:
	nvmx_free_prp_lists(pctrl, preq);
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
static blk_status_t nvmx_map_sgl_simple(struct nvmx_pci_ctrl *pctrl,
					struct request *rq, struct bio_vec *bv)
{
	struct nvmx_pci_request *preq = nvmx_pci_req(rq);
	dma_addr_t dma;

	dma = dma_map_bvec(&pctrl->pdev->dev, bv, rq_dma_dir(rq), 0);
	if (dma_mapping_error(&pctrl->pdev->dev, dma))
		return BLK_STS_RESOURCE;
	preq->first_dma = dma;
	preq->first_len = bv->bv_len;
	preq->sgl = true;
	preq->req.cmd.common.flags |= NVME_CMD_SGL_METABUF;
	nvmx_sgl_data(&preq->req.cmd.common.dptr.sgl, dma, bv->bv_len);
	return BLK_STS_OK;
}

/*
 * Several segments: one descriptor list, the command's descriptor being
 * the last (and only) segment that points at it.  max_segments keeps the
 * list within one controller page.
 */
static blk_status_t nvmx_setup_sgls(struct nvmx_pci_ctrl *pctrl, struct request *rq,
				    int mapped)
{
	struct nvmx_pci_request *preq = nvmx_pci_req(rq);
	struct nvme_sgl_desc *list, *seg = &preq->req.cmd.common.dptr.sgl;
	u32 bytes = mapped * sizeof(*list);
	struct scatterlist *sg;
	struct dma_pool *pool;
	int i;

	preq->sgl = true;
	preq->req.cmd.common.flags |= NVME_CMD_SGL_METABUF;
	if (mapped == 1) {
		nvmx_sgl_data(seg, sg_dma_address(preq->sg),
			      sg_dma_len(preq->sg));
		return BLK_STS_OK;
	}
	if (WARN_ON_ONCE(bytes > (1U << pctrl->page_shift)))
		return BLK_STS_IOERR;
	preq->small_list = bytes <= NVMX_SMALL_POOL_SIZE;
	pool = preq->small_list ? pctrl->prp_small_pool : pctrl->prp_page_pool;
	list = dma_pool_alloc(pool, GFP_ATOMIC, &preq->prp_dma[0]);
	if (!list)
		return BLK_STS_RESOURCE;
	preq->prp_lists[0] = list;
	preq->nr_prp_lists = 1;
	for_each_sg(preq->sg, sg, mapped, i)
		nvmx_sgl_data(&list[i], sg_dma_address(sg), sg_dma_len(sg));

	seg->addr = cpu_to_le64(preq->prp_dma[0]);
	seg->length = cpu_to_le32(bytes);
	memset(seg->rsvd, 0, sizeof(seg->rsvd));
	seg->type = NVME_SGL_FMT_LAST_SEG_DESC << 4;
	return BLK_STS_OK;
}

blk_status_t nvmx_map_data(struct nvmx_pci_ctrl *pctrl, struct request *rq)
{
	struct nvmx_queue *nq = rq->mq_hctx->driver_data;
	struct nvmx_pci_request *preq = nvmx_pci_req(rq);
	unsigned short nsegs = blk_rq_nr_phys_segments(rq);
	blk_status_t ret;
	bool sgl;
	int n, mapped;

	/*
	 * Admin commands take PRPs only; passthrough commands keep the
	 * flags their submitter chose.
	 */
	sgl = nq->qid && !blk_rq_is_passthrough(rq) &&
	      nvmx_use_sgl(pctrl->ctrl.sgls, READ_ONCE(nvmx_sgl_threshold.val),
			   blk_rq_payload_bytes(rq), nsegs);
	if (nsegs == 1) {
		struct bio_vec bv = req_bvec(rq);

		if (sgl)
			return nvmx_map_sgl_simple(pctrl, rq, &bv);
		if (nvmx_prp_simple_fits(pctrl, &bv))
			return nvmx_map_simple(pctrl, rq, &bv);
	}

	if (nsegs <= NVMX_INLINE_SG) {
		preq->sg = preq->inline_sg;
	} else {
		preq->sg = mempool_alloc(pctrl->sg_pool, GFP_ATOMIC);
		if (!preq->sg)
			return BLK_STS_RESOURCE;
	}
	sg_init_table(preq->sg, nsegs);
	n = blk_rq_map_sg(rq->q, rq, preq->sg);
	if (!n) {
		ret = BLK_STS_IOERR;
		goto free_sg;
	}
	mapped = dma_map_sg_attrs(&pctrl->pdev->dev, preq->sg, n,
				  rq_dma_dir(rq), DMA_ATTR_NO_WARN);
	if (!mapped) {
		/* out of mapping space; comes back when requests complete */
		ret = BLK_STS_RESOURCE;
		goto free_sg;
	}
	if (sgl)
		ret = nvmx_setup_sgls(pctrl, rq, mapped);
	else
		ret = nvmx_setup_prps(pctrl, rq, mapped);
	if (ret)
		goto unmap_sg;
	preq->nents = n;
	return BLK_STS_OK;

unmap_sg:
	dma_unmap_sg(&pctrl->pdev->dev, preq->sg, n, rq_dma_dir(rq));
free_sg:
	if (preq->sg != preq->inline_sg)
		mempool_free(preq->sg, pctrl->sg_pool);
	return ret;
}

/**
 * nvmx_setup_dma_pools() - pools for PRP lists and large scatterlists
 * @pctrl: the controller
 */
int nvmx_setup_dma_pools(struct nvmx_pci_ctrl *pctrl)
{
	struct device *dmadev = &pctrl->pdev->dev;
	size_t page = 1UL << pctrl->page_shift;
	size_t sg_bytes;

	pctrl->prp_page_pool = dma_pool_create("nvmx prp list page", dmadev,
					       page, page, 0);
	if (!pctrl->prp_page_pool)
		return -ENOMEM;
	pctrl->prp_small_pool = dma_pool_create("nvmx prp list 256", dmadev,
						NVMX_SMALL_POOL_SIZE,
						NVMX_SMALL_POOL_SIZE, 0);
	if (!pctrl->prp_small_pool)
		goto destroy_page_pool;
	sg_bytes = pctrl->ctrl.max_segments * sizeof(struct scatterlist);
	pctrl->sg_pool = mempool_create_kmalloc_pool(1, sg_bytes);
	if (!pctrl->sg_pool)
		goto destroy_small_pool;
	return 0;

destroy_small_pool:
	dma_pool_destroy(pctrl->prp_small_pool);
destroy_page_pool:
	dma_pool_destroy(pctrl->prp_page_pool);
	return -ENOMEM;
}

void nvmx_release_dma_pools(struct nvmx_pci_ctrl *pctrl)
{
	mempool_destroy(pctrl->sg_pool);
	dma_pool_destroy(pctrl->prp_small_pool);
	dma_pool_destroy(pctrl->prp_page_pool);
}
