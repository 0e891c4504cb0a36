// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: namespaces.  Scan the active namespaces, expose each one nvmx can
 * serve as a block device, remove them.  Transport independent.
 */
#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "nvmx.h"

static int nvmx_bdev_ioctl(struct block_device *bdev, NVMX_BDEV_MODE mode,
			   unsigned int cmd, unsigned long arg)
{
	return nvmx_ns_ioctl(bdev->bd_disk->private_data, cmd, arg,
			     nvmx_bdev_writable(mode));
}

/*
 * An added disk holds a reference to its namespace (which holds the
 * controller), so an open block device keeps both after removal.
 */
static void nvmx_free_disk(struct gendisk *disk)
{
	nvmx_ns_put(disk->private_data);
}

static const struct block_device_operations nvmx_bdev_ops = {
	.owner		= THIS_MODULE,
	.ioctl		= nvmx_bdev_ioctl,
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
	.free_disk	= nvmx_free_disk,
};

static ssize_t nsid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct nvmx_ns *ns = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%u\n", ns->nsid);
}
static DEVICE_ATTR_RO(nsid);

/*
 * A world wide name, as the in-tree driver forms it: the UUID, else the
 * NGUID, else the EUI64, else vendor id, serial, model and nsid.
 */
static ssize_t wwid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct nvmx_ns *ns = dev_to_disk(dev)->private_data;
	struct nvmx_ctrl *ctrl = ns->ctrl;

	if (!uuid_is_null(&ns->ids.uuid))
		return sysfs_emit(buf, "uuid.%pU\n", &ns->ids.uuid);
	if (memchr_inv(ns->ids.nguid, 0, sizeof(ns->ids.nguid)))
		return sysfs_emit(buf, "eui.%16phN\n", ns->ids.nguid);
	if (memchr_inv(ns->ids.eui64, 0, sizeof(ns->ids.eui64)))
		return sysfs_emit(buf, "eui.%8phN\n", ns->ids.eui64);
	return sysfs_emit(buf, "nvme.%04x-%*phN-%*phN-%08x\n", ctrl->vid,
			  (int)strlen(ctrl->serial), ctrl->serial,
			  (int)strlen(ctrl->model), ctrl->model, ns->nsid);
}
static DEVICE_ATTR_RO(wwid);

static ssize_t nguid_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct nvmx_ns *ns = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%pU\n", ns->ids.nguid);
}
static DEVICE_ATTR_RO(nguid);

static ssize_t eui_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct nvmx_ns *ns = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%8ph\n", ns->ids.eui64);
}
static DEVICE_ATTR_RO(eui);

static ssize_t uuid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct nvmx_ns *ns = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%pU\n", &ns->ids.uuid);
}
static DEVICE_ATTR_RO(uuid);

static struct attribute *nvmx_ns_attrs[] = {
	&dev_attr_nsid.attr,
	&dev_attr_wwid.attr,
	&dev_attr_nguid.attr,
	&dev_attr_eui.attr,
	&dev_attr_uuid.attr,
	NULL,
};

/* nguid, eui and uuid only when the controller reports them */
static umode_t nvmx_ns_attr_visible(struct kobject *kobj,
				    struct attribute *a, int n)
{
	struct nvmx_ns *ns = dev_to_disk(kobj_to_dev(kobj))->private_data;

	if (a == &dev_attr_nguid.attr)
		return memchr_inv(ns->ids.nguid, 0, sizeof(ns->ids.nguid)) ?
		       a->mode : 0;
	if (a == &dev_attr_eui.attr)
		return memchr_inv(ns->ids.eui64, 0, sizeof(ns->ids.eui64)) ?
		       a->mode : 0;
	if (a == &dev_attr_uuid.attr)
		return uuid_is_null(&ns->ids.uuid) ? 0 : a->mode;
	return a->mode;
}

