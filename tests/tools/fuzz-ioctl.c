// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-ioctl CTRLDEV NSDEV GENDEV COUNT SEED [WORKERS]: send COUNT random
 * and mutated
 * passthrough commands through the nvme ioctls of the three device nodes,
 * from WORKERS processes at once (default 1), each with its own seed:
 * random and known opcodes, nsids, command dwords and PRP fields, data
 * lengths up to and beyond MDTS, good, unaligned, NULL, unmapped,
 * read-only and kernel pointers, metadata, flags, short timeouts, unknown
 * ioctl numbers.
 *
 * Commands that would legitimately destroy what the driver or the later
 * tests rely on are not sent: queue creation and deletion, Asynchronous
 * Event Requests, namespace management and attachment, firmware commit,
 * virtualization management, doorbell buffer config, format, sanitize, and
 * the reset and rescan ioctls (other tests cover those).
 *
 * Checked for every call: the result is success, an NVMe status or one of
 * the errnos the ABI allows; nothing is written to the user buffer beyond
 * data_len, nor to a metadata buffer beyond metadata_len (on a namespace
 * with separate metadata, half the metadata buffers are real ones, with a
 * guard behind them); every 1000 calls, Identify Controller still returns what it
 * returned at the start.  Exits 1 on the first violation, else prints a
 * summary of the results.
 *
 * With NVMX_MAKE_IT_FAIL=1 in the environment, each worker marks itself
 * for the kernel's fault injection (/proc/self/make-it-fail) once set up,
 * so allocations on the ioctl paths fail (ENOMEM is then a fine result),
 * and the Identify check is left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF_SIZE	(8u << 20)	/* beyond any MDTS the lab uses */
#define GUARD		0xa5

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t pick(uint32_t n)
{
	return rnd() % n;
}

static unsigned char *buf, *ro_page, *none_page;
#define MBUF_SIZE	(1u << 20)	/* metadata buffers */
#define MGUARD		256
static unsigned char *mbuf;
static uint32_t ms;		/* separate metadata bytes per block, or 0 */
static int marked;		/* fault injection on for this worker */
static unsigned long counts[256];	/* by errno; [0] success, [255] status */

static const uint8_t admin_known[] = {
	0x02, 0x06, 0x08, 0x09, 0x0a, 0x11, 0x14, 0x18, 0x19, 0x1a, 0x1e,
	0x81, 0x82, 0x86,
};
static const uint8_t io_known[] = {
	0x00, 0x01, 0x02, 0x04, 0x05, 0x08, 0x09, 0x0c, 0x0e, 0x11, 0x19,
};

static int admin_denied(uint8_t op)
{
	switch (op) {
	case 0x00: case 0x01: case 0x04: case 0x05:	/* queues */
	case 0x0c:					/* AER */
	case 0x0d: case 0x15:				/* ns mgmt/attach */
	case 0x10:					/* fw commit */
	case 0x1c:					/* virt mgmt */
	case 0x7c:					/* dbbuf config */
	case 0x80: case 0x84:				/* format, sanitize */
		return 1;
	}
	return 0;
}

static uint32_t rand_len(uint32_t mdts_bytes)
{
	static const uint32_t fixed[] = { 0, 1, 3, 511, 512, 4095, 4096, 4097,
					  8192, 65536, 131072, 0xffffffff };

	switch (pick(4)) {
	case 0:
		return fixed[pick(sizeof(fixed) / sizeof(fixed[0]))];
	case 1:
		return mdts_bytes + (pick(3) - 1) * 4096u * (1 + pick(2));
	case 2:
		return pick(BUF_SIZE);
	default:
		return 512u * (1 + pick(64));
	}
}

/* A user address for a transfer of @len; *checkable when it is in buf. */
static uint64_t rand_addr(uint32_t len, int *checkable)
{
	*checkable = 0;
	switch (pick(10)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)none_page;
	case 2:
		return (uintptr_t)ro_page;
	case 3:
		return 0xffff888000000000ull + (rnd() & 0xffffff000ull);
	case 4:
		return rnd();
	default:
		if (len > BUF_SIZE / 2)
			return (uintptr_t)buf;
		*checkable = 1;
		return (uintptr_t)buf + (pick(3) ? 0 : 1 + pick(4095));
	}
}

static int allowed_errno(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case ENOMEM: case EINTR: case EIO:
	case ENOTTY: case EPERM: case EACCES: case ENOSPC: case EOPNOTSUPP:
	case ENODEV: case EAGAIN: case ENXIO: case EOVERFLOW:
		return 1;
	}
	return 0;
}

static int identify(int fd, void *out)
{
	struct nvme_admin_cmd c;

	memset(&c, 0, sizeof(c));
	c.opcode = 0x06;
	c.addr = (uintptr_t)out;
	c.data_len = 4096;
	c.cdw10 = 1;
	return ioctl(fd, NVME_IOCTL_ADMIN_CMD, &c);
}

