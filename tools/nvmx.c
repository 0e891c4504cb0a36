// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx - connect, disconnect and list nvmx controllers.
 *
 *   nvmx connect -t tcp -a TRADDR [-s TRSVCID] -n NQN [-q HOSTNQN] [-I HOSTID]
 *                [-i NR_IO_QUEUES] [-Q QUEUE_SIZE] [-k KATO]
 *                [-c RECONNECT_DELAY] [-l CTRL_LOSS_TMO] [-g] [-G]
 *   nvmx disconnect -d nvmx<N> | -n NQN
 *   nvmx list
 *
 * The connect flags are nvme-cli's; the host NQN and ID come from
 * /etc/nvme/hostnqn and /etc/nvme/hostid when not given and present.
 * list prints the table nvme list prints, for nvmx controllers of either
 * transport (stock nvme list sees only /sys/class/nvme).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

#define SYSFS_CLASS	"/sys/class/nvmx"
#define FABRICS_DEV	"/dev/nvmx-fabrics"
#define DISCONNECT_WAIT	60	/* seconds */
#define DISCOVERY_NQN	"nqn.2014-08.org.nvmexpress.discovery"

static const char *prog = "nvmx";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s connect -t tcp -a TRADDR [-s TRSVCID] -n NQN [-q HOSTNQN] [-I HOSTID]\n"
		"                    [-i NR_IO_QUEUES] [-Q QUEUE_SIZE] [-k KATO] [-c RECONNECT_DELAY]\n"
		"                    [-l CTRL_LOSS_TMO] [-g] [-G]\n"
		"       %s disconnect -d nvmx<N> | -n NQN\n"
		"       %s list\n", prog, prog, prog);
	exit(2);
}

/* A one-line file, without its newline; "" when it cannot be read. */
static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, size, f))
		buf[0] = '\0';
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

static void read_attr(const char *dir, const char *name, char *buf,
		      size_t size)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	read_line(path, buf, size);
}

/* ---- connect ---- */

static int append(char *opts, size_t size, const char *fmt, const char *val)
{
	size_t len = strlen(opts);
	int n;

	n = snprintf(opts + len, size - len, fmt, val);
	if (n < 0 || (size_t)n >= size - len) {
		fprintf(stderr, "%s: options too long\n", prog);
		return -1;
	}
	return 0;
}

/* A number for a numeric flag; the kernel checks the range. */
static const char *number(const char *flag, const char *s)
{
	char *end;

	errno = 0;
	strtol(s, &end, 10);
	if (errno || !*s || *end) {
		fprintf(stderr, "%s: %s needs a number, not '%s'\n", prog, flag, s);
		exit(2);
	}
	return s;
}