static const struct attribute_group nvmx_ns_group = {
	.attrs = nvmx_ns_attrs,
	.is_visible = nvmx_ns_attr_visible,
};

static const struct attribute_group *nvmx_ns_groups[] = {
	&nvmx_ns_group,
	NULL,
};

static struct nvmx_ns *nvmx_find_ns(struct nvmx_ctrl *ctrl, u32 nsid)
{
	struct nvmx_ns *ns, *found = NULL;

	down_read(&ctrl->ns_rwsem);
	list_for_each_entry(ns, &ctrl->namespaces, list) {
		if (ns->nsid == nsid) {
			found = ns;
			break;
		}
	}
	up_read(&ctrl->ns_rwsem);
	return found;
}

/* Larger blocks than this are not a format any controller reports. */
#define NVMX_MAX_LBA_SHIFT	20

/*
 * Check the namespace's current format.  Return: true when it is one a
 * controller may report, else false with a log line (the namespace is not
 * exposed at all).
 */
static bool nvmx_ns_format_valid(struct nvmx_ctrl *ctrl, u32 nsid,
				 struct nvme_id_ns *id)
{
	u8 index = nvme_lbaf_index(id->flbas);
	u8 ds = id->lbaf[index].ds;

	/* NLBAF is 0's based; FLBAS may only pick one of the formats */
	if (index > id->nlbaf) {
		dev_warn(&ctrl->device, "nsid %u: FLBAS selects LBA format %u of %u; namespace not exposed\n",
			 nsid, index, id->nlbaf + 1);
		return false;
	}
	if (ds < SECTOR_SHIFT || ds > NVMX_MAX_LBA_SHIFT) {
		dev_warn(&ctrl->device, "nsid %u: logical block size 2^%u is not valid; namespace not exposed\n",
			 nsid, ds);
		return false;
	}
	return true;
}

/* A namespace's format, as struct nvmx_ns keeps it. */
struct nvmx_ns_format {
	u8 lba_shift;
	u8 pi_type;
	bool ext;
	u16 ms;
};

static struct nvmx_ns_format nvmx_ns_format(const struct nvme_id_ns *id)
{
	const struct nvme_lbaf *lbaf = &id->lbaf[nvme_lbaf_index(id->flbas)];
	struct nvmx_ns_format f = {
		.lba_shift = lbaf->ds,
		.ms = le16_to_cpu(lbaf->ms),
		.pi_type = id->dps & NVME_NS_DPS_PI_MASK,
	};

	f.ext = f.ms && (id->flbas & NVME_NS_FLBAS_META_EXT);
	/* DPS values above Type 3 are reserved: no known protection */
	if (!f.ms || f.pi_type > NVME_NS_DPS_PI_TYPE3)
		f.pi_type = 0;
	return f;
}

/*
 * Whether the block layer can use the namespace: blocks up to a page, and
 * no metadata, or 8 bytes that are exactly the protection information,
 * which the controller inserts and strips (PRACT).  Other formats are
 * served through the generic char device only; the block device has no
 * capacity.
 */
static bool nvmx_ns_block_io(struct nvmx_ns *ns)
{
	return ns->lba_shift <= PAGE_SHIFT &&
	       (!ns->ms || (ns->pi_type && ns->ms == NVMX_PI_SIZE));
}

/* Take the (valid) format; the namespace's queue is frozen or unused. */
static void nvmx_ns_set_format(struct nvmx_ns *ns,
			       const struct nvmx_ns_format *f)
{
	ns->lba_shift = f->lba_shift;
	ns->pi_type = f->pi_type;
	ns->ext = f->ext;
	ns->ms = f->ms;
	ns->block_io = nvmx_ns_block_io(ns);
	ns->fmt_mask = ns->block_io ?
		       (1U << (ns->lba_shift - SECTOR_SHIFT)) - 1 : ~0U;
}

