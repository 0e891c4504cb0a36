// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx NVMe/TCP transport: a queue's connection.  The socket, its
 * options, the connection's handshake (ICReq/ICResp, then Connect, both
 * sent and read here before the queue takes requests), the socket
 * callbacks, and stopping it.
 */
#include <linux/crc32c.h>
#include <linux/inet.h>
#include <linux/sched/mm.h>
#include <net/tcp.h>

#include "tcp.h"

#define NVMX_TCP_HANDSHAKE_TMO	(10 * HZ)

#ifdef CONFIG_DEBUG_LOCK_ALLOC
/*
 * A lockdep class of its own for nvmx's sockets: they are used from
 * reclaim and writeback (a swap or root device over NVMe/TCP), user
 * sockets from code that takes mmap_lock and filesystem locks; in one
 * class lockdep sees a cycle through the socket lock that cannot happen.
 */
static struct lock_class_key nvmx_tcp_sk_key[2];
static struct lock_class_key nvmx_tcp_slock_key[2];

static void nvmx_tcp_reclassify(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (WARN_ON_ONCE(!sock_allow_reclassification(sk)))
		return;
	switch (sk->sk_family) {
	case AF_INET:
		sock_lock_init_class_and_name(sk, "slock-AF_INET-NVMX",
					      &nvmx_tcp_slock_key[0],
					      "sk_lock-AF_INET-NVMX",
					      &nvmx_tcp_sk_key[0]);
		break;
	case AF_INET6:
		sock_lock_init_class_and_name(sk, "slock-AF_INET6-NVMX",
					      &nvmx_tcp_slock_key[1],
					      "sk_lock-AF_INET6-NVMX",
					      &nvmx_tcp_sk_key[1]);
		break;
	}
}
#else
static void nvmx_tcp_reclassify(struct socket *sock) { }
#endif

/* ---- socket callbacks: they only wake io_work ---- */

