// SPDX-License-Identifier: GPL-2.0
/*
 * meta-io DEV NSID LBS MS EXT [OPTIONS]: reads and writes with metadata
 * through a namespace's generic char device, by each of the three ways the
 * ioctl ABI has: NVME_IOCTL_IO64_CMD, NVME_IOCTL_SUBMIT_IO and io_uring
 * (NVME_URING_CMD_IO).  Each way writes its own blocks with its own data
 * and metadata patterns, from buffers at odd addresses; every way then
 * reads every way's blocks back and compares data and metadata.
 *
 * EXT is 1 for an extended-LBA format (metadata travels at the end of each
 * block, in the data buffer), 0 for separate metadata (its own buffer).
 * SUBMIT_IO's metadata must be 4-byte aligned (the ABI says so); the other
 * ways' are at odd addresses.
 *
 * OPTIONS, comma separated: "pi" (8 bytes of protection information per
 * block) also writes and reads with PRACT, where the controller inserts
 * and strips the protection information and no metadata travels;
 * "strict" also checks what nvmx refuses and the in-tree driver of
 * this kernel sends to the controller as it is: a command that moves
 * separate metadata without a buffer for it, or with too short a one.
 * Prints a line per check, exits 1 if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uring.h"

#define NLB		8	/* blocks per command */
#define BASE		4096	/* first LBA used: away from what blkid reads */
#define WAYS		3

enum way { WAY_IO64, WAY_SUBMIT_IO, WAY_URING };
static const char *const way_name[WAYS] = { "IO64_CMD", "SUBMIT_IO", "io_uring" };

static int fd, failed;
static uint32_t nsid, lbs, ms, ext;

static struct ring ring;

static void check(int ok, const char *fmt, const char *what, const char *how)
{
	printf("%s ", ok ? "ok" : "FAIL");
	printf(fmt, what, how);
	putchar('\n');
	if (!ok)
		failed = 1;
}

/*
 * One read (0x02) or write (0x01) of NLB blocks at @slba.  @meta may be
 * NULL, @meta_len then 0.  Return: 0, an NVMe status, or -errno.
 */
static int rw(enum way way, uint8_t opcode, uint64_t slba, void *data,
	      uint32_t data_len, void *meta, uint32_t meta_len, uint16_t control)
{
	struct nvme_passthru_cmd64 c;
	struct nvme_uring_cmd u;
	struct nvme_user_io io;

	switch (way) {
	case WAY_IO64:
		memset(&c, 0, sizeof(c));
		c.opcode = opcode;
		c.nsid = nsid;
		c.addr = (uintptr_t)data;
		c.data_len = data_len;
		c.metadata = (uintptr_t)meta;
		c.metadata_len = meta_len;
		c.cdw10 = (uint32_t)slba;
		c.cdw11 = slba >> 32;
		c.cdw12 = (NLB - 1) | (uint32_t)control << 16;
		return ioctl(fd, NVME_IOCTL_IO64_CMD, &c) < 0 ? -errno : 0;
	case WAY_SUBMIT_IO:
		/* lengths follow from the block count and the format */
		memset(&io, 0, sizeof(io));
		io.opcode = opcode;
		io.nblocks = NLB - 1;
		io.control = control;
		io.slba = slba;
		io.addr = (uintptr_t)data;
		io.metadata = (uintptr_t)meta;
		return ioctl(fd, NVME_IOCTL_SUBMIT_IO, &io) < 0 ? -errno : 0;
	case WAY_URING:
		memset(&u, 0, sizeof(u));
		u.opcode = opcode;
		u.nsid = nsid;
		u.addr = (uintptr_t)data;
		u.data_len = data_len;
		u.metadata = (uintptr_t)meta;
		u.metadata_len = meta_len;
		u.cdw10 = (uint32_t)slba;
		u.cdw11 = slba >> 32;
		u.cdw12 = (NLB - 1) | (uint32_t)control << 16;
		return ring_cmd(&ring, fd, NVME_URING_CMD_IO, &u);
	}
	return -EINVAL;
}

static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

