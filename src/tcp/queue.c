// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx NVMe/TCP transport: a queue's data path.  Requests become command
 * capsules and H2CData PDUs on the socket; C2HData, R2T, CapsuleResp and
 * C2HTermReq PDUs come back and complete them.  Every received header
 * passes the checks of tcp_logic.h before any field of it is used; a PDU
 * that fails them is a connection error: a log line naming the check,
 * and the controller's recovery.
 */
#include <linux/crc32c.h>
#include <linux/highmem.h>
#include <net/tcp.h>

#include "tcp.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* ---- digests ---- */

/* CRC32C as NVMe/TCP sends it: seed ~0, the result inverted, LE. */
static __le32 nvmx_tcp_digest(const void *buf, unsigned int len)
{
	return cpu_to_le32(~crc32c(~0, buf, len));
}

/* ---- the data a request moves ---- */

/*
 * Point the request's iterator at the data of its current bio (or its
 * special payload: a Dataset Management range list), direction @dir.
 */
static void nvmx_tcp_init_iter(struct nvmx_tcp_request *treq,
			       unsigned int dir)
{
	struct request *rq = blk_mq_rq_from_pdu(treq);
	struct bio_vec *vec;
	unsigned int size, nr, offset;

	if (rq->rq_flags & RQF_SPECIAL_PAYLOAD) {
		vec = &rq->special_vec;
		nr = 1;
		size = blk_rq_payload_bytes(rq);
		offset = 0;
	} else {
		struct bio *bio = treq->curr_bio;
		struct bvec_iter bi;
		struct bio_vec bv;

		nr = 0;
		bio_for_each_bvec(bv, bio, bi)
			nr++;
		vec = __bvec_iter_bvec(bio->bi_io_vec, bio->bi_iter);
		size = bio->bi_iter.bi_size;
		offset = bio->bi_iter.bi_bvec_done;
	}
	iov_iter_bvec(&treq->iter, dir, vec, nr, size);
	treq->iter.iov_offset = offset;
}

/* The current bio is done (its iterator empty): on to the next, if any. */
static void nvmx_tcp_next_bio(struct nvmx_tcp_request *treq, unsigned int dir)
{
	if (treq->curr_bio && treq->curr_bio->bi_next) {
		treq->curr_bio = treq->curr_bio->bi_next;
		nvmx_tcp_init_iter(treq, dir);
	}
}

/* @n bytes of the data are done: past the end of the bio, the next. */
static void nvmx_tcp_advance(struct nvmx_tcp_request *treq, size_t n,
			     unsigned int dir)
{
	iov_iter_advance(&treq->iter, n);
	if (!iov_iter_count(&treq->iter))
		nvmx_tcp_next_bio(treq, dir);
}

/* The next piece of the data: within one page, at most @max bytes. */
static void nvmx_tcp_cur_page(struct nvmx_tcp_request *treq, u32 max,
			      struct page **page, unsigned int *off,
			      unsigned int *len)
{
	const struct bio_vec *bv = treq->iter.bvec;
	size_t o = bv->bv_offset + treq->iter.iov_offset;
	size_t l = min_t(size_t, bv->bv_len - treq->iter.iov_offset,
			 iov_iter_count(&treq->iter));

	*page = bv->bv_page + (o >> PAGE_SHIFT);
	*off = offset_in_page(o);
	*len = min_t(size_t, min_t(size_t, l, PAGE_SIZE - *off), max);
}

/*
 * ---- sending ----
 *
 * Every send is MSG_DONTWAIT (a full socket is written again from
 * write_space) and MSG_NOSIGNAL: queue_rq sends from the submitting task
 * (nvmx_tcp_send_now()), which a connection gone must not kill with
 * SIGPIPE.
 */

/*
 * Send what is left of the request's header: a command capsule's from its
 * slot by reference, an H2CData header (or a capsule without a slot) as a
 * copy.  Return: bytes sent, 0 when the socket is full, or a negative
 * errno.
 */
static __always_inline int nvmx_tcp_send_hdr(struct nvmx_tcp_queue *queue,
					     struct nvmx_tcp_request *treq,
					     bool more)
{
	u8 *p = treq->tx_hdr + treq->hdr_off;
	unsigned int len = treq->hdr_len - treq->hdr_off;
	int ret;

	if (treq->tx_hdr != treq->hdr) {
		ret = nvmx_send_own_page(queue->sock, virt_to_page(p),
					 offset_in_page(p), len, more);
	} else {
		struct msghdr msg = {
			.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL |
				     (more ? MSG_MORE : MSG_EOR),
		};
		struct kvec iov = { .iov_base = p, .iov_len = len };

		ret = kernel_sendmsg(queue->sock, &msg, &iov, 1, len);
	}
	if (ret == -EAGAIN)
		return 0;
	if (ret > 0)
		treq->hdr_off += ret;
	return ret;
}

/*
 * Send data of the PDU being sent, a page at a time, adding what went out
 * to the data digest.  Return: bytes sent, 0 when the socket is full, or
 * a negative errno.
 */
static __always_inline int nvmx_tcp_send_data(struct nvmx_tcp_queue *queue,
					      struct nvmx_tcp_request *treq)
{
	unsigned int off, len;
	struct page *page;
	int ret, total = 0;

