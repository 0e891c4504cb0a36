// SPDX-License-Identifier: GPL-2.0
/*
 * uring-admin CTRLDEV [strict]: admin commands through io_uring
 * (NVME_URING_CMD_ADMIN) on a controller's char device.  Identify
 * Controller and Get Features (volatile write cache) work on both drivers.
 * "strict" also checks what nvmx refuses with EOPNOTSUPP and the in-tree
 * driver of this kernel runs: admin commands whose follow-up only the
 * ioctls do (here a Format NVM, which must not reach the controller, and
 * a Set Features of the volatile write cache).  Prints a line per check,
 * exits 1 if any failed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "uring.h"

static int failed;

static void expect(const char *what, int res, int want)
{
	int ok = res == want;

	printf("%s %s: res %d, expected %d\n", ok ? "ok" : "FAIL", what, res,
	       want);
	if (!ok)
		failed = 1;
}

int main(int argc, char **argv)
{
	static unsigned char id[4096];
	struct nvme_uring_cmd c;
	struct ring ring;
	int fd, strict;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CTRLDEV [strict]\n", argv[0]);
		return 2;
	}
	strict = argc > 2 && !strcmp(argv[2], "strict");
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || ring_setup(&ring)) {
		perror(argv[1]);
		return 2;
	}

	memset(&c, 0, sizeof(c));
	c.opcode = 0x06;			/* Identify */
	c.addr = (uintptr_t)id;
	c.data_len = sizeof(id);
	c.cdw10 = 1;				/* CNS 01h: the controller */
	expect("Identify Controller", ring_cmd(&ring, fd, NVME_URING_CMD_ADMIN, &c), 0);
	expect("Identify Controller data (VID set)", id[0] || id[1] ? 0 : -1, 0);

	memset(&c, 0, sizeof(c));
	c.opcode = 0x0a;			/* Get Features */
	c.cdw10 = 0x06;				/* Volatile Write Cache */
	expect("Get Features, volatile write cache",
	       ring_cmd(&ring, fd, NVME_URING_CMD_ADMIN, &c), 0);

	if (strict) {
		memset(&c, 0, sizeof(c));
		c.opcode = 0x80;		/* Format NVM, LBA format 0 */
		c.nsid = 0xffffffff;
		expect("Format NVM refused",
		       ring_cmd(&ring, fd, NVME_URING_CMD_ADMIN, &c), -EOPNOTSUPP);
		memset(&c, 0, sizeof(c));
		c.opcode = 0x09;		/* Set Features */
		c.cdw10 = 0x06;
		c.cdw11 = 1;
		expect("Set Features of the volatile write cache refused",
		       ring_cmd(&ring, fd, NVME_URING_CMD_ADMIN, &c), -EOPNOTSUPP);
	}
	return failed;
}