static void nvmx_ns_warn_no_block_io(struct nvmx_ns *ns)
{
	if (ns->lba_shift > PAGE_SHIFT)
		dev_warn(&ns->ctrl->device, "nsid %u: blocks of %u bytes are larger than a page; no block I/O, passthrough only\n",
			 ns->nsid, 1U << ns->lba_shift);
	else
		dev_warn(&ns->ctrl->device, "nsid %u: %u bytes of metadata per block (%s, %s); no block I/O, passthrough only\n",
			 ns->nsid, ns->ms, ns->ext ? "extended LBA" : "separate",
			 ns->pi_type ? "protection information" :
			 "no protection information");
}

/*
 * I/O hints: the preferred write granularity (NPWG) and optimal write size
 * (NOWS) when NSFEAT says they are valid; the atomic write unit that
 * survives power failure, the namespace's own (NAWUPF) when it has one,
 * else the controller's (AWUPF), bounds the physical block size, since a
 * larger "physical block" could be torn.  All counts are 0's based.
 */
static void nvmx_ns_set_io_hints(struct nvmx_ns *ns, struct nvme_id_ns *id,
				 u32 lbs, struct nvmx_lim *lim)
{
	u32 atomic, pwg = lbs, ows = 0;

	if ((id->nsfeat & NVME_NS_FEAT_ATOMICS) && id->nawupf)
		atomic = lbs * (1 + le16_to_cpu(id->nawupf));
	else
		atomic = lbs * (1 + ns->ctrl->awupf);
	/*
	 * NOWS of 0 (one block) is what controllers without a preference
	 * report: no hint, as the in-tree driver reads it from 6.12 on.
	 */
	if (id->nsfeat & NVME_NS_FEAT_IO_OPT) {
		pwg = lbs * (1 + le16_to_cpu(id->npwg));
		if (id->nows)
			ows = lbs * (1 + le16_to_cpu(id->nows));
	}
	nvmx_lim_physical_block_size(lim, min(pwg, atomic));
	nvmx_lim_io_min(lim, pwg);
	nvmx_lim_io_opt(lim, ows);
}

/*
 * A namespace without block I/O gets the limits of 512-byte blocks: its
 * own may be larger than the block layer takes, and no I/O uses them.
 * Return: 0, or the block layer's refusal of the limits (6.11 and later
 * validate them as a whole).
 */
static int nvmx_ns_set_limits(struct nvmx_ns *ns, struct nvme_id_ns *id)
{
	struct nvmx_ctrl *ctrl = ns->ctrl;
	u8 shift = nvmx_ns_block_io(ns) ? ns->lba_shift : SECTOR_SHIFT;
	u32 lbs = 1U << shift;
	struct nvmx_lim lim;
	int ret;

	nvmx_lim_start(&lim, ns->disk->queue);
	nvmx_set_queue_limits(ctrl, &lim);
	nvmx_lim_logical_block_size(&lim, lbs);
	nvmx_ns_set_io_hints(ns, id, lbs, &lim);
	nvmx_lim_write_cache(&lim, READ_ONCE(ctrl->vwc_on));

	if (ctrl->oncs & NVME_CTRL_ONCS_DSM) {
		u64 range = ctrl->dmrsl ? (u64)ctrl->dmrsl <<
			    (shift - SECTOR_SHIFT) : UINT_MAX;

		nvmx_lim_max_discard_segments(&lim, ctrl->dmrl ?:
					      NVME_DSM_MAX_RANGES);
		nvmx_lim_max_discard_sectors(&lim, min_t(u64, range, UINT_MAX));
		nvmx_lim_discard_granularity(&lim, lbs);
	}
	if (ctrl->oncs & NVME_CTRL_ONCS_WRITE_ZEROES) {
		u32 max = ctrl->max_hw_sectors;

		if (ctrl->wzsl)
			max = min_t(u64, max, 1ULL << (ctrl->wzsl +
				    nvmx_cap_mps_min_shift(ctrl->cap) -
				    SECTOR_SHIFT));
		nvmx_lim_max_write_zeroes_sectors(&lim, max);
	}
	/* DLFEAT: deallocated blocks read as zeroes, Write Zeroes may deallocate */
	ns->deac = (id->dlfeat & 0x7) == 0x1 && (id->dlfeat & BIT(3));
	ret = nvmx_lim_commit(&lim);
	/* the next scan tries again (nvmx_update_ns()) */
	ns->limits_refused = ret != 0;
	if (ret)
		dev_err(&ctrl->device, "nsid %u: the block layer refused its limits (%d); no capacity\n",
			ns->nsid, ret);
	return ret;
}