	while (treq->pdu_left) {
		bool more;

		nvmx_tcp_cur_page(treq, treq->pdu_left, &page, &off, &len);
		more = len < treq->pdu_left || queue->rp.ddgst;
		ret = nvmx_send_page(queue->sock, page, off, len, more);
		if (ret == -EAGAIN)
			break;
		if (ret <= 0)
			return ret ?: -EPIPE;
		if (queue->rp.ddgst) {
			void *p = kmap_local_page(page);

			treq->ddgst = crc32c(treq->ddgst, p + off, ret);
			kunmap_local(p);
		}
		treq->pdu_left -= ret;
		treq->data_sent += ret;
		total += ret;
		/* the iterator serves the rest of the data, if any */
		if (treq->data_sent < treq->data_len)
			nvmx_tcp_advance(treq, ret, ITER_SOURCE);
	}
	return total;
}

/* Build the next H2CData header answering the current R2T. */
static void nvmx_tcp_build_h2c(struct nvmx_tcp_queue *queue,
			       struct nvmx_tcp_request *treq)
{
	u32 hd = queue->rp.hdgst ? NVMX_TCP_DIGEST_LEN : 0;
	u32 dd = queue->rp.ddgst ? NVMX_TCP_DIGEST_LEN : 0;
	u32 chunk = nvmx_tcp_h2c_chunk(treq->r2t_left, queue->maxh2cdata);
	u8 flags = (hd ? NVMX_TCP_F_HDGST : 0) | (dd ? NVMX_TCP_F_DDGST : 0);

	if (chunk == treq->r2t_left)
		flags |= NVMX_TCP_F_DATA_LAST;
	memset(treq->hdr, 0, NVMX_TCP_DATA_HLEN);
	nvmx_tcp_ch_encode(treq->hdr, NVMX_TCP_H2C_DATA, flags,
			   NVMX_TCP_DATA_HLEN, NVMX_TCP_DATA_HLEN + hd,
			   NVMX_TCP_DATA_HLEN + hd + chunk + dd);
	nvmx_tcp_put16(treq->hdr + 8, treq->req.cmd.common.command_id);
	nvmx_tcp_put16(treq->hdr + 10, treq->ttag);
	nvmx_tcp_put32(treq->hdr + 12, treq->data_sent);
	nvmx_tcp_put32(treq->hdr + 16, chunk);
	if (hd)
		memcpy(treq->hdr + NVMX_TCP_DATA_HLEN,
		       &(__le32){ nvmx_tcp_digest(treq->hdr, NVMX_TCP_DATA_HLEN) },
		       NVMX_TCP_DIGEST_LEN);
	treq->tx_hdr = treq->hdr;
	treq->hdr_len = NVMX_TCP_DATA_HLEN + hd;
	treq->hdr_off = 0;
	treq->r2t_left -= chunk;
	treq->pdu_left = chunk;
	treq->ddgst = ~0;
	treq->state = NVMX_TCP_SEND_H2C;
}

/* A PDU is on the socket whole (its header is still at treq->tx_hdr). */
static void nvmx_tcp_trace_sent(struct nvmx_tcp_queue *queue,
				struct nvmx_tcp_request *treq)
{
	if (treq->tx_hdr[0] == NVMX_TCP_H2C_DATA) {
		queue->h2c_pdus++;
		trace_nvmx_tcp_send_pdu(queue, NVMX_TCP_H2C_DATA,
					treq->req.cmd.common.command_id,
					nvmx_tcp_get32(treq->tx_hdr + 12),
					nvmx_tcp_get32(treq->tx_hdr + 16));
	} else {
		queue->sent++;
		trace_nvmx_tcp_send_pdu(queue, NVMX_TCP_CMD,
					treq->req.cmd.common.command_id, 0,
					treq->data_sent);
	}
}

/* A data PDU (in-capsule or H2CData) is out: what comes next. */
static void nvmx_tcp_data_pdu_sent(struct nvmx_tcp_queue *queue,
				   struct nvmx_tcp_request *treq, bool h2c)
{
	nvmx_tcp_trace_sent(queue, treq);
	if (h2c && treq->r2t_left) {
		nvmx_tcp_build_h2c(queue, treq);
		return;
	}
	treq->r2t_pending = false;
	treq->state = NVMX_TCP_SEND_DONE;
}

/*
 * One step of sending a request: as far as the socket takes it.
 * Return: > 0 progress, 0 the socket is full, < 0 a connection error.
 */
static int nvmx_tcp_send_step(struct nvmx_tcp_queue *queue,
			      struct nvmx_tcp_request *treq)
{
	int ret, progress = 0;
	bool h2c;

	for (;;) {
		switch (treq->state) {
		case NVMX_TCP_SEND_CMD:
		case NVMX_TCP_SEND_H2C:
			/* data follows (its digest only after data) */
			ret = nvmx_tcp_send_hdr(queue, treq, treq->pdu_left);
			if (ret <= 0)
				return ret ?: progress;
			progress += ret;
			if (treq->hdr_off < treq->hdr_len)
				return progress;
			h2c = treq->state == NVMX_TCP_SEND_H2C;
			if (treq->pdu_left) {
				treq->state = h2c ? NVMX_TCP_SEND_H2C_DATA :
						    NVMX_TCP_SEND_CMD_DATA;
			} else {
				nvmx_tcp_trace_sent(queue, treq);
				treq->state = NVMX_TCP_SEND_DONE;
			}
			break;
		case NVMX_TCP_SEND_CMD_DATA:
		case NVMX_TCP_SEND_H2C_DATA:
			ret = nvmx_tcp_send_data(queue, treq);
			if (ret < 0)
				return ret;
			progress += ret;
			if (treq->pdu_left)
				return progress;
			h2c = treq->state == NVMX_TCP_SEND_H2C_DATA;
			if (queue->rp.ddgst) {
				treq->ddgst_wire = cpu_to_le32(~treq->ddgst);
				treq->ddgst_off = 0;
				treq->state = NVMX_TCP_SEND_DDGST;
				treq->r2t_pending = h2c;
			} else {
				nvmx_tcp_data_pdu_sent(queue, treq, h2c);
			}
			break;
		case NVMX_TCP_SEND_DDGST: {
			struct msghdr msg = {
				.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL |
					     MSG_EOR,
			};
			struct kvec iov = {
				.iov_base = (u8 *)&treq->ddgst_wire + treq->ddgst_off,
				.iov_len = NVMX_TCP_DIGEST_LEN - treq->ddgst_off,
			};

			ret = kernel_sendmsg(queue->sock, &msg, &iov, 1,
					     iov.iov_len);
			if (ret == -EAGAIN)
				return progress;
			if (ret <= 0)
				return ret ?: -EPIPE;
			progress += ret;
			treq->ddgst_off += ret;
			if (treq->ddgst_off < NVMX_TCP_DIGEST_LEN)
				return progress;
			nvmx_tcp_data_pdu_sent(queue, treq, treq->r2t_pending);
			break;
		}
		case NVMX_TCP_SEND_DONE:
			return progress ?: 1;
		}
	}
}