static int cmd_connect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "transport", required_argument, NULL, 't' },
		{ "traddr", required_argument, NULL, 'a' },
		{ "trsvcid", required_argument, NULL, 's' },
		{ "nqn", required_argument, NULL, 'n' },
		{ "hostnqn", required_argument, NULL, 'q' },
		{ "hostid", required_argument, NULL, 'I' },
		{ "nr-io-queues", required_argument, NULL, 'i' },
		{ "queue-size", required_argument, NULL, 'Q' },
		{ "keep-alive-tmo", required_argument, NULL, 'k' },
		{ "reconnect-delay", required_argument, NULL, 'c' },
		{ "ctrl-loss-tmo", required_argument, NULL, 'l' },
		{ "hdr-digest", no_argument, NULL, 'g' },
		{ "data-digest", no_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	const char *transport = NULL, *traddr = NULL, *trsvcid = NULL;
	const char *nqn = NULL, *hostnqn = NULL, *hostid = NULL;
	char fhostnqn[256], fhostid[64], opts[2048] = "", answer[128];
	const char *nums[5] = { NULL };
	static const char *const numfmt[5] = {
		",nr_io_queues=%s", ",queue_size=%s", ",keep_alive_tmo=%s",
		",reconnect_delay=%s", ",ctrl_loss_tmo=%s",
	};
	int c, fd, i, hdgst = 0, ddgst = 0;
	ssize_t n;

	while ((c = getopt_long(argc, argv, "t:a:s:n:q:I:i:Q:k:c:l:gG",
				longopts, NULL)) != -1) {
		switch (c) {
		case 't': transport = optarg; break;
		case 'a': traddr = optarg; break;
		case 's': trsvcid = optarg; break;
		case 'n': nqn = optarg; break;
		case 'q': hostnqn = optarg; break;
		case 'I': hostid = optarg; break;
		case 'i': nums[0] = number("-i", optarg); break;
		case 'Q': nums[1] = number("-Q", optarg); break;
		case 'k': nums[2] = number("-k", optarg); break;
		case 'c': nums[3] = number("-c", optarg); break;
		case 'l': nums[4] = number("-l", optarg); break;
		case 'g': hdgst = 1; break;
		case 'G': ddgst = 1; break;
		default: usage();
		}
	}
	if (optind != argc || !transport || !traddr || !nqn)
		usage();
	/* nvme-cli's default: the discovery port only for discovery */
	if (!trsvcid)
		trsvcid = strcmp(nqn, DISCOVERY_NQN) ? "4420" : "8009";
	if (!hostnqn) {
		read_line("/etc/nvme/hostnqn", fhostnqn, sizeof(fhostnqn));
		if (fhostnqn[0])
			hostnqn = fhostnqn;
	}
	if (!hostid) {
		read_line("/etc/nvme/hostid", fhostid, sizeof(fhostid));
		if (fhostid[0])
			hostid = fhostid;
	}

	if (append(opts, sizeof(opts), "transport=%s", transport) ||
	    append(opts, sizeof(opts), ",traddr=%s", traddr) ||
	    (trsvcid && append(opts, sizeof(opts), ",trsvcid=%s", trsvcid)) ||
	    append(opts, sizeof(opts), ",nqn=%s", nqn) ||
	    (hostnqn && append(opts, sizeof(opts), ",hostnqn=%s", hostnqn)) ||
	    (hostid && append(opts, sizeof(opts), ",hostid=%s", hostid)))
		return 1;
	for (i = 0; i < 5; i++)
		if (nums[i] && append(opts, sizeof(opts), numfmt[i], nums[i]))
			return 1;
	if ((hdgst && append(opts, sizeof(opts), "%s", ",hdr_digest")) ||
	    (ddgst && append(opts, sizeof(opts), "%s", ",data_digest")))
		return 1;

	fd = open(FABRICS_DEV, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s (is nvmx-tcp loaded?)\n", prog,
			FABRICS_DEV, strerror(errno));
		return 1;
	}
	if (write(fd, opts, strlen(opts)) != (ssize_t)strlen(opts)) {
		fprintf(stderr, "%s: connect to %s refused: %s (the kernel log says why)\n",
			prog, nqn, strerror(errno));
		close(fd);
		return 1;
	}
	n = read(fd, answer, sizeof(answer) - 1);
	close(fd);
	if (n > 0)
		answer[n] = '\0';
	if (n <= 0 || sscanf(answer, "instance=%d", &i) != 1) {
		fprintf(stderr, "%s: no answer from %s\n", prog, FABRICS_DEV);
		return 1;
	}
	printf("device: nvmx%d\n", i);
	return 0;
}

/* ---- disconnect ---- */

static int delete_ctrl(const char *name)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	char path[512];
	int fd, i;

	snprintf(path, sizeof(path), SYSFS_CLASS "/%s/delete_controller", name);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	snprintf(path, sizeof(path), SYSFS_CLASS "/%s", name);
	for (i = 0; i < DISCONNECT_WAIT * 10; i++) {
		if (access(path, F_OK))
			return 0;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "%s: %s still there after %d s\n", prog, name,
		DISCONNECT_WAIT);
	return -1;
}