static sector_t nvmx_ns_sectors(struct nvmx_ns *ns, struct nvme_id_ns *id)
{
	if (!nvmx_ns_block_io(ns))
		return 0;
	return le64_to_cpu(id->nsze) << (ns->lba_shift - SECTOR_SHIFT);
}

/*
 * A namespace seen again: its size may have changed, and after a Format
 * NVM its block size or metadata.  The format changes with the queue
 * frozen, so no request is built for one format and sent in another.
 */
static void nvmx_update_ns(struct nvmx_ns *ns, struct nvme_id_ns *id)
{
	struct request_queue *q = ns->disk->queue;
	struct nvmx_ns_format f = nvmx_ns_format(id);

	if (!nvmx_ns_format_valid(ns->ctrl, ns->nsid, id)) {
		dev_warn(&ns->ctrl->device, "%s: no capacity until the format is valid again\n",
			 ns->disk->disk_name);
		set_capacity_and_notify(ns->disk, 0);
		return;
	}
	if (f.lba_shift != ns->lba_shift || f.ms != ns->ms ||
	    f.ext != ns->ext || f.pi_type != ns->pi_type || ns->limits_refused) {
		blk_mq_freeze_queue(q);
		nvmx_ns_set_format(ns, &f);
		if (nvmx_ns_set_limits(ns, id)) {
			set_capacity_and_notify(ns->disk, 0);
			blk_mq_unfreeze_queue(q);
			return;
		}
		set_capacity_and_notify(ns->disk, nvmx_ns_sectors(ns, id));
		blk_mq_unfreeze_queue(q);
		dev_info(&ns->ctrl->device, "%s: new format: blocks of %u bytes, %u bytes of metadata\n",
			 ns->disk->disk_name, 1U << ns->lba_shift, ns->ms);
		if (!ns->block_io)
			nvmx_ns_warn_no_block_io(ns);
		return;
	}
	set_capacity_and_notify(ns->disk, nvmx_ns_sectors(ns, id));
}

/*
 * The namespaces on the controller's list at one moment, each with a
 * reference on itself and one on its disk (a namespace joins the list
 * before its disk is added, and one whose disk fails to add is freed
 * without the disk's release): for work on them (a freeze, a limits
 * update) that must not hold ns_rwsem, kept apart from the list, which a
 * scan or the removal of the controller may change meanwhile.
 */
struct nvmx_ns_set {
	unsigned int nr;
	struct nvmx_ns *ns[];
};

/* Add @head's namespaces to @set, each queue starting to freeze if @freeze. */
static void nvmx_ns_set_fill(struct nvmx_ns_set *set, struct list_head *head,
			     bool freeze)
{
	struct nvmx_ns *ns;

	list_for_each_entry(ns, head, list) {
		get_device(&ns->cdev_device);
		get_device(disk_to_dev(ns->disk));
		if (freeze)
			blk_freeze_queue_start(ns->disk->queue);
		set->ns[set->nr++] = ns;
	}
}

/*
 * The namespaces now listed, and those leaving too if @leaving, each queue
 * starting to freeze if @freeze.
 * Return: the set, or NULL without memory (nothing held, nothing frozen).
 */