/*
 * Send what the queue has: requests from queue_rq (send_list, in arrival
 * order) and answers to R2Ts (put on send_queue by the receive side).
 * Context: io_work or queue_rq (nvmx_tcp_send_now()), send_mutex held.
 * Return: > 0 progress, 0 nothing to send or the socket full, < 0 error.
 */
static int nvmx_tcp_send(struct nvmx_tcp_queue *queue)
{
	struct nvmx_tcp_request *treq, *tmp;
	struct llist_node *node;
	unsigned int noreclaim;
	int ret, progress = 0;

	lockdep_assert_held(&queue->send_mutex);
	node = llist_reverse_order(llist_del_all(&queue->send_list));
	llist_for_each_entry_safe(treq, tmp, node, lnode)
		list_add_tail(&treq->entry, &queue->send_queue);

	/* sending must not recurse into reclaim: it may be what frees memory */
	noreclaim = memalloc_noreclaim_save();
	while ((treq = list_first_entry_or_null(&queue->send_queue,
						struct nvmx_tcp_request,
						entry))) {
		ret = nvmx_tcp_send_step(queue, treq);
		if (ret < 0) {
			progress = ret;
			break;
		}
		if (treq->state != NVMX_TCP_SEND_DONE) {
			progress += ret;
			break;
		}
		list_del_init(&treq->entry);
		progress += ret;
	}
	memalloc_noreclaim_restore(noreclaim);
	return progress;
}

/* ---- receiving ---- */

/* The request a command id names, if it is one of ours in flight. */
static __always_inline struct request *
nvmx_tcp_find_rq(struct nvmx_tcp_queue *queue, u16 cid)
{
	struct blk_mq_tags *tags = READ_ONCE(queue->tags);
	struct request *rq;

	/* a queue its tag set does not have yet: none of its commands is out */
	if (!tags)
		return NULL;
	rq = blk_mq_tag_to_rq(tags, nvmx_cid_tag(cid));
	if (!rq || nvmx_req(rq)->gen != nvmx_cid_gen(cid) ||
	    blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT)
		return NULL;
	return rq;
}

static int nvmx_tcp_refuse(struct nvmx_tcp_queue *queue, enum nvmx_tcp_bad why)
{
	queue->rx_bad = why;
	queue->bad_pdus++;
	dev_err_ratelimited(&queue->ctrl->ctrl.device,
			    "qid %u: PDU type 0x%x refused: %s\n", queue->qid,
			    queue->rx_pdu[0], nvmx_tcp_bad_name(why));
	return -EPROTO;
}

/* A CapsuleResp: the command's completion. */
static int nvmx_tcp_handle_rsp(struct nvmx_tcp_queue *queue)
{
	struct nvme_completion *cqe = (void *)(queue->rx_pdu + NVMX_TCP_CH_LEN);
	struct nvmx_ctrl *ctrl = &queue->ctrl->ctrl;
	struct nvmx_tcp_request *treq;
	struct request *rq;
	u16 cid = cqe->command_id;

	if (!queue->qid && nvmx_cid_tag(cid) == NVMX_AEN_TAG) {
		/* the next event request reuses it: it must be out */
		if (queue->ctrl->async_req.state != NVMX_TCP_SEND_DONE)
			return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_EARLY);
		trace_nvmx_tcp_recv_pdu(queue, NVMX_TCP_RSP, cid, 0, 0,
					le16_to_cpu(cqe->status) >> 1);
		queue->completed++;
		nvmx_aen_complete(ctrl, cqe);
		return 0;
	}
	rq = nvmx_tcp_find_rq(queue, cid);
	if (!rq)
		return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_CID);
	treq = nvmx_tcp_req(rq);
	/* completing it would free a request the send side still holds */
	if (treq->state != NVMX_TCP_SEND_DONE)
		return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_EARLY);
	treq->req.status = le16_to_cpu(cqe->status) >> 1;
	treq->req.result = cqe->result;
	/* a successful read must have brought all its data */
	if (!treq->req.status && rq_data_dir(rq) == READ &&
	    treq->data_recvd != treq->data_len)
		return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_DATA);
	trace_nvmx_tcp_recv_pdu(queue, NVMX_TCP_RSP, cid, 0, 0,
				treq->req.status);
	if (treq->req.status)
		queue->errors++;
	queue->completed++;
	blk_mq_complete_request(rq);
	return 0;
}

