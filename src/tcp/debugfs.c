// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx NVMe/TCP transport: its debugfs file, beside the core's in
 * /sys/kernel/debug/nvmx/nvmx<C>/ (core/debugfs.c):
 *
 *   queues      one line per queue: its connection and its counters
 *
 * Counters are read without locks: a value may be a few PDUs behind.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "tcp.h"

static int queues_show(struct seq_file *m, void *unused)
{
	struct nvmx_tcp_ctrl *tctrl = m->private;
	unsigned int i;

	seq_puts(m, "qid depth connected live sent completed inflight errors r2ts h2c_pdus c2h_pdus bad_pdus last_bad\n");
	for (i = 0; i < tctrl->nr_queues; i++) {
		struct nvmx_tcp_queue *q = &tctrl->queues[i];
		u64 sent = READ_ONCE(q->sent), done = READ_ONCE(q->completed);

		seq_printf(m, "%u %u %d %d %llu %llu %lld %llu %llu %llu %llu %llu %s\n",
			   q->qid, READ_ONCE(q->sqsize),
			   test_bit(NVMX_TCP_Q_ALLOCATED, &q->flags),
			   test_bit(NVMX_TCP_Q_LIVE, &q->flags), sent, done,
			   (s64)(sent - done), READ_ONCE(q->errors),
			   READ_ONCE(q->r2ts), READ_ONCE(q->h2c_pdus),
			   READ_ONCE(q->c2h_pdus), READ_ONCE(q->bad_pdus),
			   READ_ONCE(q->bad_pdus) ?
			   nvmx_tcp_bad_name(READ_ONCE(q->rx_bad)) : "-");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(queues);

/* Context: controller creation, after the core's nvmx_debugfs_add_ctrl(). */
void nvmx_tcp_debugfs_add_ctrl(struct nvmx_tcp_ctrl *tctrl)
{
	debugfs_create_file("queues", 0400, tctrl->ctrl.debugfs, tctrl,
			    &queues_fops);
}