static struct nvmx_ns_set *nvmx_ns_set_get(struct nvmx_ctrl *ctrl, bool freeze,
					   bool leaving)
{
	struct nvmx_ns_set *set;
	struct nvmx_ns *ns;
	unsigned int nr = 0;

	down_read(&ctrl->ns_rwsem);
	list_for_each_entry(ns, &ctrl->namespaces, list)
		nr++;
	if (leaving)
		list_for_each_entry(ns, &ctrl->leaving, list)
			nr++;
	/* NOIO: a reset calls this with the namespace queues quiesced */
	set = kmalloc(struct_size(set, ns, nr), GFP_NOIO);
	if (set) {
		set->nr = 0;
		nvmx_ns_set_fill(set, &ctrl->namespaces, freeze);
		if (leaving)
			nvmx_ns_set_fill(set, &ctrl->leaving, freeze);
	}
	up_read(&ctrl->ns_rwsem);
	return set;
}

/* Drop the set's references (unfrozen first if @frozen) and free it. */
static void nvmx_ns_set_put(struct nvmx_ns_set *set, bool frozen)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		if (frozen)
			blk_mq_unfreeze_queue(set->ns[i]->disk->queue);
		put_device(disk_to_dev(set->ns[i]->disk));
		nvmx_ns_put(set->ns[i]);
	}
	kfree(set);
}

/**
 * nvmx_set_write_cache() - the volatile write cache is on or off
 * @ctrl: the controller
 * @on: as found by the reset, or switched by Set Features 06h
 *
 * Tells the namespaces' queues, so that flushes and FUA are sent exactly
 * when they matter; a namespace added meanwhile reads vwc_on itself.  Not
 * under ns_rwsem, and never while a reset has the queues quiesced: from
 * 6.11 a limits update takes the queue's limits_lock, which a sysfs write
 * of a limit holds while it freezes the queue, and that freeze waits for
 * the requests the reset holds back.
 *
 * Context: process context, the namespace queues running.
 */
void nvmx_set_write_cache(struct nvmx_ctrl *ctrl, bool on)
{
	struct nvmx_ns_set *set;
	unsigned int i;

	WRITE_ONCE(ctrl->vwc_on, on);
	set = nvmx_ns_set_get(ctrl, false, false);
	if (!set) {
		dev_warn(&ctrl->device, "write cache %s: no memory to tell the namespaces\n",
			 on ? "on" : "off");
		return;
	}
	for (i = 0; i < set->nr; i++) {
		struct gendisk *disk = set->ns[i]->disk;
		struct nvmx_lim lim;

		nvmx_lim_start(&lim, disk->queue);
		nvmx_lim_write_cache(&lim, on);
		if (nvmx_lim_commit(&lim))
			dev_warn(&ctrl->device, "%s: write cache setting refused\n",
				 disk->disk_name);
	}
	nvmx_ns_set_put(set, false);
}

/*
 * Remove a namespace's devices, once on the leaving list, and drop its
 * registration.  Open files keep what they use until closed.  The disk's
 * deletion waits for its I/O, and for a reset to restart its queue if a
 * disable quiesced it (quiesce.c, rule 5).
 */
static void nvmx_destroy_ns(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns)
{
	nvmx_ns_remove_generic(ns);
	del_gendisk(ns->disk);
	nvmx_ns_list_del(ctrl, ns);
	put_disk(ns->disk);
	nvmx_ns_put(ns);
}

/*
 * Move the next namespace to remove to the leaving list: any when @all,
 * else the next one the scan numbered @gen did not find.  Return: it, or
 * NULL when there is none.
 */
static struct nvmx_ns *nvmx_next_to_remove(struct nvmx_ctrl *ctrl, bool all,
					   u32 gen)
{
	struct nvmx_ns *ns, *found = NULL;

	down_write(&ctrl->ns_rwsem);
	list_for_each_entry(ns, &ctrl->namespaces, list) {
		if (all || ns->scan_gen != gen) {
			nvmx_ns_leave_locked(ctrl, ns);
			found = ns;
			break;
		}
	}
	up_write(&ctrl->ns_rwsem);
	return found;
}