/* An R2T: send that part of the command's data in H2CData PDUs. */
static int nvmx_tcp_handle_r2t(struct nvmx_tcp_queue *queue)
{
	const u8 *p = queue->rx_pdu;
	struct nvmx_tcp_request *treq;
	enum nvmx_tcp_bad why;
	struct request *rq;

	rq = nvmx_tcp_find_rq(queue, nvmx_tcp_get16(p + 8));
	if (!rq)
		return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_CID);
	treq = nvmx_tcp_req(rq);
	why = nvmx_tcp_check_r2t(nvmx_tcp_get32(p + 12), nvmx_tcp_get32(p + 16),
				 treq->data_sent,
				 rq_data_dir(rq) == WRITE ? treq->data_len : 0,
				 treq->r2t_pending ||
				 treq->state != NVMX_TCP_SEND_DONE);
	if (why)
		return nvmx_tcp_refuse(queue, why);
	trace_nvmx_tcp_recv_pdu(queue, NVMX_TCP_R2T, nvmx_tcp_get16(p + 8),
				nvmx_tcp_get32(p + 12), nvmx_tcp_get32(p + 16), 0);
	queue->r2ts++;
	treq->ttag = nvmx_tcp_get16(p + 10);
	treq->r2t_left = nvmx_tcp_get32(p + 16);
	treq->r2t_pending = true;
	if (!treq->data_sent) {
		treq->curr_bio = rq->bio;
		nvmx_tcp_init_iter(treq, ITER_SOURCE);
	}
	nvmx_tcp_build_h2c(queue, treq);
	/* the receive side holds send_mutex, which guards send_queue */
	list_add_tail(&treq->entry, &queue->send_queue);
	return 0;
}

/* A C2HData header: its data goes into the command's buffer. */
static int nvmx_tcp_handle_c2h(struct nvmx_tcp_queue *queue,
			       const struct nvmx_tcp_ch *ch)
{
	const u8 *p = queue->rx_pdu;
	struct nvmx_tcp_request *treq;
	enum nvmx_tcp_bad why;
	struct request *rq;

	rq = nvmx_tcp_find_rq(queue, nvmx_tcp_get16(p + 8));
	if (!rq)
		return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_CID);
	treq = nvmx_tcp_req(rq);
	/* data for a command not yet all sent: the controller cannot have it */
	if (treq->state != NVMX_TCP_SEND_DONE)
		return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_EARLY);
	why = nvmx_tcp_check_c2h_data(ch, &queue->rp, nvmx_tcp_get32(p + 12),
				      nvmx_tcp_get32(p + 16), treq->data_recvd,
				      rq_data_dir(rq) == READ ?
				      treq->data_len : 0);
	if (why)
		return nvmx_tcp_refuse(queue, why);
	trace_nvmx_tcp_recv_pdu(queue, NVMX_TCP_C2H_DATA, nvmx_tcp_get16(p + 8),
				nvmx_tcp_get32(p + 12), nvmx_tcp_get32(p + 16), 0);
	queue->c2h_pdus++;
	if (!treq->data_recvd) {
		treq->curr_bio = rq->bio;
		nvmx_tcp_init_iter(treq, ITER_DEST);
	}
	queue->rx_rq = rq;
	queue->rx_success = ch->flags & NVMX_TCP_F_DATA_SUCCESS;
	queue->rx_left = nvmx_tcp_get32(p + 16);
	queue->rx_ddgst = ~0;
	queue->rx_state = NVMX_TCP_RX_DATA;
	return 0;
}

/* A whole PDU header (and its digest) is in: check it, act on it. */
static int nvmx_tcp_rx_header(struct nvmx_tcp_queue *queue,
			      const struct nvmx_tcp_ch *ch)
{
	u32 hd = nvmx_tcp_hdgst_len(&queue->rp);
	int ret;

	if (ch->type == NVMX_TCP_C2H_TERM) {
		dev_err(&queue->ctrl->ctrl.device,
			"qid %u: the controller ended the connection (C2HTermReq, FES 0x%x)\n",
			queue->qid, nvmx_tcp_get16(queue->rx_pdu + 8));
		/* over now: its data (the header it refused) is of no use */
		return -ECONNRESET;
	}
	if (hd && ch->type != NVMX_TCP_ICRESP) {
		__le32 want = nvmx_tcp_digest(queue->rx_pdu, ch->hlen);

		if (memcmp(&want, queue->rx_pdu + ch->hlen, hd))
			return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_HDGST);
	}
	switch (ch->type) {
	case NVMX_TCP_RSP:
		ret = nvmx_tcp_handle_rsp(queue);
		break;
	case NVMX_TCP_R2T:
		ret = nvmx_tcp_handle_r2t(queue);
		break;
	case NVMX_TCP_C2H_DATA:
		return nvmx_tcp_handle_c2h(queue, ch);
	default:
		/* nvmx_tcp_check_ch() let no other type through */
		ret = nvmx_tcp_refuse(queue, NVMX_TCP_BAD_TYPE);
		break;
	}
	if (!ret)
		nvmx_tcp_rx_next_pdu(queue);
	return ret;
}

/*
 * Header bytes.  Every header a controller sends once the connection is
 * up is NVMX_TCP_MIN_HLEN bytes or more, so that many are taken at once
 * (the common header and the rest of a CapsuleResp, R2T or C2HData in one
 * copy); the common header is checked as soon as its 8 bytes are in, and
 * then says how many are left (a header digest).  A header that fails the
 * check is refused before anything past its common header is used.
 */