static int is_ctrl_name(const char *name)
{
	const char *p = name + 4;

	if (strncmp(name, "nvmx", 4) || !*p)
		return 0;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* A controller of a fabrics transport: one that can be disconnected. */
static int is_fabrics(const char *name)
{
	char dir[512], transport[32];

	snprintf(dir, sizeof(dir), SYSFS_CLASS "/%s", name);
	read_attr(dir, "transport", transport, sizeof(transport));
	return transport[0] && strcmp(transport, "pcie");
}

static int cmd_disconnect(int argc, char **argv)
{
	const char *dev = NULL, *nqn = NULL;
	char dir[512], subnqn[300];
	struct dirent *de;
	int c, n = 0, bad = 0;
	DIR *d;

	while ((c = getopt(argc, argv, "d:n:")) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'n': nqn = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || !dev == !nqn)
		usage();
	if (dev) {
		if (!strncmp(dev, "/dev/", 5))
			dev += 5;
		if (!is_ctrl_name(dev)) {
			fprintf(stderr, "%s: %s is not an nvmx controller\n", prog, dev);
			return 1;
		}
		if (!is_fabrics(dev)) {
			fprintf(stderr, "%s: %s is not a fabrics controller (PCIe ones are unbound, not disconnected)\n",
				prog, dev);
			return 1;
		}
		return delete_ctrl(dev) ? 1 : 0;
	}
	d = opendir(SYSFS_CLASS);
	if (!d) {
		fprintf(stderr, "%s: %s: %s\n", prog, SYSFS_CLASS, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		if (!is_ctrl_name(de->d_name))
			continue;
		snprintf(dir, sizeof(dir), SYSFS_CLASS "/%s", de->d_name);
		read_attr(dir, "subsysnqn", subnqn, sizeof(subnqn));
		if (strcmp(subnqn, nqn) || !is_fabrics(de->d_name))
			continue;
		if (delete_ctrl(de->d_name))
			bad++;
		else
			n++;
	}
	closedir(d);
	printf("NQN:%s disconnected %d controller(s)\n", nqn, n);
	return bad ? 1 : 0;
}

/* ---- list ---- */

/* Identify Namespace: NUSE, NSZE and the LBA format in use. */
static int identify_ns(const char *ctrl, unsigned int nsid, uint64_t *nsze,
		       uint64_t *nuse, unsigned int *lbads, unsigned int *ms)
{
	struct nvme_admin_cmd cmd = { 0 };
	unsigned char id[4096];
	char path[64];
	unsigned int f;
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/%s", ctrl);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	cmd.opcode = 0x06;		/* Identify */
	cmd.nsid = nsid;
	cmd.addr = (uintptr_t)id;
	cmd.data_len = sizeof(id);
	cmd.cdw10 = 0;			/* CNS 0: the namespace */
	ret = ioctl(fd, NVME_IOCTL_ADMIN_CMD, &cmd);
	close(fd);
	if (ret)
		return -1;
	memcpy(nsze, id, 8);
	memcpy(nuse, id + 16, 8);
	f = (id[26] & 0xf) | ((id[26] >> 5 & 3) << 4);	/* FLBAS */
	*ms = id[128 + 4 * f] | id[129 + 4 * f] << 8;
	*lbads = id[130 + 4 * f];
	return 0;
}

/* nvme-cli's units: decimal, with a two-letter suffix. */
static double si(double v, const char **suffix)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	unsigned int i = 0;

	while (v >= 1000 && i < 5) {
		v /= 1000;
		i++;
	}
	*suffix = units[i];
	return v;
}

static void list_ns(const char *ctrl, const char *blk, const char *sn,
		    const char *mn, const char *fr)
{
	char dir[512], buf[32], node[64], generic[64], usage[64], format[32];
	uint64_t nsze, nuse;
	unsigned int nsid, lbads, ms;
	const char *su, *st, *sl;
	double u, t, l;

	snprintf(dir, sizeof(dir), "/sys/block/%s", blk);
	read_attr(dir, "nsid", buf, sizeof(buf));
	nsid = strtoul(buf, NULL, 10);
	snprintf(node, sizeof(node), "/dev/%s", blk);
	snprintf(generic, sizeof(generic), "/dev/%sg%u", ctrl, nsid);
	if (identify_ns(ctrl, nsid, &nsze, &nuse, &lbads, &ms) || lbads < 9 ||
	    lbads > 31) {
		snprintf(usage, sizeof(usage), "%s", "-");
		snprintf(format, sizeof(format), "%s", "-");
	} else {
		u = si((double)nuse * (1ULL << lbads), &su);
		t = si((double)nsze * (1ULL << lbads), &st);
		snprintf(usage, sizeof(usage), "%6.2f %2s / %6.2f %2s", u, su, t, st);
		l = si(1ULL << lbads, &sl);
		snprintf(format, sizeof(format), "%3.0f %2s + %2u B", l, sl, ms);
	}
	printf("%-21s %-21s %-20s %-40s %-9u %-26s %-16s %-8s\n", node,
	       generic, sn, mn, nsid, usage, format, fr);
}

static int cmp_names(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* The entries of @path whose names pass @keep, sorted by length then name. */
static int list_dir(const char *path, int (*keep)(const char *, const void *),
		    const void *arg, char ***names)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	*names = NULL;
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!keep(de->d_name, arg))
			continue;
		*names = realloc(*names, (n + 1) * sizeof(**names));
		if (!*names)
			exit(1);
		(*names)[n] = strdup(de->d_name);
		if (!(*names)[n]) {
			fprintf(stderr, "%s: out of memory\n", prog);
			exit(1);
		}
		n++;
	}
	closedir(d);
	qsort(*names, n, sizeof(**names), cmp_names);
	return n;
}