static void nvmx_alloc_ns(struct nvmx_ctrl *ctrl, u32 nsid,
			  struct nvme_id_ns *id, u32 gen)
{
	struct nvmx_ns_format f;
	struct gendisk *disk;
	struct nvmx_ns *ns;
	int ret;

	if (!nvmx_ns_format_valid(ctrl, nsid, id))
		return;

	ns = kzalloc_node(sizeof(*ns), GFP_KERNEL, dev_to_node(&ctrl->device));
	if (!ns)
		goto fail;
	ns->ctrl = ctrl;
	ns->nsid = nsid;
	if (nvmx_ns_init_generic(ns))	/* frees ns on failure */
		goto fail;
	/* from here on nvmx_ns_put() frees ns */
	f = nvmx_ns_format(id);
	nvmx_ns_set_format(ns, &f);
	ns->scan_gen = gen;
	nvmx_identify_ns_ids(ctrl, nsid, id, &ns->ids);

	disk = nvmx_alloc_disk(&ctrl->tagset, ns);
	if (IS_ERR(disk))
		goto put_ns;
	disk->fops = &nvmx_bdev_ops;
	disk->private_data = ns;
	snprintf(disk->disk_name, DISK_NAME_LEN, "nvmx%dn%u", ctrl->instance,
		 nsid);
	ns->disk = disk;
	nvmx_set_nonrot(disk->queue);
	if (nvmx_ns_set_limits(ns, id))
		goto put_disk;
	set_capacity(disk, nvmx_ns_sectors(ns, id));

	nvmx_ns_list_add(ctrl, ns);

	ret = device_add_disk(&ctrl->device, disk, nvmx_ns_groups);
	if (ret)
		goto unlink_ns;
	/* the added disk's, dropped by nvmx_free_disk() */
	get_device(&ns->cdev_device);
	ret = nvmx_ns_add_generic(ns);
	if (ret)
		goto del_disk;
	dev_info(&ctrl->device, "nsid %u: %s, %llu blocks of %u bytes, %u bytes of metadata\n",
		 nsid, disk->disk_name, le64_to_cpu(id->nsze),
		 1U << ns->lba_shift, ns->ms);
	if (!ns->block_io)
		nvmx_ns_warn_no_block_io(ns);
	return;

del_disk:
	down_write(&ctrl->ns_rwsem);
	nvmx_ns_leave_locked(ctrl, ns);
	up_write(&ctrl->ns_rwsem);
	nvmx_destroy_ns(ctrl, ns);
	dev_err(&ctrl->device, "nsid %u: cannot create the generic device (%d)\n",
		nsid, ret);
	return;

unlink_ns:
	nvmx_ns_list_del(ctrl, ns);
put_disk:
	put_disk(disk);		/* never added: no free_disk */
put_ns:
	nvmx_ns_put(ns);
fail:
	dev_err(&ctrl->device, "nsid %u: cannot create the block device\n",
		nsid);
}

/*
 * Create the namespace if it is new and servable, else update its size;
 * mark it seen by this scan.  A namespace whose Identify fails is kept:
 * the failure may pass.
 */
static void nvmx_validate_ns(struct nvmx_ctrl *ctrl, u32 nsid,
			     struct nvme_id_ns *id, u32 gen)
{
	struct nvmx_ns *ns;
	int ret;

	ret = nvmx_identify_ns(ctrl, nsid, id);
	ns = nvmx_find_ns(ctrl, nsid);
	if (ret) {
		dev_warn(&ctrl->device, "nsid %u: Identify Namespace failed (%d)\n",
			 nsid, ret);
		if (ns)
			WRITE_ONCE(ns->scan_gen, gen);
		return;
	}
	if (!id->nsze)
		return;
	if (!ns) {
		nvmx_alloc_ns(ctrl, nsid, id, gen);
		return;
	}
	WRITE_ONCE(ns->scan_gen, gen);
	nvmx_update_ns(ns, id);
}