int main(int argc, char **argv)
{
	uint32_t data_len, meta_len;
	unsigned char *data, *meta, *want_data, *want_meta, *m;
	int strict, pi, w, r, ret;
	char what[96];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 6) {
		fprintf(stderr, "usage: %s DEV NSID LBS MS EXT [strict,pi]\n", argv[0]);
		return 2;
	}
	nsid = strtoul(argv[2], NULL, 0);
	lbs = strtoul(argv[3], NULL, 0);
	ms = strtoul(argv[4], NULL, 0);
	ext = strtoul(argv[5], NULL, 0);
	strict = argc > 6 && strstr(argv[6], "strict");
	pi = argc > 6 && strstr(argv[6], "pi");
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || ring_setup(&ring)) {
		perror(argv[1]);
		return 2;
	}
	data_len = NLB * (lbs + (ext ? ms : 0));
	meta_len = ext ? 0 : NLB * ms;
	/* odd addresses: both buffers are bounced by the drivers */
	data = malloc(data_len + 1);
	meta = malloc(meta_len + 8);
	want_data = malloc(data_len);
	want_meta = malloc(meta_len + 1);
	if (!data || !meta || !want_data || !want_meta)
		return 2;

	for (w = 0; w < WAYS; w++) {
		m = meta + (w == WAY_SUBMIT_IO ? 4 : 1);
		fill(data + 1, data_len, 2 * w + 1);
		fill(m, meta_len, 2 * w + 2);
		ret = rw(w, 0x01, BASE + w * NLB, data + 1, data_len,
			 meta_len ? m : NULL, meta_len, 0);
		snprintf(what, sizeof(what), "write by %s", way_name[w]);
		printf("%s: %d\n", what, ret);
		check(ret == 0, "%s%s", what, "");
	}
	for (w = 0; w < WAYS; w++) {
		fill(want_data, data_len, 2 * w + 1);
		fill(want_meta, meta_len, 2 * w + 2);
		for (r = 0; r < WAYS; r++) {
			m = meta + (r == WAY_SUBMIT_IO ? 4 : 1);
			memset(data, 0xee, data_len + 1);
			memset(meta, 0xee, meta_len + 8);
			ret = rw(r, 0x02, BASE + w * NLB, data + 1, data_len,
				 meta_len ? m : NULL, meta_len, 0);
			snprintf(what, sizeof(what), "blocks written by %s, read by %s",
				 way_name[w], way_name[r]);
			printf("%s: %d\n", what, ret);
			check(ret == 0 && !memcmp(data + 1, want_data, data_len),
			      "%s: %s", what, "data");
			check(ret == 0 && !memcmp(m, want_meta, meta_len),
			      "%s: %s", what, "metadata");
			/* nothing beyond the buffers */
			check(data[0] == 0xee && m[-1] == 0xee &&
			      m[meta_len] == 0xee, "%s: %s", what,
			      "bytes around the buffers untouched");
		}
	}

	if (pi) {
		/* PRACT: only the blocks' data travels, both ways */
		data_len = NLB * lbs;
		for (w = 0; w < WAYS; w++) {
			fill(data + 1, data_len, 2 * w + 7);
			ret = rw(w, 0x01, BASE + (WAYS + w) * NLB, data + 1, data_len,
				 NULL, 0, 1 << 13);
			check(ret == 0, "%s%s", way_name[w], ": write with PRACT");
			memset(data, 0xee, data_len + 1);
			ret = rw(w, 0x02, BASE + (WAYS + w) * NLB, data + 1, data_len,
				 NULL, 0, 1 << 13);
			fill(want_data, data_len, 2 * w + 7);
			check(ret == 0 && !memcmp(data + 1, want_data, data_len),
			      "%s%s", way_name[w], ": read with PRACT, data");
		}
		data_len = NLB * (lbs + (ext ? ms : 0));
	}

	if (strict && meta_len) {
		for (w = 0; w < WAYS; w += 2) {
			ret = rw(w, 0x02, BASE, data + 1, data_len, NULL, 0, 0);
			check(ret == -EINVAL, "%s: %s", way_name[w],
			      "read without a metadata buffer refused (EINVAL)");
			ret = rw(w, 0x02, BASE, data + 1, data_len, meta + 1,
				 meta_len - 1, 0);
			check(ret == -EINVAL, "%s: %s", way_name[w],
			      "read with a short metadata buffer refused (EINVAL)");
			ret = rw(w, 0x02, BASE, data + 1, data_len, (void *)16,
				 meta_len, 0);
			check(ret == -EFAULT, "%s: %s", way_name[w],
			      "metadata at a bad address (EFAULT)");
		}
		ret = rw(WAY_SUBMIT_IO, 0x02, BASE, data + 1, data_len,
			 (void *)16, 0, 0);
		check(ret == -EFAULT, "%s: %s", "SUBMIT_IO",
		      "metadata at a bad address (EFAULT)");
	}
	return failed;
}