static void nvmx_tcp_data_ready(struct sock *sk)
{
	struct nvmx_tcp_queue *queue;

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	if (queue && test_bit(NVMX_TCP_Q_ALLOCATED, &queue->flags))
		queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void nvmx_tcp_write_space(struct sock *sk)
{
	struct nvmx_tcp_queue *queue;

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	if (queue && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/* The peer closing: io_work finds the socket gone and recovers. */
static void nvmx_tcp_state_change(struct sock *sk)
{
	struct nvmx_tcp_queue *queue;
	void (*orig)(struct sock *sk);

	read_lock_bh(&sk->sk_callback_lock);
	queue = sk->sk_user_data;
	if (!queue) {
		read_unlock_bh(&sk->sk_callback_lock);
		return;
	}
	orig = queue->state_change;
	if (sk->sk_state != TCP_ESTABLISHED) {
		set_bit(NVMX_TCP_Q_CLOSED, &queue->flags);
		queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
	orig(sk);
}

static void nvmx_tcp_set_callbacks(struct nvmx_tcp_queue *queue)
{
	struct sock *sk = queue->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = queue;
	queue->state_change = sk->sk_state_change;
	queue->data_ready = sk->sk_data_ready;
	queue->write_space = sk->sk_write_space;
	sk->sk_data_ready = nvmx_tcp_data_ready;
	sk->sk_write_space = nvmx_tcp_write_space;
	sk->sk_state_change = nvmx_tcp_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void nvmx_tcp_restore_callbacks(struct nvmx_tcp_queue *queue)
{
	struct sock *sk = queue->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = queue->data_ready;
	sk->sk_write_space = queue->write_space;
	sk->sk_state_change = queue->state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* ---- the handshake, synchronous, before the callbacks are ours ---- */

static int nvmx_tcp_send_all(struct socket *sock, void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | MSG_EOR };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int ret;

	ret = kernel_sendmsg(sock, &msg, &iov, 1, len);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EPIPE;
}

static int nvmx_tcp_recv_all(struct socket *sock, void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_WAITALL };
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int ret;

	ret = kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_WAITALL);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -ECONNRESET;
}

/* ICReq, then the controller's ICResp: the connection's parameters. */
static int nvmx_tcp_init_connection(struct nvmx_tcp_queue *queue)
{
	struct nvmx_tcp_ctrl *tctrl = queue->ctrl;
	struct device *dev = &tctrl->ctrl.device;
	struct nvmx_tcp_rx_params init = { };
	struct nvmx_tcp_ch ch;
	enum nvmx_tcp_bad why;
	u8 *pdu;
	int ret;

	pdu = kzalloc(NVMX_TCP_IC_LEN, GFP_KERNEL);
	if (!pdu)
		return -ENOMEM;
	nvmx_tcp_ch_encode(pdu, NVMX_TCP_ICREQ, 0, NVMX_TCP_IC_LEN, 0,
			   NVMX_TCP_IC_LEN);
	nvmx_tcp_put16(pdu + 8, NVMX_TCP_PFV_1_0);
	pdu[10] = 0;		/* HPDA: no alignment asked */
	pdu[11] = (tctrl->opts.hdr_digest ? NVMX_TCP_IC_HDGST : 0) |
		  (tctrl->opts.data_digest ? NVMX_TCP_IC_DDGST : 0);
	nvmx_tcp_put32(pdu + 12, 0);	/* MAXR2T: one at a time */
	ret = nvmx_tcp_send_all(queue->sock, pdu, NVMX_TCP_IC_LEN);
	if (ret)
		goto out;

	memset(pdu, 0, NVMX_TCP_IC_LEN);
	ret = nvmx_tcp_recv_all(queue->sock, pdu, NVMX_TCP_IC_LEN);
	if (ret)
		goto out;
	nvmx_tcp_ch_decode(pdu, &ch);
	why = nvmx_tcp_check_ch(&ch, &init);
	if (!why && ch.type != NVMX_TCP_ICRESP)
		why = NVMX_TCP_BAD_TYPE;
	if (!why)
		why = nvmx_tcp_check_icresp(nvmx_tcp_get16(pdu + 8), pdu[10],
					    pdu[11], nvmx_tcp_get32(pdu + 12),
					    tctrl->opts.hdr_digest,
					    tctrl->opts.data_digest);
	if (why) {
		dev_err(dev, "qid %u: ICResp refused: %s (type 0x%x, pfv %u, cpda %u, digests 0x%x, maxdata %u)\n",
			queue->qid, nvmx_tcp_bad_name(why), ch.type,
			nvmx_tcp_get16(pdu + 8), pdu[10], pdu[11],
			nvmx_tcp_get32(pdu + 12));
		ret = -EPROTO;
		goto out;
	}
	queue->rp.hdgst = tctrl->opts.hdr_digest;
	queue->rp.ddgst = tctrl->opts.data_digest;
	queue->rp.ic_done = true;
	queue->maxh2cdata = nvmx_tcp_get32(pdu + 12);
out:
	kfree(pdu);
	return ret;
}

/*
 * Connect, the connection's first command: capsule with the 1024 bytes
 * of data in it, then its CapsuleResp, both on the bare socket.
 */
static int nvmx_tcp_connect_queue(struct nvmx_tcp_queue *queue, u16 *cntlid)
{
	struct nvmx_tcp_ctrl *tctrl = queue->ctrl;
	u32 hd = queue->rp.hdgst ? NVMX_TCP_DIGEST_LEN : 0;
	u32 dd = queue->rp.ddgst ? NVMX_TCP_DIGEST_LEN : 0;
	u32 dlen = sizeof(struct nvmf_connect_data);
	struct nvmx_connect_params c = {
		.hostnqn = tctrl->opts.hostnqn,
		.subnqn = tctrl->opts.nqn,
		.sqsize = queue->sqsize,
		.kato = tctrl->opts.kato,
	};
	struct nvme_command *cmd;
	struct nvmx_tcp_ch ch;
	enum nvmx_tcp_bad why;
	size_t len;
	__le32 d;
	u8 *pdu;
	int ret;

	len = NVMX_TCP_CMD_HLEN + hd + dlen + dd;
	pdu = kzalloc(len, GFP_KERNEL);
	if (!pdu)
		return -ENOMEM;
	uuid_copy(&c.hostid, &tctrl->hostid);
	cmd = (struct nvme_command *)(pdu + NVMX_TCP_CH_LEN);
	nvmx_connect_prep(cmd, (void *)(pdu + NVMX_TCP_CMD_HLEN + hd), &c,
			  queue->qid, *cntlid);
	cmd->common.flags = NVME_CMD_SGL_METABUF;
	cmd->common.dptr.sgl.length = cpu_to_le32(dlen);
	cmd->common.dptr.sgl.type = (NVME_SGL_FMT_DATA_DESC << 4) |
				    NVME_SGL_FMT_OFFSET;
	nvmx_tcp_ch_encode(pdu, NVMX_TCP_CMD,
			   (hd ? NVMX_TCP_F_HDGST : 0) | (dd ? NVMX_TCP_F_DDGST : 0),
			   NVMX_TCP_CMD_HLEN, NVMX_TCP_CMD_HLEN + hd, len);
	if (hd) {
		d = cpu_to_le32(~crc32c(~0, pdu, NVMX_TCP_CMD_HLEN));
		memcpy(pdu + NVMX_TCP_CMD_HLEN, &d, hd);
	}
	if (dd) {
		d = cpu_to_le32(~crc32c(~0, pdu + NVMX_TCP_CMD_HLEN + hd, dlen));
		memcpy(pdu + NVMX_TCP_CMD_HLEN + hd + dlen, &d, dd);
	}
	ret = nvmx_tcp_send_all(queue->sock, pdu, len);
	if (ret)
		goto out;

	len = NVMX_TCP_RSP_HLEN + hd;
	ret = nvmx_tcp_recv_all(queue->sock, pdu, NVMX_TCP_CH_LEN);
	if (ret)
		goto out;
	nvmx_tcp_ch_decode(pdu, &ch);
	why = nvmx_tcp_check_ch(&ch, &queue->rp);
	if (!why && ch.type != NVMX_TCP_RSP)
		why = NVMX_TCP_BAD_TYPE;
	if (!why) {
		ret = nvmx_tcp_recv_all(queue->sock, pdu + NVMX_TCP_CH_LEN,
					len - NVMX_TCP_CH_LEN);
		if (ret)
			goto out;
		d = cpu_to_le32(~crc32c(~0, pdu, NVMX_TCP_RSP_HLEN));
		if (hd && memcmp(&d, pdu + NVMX_TCP_RSP_HLEN, hd))
			why = NVMX_TCP_BAD_HDGST;
	}
	if (why) {
		dev_err(&tctrl->ctrl.device, "qid %u: answer to Connect refused: %s (type 0x%x)\n",
			queue->qid, nvmx_tcp_bad_name(why), ch.type);
		ret = -EPROTO;
		goto out;
	}
	ret = nvmx_connect_done(&tctrl->ctrl, queue->qid,
				(void *)(pdu + NVMX_TCP_CH_LEN), cntlid);
	if (ret > 0)
		ret = -EIO;
out:
	kfree(pdu);
	return ret;
}

/* The pages of the queue's command capsule header slots. */
static unsigned int nvmx_tcp_cmd_hdr_pages(struct nvmx_tcp_queue *queue)
{
	return DIV_ROUND_UP(queue->nr_cmd_hdrs, NVMX_TCP_HDR_PER_PAGE);
}

/*
 * The queue's pages of command capsule headers (tcp.h), a slot for every
 * tag its hardware context can have: the admin tags below the AER's, the
 * I/O tags below the depth asked for (the tag set's may be smaller, capped
 * by CAP.MQES).  They live as long as the controller, as a PCIe queue's
 * rings do: a reconnect allocates none unless a closed connection still
 * holds one (nvmx_tcp_renew_cmd_hdrs()).
 */
int nvmx_tcp_alloc_cmd_hdrs(struct nvmx_tcp_queue *queue, u32 tags)
{
	unsigned int i;

	queue->cmd_hdrs = kcalloc(DIV_ROUND_UP(tags, NVMX_TCP_HDR_PER_PAGE),
				  sizeof(*queue->cmd_hdrs), GFP_KERNEL);
	if (!queue->cmd_hdrs)
		return -ENOMEM;
	queue->nr_cmd_hdrs = tags;
	for (i = 0; i < nvmx_tcp_cmd_hdr_pages(queue); i++) {
		queue->cmd_hdrs[i] = (u8 *)__get_free_page(GFP_KERNEL);
		if (!queue->cmd_hdrs[i]) {
			nvmx_tcp_free_cmd_hdrs(queue);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Drop the queue's reference on its header pages: one that a socket
 * still holds (a header not yet acknowledged, or not yet read by a
 * loopback receiver) stays until it lets go.  Idempotent.
 */
void nvmx_tcp_free_cmd_hdrs(struct nvmx_tcp_queue *queue)
{
	unsigned int i;

	for (i = 0; i < nvmx_tcp_cmd_hdr_pages(queue); i++)
		free_page((unsigned long)queue->cmd_hdrs[i]);
	kfree(queue->cmd_hdrs);
	queue->cmd_hdrs = NULL;
	queue->nr_cmd_hdrs = 0;
}

/*
 * Before a new connection: a header page that a closed connection's
 * socket (or, on loopback, the target) still holds is left to it with its
 * bytes, and the queue takes a new one, so that no command of the new
 * connection is written over a header the old one may still deliver.
 */
static int nvmx_tcp_renew_cmd_hdrs(struct nvmx_tcp_queue *queue)
{
	unsigned int i;

	for (i = 0; i < nvmx_tcp_cmd_hdr_pages(queue); i++) {
		u8 *old = queue->cmd_hdrs[i], *new;

		if (page_count(virt_to_page(old)) == 1)
			continue;
		new = (u8 *)__get_free_page(GFP_KERNEL);
		if (!new)
			return -ENOMEM;
		queue->cmd_hdrs[i] = new;
		free_page((unsigned long)old);
	}
	return 0;
}

/**
 * nvmx_tcp_start_queue() - connect a queue
 * @tctrl: the controller
 * @qid: the queue; 0 the admin queue, whose Connect gives @cntlid
 * @cntlid: the controller id (set by qid 0, used by the others)
 *
 * Header pages a closed connection still holds replaced; a socket to the
 * controller, its options, the handshake, Connect; then the callbacks are
 * the queue's and io_work may run.  The caller makes the queue live.
 *
 * Context: the reset work.  Return: 0 or a negative errno.
 */
int nvmx_tcp_start_queue(struct nvmx_tcp_ctrl *tctrl, u16 qid, u16 *cntlid)
{
	struct nvmx_tcp_queue *queue = &tctrl->queues[qid];
	struct sock *sk;
	int ret;

	ret = nvmx_tcp_renew_cmd_hdrs(queue);
	if (ret)
		return ret;
	ret = sock_create_kern(&init_net, tctrl->addr.ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &queue->sock);
	if (ret) {
		dev_err(&tctrl->ctrl.device, "qid %u: no socket (%d)\n", qid, ret);
		return ret;
	}
	sk = queue->sock->sk;
	nvmx_tcp_reclassify(queue->sock);
	tcp_sock_set_syncnt(sk, 1);		/* one SYN retry: fail fast */
	tcp_sock_set_nodelay(sk);
	sock_no_linger(sk);			/* no stale data after a close */
	sk->sk_rcvtimeo = NVMX_TCP_HANDSHAKE_TMO;
	sk->sk_sndtimeo = NVMX_TCP_HANDSHAKE_TMO;
	/*
	 * The socket allocates in softirq and on behalf of writeback: atomic
	 * allocations, no per-task page fragment (the sender may be any task,
	 * already inside a socket call), and the reserves when memory is low.
	 */
	sk->sk_allocation = GFP_ATOMIC;
	sk->sk_use_task_frag = false;
	sk_set_memalloc(sk);

	ret = kernel_connect(queue->sock, (struct sockaddr *)&tctrl->addr,
			     sizeof(tctrl->addr), 0);
	if (ret) {
		dev_err(&tctrl->ctrl.device, "qid %u: cannot connect to %s:%s (%d)\n",
			qid, tctrl->opts.traddr, tctrl->opts.trsvcid, ret);
		goto release;
	}
	ret = nvmx_tcp_init_connection(queue);
	if (ret)
		goto shutdown;
	ret = nvmx_tcp_connect_queue(queue, cntlid);
	if (ret)
		goto shutdown;

	queue->inline_max = qid ? tctrl->inline_max : NVMX_TCP_ADMIN_INLINE;
	INIT_LIST_HEAD(&queue->send_queue);
	init_llist_head(&queue->send_list);
	queue->rx_error = 0;
	nvmx_tcp_rx_next_pdu(queue);
	clear_bit(NVMX_TCP_Q_CLOSED, &queue->flags);
	clear_bit(NVMX_TCP_Q_WORK_WANTED, &queue->flags);
	mutex_lock(&queue->stop_lock);
	set_bit(NVMX_TCP_Q_ALLOCATED, &queue->flags);
	nvmx_tcp_set_callbacks(queue);
	mutex_unlock(&queue->stop_lock);
	/* anything that arrived meanwhile */
	queue_work_on(queue->io_cpu, nvmx_tcp_wq, &queue->io_work);
	return 0;

shutdown:
	kernel_sock_shutdown(queue->sock, SHUT_RDWR);
release:
	/* the reserves' count is global: a socket gone must give it back */
	lock_sock(sk);
	sk_clear_memalloc(sk);
	release_sock(sk);
	sock_release(queue->sock);
	queue->sock = NULL;
	return ret;
}

/**
 * nvmx_tcp_stop_queue() - close a queue's connection
 * @queue: the queue
 *
 * Nothing is sent or received on it afterwards; its requests stay for the
 * disable's cancellation.  Idempotent.
 *
 * Context: process context (disable, a timeout while not live); takes
 * the queue's stop_lock.
 */
void nvmx_tcp_stop_queue(struct nvmx_tcp_queue *queue)
{
	unsigned int noreclaim;

	/* a second caller returns once the first has stopped it */
	mutex_lock(&queue->stop_lock);
	clear_bit(NVMX_TCP_Q_LIVE, &queue->flags);
	if (!test_and_clear_bit(NVMX_TCP_Q_ALLOCATED, &queue->flags)) {
		mutex_unlock(&queue->stop_lock);
		return;
	}
	kernel_sock_shutdown(queue->sock, SHUT_RDWR);
	nvmx_tcp_restore_callbacks(queue);
	cancel_work_sync(&queue->io_work);
	mutex_lock(&queue->send_mutex);
	llist_del_all(&queue->send_list);
	INIT_LIST_HEAD(&queue->send_queue);
	mutex_unlock(&queue->send_mutex);
	noreclaim = memalloc_noreclaim_save();
	lock_sock(queue->sock->sk);
	sk_clear_memalloc(queue->sock->sk);
	release_sock(queue->sock->sk);
	sock_release(queue->sock);
	memalloc_noreclaim_restore(noreclaim);
	queue->sock = NULL;
	mutex_unlock(&queue->stop_lock);
}