/*
 * Remove the namespaces a complete scan did not find (detached or
 * deleted).  Their I/O fails from now on; an open file keeps the structures
 * until it is closed.
 */
static void nvmx_remove_stale_ns(struct nvmx_ctrl *ctrl, u32 gen)
{
	struct nvmx_ns *ns;

	while ((ns = nvmx_next_to_remove(ctrl, false, gen))) {
		dev_info(&ctrl->device, "nsid %u: %s gone, removed\n",
			 ns->nsid, ns->disk->disk_name);
		nvmx_destroy_ns(ctrl, ns);
	}
}

/**
 * nvmx_scan_work() - find the active namespaces and expose them
 * @work: the controller's scan_work
 *
 * Uses the active namespace list (CNS 02h) and falls back to probing ids
 * 1 to NN on controllers that do not support it.
 */
void nvmx_scan_work(struct work_struct *work)
{
	struct nvmx_ctrl *ctrl = container_of(work, struct nvmx_ctrl,
					      scan_work);
	u32 per_list = NVME_IDENTIFY_DATA_SIZE / sizeof(__le32);
	struct nvme_id_ns *id;
	u32 nsid = 0, i, gen;
	__le32 *list;
	int ret;

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE || !ctrl->tagset.tags)
		return;
	mutex_lock(&ctrl->scan_lock);
	gen = ++ctrl->scan_gen;

	list = kmalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	id = kmalloc(sizeof(*id), GFP_KERNEL);
	if (!list || !id)
		goto out;

	for (;;) {
		ret = nvmx_identify_ns_list(ctrl, nsid, list);
		if (ret)
			break;
		for (i = 0; i < per_list && list[i]; i++) {
			nsid = le32_to_cpu(list[i]);
			nvmx_validate_ns(ctrl, nsid, id, gen);
		}
		if (i < per_list)
			goto complete;
	}
	if (ret < 0 || nvmx_status_code(ret) != NVME_SC_INVALID_FIELD) {
		dev_warn(&ctrl->device, "namespace scan failed (%d)\n", ret);
		goto out;
	}
	/* no active namespace list (before NVMe 1.1): probe every id */
	if (nvmx_ns_probe_limit(ctrl->nn) < ctrl->nn)
		dev_warn(&ctrl->device, "NN is %u: probing namespace ids 1 to %u only\n",
			 ctrl->nn, nvmx_ns_probe_limit(ctrl->nn));
	for (nsid = 1; nsid <= nvmx_ns_probe_limit(ctrl->nn); nsid++) {
		if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
			goto out;
		nvmx_validate_ns(ctrl, nsid, id, gen);
	}
complete:
	nvmx_remove_stale_ns(ctrl, gen);
out:
	mutex_unlock(&ctrl->scan_lock);
	kfree(id);
	kfree(list);
}

/**
 * nvmx_freeze_namespaces() - freeze every namespace queue for a Format NVM
 * @ctrl: the controller
 *
 * Until nvmx_thaw_namespaces() no block request is built, so none is built
 * for the old format and sent under the new one; no scan runs meanwhile
 * (scan_lock).  The set is kept apart from the controller's list, which
 * the removal of the controller may empty in between.
 *
 * Context: process context; waits for the requests in flight.
 * Return: the frozen set, or ERR_PTR(-ENOMEM) with nothing held.
 */
struct nvmx_ns_set *nvmx_freeze_namespaces(struct nvmx_ctrl *ctrl)
{
	struct nvmx_ns_set *f;
	unsigned int i;

