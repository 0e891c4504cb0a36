// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-errors CTRLDEV NSDEV [nvmx]: the error cases of the nvme ioctl ABI.
 * Each case states the errno the in-tree driver of this kernel returns;
 * the same binary runs against both drivers.  With "nvmx", the cases
 * where nvmx differs on purpose expect nvmx's answer (a SUBMIT_IO write
 * through a read-only descriptor: EBADF; the in-tree driver of 6.1
 * writes).  Prints one line per case,
 * exits 1 if any case got something else.  Run as root; the cases that
 * need an unprivileged caller drop to uid/gid 65534 in a child.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int failed;

static void expect(const char *what, int ret, int want_errno)
{
	int err = ret < 0 ? errno : 0;
	int ok = want_errno ? (ret < 0 && err == want_errno) : ret == 0;

	printf("%s %s: ret %d errno %d (%s), expected %s\n", ok ? "ok" : "FAIL",
	       what, ret, err, err ? strerror(err) : "none",
	       want_errno ? strerror(want_errno) : "success");
	if (!ok)
		failed = 1;
}

static struct nvme_passthru_cmd identify(void *buf, uint32_t len, uint32_t cns)
{
	struct nvme_passthru_cmd c;

	memset(&c, 0, sizeof(c));
	c.opcode = 0x06;
	c.addr = (uintptr_t)buf;
	c.data_len = len;
	c.cdw10 = cns;
	return c;
}

