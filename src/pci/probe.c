// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx PCIe transport: the PCI driver and nvmx.ko's init.  Probe maps
 * BAR0 and allocates, then the core's reset work brings the controller up
 * (and back, after errors); removal lets the core remove the devices,
 * shuts the controller down and frees everything.  The PCIe parameters.
 */
#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/module.h>

#include "pci.h"

#define NVMX_MAX_KB		4096	/* largest transfer, before MDTS */
#define NVMX_MAX_SEGS		128

struct nvmx_uint_param nvmx_poll_queues = { 0, 0, 256 };
module_param_cb(poll_queues, &nvmx_range_ops, &nvmx_poll_queues, 0444);
MODULE_PARM_DESC(poll_queues,
		 "I/O queue pairs without interrupts, for polled I/O (0-256, default 0)");

/* SGLs when a transfer's average segment has this many bytes; 0: PRPs only */
struct nvmx_uint_param nvmx_sgl_threshold = { SZ_32K, 0, UINT_MAX };
module_param_cb(sgl_threshold, &nvmx_range_ops, &nvmx_sgl_threshold, 0644);
MODULE_PARM_DESC(sgl_threshold,
		 "use SGLs for transfers whose average segment has at least this many bytes, when the controller supports them; 0 for PRPs only (default 32768)");

bool nvmx_use_dbbuf = true;
module_param_named(use_dbbuf, nvmx_use_dbbuf, bool, 0444);
MODULE_PARM_DESC(use_dbbuf,
		 "use shadow doorbells when the controller offers them (default on)");

/*
 * The per-queue latency histogram (debugfs q<N>/latency) costs two clock
 * reads per I/O; it is kept only while this is on, and a static key keeps
 * its code off the fast path meanwhile.
 */
DEFINE_STATIC_KEY_FALSE(nvmx_lat_enabled);
static bool nvmx_lat_param;

static int nvmx_lat_param_set(const char *val, const struct kernel_param *kp)
{
	bool on = true;

	/* a bare "latency_histogram" means on, as for other bools */
	if (val && kstrtobool(val, &on)) {
		pr_err("nvmx: %s=%s is invalid: expected 0 or 1\n", kp->name, val);
		return -EINVAL;
	}
	if (on)
		static_branch_enable(&nvmx_lat_enabled);
	else
		static_branch_disable(&nvmx_lat_enabled);
	nvmx_lat_param = on;
	return 0;
}

static const struct kernel_param_ops nvmx_lat_param_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = nvmx_lat_param_set,
	.get = param_get_bool,
};
module_param_cb(latency_histogram, &nvmx_lat_param_ops, &nvmx_lat_param, 0644);
MODULE_PARM_DESC(latency_histogram,
		 "keep each queue's submit-to-completion histogram in debugfs (default off: two clock reads per I/O)");

/* unbinds dead controllers; separate, as removal flushes nvmx_wq's work */
static struct workqueue_struct *nvmx_remove_wq;

/* Unbind a dead controller: its devices go, rmmod and rebinding work. */
static void nvmx_remove_dead_work(struct work_struct *work)
{
	struct nvmx_pci_ctrl *pctrl = container_of(work, struct nvmx_pci_ctrl,
						   remove_work);
	struct pci_dev *pdev = pctrl->pdev;

	if (pci_get_drvdata(pdev) == pctrl)
		device_release_driver(&pdev->dev);
	put_device(&pctrl->ctrl.device);
	pci_dev_put(pdev);
}

/*
 * nvmx_ctrl_ops.delete_ctrl: unbind a dead controller from a work item of
 * our own; the core calls this from the reset work or a timeout.
 */
void nvmx_pci_delete_ctrl(struct nvmx_ctrl *ctrl)
{
	struct nvmx_pci_ctrl *pctrl = to_pci_ctrl(ctrl);

	pci_dev_get(pctrl->pdev);
	get_device(&ctrl->device);
	if (!queue_work(nvmx_remove_wq, &pctrl->remove_work)) {
		put_device(&ctrl->device);
		pci_dev_put(pctrl->pdev);
	}
}

/* nvmx_ctrl_ops.free_ctrl: the last reference to the controller is gone. */
void nvmx_pci_free_ctrl(struct nvmx_ctrl *ctrl)
{
	struct nvmx_pci_ctrl *pctrl = to_pci_ctrl(ctrl);

	kfree(pctrl->queues);
	kfree(pctrl);
}