	mutex_lock(&ctrl->scan_lock);
	/* not the leaving ones: their disks go, whatever the format */
	f = nvmx_ns_set_get(ctrl, true, false);
	if (!f) {
		mutex_unlock(&ctrl->scan_lock);
		return ERR_PTR(-ENOMEM);
	}
	/* not under ns_rwsem: a timeout may need it to end these requests */
	for (i = 0; i < f->nr; i++)
		blk_mq_freeze_queue_wait(f->ns[i]->disk->queue);
	return f;
}

/**
 * nvmx_thaw_namespaces() - end what nvmx_freeze_namespaces() began
 * @ctrl: the controller
 * @f: the frozen set, freed here
 * @reformatted: the Format NVM succeeded: take each namespace's new format
 *	before its queue runs again
 *
 * Context: process context; sends Identify Namespace commands.
 */
void nvmx_thaw_namespaces(struct nvmx_ctrl *ctrl, struct nvmx_ns_set *f,
			  bool reformatted)
{
	struct nvme_id_ns *id = NULL;
	unsigned int i;

	if (reformatted)
		id = kmalloc(sizeof(*id), GFP_KERNEL);
	for (i = 0; i < f->nr; i++) {
		struct nvmx_ns *ns = f->ns[i];

		if (reformatted && READ_ONCE(ctrl->state) == NVMX_CTRL_LIVE) {
			if (id && !nvmx_identify_ns(ctrl, ns->nsid, id)) {
				nvmx_update_ns(ns, id);
			} else {
				dev_warn(&ctrl->device, "%s: format unknown after Format NVM; no capacity until a rescan\n",
					 ns->disk->disk_name);
				set_capacity_and_notify(ns->disk, 0);
			}
		}
	}
	nvmx_ns_set_put(f, true);
	mutex_unlock(&ctrl->scan_lock);
	kfree(id);
}

/**
 * nvmx_freeze_io() - start freezing every namespace queue
 * @ctrl: the controller
 *
 * The leaving namespaces' queues too: their disks' deletion lets them
 * dispatch until drained, and blk_mq_update_nr_hw_queues() freezes every
 * queue of the tag set, theirs included, with no bound on the wait.
 *
 * Return: the set of namespaces frozen, each with a disk reference, for
 * nvmx_wait_freeze_io() and nvmx_unfreeze_io(); ERR_PTR(-ENOMEM) with
 * nothing frozen.  It leaves scans alone (nvmx_freeze_namespaces() adds
 * scan_lock): the reset work, which calls it, must not wait for a scan.
 */
struct nvmx_ns_set *nvmx_freeze_io(struct nvmx_ctrl *ctrl)
{
	return nvmx_ns_set_get(ctrl, true, true) ?: ERR_PTR(-ENOMEM);
}

/**
 * nvmx_wait_freeze_io() - wait until the frozen queues hold no request
 * @f: from nvmx_freeze_io()
 * @timeout: in jiffies, for all of them
 *
 * Context: process context; no lock held that a timeout needs.
 * Return: true when every queue drained in time.
 */
bool nvmx_wait_freeze_io(struct nvmx_ns_set *f, unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;
	unsigned int i;

	for (i = 0; i < f->nr; i++) {
		long left = max_t(long, (long)(deadline - jiffies), 1);

		if (blk_mq_freeze_queue_wait_timeout(f->ns[i]->disk->queue,
						     left) <= 0)
			return false;
	}
	return true;
}

/* End nvmx_freeze_io(): unfreeze, drop the references, free @f. */
void nvmx_unfreeze_io(struct nvmx_ns_set *f)
{
	nvmx_ns_set_put(f, true);
}

/**
 * nvmx_remove_namespaces() - remove every block device of the controller
 * @ctrl: the controller, no longer live or scanning
 *
 * Context: process context, may sleep while the disks drain.
 */
void nvmx_remove_namespaces(struct nvmx_ctrl *ctrl)
{
	struct nvmx_ns *ns;

	while ((ns = nvmx_next_to_remove(ctrl, true, 0)))
		nvmx_destroy_ns(ctrl, ns);
}
