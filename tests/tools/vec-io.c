// SPDX-License-Identifier: GPL-2.0
/*
 * vec-io NSDEV GENDEV CTRLDEV SLBA [strict]: vectored passthrough.
 *
 * NSDEV is a namespace's block device (or its generic char device), GENDEV
 * its generic char device, CTRLDEV the controller's char device; SLBA the
 * first of the 5 * 16 blocks the tool overwrites (5 areas of 16 blocks,
 * one command each).  The block size comes from NVME_IOCTL_ID and
 * Identify Namespace (formats without metadata, 512 bytes to 4 KiB).
 *
 *  - NVME_IOCTL_IO64_CMD_VEC on NSDEV and NVME_URING_CMD_IO_VEC on GENDEV
 *    write random data from iovecs of odd lengths at odd places: 4-byte
 *    aligned ones (one crossing a page, one of 4 bytes), PRP-shaped ones
 *    the block layer maps without a bounce, byte-aligned ones it bounces,
 *    and more iovecs than the kernel's on-stack array holds.  What they
 *    wrote is read back by NVME_IOCTL_IO64_CMD into one buffer, by the
 *    block device itself (O_DIRECT, when NSDEV is one), and by both
 *    vectored ways into iovecs split every other way.
 *  - NVME_URING_CMD_ADMIN_VEC on CTRLDEV: Identify Controller into 2 and 3
 *    iovecs is what NVME_IOCTL_ADMIN_CMD puts into one buffer.
 *  - iovecs that hold nothing fail on both drivers (the block layer
 *    refuses them); with "strict", iovecs that hold less than the command
 *    moves fail too, and a refused short write leaves the blocks as they
 *    were (nvmx refuses them; the in-tree driver of this kernel sends
 *    them, and the controller moves the rest to or from memory past what
 *    was mapped), and a read into iovecs that hold more fills the
 *    transfer's worth of them and leaves the rest alone.
 *
 * Before a vectored read the arena around the iovecs is filled with a
 * guard byte; the read must fill the iovecs and leave the rest alone.
 * Prints a line per case, exits 1 if any failed, 2 when it cannot start.
 */
#define _GNU_SOURCE		/* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "uring.h"

#define NLB		16	/* blocks per command */
#define MAX_SEGS	32
#define GUARD		0xee	/* the arena's bytes outside the iovecs */
#define ID_LEN		4096
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A way to split a transfer into iovecs: each segment at a fixed offset
 * into a page-aligned arena, @len 0 for "the rest of the transfer" (the
 * last segment only).
 */
struct split {
	const char *name;
	int n;
	struct {
		size_t at, len;
	} seg[MAX_SEGS];
};

static struct split split_a = {
	"1000+3096(across a page)+512+4+rest, 4-byte aligned", 5,
	{ { 12, 1000 }, { 3048, 3096 }, { 6164, 512 }, { 6680, 4 }, { 6700, 0 } },
};

static struct split split_b = {
	"4+2044+3000(across a page)+rest, 4-byte aligned", 4,
	{ { 4, 4 }, { 16, 2044 }, { 2100, 3000 }, { 5200, 0 } },
};

/* page-shaped gaps only: the block layer maps these pages, no bounce */
static struct split split_c = {
	"3072+4096+rest, PRP-shaped", 3,
	{ { 1024, 3072 }, { 8192, 4096 }, { 16384, 0 } },
};

static struct split split_d = {
	"1001+3001+rest, byte-aligned", 3,
	{ { 1, 1001 }, { 4099, 3001 }, { 8193, 0 } },
};

/* filled in by main(): more iovecs than UIO_FASTIOV (8) */
static struct split split_many = { .name = "24 x 340 + rest", .n = 25 };

static struct split split_id2 = {
	"1000+3096", 2, { { 12, 1000 }, { 3048, 0 } },
};

static struct split split_id3 = {
	"1000+2000+1096", 3, { { 4, 1000 }, { 1100, 2000 }, { 4000, 0 } },
};

static struct split *const id_splits[] = {
	&split_id2, &split_id3, &split_d,
};

static int nsfd, genfd, ctrlfd, blkfd = -1, failed;
static uint32_t nsid, lbs, xfer;
static uint64_t slba;
static unsigned char *arena, *scratch, *buf;
static size_t arena_len;
static struct ring ring;

