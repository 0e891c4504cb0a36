/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx NVMe/TCP transport (nvmx-tcp.ko): one TCP connection per queue to
 * an NVMe over Fabrics controller (Linux's nvmet-tcp, or any other), the
 * core's controller on top (docs/architecture.md, docs/tcp-design.md).
 *
 * Locking
 *  - A queue's socket is sent on and received from under send_mutex
 *    only: by its io_work for each pass and by queue_rq for a lone
 *    request (nvmx_tcp_send_now()), both of which only try it (io_work leaves
 *    NVMX_TCP_Q_WORK_WANTED for the holder when it finds it held).
 *    Requests reach the sender through the lock-free send_list, then
 *    send_queue; send_queue, each request's sending state and the
 *    receive side's rx_* fields are the mutex holder's, except at a
 *    queue's start, which sets them before NVMX_TCP_Q_ALLOCATED, with
 *    the queue not live.  A queue's stop takes the mutex after it has
 *    cleared NVMX_TCP_Q_ALLOCATED, so no sender is on the socket when
 *    it goes.
 *  - The receive side runs in io_work, under lock_sock() as well (what
 *    tcp_read_sock() wants).
 *  - NVMX_TCP_Q_LIVE is set under the controller's shutdown_lock, by the
 *    enable; it is cleared by a stop (under the queue's stop_lock), a
 *    connection error or a timeout, which all lead to a reset.  The data
 *    path tests it without a lock.  NVMX_TCP_Q_ALLOCATED (the socket is
 *    there and the callbacks are ours) changes under stop_lock too.
 *  - The socket callbacks run in softirq context, or in the socket
 *    owner's release_sock() (a sender's, queue_rq's included), and only
 *    queue io_work or start recovery; they find the queue under
 *    sk_callback_lock.
 */
#ifndef NVMX_TCP_H
#define NVMX_TCP_H

#include <linux/llist.h>
#include <linux/net.h>
#include <net/sock.h>

#include "core/nvmx.h"
#include "opts_logic.h"
#include "tcp_logic.h"

enum nvmx_tcp_send_state {
	NVMX_TCP_SEND_CMD,		/* the capsule's header (and digest) */
	NVMX_TCP_SEND_CMD_DATA,		/* in-capsule data */
	NVMX_TCP_SEND_H2C,		/* an H2CData header (and digest) */
	NVMX_TCP_SEND_H2C_DATA,		/* its data */
	NVMX_TCP_SEND_DDGST,		/* the data digest after data */
	NVMX_TCP_SEND_DONE,		/* all sent; waits for R2T or response */
};

/**
 * struct nvmx_tcp_request - per-request state, after struct nvmx_request
 * @req: the core's part, first
 * @queue: the queue it went out on
 * @hdr: an H2CData PDU's header and its digest (sent as a copy: the next
 *	one is built here while the socket may still hold this one), or a
 *	command capsule's header that has no slot in
 *	&nvmx_tcp_queue.cmd_hdrs (the Asynchronous Event Request's)
 * @tx_hdr: the header being sent: @hdr, or the command capsule's slot in
 *	&nvmx_tcp_queue.cmd_hdrs
 * @hdr_len: bytes of @tx_hdr to send, @hdr_off of them sent
 * @hdr_off: see @hdr_len
 * @state: where its sending stands
 * @data_len: the transfer's length (0: none)
 * @data_sent: bytes of a write's data sent (in the capsule or in H2CData)
 * @data_recvd: bytes of a read's data received
 * @pdu_left: data bytes left in the PDU being sent (in-capsule or H2CData)
 * @r2t_left: bytes of the current R2T not yet in an H2CData PDU
 * @ttag: the current R2T's transfer tag, echoed in its H2CData PDUs
 * @ddgst: data digest being computed (sending)
 * @ddgst_wire: the digest as sent, little endian
 * @curr_bio: the bio whose pages @iter walks
 * @iter: the data, where sending or receiving stands
 * @lnode: entry in the queue's send_list
 * @entry: entry in the queue's send_queue (under its send_mutex)
 */
struct nvmx_tcp_request {
	struct nvmx_request req;
	struct nvmx_tcp_queue *queue;
	u8 hdr[NVMX_TCP_CMD_HLEN + NVMX_TCP_DIGEST_LEN];
	u8 *tx_hdr;
	u8 hdr_len;
	u8 hdr_off;
	enum nvmx_tcp_send_state state;
	u32 data_len;
	u32 data_sent;
	u32 data_recvd;
	u32 pdu_left;
	u32 r2t_left;
	u16 ttag;
	u32 ddgst;
	__le32 ddgst_wire;
	u8 ddgst_off;
	bool r2t_pending;
	struct bio *curr_bio;
	struct iov_iter iter;
	struct llist_node lnode;
	struct list_head entry;
};

enum nvmx_tcp_rx_state {
	NVMX_TCP_RX_PDU,	/* a PDU header (and its digest) */
	NVMX_TCP_RX_DATA,	/* C2HData payload, into the request */
	NVMX_TCP_RX_DDGST,	/* the data digest after it */
};

/**
 * struct nvmx_tcp_queue - one queue: a TCP connection
 * @ctrl: the controller
 * @qid: 0 for the admin queue
 * @sqsize: slots (the Connect's sqsize is this less one)
 * @tags: the tags of its hardware context, where command ids are looked
 *	up (not the tag set's array, which a queue count change replaces
 *	under shutdown_lock); set by init_hctx and by queue_rq (every
 *	command on the queue went through it with these tags), cleared when
 *	the tag set has no hardware context for the queue
 * @flags: NVMX_TCP_Q_*
 * @sock: the socket
 * @rp: what the connection negotiated, as the receive side checks it
 * @maxh2cdata: the controller's MAXH2CDATA
 * @inline_max: in-capsule data the queue takes
 * @cmd_hdrs: pages of command capsule headers, NVMX_TCP_HDR_SLOT bytes
 *	for each tag below @nr_cmd_hdrs: a slot is the request's that
 *	holds the tag, written by queue_rq (no lock: the tag is its own)
 *	and read by the sender; allocated with the controller, a page is
 *	replaced only by nvmx_tcp_start_queue() (one a closed connection
 *	still holds), before the queue is live
 * @nr_cmd_hdrs: see @cmd_hdrs
 * @send_list: requests to send, from queue_rq (lock-free)
 * @send_queue: requests being sent, in order (under @send_mutex)
 * @send_mutex: held while sending on or receiving from @sock
 * @stop_lock: serialises stopping the queue (nvmx_tcp_stop_queue())
 * @io_work: receives, and sends what queue_rq did not
 * @io_cpu: where io_work runs
 * @rx_state: receive state
 * @rx_pdu: the PDU header being received, and its digest
 * @rx_off: bytes of it received
 * @rx_need: bytes of it to receive: NVMX_TCP_MIN_HLEN until the common
 *	header is checked, then its header length and digest
 * @rx_ch_ok: the common header is in and has passed nvmx_tcp_check_ch()
 * @rx_rq: the request a C2HData PDU's data goes to
 * @rx_left: data left in the PDU
 * @rx_success: the C2HData PDU being received completes its command
 * @rx_error: the receive side failed (a refused PDU, a copy error)
 * @rx_ddgst: data digest being computed (receiving)
 * @rx_ddgst_wire: the digest received
 * @rx_ddgst_off: bytes of it received
 * @rx_bad: why the last PDU was refused
 * @state_change: the socket's own callback, chained
 * @data_ready: the socket's own callback, restored on stop
 * @write_space: the socket's own callback, restored on stop
 * @sent, @completed, @errors, @bad_pdus, @r2ts, @h2c_pdus, @c2h_pdus:
 *	statistics (debugfs), each written under @send_mutex alone (@sent
 *	and @completed: commands; @errors: completions with an error status)
 */
struct nvmx_tcp_queue {
	struct nvmx_tcp_ctrl *ctrl;
	u16 qid;
	u16 sqsize;
	struct blk_mq_tags *tags;
	unsigned long flags;
#define NVMX_TCP_Q_ALLOCATED	0	/* socket connected, ICResp in */
#define NVMX_TCP_Q_LIVE		1	/* Connect done: commands go out */
#define NVMX_TCP_Q_CLOSED	2	/* the peer closed the connection */
#define NVMX_TCP_Q_WORK_WANTED	3	/* io_work found send_mutex held */
	struct socket *sock;
	struct nvmx_tcp_rx_params rp;
	u32 maxh2cdata;
	u32 inline_max;
	u8 **cmd_hdrs;
	u32 nr_cmd_hdrs;

	struct llist_head send_list;
	struct list_head send_queue;
	struct mutex send_mutex;	/* the socket, see Locking above */
	struct mutex stop_lock;		/* serialises nvmx_tcp_stop_queue() */
	struct work_struct io_work;
	int io_cpu;

	enum nvmx_tcp_rx_state rx_state;
	u8 rx_pdu[NVMX_TCP_MAX_HLEN + NVMX_TCP_DIGEST_LEN];
	u32 rx_off;
	u32 rx_need;
	bool rx_ch_ok;
	struct request *rx_rq;
	u32 rx_left;
	bool rx_success;
	int rx_error;
	u32 rx_ddgst;
	__le32 rx_ddgst_wire;
	u32 rx_ddgst_off;
	enum nvmx_tcp_bad rx_bad;

	void (*state_change)(struct sock *sk);
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);

	u64 sent;
	u64 completed;
	u64 errors;
	u64 bad_pdus;
	u64 r2ts;
	u64 h2c_pdus;
	u64 c2h_pdus;
};

/**
 * struct nvmx_tcp_ctrl - a controller reached over NVMe/TCP
 * @ctrl: the core's part
 * @opts: what the connect asked for
 * @addr: the controller's address, from @opts
 * @hostid: the host identifier, from @opts or the module's
 * @inline_max: in-capsule data an I/O queue takes (IOCCSZ), set by enable
 * @queues: admin queue, then the I/O queues
 * @nr_queues: entries of @queues
 * @connect_err: why the last try to connect failed (the first connect's
 *	answer to the user)
 * @was_live: the controller has gone live once: a lost connection is
 *	reconnected (a first connect that fails is not retried)
 * @lost: the connections were lost at @lost_at and the controller has not
 *	been live since (ctrl_loss_tmo counts from then)
 * @lost_at: see @lost
 * @wait: woken when the controller goes live and when it is deleted or
 *	given up on (a reconnect's wait ends, a first connect learns)
 * @async_req: the Asynchronous Event Request, sent outside blk-mq
 * @ka_work: the keep-alive, every KATO/2 while connected
 * @ka_gen: disable_gen when the last keep-alive went out (one at a time:
 *	its reserved tag): its answer queues the next only if unchanged
 * @delete_work: removes the controller (delete_controller, loss)
 * @err_work: a connection error while not live (nvmx_tcp_queue_error())
 * @err_gen: disable_gen when @err_work was queued: it disables only the
 *	connections that failed, not ones a reset made since
 * @list: entry in the module's list of controllers, under nvmx_tcp_lock
 */
struct nvmx_tcp_ctrl {
	struct nvmx_ctrl ctrl;
	struct nvmx_opts opts;
	struct sockaddr_storage addr;
	uuid_t hostid;
	u32 inline_max;
	struct nvmx_tcp_queue *queues;
	unsigned int nr_queues;
	int connect_err;
	bool was_live;
	bool lost;
	unsigned long lost_at;
	wait_queue_head_t wait;
	struct nvmx_tcp_request async_req;
	struct delayed_work ka_work;
	u64 ka_gen;
	struct work_struct delete_work;
	struct work_struct err_work;
	u64 err_gen;
	struct list_head list;
};

/* the largest transfer: nvmet-tcp refuses more, and reports no MDTS */
#define NVMX_TCP_MAX_XFER	(4U << 20)
/* data segments of a request: the transfer in pages */
#define NVMX_TCP_MAX_SEGS	(NVMX_TCP_MAX_XFER / PAGE_SIZE)

/*
 * A command capsule's header (and its digest) is built in its tag's slot
 * of the queue's header pages, and the socket takes it by reference, as
 * it takes data pages: no copy, and no push of a lone header before its
 * in-capsule data.  Neither a slab object nor a request's memory (a tail
 * page of blk-mq's allocation has no reference count) may be sent so.  A
 * slot is written again only for the tag's next command: on the same
 * connection once the controller has answered this one, and so has
 * received its header (a retransmission of those bytes with new contents
 * is dropped as a duplicate); on a new connection in a page that no
 * closed one holds (nvmx_tcp_start_queue()).  Slots divide a page, so
 * none crosses one.
 */
#define NVMX_TCP_HDR_SLOT	128
#define NVMX_TCP_HDR_PER_PAGE	(PAGE_SIZE / NVMX_TCP_HDR_SLOT)
static_assert(NVMX_TCP_CMD_HLEN + NVMX_TCP_DIGEST_LEN <= NVMX_TCP_HDR_SLOT);
static_assert(PAGE_SIZE % NVMX_TCP_HDR_SLOT == 0);

/* in-capsule data every NVMe/TCP controller takes on its admin queue */
#define NVMX_TCP_ADMIN_INLINE	8192

extern struct workqueue_struct *nvmx_tcp_wq;
extern struct workqueue_struct *nvmx_tcp_ctl_wq;
extern uuid_t nvmx_tcp_hostid;

/* ctrl.c */
void nvmx_tcp_disable(struct nvmx_ctrl *ctrl, bool shutdown);
struct nvmx_tcp_ctrl *nvmx_tcp_create_ctrl(struct nvmx_opts *opts);
void nvmx_tcp_delete_ctrl(struct nvmx_tcp_ctrl *tctrl);

/* conn.c */
int nvmx_tcp_start_queue(struct nvmx_tcp_ctrl *tctrl, u16 qid, u16 *cntlid);
void nvmx_tcp_stop_queue(struct nvmx_tcp_queue *queue);
int nvmx_tcp_alloc_cmd_hdrs(struct nvmx_tcp_queue *queue, u32 tags);
void nvmx_tcp_free_cmd_hdrs(struct nvmx_tcp_queue *queue);

/* debugfs.c */
void nvmx_tcp_debugfs_add_ctrl(struct nvmx_tcp_ctrl *tctrl);

/* queue.c */
void nvmx_tcp_io_work(struct work_struct *work);
void nvmx_tcp_send_async(struct nvmx_tcp_queue *queue,
			 struct nvmx_tcp_request *treq);
extern const struct blk_mq_ops nvmx_tcp_admin_mq_ops;
extern const struct blk_mq_ops nvmx_tcp_mq_ops;

static inline struct nvmx_tcp_ctrl *to_tcp_ctrl(struct nvmx_ctrl *ctrl)
{
	return container_of(ctrl, struct nvmx_tcp_ctrl, ctrl);
}

static inline struct nvmx_tcp_request *nvmx_tcp_req(struct request *rq)
{
	return blk_mq_rq_to_pdu(rq);
}

/* Receive the next PDU: its header first. */
static inline void nvmx_tcp_rx_next_pdu(struct nvmx_tcp_queue *queue)
{
	queue->rx_state = NVMX_TCP_RX_PDU;
	queue->rx_off = 0;
	queue->rx_need = NVMX_TCP_MIN_HLEN;
	queue->rx_ch_ok = false;
	queue->rx_rq = NULL;
}

/* A read or write on an I/O queue: one with a starting LBA (tracing) */
static inline bool nvmx_tcp_is_rw(struct nvmx_tcp_queue *queue,
				  const struct nvme_command *cmd)
{
	return queue->qid && (cmd->common.opcode == nvme_cmd_read ||
			      cmd->common.opcode == nvme_cmd_write);
}

#endif /* NVMX_TCP_H */