/* The namespace's separate metadata per block, from Identify Namespace. */
static int separate_metadata(int fd, int nsid, uint32_t *out)
{
	unsigned char id[4096];
	struct nvme_admin_cmd c;
	unsigned int flbas;

	memset(&c, 0, sizeof(c));
	c.opcode = 0x06;
	c.nsid = nsid;
	c.addr = (uintptr_t)id;
	c.data_len = sizeof(id);
	if (ioctl(fd, NVME_IOCTL_ADMIN_CMD, &c))
		return -1;
	flbas = id[26];
	/* LBA format descriptors from byte 128: MS in bytes 0-1 of each */
	*out = flbas & 0x10 ? 0 : id[128 + 4 * (flbas & 0xf)] |
				  id[129 + 4 * (flbas & 0xf)] << 8;
	return 0;
}

static int fuzz(char **argv, uint32_t count, uint64_t seed);

int main(int argc, char **argv)
{
	uint32_t count, workers = 1, w;
	uint64_t seed;
	int st, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: %s CTRLDEV NSDEV GENDEV COUNT SEED [WORKERS]\n",
			argv[0]);
		return 2;
	}
	count = strtoul(argv[4], NULL, 0);
	seed = strtoull(argv[5], NULL, 0);
	if (argc == 7)
		workers = strtoul(argv[6], NULL, 0);
	if (!workers || workers > 64)
		return 2;
	for (w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (!pid)
			_exit(fuzz(argv, count / workers, seed + w * 7919));
	}
	while (wait(&st) > 0) {
		if (WIFSIGNALED(st))
			printf("FAIL: a worker died of signal %d\n", WTERMSIG(st));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed = 1;
	}
	printf("fuzz: %u workers: %s\n", workers, failed ? "FAILED" : "passed");
	return failed;
}

