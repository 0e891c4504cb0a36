/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uring.h: the smallest io_uring the passthrough test tools need, one
 * command at a time, with the big SQEs and CQEs NVMe passthrough wants.
 * No liburing: the raw system calls, so the tools build anywhere.
 */
#ifndef NVMX_TEST_URING_H
#define NVMX_TEST_URING_H

#include <errno.h>
#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	unsigned char *sqes, *cqes;
};

/* Return: 0, or -1 with errno set. */
static int ring_setup(struct ring *ring)
{
	struct io_uring_params p;
	unsigned char *sq, *cq;
	size_t sq_len, cq_len;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
	ring->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (ring->fd < 0)
		return -1;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * 2 * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED, ring->fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, ring->fd,
		  IORING_OFF_CQ_RING);
	ring->sqes = mmap(NULL, p.sq_entries * 2 * sizeof(struct io_uring_sqe),
			  PROT_READ | PROT_WRITE, MAP_SHARED, ring->fd,
			  IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || ring->sqes == MAP_FAILED)
		return -1;
	ring->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	ring->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	ring->sq_array = (unsigned int *)(sq + p.sq_off.array);
	ring->cq_head = (unsigned int *)(cq + p.cq_off.head);
	ring->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	ring->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	ring->cqes = cq + p.cq_off.cqes;
	return 0;
}

/*
 * One passthrough command (@cmd_op: NVME_URING_CMD_IO, _ADMIN, ...) on
 * @fd through the ring, waited for.  Return: the CQE's res.
 */
static int ring_cmd(struct ring *ring, int fd, unsigned int cmd_op,
		    const struct nvme_uring_cmd *cmd)
{
	unsigned int tail = *ring->sq_tail, idx = tail & *ring->sq_mask, head;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int res;

	sqe = (struct io_uring_sqe *)(ring->sqes + idx * 2 * sizeof(*sqe));
	memset(sqe, 0, 2 * sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = cmd_op;
	memcpy(sqe->cmd, cmd, sizeof(*cmd));
	ring->sq_array[idx] = idx;
	__atomic_store_n(ring->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring->fd, 1, 1,
		    IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *ring->cq_head;
	if (head == __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	cqe = (struct io_uring_cqe *)(ring->cqes +
				      (head & *ring->cq_mask) * 2 * sizeof(*cqe));
	res = cqe->res;
	__atomic_store_n(ring->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

#endif