static int nvmx_pci_map(struct nvmx_pci_ctrl *pctrl)
{
	struct nvmx_ctrl *ctrl = &pctrl->ctrl;
	struct pci_dev *pdev = pctrl->pdev;
	int ret;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto disable_device;
	/*
	 * PRPs and SGL descriptors describe segments of any length, and the
	 * queues merge physically contiguous pages without limit: the DMA
	 * layer must not hold them to PCI's default 64 KiB (DMA API debugging
	 * warns, an IOMMU or bounce buffer would split to that size).
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	ret = pci_request_mem_regions(pdev, "nvmx");
	if (ret)
		goto disable_device;

	pctrl->bar_size = pci_resource_len(pdev, 0);
	ret = -ENODEV;
	if (pctrl->bar_size < NVME_REG_DBS + 8) {
		dev_err(&pdev->dev, "BAR0 of %pa bytes is too small\n",
			&pctrl->bar_size);
		goto release_regions;
	}
	pctrl->bar = pci_iomap(pdev, 0, 0);
	if (!pctrl->bar) {
		ret = -ENOMEM;
		goto release_regions;
	}
	if (readl(pctrl->bar + NVME_REG_CSTS) == ~0U) {
		dev_err(&pdev->dev, "controller does not respond (CSTS reads all ones)\n");
		goto unmap_bar;
	}

	ctrl->cap = lo_hi_readq(pctrl->bar + NVME_REG_CAP);
	ctrl->vs = readl(pctrl->bar + NVME_REG_VS);
	pctrl->db_stride = nvmx_cap_db_stride(ctrl->cap);
	pctrl->page_shift = nvmx_ctrl_page_shift(ctrl->cap, PAGE_SHIFT);
	if (!pctrl->page_shift) {
		dev_err(&pdev->dev, "controller minimum page size 2^%u is larger than the host's\n",
			nvmx_cap_mps_min_shift(ctrl->cap));
		goto unmap_bar;
	}
	/* a bounce buffer must keep the offset into the controller page */
	dma_set_min_align_mask(&pdev->dev, (1U << pctrl->page_shift) - 1);
	if (!(NVME_CAP_CSS(ctrl->cap) & NVME_CAP_CSS_NVM)) {
		dev_err(&pdev->dev, "controller does not support the NVM command set\n");
		goto unmap_bar;
	}
	if (NVME_REG_DBS + 2 * pctrl->db_stride > pctrl->bar_size) {
		dev_err(&pdev->dev, "BAR0 too small for the admin doorbells\n");
		goto unmap_bar;
	}
	return 0;

unmap_bar:
	pci_iounmap(pdev, pctrl->bar);
release_regions:
	pci_release_mem_regions(pdev);
disable_device:
	pci_disable_device(pdev);
	return ret;
}

static void nvmx_pci_unmap(struct nvmx_pci_ctrl *pctrl)
{
	pci_iounmap(pctrl->pdev, pctrl->bar);
	pci_release_mem_regions(pctrl->pdev);
	pci_disable_device(pctrl->pdev);
}

static int nvmx_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int node = dev_to_node(&pdev->dev);
	struct nvmx_pci_ctrl *pctrl;
	struct nvmx_ctrl *ctrl;
	int ret;

	pctrl = kzalloc_node(sizeof(*pctrl), GFP_KERNEL, node);
	if (!pctrl)
		return -ENOMEM;
	ctrl = &pctrl->ctrl;
	pctrl->nr_queues = num_possible_cpus();
	if (nvmx_nr_io_queues.val)
		pctrl->nr_queues = min(pctrl->nr_queues, nvmx_nr_io_queues.val);
	pctrl->nr_poll_wanted = nvmx_poll_queues.val;
	pctrl->nr_queues += pctrl->nr_poll_wanted + 1;
	pctrl->queues = kcalloc_node(pctrl->nr_queues, sizeof(*pctrl->queues),
				     GFP_KERNEL, node);
	if (!pctrl->queues) {
		kfree(pctrl);
		return -ENOMEM;
	}
	pctrl->pdev = pdev;
	INIT_WORK(&pctrl->remove_work, nvmx_remove_dead_work);
	ctrl->dma_dev = &pdev->dev;
	ctrl->max_hw_sectors = NVMX_MAX_KB * 2;
	ctrl->max_segments = NVMX_MAX_SEGS;
	/* from here on put_device() frees the controller and its queues */
	ret = nvmx_ctrl_init(ctrl, &pdev->dev, &nvmx_pci_ops);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, pctrl);

	ret = nvmx_pci_map(pctrl);
	if (ret)
		goto put_ctrl;
	ctrl->io_depth = nvmx_queue_depth(ctrl->cap, nvmx_io_queue_depth.val);
	ctrl->transport_max_sectors =
		min_t(size_t, NVMX_MAX_KB * 2,
		      dma_max_mapping_size(&pdev->dev) >> SECTOR_SHIFT);
	nvmx_debugfs_add_ctrl(ctrl);
	nvmx_pci_debugfs_add_ctrl(pctrl);
	ret = nvmx_setup_dma_pools(pctrl);
	if (ret)
		goto remove_debugfs;
	ret = nvmx_alloc_queue(pctrl, 0, NVMX_AQ_DEPTH, NVMX_AQ_DEPTH);
	if (ret)
		goto release_pools;
	ret = nvmx_pci_alloc_admin_tags(pctrl);
	if (ret)
		goto free_queues;
	ret = nvmx_ctrl_publish(ctrl);
	if (ret)
		goto destroy_admin_queue;

	dev_info(&ctrl->device, "probed %s: CAP 0x%llx, VS 0x%x\n",
		 pci_name(pdev), ctrl->cap, ctrl->vs);
	nvmx_schedule_reset(ctrl);
	return 0;