static int nvmx_tcp_rx_pdu(struct nvmx_tcp_queue *queue, struct sk_buff *skb,
			   unsigned int *offset, size_t *len)
{
	size_t n = min_t(size_t, *len, queue->rx_need - queue->rx_off);
	struct nvmx_tcp_ch ch;
	enum nvmx_tcp_bad why;
	int ret;

	ret = skb_copy_bits(skb, *offset, queue->rx_pdu + queue->rx_off, n);
	if (ret)
		return ret;
	queue->rx_off += n;
	*offset += n;
	*len -= n;
	if (queue->rx_off < NVMX_TCP_CH_LEN)
		return 0;

	nvmx_tcp_ch_decode(queue->rx_pdu, &ch);
	if (!queue->rx_ch_ok) {
		why = nvmx_tcp_check_ch(&ch, &queue->rp);
		if (why)
			return nvmx_tcp_refuse(queue, why);
		/* hlen >= NVMX_TCP_MIN_HLEN: nothing past the header was taken */
		queue->rx_need = ch.hlen;
		if (ch.flags & NVMX_TCP_F_HDGST)
			queue->rx_need += NVMX_TCP_DIGEST_LEN;
		queue->rx_ch_ok = true;
	}
	if (queue->rx_off < queue->rx_need)
		return 0;
	return nvmx_tcp_rx_header(queue, &ch);
}

/*
 * A C2HData PDU's data is in (and its digest checked).  With SUCCESS the
 * controller sends no CapsuleResp: the command completed without error.
 */
static __always_inline int nvmx_tcp_rx_data_done(struct nvmx_tcp_queue *queue)
{
	struct request *rq = queue->rx_rq;

	if (queue->rx_success) {
		struct nvmx_tcp_request *treq = nvmx_tcp_req(rq);

		/* success for a read not all of whose data came */
		if (treq->data_recvd != treq->data_len)
			return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_DATA);
		treq->req.status = 0;
		treq->req.result.u64 = 0;
		queue->completed++;
		blk_mq_complete_request(rq);
	}
	nvmx_tcp_rx_next_pdu(queue);
	return 0;
}

/*
 * Add @n bytes of @skb from @offset to the data digest being received
 * (its own function: the bounce buffer's zeroing and the stack protector
 * stay off the path that has no digests).
 */
static noinline int nvmx_tcp_rx_ddgst_update(struct nvmx_tcp_queue *queue,
					     struct sk_buff *skb,
					     unsigned int offset, size_t n)
{
	u8 buf[128];
	size_t done, k;
	int ret;

	for (done = 0; done < n; done += k) {
		k = min_t(size_t, n - done, sizeof(buf));
		ret = skb_copy_bits(skb, offset + done, buf, k);
		if (ret)
			return ret;
		queue->rx_ddgst = crc32c(queue->rx_ddgst, buf, k);
	}
	return 0;
}

/* C2HData payload, into the request's pages; the digest over it. */
static __always_inline int nvmx_tcp_rx_data(struct nvmx_tcp_queue *queue,
					    struct sk_buff *skb,
					    unsigned int *offset, size_t *len)
{
	struct nvmx_tcp_request *treq = nvmx_tcp_req(queue->rx_rq);
	size_t n = min_t(size_t, *len, queue->rx_left);
	int ret;

	n = min_t(size_t, n, iov_iter_count(&treq->iter));
	/* the PDU checks keep data within the request: never here */
	if (WARN_ON_ONCE(!n))
		return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_DATA);
	if (queue->rp.ddgst) {
		ret = nvmx_tcp_rx_ddgst_update(queue, skb, *offset, n);
		if (ret)
			return ret;
	}
	ret = skb_copy_datagram_iter(skb, *offset, &treq->iter, n);
	if (ret)
		return ret;
	/* the copy advanced the iterator: on to the next bio if this one is full */
	if (!iov_iter_count(&treq->iter))
		nvmx_tcp_next_bio(treq, ITER_DEST);
	*offset += n;
	*len -= n;
	queue->rx_left -= n;
	treq->data_recvd += n;
	if (queue->rx_left)
		return 0;
	if (queue->rp.ddgst) {
		queue->rx_ddgst_off = 0;
		queue->rx_state = NVMX_TCP_RX_DDGST;
		return 0;
	}
	return nvmx_tcp_rx_data_done(queue);
}

/* The data digest after a C2HData PDU's data. */
static int nvmx_tcp_rx_ddgst(struct nvmx_tcp_queue *queue, struct sk_buff *skb,
			     unsigned int *offset, size_t *len)
{
	size_t n = min_t(size_t, *len,
			 NVMX_TCP_DIGEST_LEN - queue->rx_ddgst_off);
	int ret;

	ret = skb_copy_bits(skb, *offset,
			    (u8 *)&queue->rx_ddgst_wire + queue->rx_ddgst_off, n);
	if (ret)
		return ret;
	queue->rx_ddgst_off += n;
	*offset += n;
	*len -= n;
	if (queue->rx_ddgst_off < NVMX_TCP_DIGEST_LEN)
		return 0;
	if (queue->rx_ddgst_wire != cpu_to_le32(~queue->rx_ddgst))
		return nvmx_tcp_refuse(queue, NVMX_TCP_BAD_DDGST);
	return nvmx_tcp_rx_data_done(queue);
}

/*
 * tcp_read_sock()'s actor: everything @skb has from @offset goes through
 * the receive state machine.  Return: bytes consumed, or a negative errno
 * after which the socket is read no more (desc->count 0).
 */