static void report(int ok, const char *what, const char *why)
{
	printf("%s %s%s%s\n", ok ? "ok" : "FAIL", what, ok ? "" : ": ",
	       ok ? "" : why);
	if (!ok)
		failed = 1;
}

static uint64_t rnd_state;

static void fill_random(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		/* xorshift64 */
		rnd_state ^= rnd_state << 13;
		rnd_state ^= rnd_state >> 7;
		rnd_state ^= rnd_state << 17;
		p[i] = rnd_state >> 24;
	}
}

/*
 * Lay @s out in the arena for a transfer of @total bytes, @short_by bytes
 * fewer in its last iovec; the arena is all GUARD bytes afterwards.
 * Return: the iovec count.
 */
static int layout(const struct split *s, size_t total, size_t short_by,
		  struct iovec *iov)
{
	size_t sum = 0, end = 0;
	int i;

	memset(arena, GUARD, arena_len);
	for (i = 0; i < s->n; i++) {
		size_t len = s->seg[i].len;

		if (!len)
			len = total - sum - short_by;
		/* len > total: the rest would be negative */
		if (!len || len > total || sum + len > total ||
		    s->seg[i].at < end || s->seg[i].at + len > arena_len) {
			fprintf(stderr, "split %s does not fit %zu bytes\n",
				s->name, total);
			exit(2);
		}
		iov[i].iov_base = arena + s->seg[i].at;
		iov[i].iov_len = len;
		sum += len;
		end = s->seg[i].at + len;
	}
	return s->n;
}

static void scatter(const struct iovec *iov, int n, const unsigned char *src)
{
	int i;

	for (i = 0; i < n; i++) {
		memcpy(iov[i].iov_base, src, iov[i].iov_len);
		src += iov[i].iov_len;
	}
}

/* Return: the first byte of the iovecs that differs from @want, or -1. */
static long gather_cmp(const struct iovec *iov, int n,
		       const unsigned char *want)
{
	long off = 0;
	size_t j;
	int i;

	for (i = 0; i < n; i++) {
		const unsigned char *p = iov[i].iov_base;

		for (j = 0; j < iov[i].iov_len; j++, off++)
			if (p[j] != want[off])
				return off;
	}
	return -1;
}

/*
 * Return: the arena offset of the first byte outside the iovecs that is
 * not GUARD any more, or -1.
 */
static long guard_broken(const struct iovec *iov, int n)
{
	size_t j;
	int i;

	memcpy(scratch, arena, arena_len);
	for (i = 0; i < n; i++)
		memset(scratch + ((unsigned char *)iov[i].iov_base - arena),
		       GUARD, iov[i].iov_len);
	for (j = 0; j < arena_len; j++)
		if (scratch[j] != GUARD)
			return j;
	return -1;
}

/* Return: 0, the NVMe status (positive), or -errno. */
static int io_ioctl(unsigned long req, uint8_t opcode, uint64_t lba,
		    const void *addr, uint32_t len)
{
	struct nvme_passthru_cmd64 c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opcode = opcode;
	c.nsid = nsid;
	c.addr = (uintptr_t)addr;
	c.data_len = len;		/* the iovec count, for _VEC */
	c.cdw10 = (uint32_t)lba;
	c.cdw11 = lba >> 32;
	c.cdw12 = NLB - 1;
	ret = ioctl(nsfd, req, &c);
	return ret < 0 ? -errno : ret;
}

/* The same through io_uring (NVME_URING_CMD_IO, _IO_VEC) on GENDEV. */
static int io_uring(unsigned int op, uint8_t opcode, uint64_t lba,
		    const void *addr, uint32_t len)
{
	struct nvme_uring_cmd c;

	memset(&c, 0, sizeof(c));
	c.opcode = opcode;
	c.nsid = nsid;
	c.addr = (uintptr_t)addr;
	c.data_len = len;
	c.cdw10 = (uint32_t)lba;
	c.cdw11 = lba >> 32;
	c.cdw12 = NLB - 1;
	return ring_cmd(&ring, genfd, op, &c);
}