int main(int argc, char **argv)
{
	struct nvme_passthru_cmd c;
	struct nvme_passthru_cmd64 c64;
	struct nvme_user_io io;
	unsigned char *buf, *guard;
	int cfd, nfd, rfd, nsid, st, nvmx, effects;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* no buffered lines across fork() */
	if (argc != 3 && !(argc == 4 && (!strcmp(argv[3], "nvmx") ||
					  !strcmp(argv[3], "nvme-effects")))) {
		fprintf(stderr, "usage: %s CTRLDEV NSDEV [nvmx|nvme-effects]\n",
			argv[0]);
		return 2;
	}
	nvmx = argc == 4 && !strcmp(argv[3], "nvmx");
	effects = argc == 4 && !strcmp(argv[3], "nvme-effects");
	cfd = open(argv[1], O_RDWR);
	nfd = open(argv[2], O_RDWR);
	rfd = open(argv[2], O_RDONLY);
	if (cfd < 0 || nfd < 0 || rfd < 0) {
		perror("open");
		return 2;
	}
	buf = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* a page that faults, right after a valid one */
	guard = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || guard == MAP_FAILED)
		return 2;
	munmap(guard + 4096, 4096);

	nsid = ioctl(nfd, NVME_IOCTL_ID);
	expect("NVME_IOCTL_ID on the namespace", nsid == 1 ? 0 : -1, 0);
	expect("NVME_IOCTL_ID on the controller", ioctl(cfd, NVME_IOCTL_ID), ENOTTY);
	expect("unknown ioctl number", ioctl(cfd, _IO('N', 0x7f)), ENOTTY);
	expect("SUBMIT_IO on the controller", ioctl(cfd, NVME_IOCTL_SUBMIT_IO, &io), ENOTTY);

	c = identify(buf, 4096, 1);
	expect("identify controller", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c), 0);
	c = identify(NULL, 4096, 1);
	c.addr = 16;	/* unmapped user address */
	expect("identify into a bad pointer", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c), EFAULT);
	c = identify(guard, 8192, 1);
	expect("identify into a half-unmapped buffer", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c), EFAULT);
	expect("command struct at a bad pointer", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, (void *)16), EFAULT);
	c = identify(buf, 4096, 1);
	c.flags = 1;
	expect("passthrough with flags", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c), EINVAL);
	c = identify(buf, 4096, 1);
	c.metadata = (uintptr_t)buf;
	c.metadata_len = 64;
	expect("admin passthrough with metadata", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c), EINVAL);
	c = identify(buf, 64 << 20, 1);
	expect("data length beyond the transfer limit", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c), EINVAL);
	c = identify(buf + 1, 4096, 1);
	expect("identify into an odd address (bounced)", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c), 0);
	c = identify(buf, 4096, 1);
	c.opcode = 0xbf;	/* reserved admin opcode */
	st = ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c);
	expect("reserved admin opcode: Invalid Opcode status", (st & 0x7ff) == 0x1 ? 0 : -1, 0);

	c = identify(buf, 4096, 0);
	c.opcode = 0x02;	/* read */
	c.nsid = 2;
	c.data_len = 512;
	expect("IO_CMD with another namespace's nsid", ioctl(nfd, NVME_IOCTL_IO_CMD, &c), EINVAL);
	c.nsid = 1;
	expect("IO_CMD read of one block", ioctl(nfd, NVME_IOCTL_IO_CMD, &c), 0);
	memset(&c64, 0, sizeof(c64));
	c64.opcode = 0x02;
	c64.nsid = 1;
	c64.addr = (uintptr_t)buf;
	c64.data_len = 4096;
	c64.cdw12 = 7;
	expect("IO64_CMD read of eight blocks", ioctl(nfd, NVME_IOCTL_IO64_CMD, &c64), 0);
	c64.opcode = 0x81;	/* vendor specific, unknown */
	st = ioctl(nfd, NVME_IOCTL_IO64_CMD, &c64);
	expect("unknown I/O opcode: Invalid Opcode status", (st & 0x7ff) == 0x1 ? 0 : -1, 0);
	/*
	 * Copy of one range in Source Range descriptor format 2h, whose
	 * descriptors are of 32 bytes as format 0h's (1h's and 3h's are of
	 * 40): its buffer is long enough, and the controller answers (a
	 * status if it does not know the format, as QEMU 7.2; else a copy of
	 * block 0 of namespace 1, the descriptor's SNSID, onto itself)
	 */
	memset(&c64, 0, sizeof(c64));
	memset(buf, 0, 32);
	buf[0] = 1;
	c64.opcode = 0x19;
	c64.nsid = 1;
	c64.addr = (uintptr_t)buf;
	c64.data_len = 32;
	c64.cdw12 = 2 << 8;
	st = ioctl(nfd, NVME_IOCTL_IO64_CMD, &c64);
	expect("Copy in descriptor format 2h of 32 bytes: sent", st < 0 ? -1 : 0, 0);

	memset(&io, 0, sizeof(io));
	io.opcode = 0x02;
	io.addr = (uintptr_t)buf;
	io.nblocks = 7;
	expect("SUBMIT_IO read", ioctl(nfd, NVME_IOCTL_SUBMIT_IO, &io), 0);
	io.metadata = (uintptr_t)buf;	/* no metadata here: ignored */
	expect("SUBMIT_IO read with a metadata pointer, no metadata format",
	       ioctl(nfd, NVME_IOCTL_SUBMIT_IO, &io), 0);
	io.metadata = 0;
	io.opcode = 0x09;	/* dsm: not a read, write or compare */
	expect("SUBMIT_IO with another opcode", ioctl(nfd, NVME_IOCTL_SUBMIT_IO, &io), EINVAL);
	io.opcode = 0x02;
	io.flags = 1;
	expect("SUBMIT_IO with flags", ioctl(nfd, NVME_IOCTL_SUBMIT_IO, &io), EINVAL);
	io.flags = 0;
	io.addr = 16;
	expect("SUBMIT_IO into a bad pointer", ioctl(nfd, NVME_IOCTL_SUBMIT_IO, &io), EFAULT);
	io.addr = (uintptr_t)buf;
	io.slba = 1ULL << 40;	/* beyond the namespace */
	st = ioctl(nfd, NVME_IOCTL_SUBMIT_IO, &io);
	expect("SUBMIT_IO beyond the end: LBA Out of Range status", (st & 0x7ff) == 0x80 ? 0 : -1, 0);
	expect("RESCAN", ioctl(cfd, NVME_IOCTL_RESCAN), 0);

	/* a read-only descriptor: SUBMIT_IO reads; writes the same data back */
	memset(&io, 0, sizeof(io));
	io.opcode = 0x02;
	io.addr = (uintptr_t)buf;
	io.nblocks = 7;
	expect("SUBMIT_IO read through a read-only descriptor",
	       ioctl(rfd, NVME_IOCTL_SUBMIT_IO, &io), 0);
	io.opcode = 0x01;
	if (nvmx)
		expect("SUBMIT_IO write through a read-only descriptor (nvmx)",
		       ioctl(rfd, NVME_IOCTL_SUBMIT_IO, &io), EBADF);
	else
		expect("SUBMIT_IO write through a read-only descriptor (in-tree)",
		       ioctl(rfd, NVME_IOCTL_SUBMIT_IO, &io), 0);
	expect("SUBMIT_IO write through a read-write descriptor",
	       ioctl(nfd, NVME_IOCTL_SUBMIT_IO, &io), 0);
	io.opcode = 0x02;

	/*
	 * unprivileged: passthrough, reset and rescan are refused; the
	 * in-tree driver from 6.2 on (nvme-effects) lets an Identify
	 * Controller and, on a descriptor that may, a read the controller's
	 * Commands Supported and Effects log marks harmless through
	 */
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		c = identify(buf, 4096, 1);
		expect("unprivileged ADMIN_CMD", ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &c),
		       effects ? 0 : EACCES);
		c.opcode = 0x02;
		c.nsid = 1;
		c.cdw10 = 0;
		expect("unprivileged IO_CMD", ioctl(nfd, NVME_IOCTL_IO_CMD, &c),
		       effects ? 0 : EACCES);
		expect("unprivileged RESET", ioctl(cfd, NVME_IOCTL_RESET), EACCES);
		expect("unprivileged RESCAN", ioctl(cfd, NVME_IOCTL_RESCAN), EACCES);
		io.slba = 0;
		expect("unprivileged SUBMIT_IO read", ioctl(nfd, NVME_IOCTL_SUBMIT_IO, &io), 0);
		fflush(stdout);
		_exit(failed);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		failed = 1;

	expect("SUBSYS_RESET without NSSR support", ioctl(cfd, NVME_IOCTL_SUBSYS_RESET), ENOTTY);
	expect("RESET", ioctl(cfd, NVME_IOCTL_RESET), 0);
	return failed;
}
