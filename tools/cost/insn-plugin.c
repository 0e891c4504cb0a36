// SPDX-License-Identifier: GPL-2.0
/*
 * insn-plugin.c - a QEMU 7.2 TCG plugin for make cost: it counts every
 * executed guest instruction, per translated block and per vCPU, and
 * writes what ran since the last snapshot whenever a vCPU executes the
 * instruction at the guest address mark= (the entry of a kernel function
 * the guest calls on purpose: see scripts/cost-guest.sh).
 *
 *   -plugin insn-plugin.so,out=FILE,mark=0xffffffff81234560
 *
 * FILE gets, for each snapshot (numbered from 1):
 *   T <id> <vaddr> <n> <size1>,<size2>,...  a kernel block, before its
 *                                            first count (its
 *                                            instructions' sizes)
 *   C <id> <vcpu> <executions>               since the last snapshot
 *   U <vcpu> <instructions>                  user space's, since then
 *   S <seq> <vcpu>                           the snapshot, taken on vcpu
 * A block's callback runs as the block is entered, so a block that an
 * exception leaves early (a page fault, an interrupt taken inside it) has
 * its remaining instructions counted too (but a last instruction counted
 * apart, below): the counts are exact up to that.
 *
 * An instruction that crosses into the next page ends the block before it
 * unless it is the block's first: x86's translator rolls it back, and it
 * starts a block of its own.  QEMU 7.2 still counts it in the first
 * block's instructions (qemu_plugin_tb_n_insns(); fixed upstream by
 * a392277dcf00), with the bytes it had read, but removes its code,
 * callbacks included.  So a block whose last instruction starts in the
 * last 14 bytes of a page (an x86 instruction is at most 15 bytes long)
 * counts that one apart, by a callback on the instruction itself, which
 * runs only if the block holds it: the last instruction of such a block
 * is written as a block of its own.  (Without this, a rolled back
 * instruction was counted twice each time: nvmx_queue_rq came out one
 * instruction heavier when the module's layout put a page boundary
 * there.)
 *
 * Run with -accel tcg,thread=single, as make cost does: callbacks then
 * never run concurrently.  Under multi-threaded TCG the vCPUs' callbacks
 * would race on the counters.
 *
 * Debian ships no qemu-plugin.h: the few API functions used are declared
 * here, as QEMU 7.2's API version 1 defines them.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU's plugin API, version 1 (QEMU 7.2) ---- */
#define PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);

PLUGIN_EXPORT int qemu_plugin_version = 1;

/* ---- the counters ---- */

/* x86-64 kernel addresses: the upper half */
#define KERNEL_START 0xffff800000000000ULL
/* the guest's page size, and the longest x86 instruction */
#define GUEST_PAGE 4096
#define MAX_INSN 15

/*
 * One translation of a kernel block (the same code translated twice is
 * two): its executions per vCPU, and the counts at the last snapshot.  A
 * block is never freed: its exec callback may run until QEMU exits.
 * User-space blocks, retranslated with every new process, get no entry:
 * their instructions only add up, per vCPU.
 */
struct block {
	uint64_t vaddr;
	uint32_t id;
	uint16_t n;		/* instructions */
	bool written;		/* its T line is in the file */
	uint8_t *sizes;		/* each instruction's size */
	uint64_t *count;	/* [vcpus]: executions so far */
	uint64_t *seen;		/* [vcpus]: at the last snapshot */
};

static FILE *out;
static uint64_t mark;
static unsigned int vcpus;
static struct block **blocks;
static size_t nblocks, cap;
static unsigned int snapshots;
static uint64_t *user, *user_seen;	/* [vcpus]: user instructions */

static void block_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (vcpu < vcpus)
		b->count[vcpu]++;
}

static void user_exec(unsigned int vcpu, void *udata)
{
	if (vcpu < vcpus)
		user[vcpu] += (uintptr_t)udata;
}

static void write_block(struct block *b)
{
	unsigned int i;

	fprintf(out, "T %" PRIu32 " %" PRIx64 " %u ", b->id, b->vaddr, b->n);
	for (i = 0; i < b->n; i++)
		fprintf(out, i ? ",%u" : "%u", b->sizes[i]);
	fputc('\n', out);
	b->written = true;
}

