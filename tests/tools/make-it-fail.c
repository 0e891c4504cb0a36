// SPDX-License-Identifier: GPL-2.0
/*
 * make-it-fail: do one thing with this task marked for the kernel's fault
 * injection (/proc/self/make-it-fail, which failslab and fail_page_alloc
 * honour with task-filter=Y). Everything else (exec, opening, buffers) is
 * done before the mark, so the failures land in the kernel path under
 * test, not in page faults of the program. Built static, run from tmpfs.
 *
 *   make-it-fail -w FILE STRING   write STRING to FILE (a sysfs bind: the
 *                                 probe runs in this task)
 *   make-it-fail -r DEV COUNT     COUNT O_DIRECT reads of 256 KiB at
 *                                 random offsets of the first 32 MiB
 *
 * Exit status: 0 when every call succeeded, 1 when one failed with an
 * errno (printed), 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int mark(void)
{
	int fd = open("/proc/self/make-it-fail", O_WRONLY);

	if (fd < 0 || write(fd, "1", 1) != 1) {
		perror("/proc/self/make-it-fail");
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int fd, i, count, failed = 0;
	void *buf;

	if (argc != 4 || (strcmp(argv[1], "-w") && strcmp(argv[1], "-r"))) {
		fprintf(stderr, "usage: %s -w FILE STRING | -r DEV COUNT\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "-w")) {
		size_t len = strlen(argv[3]);

		fd = open(argv[2], O_WRONLY);
		if (fd < 0 || mark())
			return 2;
		if (write(fd, argv[3], len) != (ssize_t)len) {
			printf("write %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		return 0;
	}
	count = atoi(argv[3]);
	fd = open(argv[2], O_RDONLY | O_DIRECT);
	if (fd < 0 || posix_memalign(&buf, 4096, 256 << 10))
		return 2;
	memset(buf, 0, 256 << 10);	/* no page faults once marked */
	if (mark())
		return 2;
	for (i = 0; i < count; i++) {
		off_t off = (off_t)(rand() % 128) * (256 << 10);

		if (pread(fd, buf, 256 << 10, off) != 256 << 10) {
			printf("read at %lld: %s\n", (long long)off, strerror(errno));
			failed = 1;
		}
	}
	return failed;
}
