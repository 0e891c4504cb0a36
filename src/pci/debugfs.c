// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx PCIe transport: its debugfs files, beside the core's in
 * /sys/kernel/debug/nvmx/nvmx<C>/ (core/debugfs.c):
 *
 *   queues      one line of counters per queue
 *   q<N>/stats  the same counters for one queue, one per line
 *   q<N>/latency  submit-to-completion histogram, log2 buckets of ns
 *
 * Counters are read without locks: a value may be a few commands behind.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "pci.h"

static u64 nvmx_inflight(struct nvmx_queue *nq)
{
	return READ_ONCE(nq->submitted) - READ_ONCE(nq->completed);
}

static int queues_show(struct seq_file *m, void *unused)
{
	struct nvmx_pci_ctrl *pctrl = m->private;
	unsigned int i;

	seq_puts(m, "qid depth vector live sq_tail cq_head phase submitted completed inflight max_inflight sq_doorbells cq_doorbells irqs errors timeouts bad_cqes sq_shadowed cq_shadowed polls sgl_cmds plug_lists aborts cq_depth cq_deferred\n");
	for (i = 0; i < READ_ONCE(pctrl->nr_alloc_queues); i++) {
		struct nvmx_queue *nq = &pctrl->queues[i];

		seq_printf(m, "%u %u %d %d %u %u %u %llu %llu %llu %llu %llu %llu %llu %llu %lld %llu %llu %llu %llu %llu %llu %lld %u %llu\n",
			   nq->qid, nq->depth, READ_ONCE(nq->cq_vector),
			   test_bit(NVMX_QUEUE_LIVE, &nq->flags),
			   READ_ONCE(nq->sq_tail), READ_ONCE(nq->cq_head),
			   READ_ONCE(nq->cq_phase), READ_ONCE(nq->submitted),
			   READ_ONCE(nq->completed), nvmx_inflight(nq),
			   READ_ONCE(nq->max_inflight),
			   READ_ONCE(nq->sq_doorbells),
			   READ_ONCE(nq->cq_doorbells), READ_ONCE(nq->irqs),
			   READ_ONCE(nq->errors),
			   (s64)atomic64_read(&nq->timeouts),
			   READ_ONCE(nq->bad_cqes), READ_ONCE(nq->sq_shadowed),
			   READ_ONCE(nq->cq_shadowed), READ_ONCE(nq->polls),
			   READ_ONCE(nq->sgl_cmds), READ_ONCE(nq->plug_lists),
			   (s64)atomic64_read(&nq->aborts), nq->cq_depth,
			   READ_ONCE(nq->cq_deferred));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(queues);

static int stats_show(struct seq_file *m, void *unused)
{
	struct nvmx_queue *nq = m->private;

	seq_printf(m, "depth %u\n", nq->depth);
	seq_printf(m, "cq_depth %u\n", nq->cq_depth);
	seq_printf(m, "cq_hold %u\n", nq->cq_hold);
	seq_printf(m, "vector %d\n", READ_ONCE(nq->cq_vector));
	seq_printf(m, "live %d\n", test_bit(NVMX_QUEUE_LIVE, &nq->flags));
	seq_printf(m, "sq_tail %u\n", READ_ONCE(nq->sq_tail));
	seq_printf(m, "cq_head %u\n", READ_ONCE(nq->cq_head));
	seq_printf(m, "phase %u\n", READ_ONCE(nq->cq_phase));
	seq_printf(m, "submitted %llu\n", READ_ONCE(nq->submitted));
	seq_printf(m, "completed %llu\n", READ_ONCE(nq->completed));
	seq_printf(m, "inflight %llu\n", nvmx_inflight(nq));
	seq_printf(m, "max_inflight %llu\n", READ_ONCE(nq->max_inflight));
	seq_printf(m, "sq_doorbells %llu\n", READ_ONCE(nq->sq_doorbells));
	seq_printf(m, "cq_doorbells %llu\n", READ_ONCE(nq->cq_doorbells));
	seq_printf(m, "sq_shadowed %llu\n", READ_ONCE(nq->sq_shadowed));
	seq_printf(m, "cq_shadowed %llu\n", READ_ONCE(nq->cq_shadowed));
	seq_printf(m, "cq_deferred %llu\n", READ_ONCE(nq->cq_deferred));
	seq_printf(m, "irqs %llu\n", READ_ONCE(nq->irqs));
	seq_printf(m, "polls %llu\n", READ_ONCE(nq->polls));
	seq_printf(m, "sgl_cmds %llu\n", READ_ONCE(nq->sgl_cmds));
	seq_printf(m, "plug_lists %llu\n", READ_ONCE(nq->plug_lists));
	seq_printf(m, "errors %llu\n", READ_ONCE(nq->errors));
	seq_printf(m, "timeouts %lld\n", (s64)atomic64_read(&nq->timeouts));
	seq_printf(m, "aborts %lld\n", (s64)atomic64_read(&nq->aborts));
	seq_printf(m, "bad_cqes %llu\n", READ_ONCE(nq->bad_cqes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* One line per bucket: lower bound (ns), upper bound (ns, 0 = none), count */
static int latency_show(struct seq_file *m, void *unused)
{
	struct nvmx_queue *nq = m->private;
	unsigned int i;

	seq_puts(m, "ge_ns lt_ns count\n");
	for (i = 0; i < NVMX_LAT_BUCKETS; i++) {
		u64 lo = i ? 1ULL << (i + NVMX_LAT_MIN_SHIFT) : 0;
		u64 hi = i + 1 < NVMX_LAT_BUCKETS ?
			 1ULL << (i + 1 + NVMX_LAT_MIN_SHIFT) : 0;

		seq_printf(m, "%llu %llu %llu\n", lo, hi,
			   READ_ONCE(nq->lat_hist[i]));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(latency);

/* The queues file; the core has made the controller's directory. */
void nvmx_pci_debugfs_add_ctrl(struct nvmx_pci_ctrl *pctrl)
{
	debugfs_create_file("queues", 0400, pctrl->ctrl.debugfs, pctrl,
			    &queues_fops);
}

void nvmx_pci_debugfs_add_queue(struct nvmx_queue *nq)
{
	char name[16];

	snprintf(name, sizeof(name), "q%u", nq->qid);
	nq->debugfs = debugfs_create_dir(name, nq->ctrl->debugfs);
	debugfs_create_file("stats", 0400, nq->debugfs, nq, &stats_fops);
	debugfs_create_file("latency", 0400, nq->debugfs, nq, &latency_fops);
}