static int nvmx_tcp_recv_skb(read_descriptor_t *desc, struct sk_buff *skb,
			     unsigned int offset, size_t len)
{
	struct nvmx_tcp_queue *queue = desc->arg.data;
	size_t consumed = len;
	int ret = 0;

	while (len && !ret) {
		switch (queue->rx_state) {
		case NVMX_TCP_RX_PDU:
			ret = nvmx_tcp_rx_pdu(queue, skb, &offset, &len);
			break;
		case NVMX_TCP_RX_DATA:
			ret = nvmx_tcp_rx_data(queue, skb, &offset, &len);
			break;
		case NVMX_TCP_RX_DDGST:
			ret = nvmx_tcp_rx_ddgst(queue, skb, &offset, &len);
			break;
		}
	}
	if (ret) {
		queue->rx_error = ret;
		desc->count = 0;
		return ret;
	}
	return consumed;
}

/* Read what the socket has.  Return: > 0 progress, 0 none, < 0 error. */
static int nvmx_tcp_recv(struct nvmx_tcp_queue *queue)
{
	struct sock *sk = queue->sock->sk;
	read_descriptor_t rd = {
		.arg.data = queue,
		.count = 1,
	};
	int ret;

	lockdep_assert_held(&queue->send_mutex);
	lock_sock(sk);
	ret = tcp_read_sock(sk, &rd, nvmx_tcp_recv_skb);
	release_sock(sk);
	if (queue->rx_error)
		return queue->rx_error;
	return ret;
}

/* ---- the queue's work ---- */

/*
 * A connection error: no more sending or receiving on this queue; the
 * controller's recovery (a reset: reconnect, requests sent again) takes
 * over.
 */
static void nvmx_tcp_queue_error(struct nvmx_tcp_queue *queue, int err)
{
	struct nvmx_ctrl *ctrl = &queue->ctrl->ctrl;

	if (!test_and_clear_bit(NVMX_TCP_Q_LIVE, &queue->flags))
		return;
	dev_warn(&ctrl->device, "qid %u: connection error (%d), recovering\n",
		 queue->qid, err);
	if (!nvmx_schedule_reset(ctrl)) {
		/* the connections this queue belonged to */
		WRITE_ONCE(queue->ctrl->err_gen, READ_ONCE(ctrl->disable_gen));
		queue_work(nvmx_tcp_ctl_wq, &queue->ctrl->err_work);
	}
}

/* Anything for the send pass, queued or part sent. */
static bool nvmx_tcp_send_waiting(struct nvmx_tcp_queue *queue)
{
	return !llist_empty(&queue->send_list) ||
	       !list_empty(&queue->send_queue);
}

/*
 * io_work's hold on send_mutex for a pass: it never waits for it, since
 * the holder may be any task submitting on the queue.  Finding it held,
 * the work leaves NVMX_TCP_Q_WORK_WANTED and tries once more; the holder
 * (nvmx_tcp_send_now()) tests the flag after letting go and queues the
 * work again.  The barrier here and the fully ordered test_and_clear_bit()
 * there see to it that either this second try finds the mutex free or
 * the holder finds the flag.
 */
static bool nvmx_tcp_work_lock(struct nvmx_tcp_queue *queue)
{
	if (mutex_trylock(&queue->send_mutex))
		return true;
	set_bit(NVMX_TCP_Q_WORK_WANTED, &queue->flags);
	/* pairs with test_and_clear_bit() in nvmx_tcp_send_now() */
	smp_mb__after_atomic();
	if (!mutex_trylock(&queue->send_mutex))
		return false;
	clear_bit(NVMX_TCP_Q_WORK_WANTED, &queue->flags);
	return true;
}

/*
 * Send and receive until neither makes progress, for at most a
 * millisecond at a time; the socket callbacks queue the work again.
 * Each pass holds send_mutex (nvmx_tcp_work_lock()).
 */
void nvmx_tcp_io_work(struct work_struct *work)
{
	struct nvmx_tcp_queue *queue =
		container_of(work, struct nvmx_tcp_queue, io_work);
	unsigned long deadline = jiffies + msecs_to_jiffies(1);
	bool progress;
	int ret;

	do {
		progress = false;
		if (!test_bit(NVMX_TCP_Q_ALLOCATED, &queue->flags))
			return;
		if (!nvmx_tcp_work_lock(queue))
			return;
		/*
		 * Nothing to send: no pass.  A request added after this look
		 * sends itself or queues the work again (queue_rq for the last
		 * request of a batch, commit_rqs for a batch cut short,
		 * send_async), and the work then sees it; the receive side's
		 * answers to R2Ts are progress, which brings the loop back
		 * here.
		 */
		if (nvmx_tcp_send_waiting(queue)) {
			ret = nvmx_tcp_send(queue);
			if (ret < 0)
				goto error;
			progress |= ret > 0;
		}
		ret = nvmx_tcp_recv(queue);
		if (!ret && test_bit(NVMX_TCP_Q_CLOSED, &queue->flags))
			ret = -ECONNRESET;
		if (ret < 0)
			goto error;
		mutex_unlock(&queue->send_mutex);
		progress |= ret > 0;
	} while (progress && !time_after(jiffies, deadline));
	if (progress)
		queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
	return;

error:
	mutex_unlock(&queue->send_mutex);
	nvmx_tcp_queue_error(queue, ret);
}

/*
 * queue_rq's sending, for a lone request (the last of its batch, which
 * found the queue's send_list empty: a batch of one): it goes out from
 * the submitting task when nobody else is sending or receiving on the
 * queue and nothing else is part sent (no wake up of the work item, no
 * switch to it); otherwise, or when the socket takes less than all of
 * it, the work item sends.  nvme-tcp does this only on its queue's CPU;
 * nvmx-tcp's work runs on whichever CPU queues it, and any CPU may send
 * here.  The tag sets are BLK_MQ_F_BLOCKING (nvmx_tcp_ops.blocking):
 * sending may sleep in lock_sock().  The receive side shares the mutex
 * (it answers R2Ts and checks the sending state), so while a submitter
 * sends, completions on the queue wait for it: one send pass, which
 * never waits for socket space.  A queue stopped meanwhile has no socket:
 * its stop took send_mutex after clearing NVMX_TCP_Q_ALLOCATED, and
 * throws the lists away.
 */