/* Identify Controller by NVME_IOCTL_ADMIN_CMD on CTRLDEV. */
static int id_ioctl(void *addr)
{
	struct nvme_passthru_cmd c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opcode = 0x06;
	c.addr = (uintptr_t)addr;
	c.data_len = ID_LEN;
	c.cdw10 = 1;			/* CNS 01h */
	ret = ioctl(ctrlfd, NVME_IOCTL_ADMIN_CMD, &c);
	return ret < 0 ? -errno : ret;
}

/* The same through io_uring (NVME_URING_CMD_ADMIN_VEC, ...). */
static int id_uring(unsigned int op, const void *addr, uint32_t len)
{
	struct nvme_uring_cmd c;

	memset(&c, 0, sizeof(c));
	c.opcode = 0x06;
	c.addr = (uintptr_t)addr;
	c.data_len = len;
	c.cdw10 = 1;			/* CNS 01h */
	return ring_cmd(&ring, ctrlfd, op, &c);
}

static const char *res_str(int res)
{
	static char s[64];

	if (res < 0)
		snprintf(s, sizeof(s), "%d (%s)", res, strerror(-res));
	else
		snprintf(s, sizeof(s), "%d (NVMe status 0x%x)", res, res);
	return s;
}

/*
 * The outcome of a command that moved @want into @iov (a read) or from
 * it (a write): it succeeded, the iovecs hold @want and nothing around
 * them changed.
 */
static void check_vec(const char *what, int res, const struct iovec *iov,
		      int n, const unsigned char *want)
{
	char why[160];
	long off;

	if (res) {
		snprintf(why, sizeof(why), "res %s", res_str(res));
		report(0, what, why);
		return;
	}
	off = gather_cmp(iov, n, want);
	if (off >= 0) {
		long o = off;
		int i;

		for (i = 0; o >= (long)iov[i].iov_len; i++)
			o -= iov[i].iov_len;
		snprintf(why, sizeof(why),
			 "byte %ld of the transfer (iovec %d, byte %ld) is 0x%02x, expected 0x%02x",
			 off, i, o, ((unsigned char *)iov[i].iov_base)[o],
			 want[off]);
		report(0, what, why);
		return;
	}
	off = guard_broken(iov, n);
	if (off >= 0) {
		snprintf(why, sizeof(why),
			 "byte %ld of the arena, outside the iovecs, changed to 0x%02x",
			 off, arena[off]);
		report(0, what, why);
		return;
	}
	report(1, what, NULL);
}

/* @got (one buffer of @len bytes) is @want. */
static void check_buf(const char *what, int res, const unsigned char *got,
		      const unsigned char *want, size_t len)
{
	char why[160];
	size_t i;

	if (res) {
		snprintf(why, sizeof(why), "res %s", res_str(res));
		report(0, what, why);
		return;
	}
	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	if (i < len) {
		snprintf(why, sizeof(why),
			 "byte %zu is 0x%02x, expected 0x%02x", i, got[i],
			 want[i]);
		report(0, what, why);
		return;
	}
	report(1, what, NULL);
}

enum way { BY_IOCTL, BY_URING };
static const char *const way_name[] = { "IO64_CMD_VEC", "URING_CMD_IO_VEC" };

/* Return: 0, the NVMe status (positive), or -errno. */
static int rw_vec(enum way way, uint8_t opcode, uint64_t lba,
		  const struct iovec *iov, int n)
{
	if (way == BY_IOCTL)
		return io_ioctl(NVME_IOCTL_IO64_CMD_VEC, opcode, lba, iov, n);
	return io_uring(NVME_URING_CMD_IO_VEC, opcode, lba, iov, n);
}

/* The areas of NLB blocks, from SLBA on, and how each is written. */
#define AREAS	5
static const struct {
	enum way way;
	struct split *split;
} areas[AREAS] = {
	{ BY_IOCTL, &split_a },
	{ BY_IOCTL, &split_c },
	{ BY_IOCTL, &split_many },
	{ BY_URING, &split_b },
	{ BY_URING, &split_d },
};

static struct split *const io_splits[] = {
	&split_a, &split_b, &split_c, &split_d, &split_many,
};

static uint64_t area_lba(int a)
{
	return slba + (uint64_t)a * NLB;
}