static int fuzz(char **argv, uint32_t count, uint64_t seed)
{
	unsigned char id0[4096], id1[4096];
	uint32_t mdts_bytes, i, j;
	int fds[3], nsid;

	rng_state = seed | 1;
	for (i = 0; i < 3; i++) {
		fds[i] = open(argv[1 + i], O_RDWR);
		if (fds[i] < 0) {
			perror(argv[1 + i]);
			return 2;
		}
	}
	nsid = ioctl(fds[1], NVME_IOCTL_ID);
	buf = mmap(NULL, BUF_SIZE + 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mbuf = mmap(NULL, MBUF_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || mbuf == MAP_FAILED || nsid <= 0 ||
	    identify(fds[0], id0) || separate_metadata(fds[0], nsid, &ms)) {
		perror("setup");
		return 2;
	}
	ro_page = buf + BUF_SIZE;
	none_page = ro_page + 4096;
	mprotect(ro_page, 4096, PROT_READ);
	mprotect(none_page, 4096, PROT_NONE);
	/* touched now: no page faults on it once marked for fault injection */
	memset(buf, 0, BUF_SIZE);
	memset(mbuf, 0, MBUF_SIZE);
	if (getenv("NVMX_MAKE_IT_FAIL")) {
		int mfd = open("/proc/self/make-it-fail", O_WRONLY);

		if (mfd < 0 || write(mfd, "1", 1) != 1)
			return 2;
		close(mfd);
		marked = 1;
	}
	/* MDTS is in units of the minimum page size (4 KiB in the lab) */
	mdts_bytes = id0[77] ? 4096u << id0[77] : 1u << 20;
	printf("fuzz: nsid %d, %u bytes of separate metadata per block, MDTS %u bytes, %u calls, seed %llu\n",
	       nsid, ms, mdts_bytes, count, (unsigned long long)seed);

	for (i = 1; i <= count; i++) {
		struct nvme_passthru_cmd64 c;
		struct nvme_user_io io;
		unsigned long req;
		int fd = fds[pick(3)], ret, err, checkable = 0, admin;
		uint32_t len, fill = 0, mlen = 0, moff = 0;
		uint64_t room;
		void *arg = &c;

		memset(&c, 0, sizeof(c));
		admin = pick(2);
		if (pick(4))
			c.opcode = admin ? admin_known[pick(sizeof(admin_known))]
					 : io_known[pick(sizeof(io_known))];
		else
			c.opcode = rnd();
		if (admin && admin_denied(c.opcode))
			c.opcode = 0x06;
		switch (pick(5)) {
		case 0: c.nsid = 0; break;
		case 1: c.nsid = 0xffffffff; break;
		case 2: c.nsid = rnd(); break;
		default: c.nsid = nsid;
		}
		c.cdw10 = pick(2) ? pick(16) : rnd();
		c.cdw11 = pick(2) ? 0 : rnd();
		c.cdw12 = pick(2) ? pick(64) : rnd();
		c.cdw13 = pick(4) ? 0 : rnd();
		c.cdw14 = pick(4) ? 0 : rnd();
		c.cdw15 = pick(4) ? 0 : rnd();
		if (!pick(8))
			c.cdw2 = rnd(), c.cdw3 = rnd();
		if (!pick(16))
			c.flags = rnd();
		if (!pick(8)) {
			c.metadata_len = rand_len(mdts_bytes);
			c.metadata = rnd() & ~0xfffull;
			if (ms && pick(2)) {
				/* a real buffer, at any alignment, guarded */
				c.metadata_len = pick(2) ? (1 + pick(64)) * ms :
					pick(2 * 64 * ms);
				moff = pick(4096);
				c.metadata = (uintptr_t)mbuf + moff;
				mlen = c.metadata_len;
			}
		}
		if (!pick(2000))
			c.timeout_ms = 1 + pick(20);
		len = rand_len(mdts_bytes);
		c.data_len = len;
		c.addr = rand_addr(len, &checkable);
		room = BUF_SIZE - (c.addr - (uintptr_t)buf);
		if (checkable && len + 4096ull <= room) {
			/* a guard behind the transfer: nothing may land there */
			fill = 4096;
			memset((void *)(uintptr_t)c.addr + len, GUARD, fill);
		} else {
			checkable = 0;
		}

		switch (pick(12)) {
		case 0: case 1: case 2: case 3:
			req = admin ? NVME_IOCTL_ADMIN_CMD : NVME_IOCTL_IO_CMD;
			break;
		case 4: case 5: case 6: case 7:
			req = admin ? NVME_IOCTL_ADMIN64_CMD : NVME_IOCTL_IO64_CMD;
			break;
		case 8: case 9:
			memset(&io, 0, sizeof(io));
			io.opcode = c.opcode;
			io.flags = c.flags;
			io.nblocks = pick(2) ? pick(16) : rnd();
			io.slba = pick(2) ? pick(1024) : rnd();
			io.addr = c.addr;
			if (pick(4))
				io.nblocks = 0;
			len = (io.nblocks + 1u) * 512u;
			if (checkable && len + 4096ull > room)
				checkable = 0;
			if (checkable) {
				fill = 4096;
				memset((void *)(uintptr_t)c.addr + len, GUARD, fill);
			}
			mlen = 0;
			if (!pick(8)) {
				io.metadata = c.metadata;
				io.dsmgmt = rnd();
				/* SUBMIT_IO's metadata length follows from nblocks */
				if (c.metadata == (uintptr_t)mbuf + moff)
					mlen = (io.nblocks + 1u) * ms;
			}
			req = NVME_IOCTL_SUBMIT_IO;
			arg = &io;
			break;
		case 10:
			/* an unknown command of the nvme ioctl family */
			req = _IOWR('N', 0x47 + pick(0x30),
				    struct nvme_passthru_cmd);
			break;
		default:
			/* the argument itself points nowhere useful */
			req = pick(2) ? NVME_IOCTL_ADMIN_CMD : NVME_IOCTL_IO64_CMD;
			arg = pick(2) ? (void *)none_page : (void *)ro_page;
			checkable = 0;
			break;
		}

		if (mlen && moff + mlen + MGUARD <= MBUF_SIZE)
			memset(mbuf + moff + mlen, GUARD, MGUARD);
		else
			mlen = 0;

		ret = ioctl(fd, req, arg);
		err = ret < 0 ? errno : 0;
		if (ret < 0 && !allowed_errno(err)) {
			printf("FAIL call %u: ioctl 0x%lx opcode 0x%02x: errno %d (%s)\n",
			       i, req, c.opcode, err, strerror(err));
			return 1;
		}
		counts[ret < 0 ? (err & 0xff) : ret > 0 ? 255 : 0]++;
		if (checkable) {
			unsigned char *g = (unsigned char *)(uintptr_t)c.addr +
					   (req == NVME_IOCTL_SUBMIT_IO ? len : c.data_len);

			for (j = 0; j < fill; j++) {
				if (g[j] != GUARD) {
					printf("FAIL call %u: opcode 0x%02x data_len %u: byte %u past the buffer written\n",
					       i, c.opcode, c.data_len, j);
					return 1;
				}
			}
		}
		for (j = 0; mlen && j < MGUARD; j++) {
			if (mbuf[moff + mlen + j] != GUARD) {
				printf("FAIL call %u: opcode 0x%02x metadata_len %u: byte %u past the metadata buffer written\n",
				       i, c.opcode, mlen, j);
				return 1;
			}
		}
		if (i % 1000 == 0 && !marked) {
			ret = identify(fds[0], id1);
			if (ret || memcmp(id0, id1, sizeof(id0))) {
				printf("FAIL after call %u: Identify Controller %s\n",
				       i, ret < 0 ? strerror(errno) :
				       ret ? "failed with an NVMe status" : "changed");
				return 1;
			}
		}
		if (i % 20000 == 0)
			printf("fuzz: %u calls\n", i);
	}
	printf("fuzz: %u calls: %lu succeeded, %lu NVMe status", count,
	       counts[0], counts[255]);
	for (i = 1; i < 255; i++)
		if (counts[i])
			printf(", %lu %s", counts[i], strerror(i));
	printf("\n");
	return 0;
}