static void nvmx_tcp_send_now(struct nvmx_tcp_queue *queue)
{
	bool more = true;
	int ret = 0;

	if (!mutex_trylock(&queue->send_mutex)) {
		queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
		return;
	}
	if (unlikely(!test_bit(NVMX_TCP_Q_ALLOCATED, &queue->flags))) {
		mutex_unlock(&queue->send_mutex);
		return;
	}
	/* other requests' PDUs, part sent or answering R2Ts: the work's */
	if (list_empty(&queue->send_queue)) {
		ret = nvmx_tcp_send(queue);
		more = nvmx_tcp_send_waiting(queue);
	}
	mutex_unlock(&queue->send_mutex);
	/* the work found the mutex held meanwhile (nvmx_tcp_work_lock()) */
	if (test_and_clear_bit(NVMX_TCP_Q_WORK_WANTED, &queue->flags))
		more = true;
	if (unlikely(ret < 0))
		nvmx_tcp_queue_error(queue, ret);
	else if (more)
		queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
}

/* ---- blk-mq ---- */

/*
 * The command's data pointer: one SGL descriptor, in the capsule (a write
 * small enough) or the transport's data block (R2T and H2CData for a
 * write, C2HData for a read); PSDT says SGL, as fabrics requires.
 */
static void nvmx_tcp_set_sgl(struct nvmx_tcp_queue *queue,
			     struct nvmx_tcp_request *treq, bool in_capsule)
{
	struct nvme_sgl_desc *sg = &treq->req.cmd.common.dptr.sgl;

	treq->req.cmd.common.flags |= NVME_CMD_SGL_METABUF;
	sg->addr = 0;
	sg->length = cpu_to_le32(treq->data_len);
	sg->type = in_capsule ?
		   (NVME_SGL_FMT_DATA_DESC << 4) | NVME_SGL_FMT_OFFSET :
		   (NVME_TRANSPORT_SGL_DATA_DESC << 4) | NVME_SGL_FMT_TRANSPORT_A;
}

/*
 * Build the command capsule's header (and digest): in the slot of @tag in
 * the queue's header pages, or in treq->hdr for a command without one.
 */
static void nvmx_tcp_build_cmd(struct nvmx_tcp_queue *queue,
			       struct nvmx_tcp_request *treq, u32 tag,
			       u32 inline_len)
{
	u32 hd = queue->rp.hdgst ? NVMX_TCP_DIGEST_LEN : 0;
	u32 dd = queue->rp.ddgst && inline_len ? NVMX_TCP_DIGEST_LEN : 0;
	u8 flags = (hd ? NVMX_TCP_F_HDGST : 0) | (dd ? NVMX_TCP_F_DDGST : 0);
	u8 *h = treq->hdr;

	if (likely(tag < queue->nr_cmd_hdrs))
		h = queue->cmd_hdrs[tag / NVMX_TCP_HDR_PER_PAGE] +
		    tag % NVMX_TCP_HDR_PER_PAGE * NVMX_TCP_HDR_SLOT;
	nvmx_tcp_ch_encode(h, NVMX_TCP_CMD, flags, NVMX_TCP_CMD_HLEN,
			   inline_len ? NVMX_TCP_CMD_HLEN + hd : 0,
			   NVMX_TCP_CMD_HLEN + hd + inline_len + dd);
	memcpy(h + NVMX_TCP_CH_LEN, &treq->req.cmd, sizeof(treq->req.cmd));
	if (hd) {
		__le32 d = nvmx_tcp_digest(h, NVMX_TCP_CMD_HLEN);

		memcpy(h + NVMX_TCP_CMD_HLEN, &d, hd);
	}
	treq->tx_hdr = h;
	treq->hdr_len = NVMX_TCP_CMD_HLEN + hd;
	treq->hdr_off = 0;
	treq->pdu_left = inline_len;
	treq->ddgst = ~0;
	treq->state = NVMX_TCP_SEND_CMD;
}