/* nsid and block size of NSDEV; only formats without metadata. */
static int ns_format(void)
{
	struct nvme_passthru_cmd c;
	unsigned int fmt, ms, lbads;
	int ret;

	ret = ioctl(nsfd, NVME_IOCTL_ID);
	if (ret <= 0) {
		fprintf(stderr, "NVME_IOCTL_ID: %s\n",
			ret < 0 ? strerror(errno) : "nsid 0");
		return -1;
	}
	nsid = ret;
	memset(&c, 0, sizeof(c));
	c.opcode = 0x06;		/* Identify, CNS 00h: the namespace */
	c.nsid = nsid;
	c.addr = (uintptr_t)buf;
	c.data_len = ID_LEN;
	ret = ioctl(ctrlfd, NVME_IOCTL_ADMIN_CMD, &c);
	if (ret) {
		fprintf(stderr, "Identify Namespace %u: %s\n", nsid,
			res_str(ret < 0 ? -errno : ret));
		return -1;
	}
	/* FLBAS bits 3:0, and 6:5 above them with more than 16 formats */
	fmt = (buf[26] & 0xf) | (buf[25] >= 16 ? (buf[26] >> 5 & 3) << 4 : 0);
	ms = buf[128 + 4 * fmt] | buf[129 + 4 * fmt] << 8;
	lbads = buf[130 + 4 * fmt];
	if (ms || lbads < 9 || lbads > 12) {
		fprintf(stderr, "LBA format %u (%u bytes of metadata, LBADS %u) is not covered\n",
			fmt, ms, lbads);
		return -1;
	}
	lbs = 1U << lbads;
	return 0;
}

static void *alloc(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len)) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

/* a vectored read of each area, by each way and each split */
static void read_areas(unsigned char **want)
{
	struct iovec iov[MAX_SEGS];
	char what[200];
	int a, w, k, n, res;

	for (a = 0; a < AREAS; a++) {
		for (w = BY_IOCTL; w <= BY_URING; w++) {
			for (k = 0; k < (int)ARRAY_SIZE(io_splits); k++) {
				if (w == (int)areas[a].way &&
				    io_splits[k] == areas[a].split)
					continue;
				n = layout(io_splits[k], xfer, 0, iov);
				res = rw_vec(w, 0x02, area_lba(a), iov, n);
				snprintf(what, sizeof(what),
					 "area %d read by %s into %d iovecs (%s)",
					 a, way_name[w], n, io_splits[k]->name);
				check_vec(what, res, iov, n, want[a]);
			}
		}
	}
}

/* a command that must fail without touching anything around its iovecs */
static void expect_refused(const char *what, int res, const struct iovec *iov,
			   int n)
{
	char why[160];
	long off;

	if (!res) {
		report(0, what, "succeeded");
		return;
	}
	off = guard_broken(iov, n);
	if (off >= 0) {
		snprintf(why, sizeof(why),
			 "res %s, but byte %ld of the arena, outside the iovecs, changed",
			 res_str(res), off);
		report(0, what, why);
		return;
	}
	snprintf(why, sizeof(why), "%s: refused, res %s", what, res_str(res));
	report(1, why, NULL);
}

