// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx core: debugfs, /sys/kernel/debug/nvmx/nvmx<C>/; the files every
 * transport has:
 *
 *   regs        controller registers (CAP, VS, CC, CSTS, AQA, ASQ, ACQ),
 *               read through the transport
 *   resets      resets done, bring-up included
 *   aen_submitted, aen_events
 *               Asynchronous Event Requests sent, events handled
 *   requeued    requests whose queue a reset did not bring back, their
 *               bios sent again on the queues there were then
 *   fault/      fault injection (fault.c)
 *
 * and the transport's own (on PCIe: queues, q<N>/, see pci/debugfs.c).
 *
 * Counters are read without locks: a value may be a few commands behind.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "nvmx.h"

static struct dentry *nvmx_debugfs_root;

/* One register through the transport; one that fails to read is left out. */
static void nvmx_show_reg(struct seq_file *m, const char *name, u32 off,
			  bool wide)
{
	struct nvmx_ctrl *ctrl = m->private;
	u64 v64;
	u32 v32;

	if (wide && !ctrl->ops->reg_read64(ctrl, off, &v64))
		seq_printf(m, "%-5s 0x%016llx\n", name, v64);
	else if (!wide && !ctrl->ops->reg_read32(ctrl, off, &v32))
		seq_printf(m, "%-5s 0x%08x\n", name, v32);
}

static int regs_show(struct seq_file *m, void *unused)
{
	nvmx_show_reg(m, "CAP", NVME_REG_CAP, true);
	nvmx_show_reg(m, "VS", NVME_REG_VS, false);
	nvmx_show_reg(m, "CC", NVME_REG_CC, false);
	nvmx_show_reg(m, "CSTS", NVME_REG_CSTS, false);
	nvmx_show_reg(m, "AQA", NVME_REG_AQA, false);
	nvmx_show_reg(m, "ASQ", NVME_REG_ASQ, true);
	nvmx_show_reg(m, "ACQ", NVME_REG_ACQ, true);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(regs);

void nvmx_debugfs_add_ctrl(struct nvmx_ctrl *ctrl)
{
	ctrl->debugfs = debugfs_create_dir(dev_name(&ctrl->device),
					   nvmx_debugfs_root);
	debugfs_create_file("regs", 0400, ctrl->debugfs, ctrl, &regs_fops);
	debugfs_create_u64("resets", 0400, ctrl->debugfs, &ctrl->nr_resets);
	debugfs_create_u64("aen_submitted", 0400, ctrl->debugfs,
			   &ctrl->aen_submitted);
	debugfs_create_u64("aen_events", 0400, ctrl->debugfs,
			   &ctrl->aen_events);
	debugfs_create_u64("requeued", 0400, ctrl->debugfs,
			   &ctrl->nr_requeued);
	nvmx_fault_debugfs(ctrl);
}
EXPORT_SYMBOL_NS_GPL(nvmx_debugfs_add_ctrl, NVMX);

/* Remove the controller's files; waits for readers to leave them. */
void nvmx_debugfs_remove_ctrl(struct nvmx_ctrl *ctrl)
{
	debugfs_remove_recursive(ctrl->debugfs);
	ctrl->debugfs = NULL;
}
EXPORT_SYMBOL_NS_GPL(nvmx_debugfs_remove_ctrl, NVMX);

void nvmx_debugfs_init(void)
{
	nvmx_debugfs_root = debugfs_create_dir("nvmx", NULL);
}

void nvmx_debugfs_exit(void)
{
	debugfs_remove_recursive(nvmx_debugfs_root);
}