static blk_status_t nvmx_tcp_queue_rq(struct blk_mq_hw_ctx *hctx,
				      const struct blk_mq_queue_data *bd)
{
	struct nvmx_tcp_queue *queue = hctx->driver_data;
	struct request *rq = bd->rq;
	struct nvmx_tcp_request *treq = nvmx_tcp_req(rq);
	bool in_capsule, first;
	blk_status_t ret;

	/* pairs with the barrier before set_bit(LIVE): the queue is ready */
	if (unlikely(!test_bit_acquire(NVMX_TCP_Q_LIVE, &queue->flags)))
		return nvmx_queue_not_live(&queue->ctrl->ctrl, queue->qid, rq);
	/*
	 * Where its completion will look the command id up: the tags of the
	 * hardware context that sends it.  A context a queue count change
	 * added got its tags after init_hctx ran (6.1).
	 */
	if (unlikely(READ_ONCE(queue->tags) != hctx->tags))
		WRITE_ONCE(queue->tags, hctx->tags);

	treq->req.status = 0;
	nvmx_start_rq(rq);
	ret = nvmx_setup_cmd(rq);
	if (ret)
		return ret;
	treq->queue = queue;
	treq->data_len = blk_rq_nr_phys_segments(rq) ?
			 blk_rq_payload_bytes(rq) : 0;
	treq->data_sent = 0;
	treq->data_recvd = 0;
	treq->r2t_left = 0;
	treq->r2t_pending = false;
	treq->curr_bio = rq->bio;
	in_capsule = rq_data_dir(rq) == WRITE &&
		     nvmx_tcp_inline(treq->data_len, queue->inline_max);
	if (in_capsule)
		nvmx_tcp_init_iter(treq, ITER_SOURCE);
	nvmx_tcp_set_sgl(queue, treq, in_capsule);
	treq->req.gen = nvmx_gen_next(treq->req.gen);
	treq->req.cmd.common.command_id = nvmx_cid_make(rq->tag, treq->req.gen);
	nvmx_tcp_build_cmd(queue, treq, rq->tag,
			   in_capsule ? treq->data_len : 0);
	trace_nvmx_tcp_cmd(queue, &treq->req.cmd, treq->data_len,
			   in_capsule ? treq->data_len : 0);
	blk_mq_start_request(rq);
	first = llist_add(&treq->lnode, &queue->send_list);
	if (bd->last) {
		if (first)
			nvmx_tcp_send_now(queue);
		else
			queue_work_on(queue->io_cpu, nvmx_tcp_wq,
				      &queue->io_work);
	}
	return BLK_STS_OK;
}

/**
 * nvmx_tcp_send_async() - send the Asynchronous Event Request
 * @queue: the admin queue, live
 * @treq: the controller's event request: not a blk-mq request, no data
 *
 * Its command id is NVMX_AEN_TAG, which no blk-mq tag of the admin queue
 * uses; its completion goes to the core (nvmx_tcp_handle_rsp()).
 *
 * Context: the caller holds shutdown_lock and has tested the queue live.
 */
void nvmx_tcp_send_async(struct nvmx_tcp_queue *queue,
			 struct nvmx_tcp_request *treq)
{
	memset(&treq->req.cmd, 0, sizeof(treq->req.cmd));
	treq->req.cmd.common.opcode = nvme_admin_async_event;
	treq->req.cmd.common.command_id = NVMX_AEN_TAG;
	treq->queue = queue;
	treq->data_len = 0;
	treq->data_sent = 0;
	treq->r2t_left = 0;
	treq->r2t_pending = false;
	treq->curr_bio = NULL;
	nvmx_tcp_set_sgl(queue, treq, false);
	nvmx_tcp_build_cmd(queue, treq, U32_MAX, 0);
	llist_add(&treq->lnode, &queue->send_list);
	queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
}

static void nvmx_tcp_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct nvmx_tcp_queue *queue = hctx->driver_data;

	queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
}

static void nvmx_tcp_complete_rq(struct request *rq)
{
	nvmx_cleanup_cmd(rq);
	nvmx_complete_rq(rq);
}

/*
 * A command timed out.  Abort is no use (nvmet's does nothing): the
 * connections are torn down and the controller reconnected, and the
 * request, counted as timed out, is sent again by the reset's
 * cancellation until its retries run out.  While the controller is not
 * live (a reset's own commands) the controller is disabled at once, which
 * ends the request, and the reset that waits for it decides; an I/O
 * request that a reset sent again waits for that reset.
 */
static enum blk_eh_timer_return nvmx_tcp_timeout(struct request *rq)
{
	struct nvmx_tcp_request *treq = nvmx_tcp_req(rq);
	struct nvmx_tcp_queue *queue = treq->queue;
	struct nvmx_ctrl *ctrl = &queue->ctrl->ctrl;
	enum nvmx_ctrl_state state = READ_ONCE(ctrl->state);

	dev_warn(&ctrl->device, "qid %u: command id 0x%x (opcode 0x%02x) timed out\n",
		 queue->qid, treq->req.cmd.common.command_id,
		 treq->req.cmd.common.opcode);
	nvmx_req_timed_out(rq);
	if (state == NVMX_CTRL_LIVE) {
		nvmx_schedule_reset(ctrl);
		return BLK_EH_RESET_TIMER;
	}
	if (queue->qid && state == NVMX_CTRL_RESETTING)
		return BLK_EH_RESET_TIMER;
	nvmx_tcp_disable(ctrl, false);
	return BLK_EH_DONE;
}

static int nvmx_tcp_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			      unsigned int hctx_idx)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(data);
	struct nvmx_tcp_queue *queue = &tctrl->queues[hctx_idx + 1];

	hctx->driver_data = queue;
	WRITE_ONCE(queue->tags, hctx->tags);
	return 0;
}

static int nvmx_tcp_init_admin_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				    unsigned int hctx_idx)
{
	struct nvmx_tcp_ctrl *tctrl = to_tcp_ctrl(data);

	hctx->driver_data = &tctrl->queues[0];
	WRITE_ONCE(tctrl->queues[0].tags, hctx->tags);
	return 0;
}

const struct blk_mq_ops nvmx_tcp_admin_mq_ops = {
	.queue_rq	= nvmx_tcp_queue_rq,
	.commit_rqs	= nvmx_tcp_commit_rqs,
	.complete	= nvmx_tcp_complete_rq,
	.init_hctx	= nvmx_tcp_init_admin_hctx,
	.timeout	= nvmx_tcp_timeout,
};

const struct blk_mq_ops nvmx_tcp_mq_ops = {
	.queue_rq	= nvmx_tcp_queue_rq,
	.commit_rqs	= nvmx_tcp_commit_rqs,
	.complete	= nvmx_tcp_complete_rq,
	.init_hctx	= nvmx_tcp_init_hctx,
	.timeout	= nvmx_tcp_timeout,
};