int main(int argc, char **argv)
{
	unsigned char *want[AREAS], *other;
	struct iovec iov[MAX_SEGS];
	struct stat st;
	uint64_t seed;
	char what[200];
	int strict, a, i, n, res, w;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 5) {
		fprintf(stderr, "usage: %s NSDEV GENDEV CTRLDEV SLBA [strict]\n",
			argv[0]);
		return 2;
	}
	slba = strtoull(argv[4], NULL, 0);
	strict = argc > 5 && !strcmp(argv[5], "strict");
	nsfd = open(argv[1], O_RDWR);
	genfd = open(argv[2], O_RDWR);
	ctrlfd = open(argv[3], O_RDWR);
	if (nsfd < 0 || genfd < 0 || ctrlfd < 0) {
		perror("open");
		return 2;
	}
	if (ring_setup(&ring)) {
		perror("io_uring_setup");
		return 2;
	}
	buf = alloc(NLB * 4096);	/* blocks of 512 bytes to 4 KiB */
	if (ns_format())
		return 2;
	xfer = NLB * lbs;
	if (!fstat(nsfd, &st) && S_ISBLK(st.st_mode)) {
		blkfd = open(argv[1], O_RDONLY | O_DIRECT);
		if (blkfd < 0) {
			perror(argv[1]);
			return 2;
		}
	}
	arena_len = 32768 + 2 * xfer;
	arena = alloc(arena_len);
	scratch = alloc(arena_len);
	other = alloc(xfer);
	for (i = 0; i < 24; i++) {
		split_many.seg[i].at = 4 + i * 348;
		split_many.seg[i].len = 340;
	}
	split_many.seg[24].at = 4 + 24 * 348;
	split_many.seg[24].len = 0;

	seed = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	rnd_state = seed ? seed : 1;
	printf("nsid %u, blocks of %u bytes, %u (%u bytes) a command, LBA %llu-%llu, seed %#llx\n",
	       nsid, lbs, NLB, xfer, (unsigned long long)slba,
	       (unsigned long long)area_lba(AREAS) - 1,
	       (unsigned long long)seed);

	/* each area written from iovecs, by one way and one split */
	for (a = 0; a < AREAS; a++) {
		want[a] = alloc(xfer);
		fill_random(want[a], xfer);
		n = layout(areas[a].split, xfer, 0, iov);
		scatter(iov, n, want[a]);
		res = rw_vec(areas[a].way, 0x01, area_lba(a), iov, n);
		snprintf(what, sizeof(what), "area %d written by %s from %d iovecs (%s)",
			 a, way_name[areas[a].way], n, areas[a].split->name);
		check_vec(what, res, iov, n, want[a]);
	}

	/* what landed, read without iovecs */
	for (a = 0; a < AREAS; a++) {
		memset(buf, GUARD, xfer);
		res = io_ioctl(NVME_IOCTL_IO64_CMD, 0x02, area_lba(a), buf, xfer);
		snprintf(what, sizeof(what), "area %d read by IO64_CMD into one buffer", a);
		check_buf(what, res, buf, want[a], xfer);
		if (blkfd < 0)
			continue;
		memset(buf, GUARD, xfer);
		res = pread(blkfd, buf, xfer, area_lba(a) * lbs);
		res = res < 0 ? -errno : res == (int)xfer ? 0 : -EIO;
		snprintf(what, sizeof(what), "area %d read by the block device (O_DIRECT)", a);
		check_buf(what, res, buf, want[a], xfer);
	}

	read_areas(want);

	/* admin commands into iovecs: Identify Controller */
	memset(buf, 0, ID_LEN);
	res = id_ioctl(buf);
	if (!res && !(buf[0] | buf[1]))
		report(0, "Identify Controller by ADMIN_CMD into one buffer",
		       "PCI vendor id 0");
	else
		check_buf("Identify Controller by ADMIN_CMD into one buffer",
			  res, buf, buf, ID_LEN);
	for (i = 0; i < (int)ARRAY_SIZE(id_splits); i++) {
		n = layout(id_splits[i], ID_LEN, 0, iov);
		res = id_uring(NVME_URING_CMD_ADMIN_VEC, iov, n);
		snprintf(what, sizeof(what),
			 "Identify Controller by URING_CMD_ADMIN_VEC into %d iovecs (%s), same as by ADMIN_CMD",
			 n, id_splits[i]->name);
		check_vec(what, res, iov, n, buf);
	}

	/* iovecs that hold nothing: the block layer refuses them */
	memset(arena, GUARD, arena_len);
	iov[0].iov_base = arena + 16;
	iov[0].iov_len = 0;
	iov[1].iov_base = arena + 4096;
	iov[1].iov_len = 0;
	expect_refused("read by IO64_CMD_VEC into 2 iovecs of 0 bytes",
		       rw_vec(BY_IOCTL, 0x02, area_lba(0), iov, 2), iov, 2);
	expect_refused("read by URING_CMD_IO_VEC into 2 iovecs of 0 bytes",
		       rw_vec(BY_URING, 0x02, area_lba(0), iov, 2), iov, 2);
	expect_refused("Identify Controller by URING_CMD_ADMIN_VEC into 2 iovecs of 0 bytes",
		       id_uring(NVME_URING_CMD_ADMIN_VEC, iov, 2), iov, 2);

	/* iovecs that hold less than the command moves */
	if (strict) {
		n = layout(&split_a, xfer, lbs, iov);
		snprintf(what, sizeof(what),
			 "read of %u bytes by IO64_CMD_VEC into iovecs of %u (%s)",
			 xfer, xfer - lbs, split_a.name);
		expect_refused(what, rw_vec(BY_IOCTL, 0x02, area_lba(0), iov, n),
			       iov, n);
		n = layout(&split_b, xfer, lbs, iov);
		snprintf(what, sizeof(what),
			 "read of %u bytes by URING_CMD_IO_VEC into iovecs of %u (%s)",
			 xfer, xfer - lbs, split_b.name);
		expect_refused(what, rw_vec(BY_URING, 0x02, area_lba(3), iov, n),
			       iov, n);
		n = layout(&split_id2, ID_LEN, 96, iov);
		snprintf(what, sizeof(what),
			 "Identify Controller by URING_CMD_ADMIN_VEC into iovecs of %u (%s)",
			 ID_LEN - 96, split_id2.name);
		expect_refused(what, id_uring(NVME_URING_CMD_ADMIN_VEC, iov, n),
			       iov, n);

		/* short writes: refused, and the blocks keep their data */
		fill_random(other, xfer);
		n = layout(&split_c, xfer, lbs, iov);
		scatter(iov, n, other);
		snprintf(what, sizeof(what),
			 "write of %u bytes by IO64_CMD_VEC from iovecs of %u (%s)",
			 xfer, xfer - lbs, split_c.name);
		expect_refused(what, rw_vec(BY_IOCTL, 0x01, area_lba(1), iov, n),
			       iov, n);
		n = layout(&split_d, xfer, lbs, iov);
		scatter(iov, n, other);
		snprintf(what, sizeof(what),
			 "write of %u bytes by URING_CMD_IO_VEC from iovecs of %u (%s)",
			 xfer, xfer - lbs, split_d.name);
		expect_refused(what, rw_vec(BY_URING, 0x01, area_lba(4), iov, n),
			       iov, n);
		for (a = 1; a < AREAS; a += 3) {
			memset(buf, GUARD, xfer);
			res = io_ioctl(NVME_IOCTL_IO64_CMD, 0x02, area_lba(a), buf, xfer);
			snprintf(what, sizeof(what),
				 "area %d unchanged by the refused short write", a);
			check_buf(what, res, buf, want[a], xfer);
		}

		/*
		 * iovecs that hold more than the command moves (nvmx maps
		 * them again for the transfer alone): the data fills the
		 * first, the second keeps its guard bytes.  Data pointers
		 * built for all four pages hold a PRP list, which QEMU's
		 * controller, moving two pages, takes for the second data
		 * page: it fails the read with Invalid PRP Offset when the
		 * list is not page-aligned, and writes into it when it is.
		 */
		for (w = BY_IOCTL; w <= BY_URING; w++) {
			memset(arena, GUARD, arena_len);
			iov[0].iov_base = arena;
			iov[0].iov_len = xfer;
			iov[1].iov_base = arena + xfer + 8192;
			iov[1].iov_len = 8192;
			res = rw_vec(w, 0x02, area_lba(0), iov, 2);
			snprintf(what, sizeof(what),
				 "read of %u bytes by %s into iovecs of %u + 8192",
				 xfer, way_name[w], xfer);
			check_vec(what, res, iov, 1, want[0]);
		}
	} else {
		printf("skip iovecs shorter or longer than the transfer: only with \"strict\"\n");
	}

	/* and vectored passthrough still works */
	n = layout(&split_b, xfer, 0, iov);
	res = rw_vec(BY_IOCTL, 0x02, area_lba(0), iov, n);
	check_vec("at the end, area 0 read by IO64_CMD_VEC", res, iov, n, want[0]);
	n = layout(&split_a, xfer, 0, iov);
	res = rw_vec(BY_URING, 0x02, area_lba(3), iov, n);
	check_vec("at the end, area 3 read by URING_CMD_IO_VEC", res, iov, n,
		  want[3]);
	return failed;
}