destroy_admin_queue:
	nvmx_destroy_admin_queue(ctrl);
free_queues:
	nvmx_free_queues(pctrl, 0);
release_pools:
	nvmx_release_dma_pools(pctrl);
remove_debugfs:
	nvmx_debugfs_remove_ctrl(ctrl);
	nvmx_pci_unmap(pctrl);
put_ctrl:
	pci_set_drvdata(pdev, NULL);
	put_device(&ctrl->device);
	return ret;
}

static void nvmx_remove(struct pci_dev *pdev)
{
	struct nvmx_pci_ctrl *pctrl = pci_get_drvdata(pdev);
	struct nvmx_ctrl *ctrl = &pctrl->ctrl;

	nvmx_change_state(ctrl, NVMX_CTRL_DELETING);
	if (!pci_device_is_present(pdev)) {
		nvmx_change_state(ctrl, NVMX_CTRL_DEAD);
		nvmx_pci_disable(ctrl, false);
	}
	nvmx_ctrl_remove_devices(ctrl);
	if (READ_ONCE(ctrl->state) == NVMX_CTRL_DELETING)
		nvmx_pci_delete_io_queues(pctrl);
	nvmx_pci_disable(ctrl, true);
	/* nothing the controller still does may reach the memory freed below */
	pci_clear_master(pdev);
	if (ctrl->tagset.tags)
		blk_mq_free_tag_set(&ctrl->tagset);
	nvmx_destroy_admin_queue(ctrl);
	nvmx_debugfs_remove_ctrl(ctrl);
	nvmx_dbbuf_free(pctrl);
	nvmx_free_queues(pctrl, 0);
	nvmx_release_dma_pools(pctrl);
	nvmx_pci_unmap(pctrl);
	pci_set_drvdata(pdev, NULL);
	dev_info(&ctrl->device, "removed\n");
	put_device(&ctrl->device);
}

/* Power off or reboot: a shutdown notification; later I/O fails. */
static void nvmx_shutdown(struct pci_dev *pdev)
{
	struct nvmx_pci_ctrl *pctrl = pci_get_drvdata(pdev);
	struct nvmx_ctrl *ctrl = &pctrl->ctrl;

	nvmx_change_state(ctrl, NVMX_CTRL_DELETING);
	/*
	 * A reset under way would enable the controller again: let it end.
	 * It stops at nvmx_setup_admin(), which refuses once the state is
	 * not RESETTING, or fails when an admin command of it times out,
	 * which disables the controller.
	 */
	flush_work(&ctrl->reset_work);
	nvmx_pci_disable(ctrl, true);
	pci_clear_master(pdev);
	/* held bios fail now */
	queue_work(nvmx_wq, &ctrl->requeue_work);
}

/*
 * Every NVMe controller by class.  There is deliberately no
 * MODULE_DEVICE_TABLE: nvmx is never autoloaded in place of the in-tree
 * driver; it takes the controllers that are free when it loads, and those
 * whose driver_override says nvmx.
 */
static const struct pci_device_id nvmx_id_table[] = {
	{ PCI_DEVICE_CLASS(PCI_CLASS_STORAGE_EXPRESS, 0xffffff) },
	{ }
};

static struct pci_driver nvmx_driver = {
	.name		= "nvmx",
	.id_table	= nvmx_id_table,
	.probe		= nvmx_probe,
	.remove		= nvmx_remove,
	.shutdown	= nvmx_shutdown,
};

/* nvmx.ko: the core first, then the PCIe transport on it. */
static int __init nvmx_init(void)
{
	int ret;

	ret = nvmx_core_init();
	if (ret)
		return ret;
	nvmx_remove_wq = alloc_workqueue("nvmx-remove-wq", WQ_UNBOUND, 0);
	if (!nvmx_remove_wq) {
		ret = -ENOMEM;
		goto core_exit;
	}
	ret = pci_register_driver(&nvmx_driver);
	if (ret)
		goto destroy_remove_wq;
	return 0;

destroy_remove_wq:
	destroy_workqueue(nvmx_remove_wq);
core_exit:
	nvmx_core_exit();
	return ret;
}

static void __exit nvmx_exit(void)
{
	pci_unregister_driver(&nvmx_driver);
	/* a pending unbind finds no controller now; let it end */
	destroy_workqueue(nvmx_remove_wq);
	nvmx_core_exit();
}

module_init(nvmx_init);
module_exit(nvmx_exit);
MODULE_DESCRIPTION("nvmx: NVMe PCIe host driver");
MODULE_LICENSE("GPL");