static int keep_ctrl(const char *name, const void *arg)
{
	(void)arg;
	return is_ctrl_name(name);
}

/* A block device of controller @arg: /sys/block/<name>/device is it. */
static int keep_blk(const char *name, const void *arg)
{
	char path[512], target[512];
	const char *base;
	ssize_t n;

	if (strncmp(name, "nvmx", 4) || strchr(name, 'p'))
		return 0;
	snprintf(path, sizeof(path), "/sys/block/%s/device", name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	base = strrchr(target, '/');
	return base && !strcmp(base + 1, (const char *)arg);
}

static int cmd_list(int argc, char **argv)
{
	char dir[512], sn[64], mn[64], fr[16];
	char **ctrls, **blks;
	int nc, nb, i, j;

	(void)argv;
	if (argc > 1)
		usage();
	printf("%-21s %-21s %-20s %-40s %-9s %-26s %-16s %-8s\n", "Node",
	       "Generic", "SN", "Model", "Namespace", "Usage", "Format",
	       "FW Rev");
	printf("%-.21s %-.21s %-.20s %-.40s %-.9s %-.26s %-.16s %-.8s\n",
	       "---------------------------------------------",
	       "---------------------------------------------",
	       "---------------------------------------------",
	       "---------------------------------------------",
	       "---------------------------------------------",
	       "---------------------------------------------",
	       "---------------------------------------------",
	       "---------------------------------------------");
	nc = list_dir(SYSFS_CLASS, keep_ctrl, NULL, &ctrls);
	for (i = 0; i < nc; i++) {
		snprintf(dir, sizeof(dir), SYSFS_CLASS "/%s", ctrls[i]);
		read_attr(dir, "serial", sn, sizeof(sn));
		read_attr(dir, "model", mn, sizeof(mn));
		read_attr(dir, "firmware_rev", fr, sizeof(fr));
		nb = list_dir("/sys/block", keep_blk, ctrls[i], &blks);
		for (j = 0; j < nb; j++) {
			list_ns(ctrls[i], blks[j], sn, mn, fr);
			free(blks[j]);
		}
		free(blks);
		free(ctrls[i]);
	}
	free(ctrls);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "connect"))
		return cmd_connect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "disconnect"))
		return cmd_disconnect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	usage();
	return 2;
}