static void snapshot(unsigned int vcpu, void *udata)
{
	size_t i;
	unsigned int v;

	(void)udata;
	for (i = 0; i < nblocks; i++) {
		struct block *b = blocks[i];

		for (v = 0; v < vcpus; v++) {
			uint64_t d = b->count[v] - b->seen[v];

			if (!d)
				continue;
			if (!b->written)
				write_block(b);
			fprintf(out, "C %" PRIu32 " %u %" PRIu64 "\n", b->id, v, d);
			b->seen[v] = b->count[v];
		}
	}
	for (v = 0; v < vcpus; v++) {
		fprintf(out, "U %u %" PRIu64 "\n", v, user[v] - user_seen[v]);
		user_seen[v] = user[v];
	}
	fprintf(out, "S %u %u\n", ++snapshots, vcpu);
	fflush(out);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "insn-plugin: out of memory\n");
		abort();
	}
	return p;
}

static struct block *new_block(uint64_t vaddr, size_t n)
{
	struct block *b;

	if (nblocks == cap) {
		cap = cap ? 2 * cap : 65536;
		blocks = realloc(blocks, cap * sizeof(*blocks));
		if (!blocks) {
			fprintf(stderr, "insn-plugin: out of memory\n");
			abort();
		}
	}
	b = xcalloc(1, sizeof(*b));
	b->vaddr = vaddr;
	b->id = nblocks;
	b->n = n;
	b->count = xcalloc(2 * vcpus, sizeof(uint64_t));
	b->seen = b->count + vcpus;
	b->sizes = xcalloc(n, 1);
	blocks[nblocks++] = b;
	return b;
}

/*
 * A block's last instruction, of n, may cross into the next page, and have
 * been rolled back (see the top): it starts in the last 14 bytes of its
 * page.
 */
static bool may_cross_page(struct qemu_plugin_insn *last, size_t n)
{
	return n > 1 && (qemu_plugin_insn_vaddr(last) & (GUEST_PAGE - 1)) > GUEST_PAGE - MAX_INSN;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	struct qemu_plugin_insn *last;
	struct block *b;
	bool apart;

	(void)id;
	if (!n)
		return;
	last = qemu_plugin_tb_get_insn(tb, n - 1);
	apart = may_cross_page(last, n);
	if (qemu_plugin_tb_vaddr(tb) < KERNEL_START) {
		qemu_plugin_register_vcpu_tb_exec_cb(tb, user_exec, QEMU_PLUGIN_CB_NO_REGS,
						     (void *)(uintptr_t)(n - apart));
		if (apart)
			qemu_plugin_register_vcpu_insn_exec_cb(last, user_exec,
							       QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)1);
		return;
	}
	if (apart) {
		b = new_block(qemu_plugin_insn_vaddr(last), 1);
		b->sizes[0] = qemu_plugin_insn_size(last);
		qemu_plugin_register_vcpu_insn_exec_cb(last, block_exec, QEMU_PLUGIN_CB_NO_REGS, b);
	}
	b = new_block(qemu_plugin_tb_vaddr(tb), n - apart);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (i < b->n)
			b->sizes[i] = qemu_plugin_insn_size(insn);
		/*
		 * The snapshot as the marked instruction is about to run: the
		 * block holding it was entered, and counted, before that, so
		 * the block is the closing window's; the same in every
		 * window, it drops out of the difference of two.
		 */
		if (qemu_plugin_insn_vaddr(insn) == mark)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, snapshot,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
	qemu_plugin_register_vcpu_tb_exec_cb(tb, block_exec, QEMU_PLUGIN_CB_NO_REGS, b);
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	if (out)
		fflush(out);
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
				      int argc, char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
		else if (!strncmp(argv[i], "mark=", 5))
			mark = strtoull(argv[i] + 5, NULL, 0);
		else {
			fprintf(stderr, "insn-plugin: unknown argument '%s' (out=FILE, mark=ADDR)\n",
				argv[i]);
			return -1;
		}
	}
	if (!path || !mark) {
		fprintf(stderr, "insn-plugin: out=FILE and mark=ADDR are needed\n");
		return -1;
	}
	if (!info->system_emulation || info->system.max_vcpus < 1) {
		fprintf(stderr, "insn-plugin: for system emulation only\n");
		return -1;
	}
	vcpus = info->system.max_vcpus;
	user = xcalloc(2 * vcpus, sizeof(uint64_t));
	user_seen = user + vcpus;
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
