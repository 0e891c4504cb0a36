// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx core: the controller object, its state machine, the nvmx class,
 * the controller and namespace character devices, sysfs, and the start of
 * removal.  Transport independent: the transport is reached through
 * ctrl->ops.
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>

#include "nvmx.h"

#define NVMX_MINORS	BIT(MINORBITS)

/* the core's works: resets, scans, events, requeues, fault releases */
struct workqueue_struct *nvmx_wq;
EXPORT_SYMBOL_NS_GPL(nvmx_wq, NVMX);

static DEFINE_IDA(nvmx_instance_ida);
static dev_t nvmx_chr_devt;
static struct class *nvmx_class;

/* /dev/nvmx<C>g<N>: the namespaces' generic char devices */
static DEFINE_IDA(nvmx_generic_minor_ida);
static dev_t nvmx_generic_devt;
static struct class *nvmx_generic_class;

static const char * const nvmx_state_names[] = {
	[NVMX_CTRL_NEW]		= "new",
	[NVMX_CTRL_RESETTING]	= "resetting",
	[NVMX_CTRL_LIVE]	= "live",
	[NVMX_CTRL_DELETING]	= "deleting",
	[NVMX_CTRL_DEAD]	= "dead",
};

const char *nvmx_state_name(enum nvmx_ctrl_state state)
{
	if (state >= ARRAY_SIZE(nvmx_state_names))
		return "unknown";
	return nvmx_state_names[state];
}

/*
 * Allowed transitions, by new state: a bit per old state.
 */
static const u8 nvmx_state_from[] = {
	[NVMX_CTRL_RESETTING]	= BIT(NVMX_CTRL_NEW) | BIT(NVMX_CTRL_LIVE),
	[NVMX_CTRL_LIVE]	= BIT(NVMX_CTRL_RESETTING),
	[NVMX_CTRL_DELETING]	= BIT(NVMX_CTRL_NEW) | BIT(NVMX_CTRL_LIVE) |
				  BIT(NVMX_CTRL_RESETTING) | BIT(NVMX_CTRL_DEAD),
	[NVMX_CTRL_DEAD]	= BIT(NVMX_CTRL_NEW) | BIT(NVMX_CTRL_LIVE) |
				  BIT(NVMX_CTRL_RESETTING) |
				  BIT(NVMX_CTRL_DELETING),
};

/**
 * nvmx_change_state() - move the controller to a new state
 * @ctrl: the controller
 * @new: the state wanted
 *
 * Context: any; takes state_lock.
 * Return: true when the transition is allowed and done.
 */
bool nvmx_change_state(struct nvmx_ctrl *ctrl, enum nvmx_ctrl_state new)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ctrl->state_lock, flags);
	ok = __nvmx_change_state(ctrl, new);
	spin_unlock_irqrestore(&ctrl->state_lock, flags);
	return ok;
}
EXPORT_SYMBOL_NS_GPL(nvmx_change_state, NVMX);

/**
 * __nvmx_change_state() - nvmx_change_state() for a caller that holds
 * state_lock, to act on the new state before anyone else sees it
 * @ctrl: the controller
 * @new: the state wanted
 *
 * Context: state_lock held.
 * Return: true when the transition is allowed and done.
 */
bool __nvmx_change_state(struct nvmx_ctrl *ctrl, enum nvmx_ctrl_state new)
{
	enum nvmx_ctrl_state old = ctrl->state;

	lockdep_assert_held(&ctrl->state_lock);
	if (new >= ARRAY_SIZE(nvmx_state_from) ||
	    !(nvmx_state_from[new] & BIT(old)))
		return false;
	WRITE_ONCE(ctrl->state, new);
	if (old != new)
		dev_dbg(&ctrl->device, "state %s -> %s\n",
			nvmx_state_name(old), nvmx_state_name(new));
	return true;
}

static struct nvmx_ctrl *to_nvmx_ctrl(struct device *dev)
{
	return container_of(dev, struct nvmx_ctrl, device);
}

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", to_nvmx_ctrl(dev)->model);
}
static DEVICE_ATTR_RO(model);

static ssize_t serial_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_nvmx_ctrl(dev)->serial);
}
static DEVICE_ATTR_RO(serial);

static ssize_t firmware_rev_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_nvmx_ctrl(dev)->firmware_rev);
}
static DEVICE_ATTR_RO(firmware_rev);

static ssize_t cntlid_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", to_nvmx_ctrl(dev)->cntlid);
}
static DEVICE_ATTR_RO(cntlid);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  nvmx_state_name(READ_ONCE(to_nvmx_ctrl(dev)->state)));
}
static DEVICE_ATTR_RO(state);

static ssize_t transport_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_nvmx_ctrl(dev)->ops->name);
}
static DEVICE_ATTR_RO(transport);

static ssize_t address_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct nvmx_ctrl *ctrl = to_nvmx_ctrl(dev);

	return ctrl->ops->get_address(ctrl, buf, PAGE_SIZE);
}
static DEVICE_ATTR_RO(address);

static ssize_t subsysnqn_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_nvmx_ctrl(dev)->subnqn);
}
static DEVICE_ATTR_RO(subsysnqn);

/* fabrics: who this host said it was in its Connect */
static ssize_t hostnqn_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", to_nvmx_ctrl(dev)->hostnqn);
}
static DEVICE_ATTR_RO(hostnqn);

static ssize_t hostid_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%pU\n", to_nvmx_ctrl(dev)->hostid);
}
static DEVICE_ATTR_RO(hostid);

/* queues on the controller, the admin queue included */
static ssize_t queue_count_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(to_nvmx_ctrl(dev)->nr_io_queues) + 1);
}
static DEVICE_ATTR_RO(queue_count);

/* I/O queue size, 0's based as in the Create commands */
static ssize_t sqsize_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", to_nvmx_ctrl(dev)->io_depth - 1);
}
static DEVICE_ATTR_RO(sqsize);

static ssize_t numa_node_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", nvmx_ctrl_node(to_nvmx_ctrl(dev)));
}
static DEVICE_ATTR_RO(numa_node);

static ssize_t reset_controller_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	int ret = nvmx_reset_sync(to_nvmx_ctrl(dev));

	return ret ? ret : count;
}
static DEVICE_ATTR_WO(reset_controller);

static ssize_t rescan_controller_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	struct nvmx_ctrl *ctrl = to_nvmx_ctrl(dev);

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
		return -EBUSY;
	queue_work(nvmx_wq, &ctrl->scan_work);
	return count;
}
static DEVICE_ATTR_WO(rescan_controller);

/*
 * Writing 1 starts the removal of the controller (a fabrics controller is
 * disconnected); it is done when /sys/class/nvmx/nvmx<C> is gone.
 */
static ssize_t delete_controller_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	struct nvmx_ctrl *ctrl = to_nvmx_ctrl(dev);

	if (!sysfs_streq(buf, "1"))
		return -EINVAL;
	dev_info(&ctrl->device, "removal asked for by %s\n", current->comm);
	ctrl->ops->delete_ctrl(ctrl);
	return count;
}
static DEVICE_ATTR_WO(delete_controller);

static struct attribute *nvmx_ctrl_attrs[] = {
	&dev_attr_subsysnqn.attr,
	&dev_attr_queue_count.attr,
	&dev_attr_sqsize.attr,
	&dev_attr_numa_node.attr,
	&dev_attr_reset_controller.attr,
	&dev_attr_rescan_controller.attr,
	&dev_attr_delete_controller.attr,
	&dev_attr_model.attr,
	&dev_attr_serial.attr,
	&dev_attr_firmware_rev.attr,
	&dev_attr_cntlid.attr,
	&dev_attr_state.attr,
	&dev_attr_transport.attr,
	&dev_attr_address.attr,
	&dev_attr_hostnqn.attr,
	&dev_attr_hostid.attr,
	NULL,
};

/* the host's identity and deletion only on fabrics */
static umode_t nvmx_ctrl_attr_visible(struct kobject *kobj,
				      struct attribute *a, int n)
{
	struct nvmx_ctrl *ctrl = to_nvmx_ctrl(kobj_to_dev(kobj));

	if (a == &dev_attr_hostnqn.attr && !ctrl->hostnqn)
		return 0;
	if (a == &dev_attr_hostid.attr && !ctrl->hostid)
		return 0;
	/* a PCIe controller is unbound through its driver, not deleted */
	if (a == &dev_attr_delete_controller.attr && !ctrl->hostnqn)
		return 0;
	return a->mode;
}

static const struct attribute_group nvmx_ctrl_group = {
	.attrs = nvmx_ctrl_attrs,
	.is_visible = nvmx_ctrl_attr_visible,
};

static const struct attribute_group *nvmx_ctrl_groups[] = {
	&nvmx_ctrl_group,
	NULL,
};

static int nvmx_ctrl_open(struct inode *inode, struct file *file)
{
	struct nvmx_ctrl *ctrl = container_of(inode->i_cdev, struct nvmx_ctrl,
					      cdev);

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
		return -EWOULDBLOCK;
	/* the controller outlives the file, even across removal */
	get_device(&ctrl->device);
	file->private_data = ctrl;
	return nonseekable_open(inode, file);
}

static int nvmx_ctrl_file_release(struct inode *inode, struct file *file)
{
	struct nvmx_ctrl *ctrl = file->private_data;

	put_device(&ctrl->device);
	return 0;
}

static long nvmx_ctrl_file_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	return nvmx_ctrl_ioctl(file->private_data, cmd, arg);
}

static int nvmx_ctrl_file_uring_cmd(struct io_uring_cmd *ioucmd,
				    unsigned int issue_flags)
{
	return nvmx_ctrl_uring_cmd(ioucmd->file->private_data, ioucmd,
				   issue_flags);
}

static const struct file_operations nvmx_ctrl_fops = {
	.owner		= THIS_MODULE,
	.open		= nvmx_ctrl_open,
	.release	= nvmx_ctrl_file_release,
	.unlocked_ioctl	= nvmx_ctrl_file_ioctl,
	.uring_cmd	= nvmx_ctrl_file_uring_cmd,
	.compat_ioctl	= compat_ptr_ioctl,
};

static void nvmx_ctrl_release(struct device *dev)
{
	struct nvmx_ctrl *ctrl = to_nvmx_ctrl(dev);
	struct module *owner;

	/*
	 * A rescan asked for through a file kept open across removal.  No
	 * reset can be queued once removal began (nvmx_queue_reset()), and
	 * removal sent the requeued bios on their way.
	 */
	cancel_work_sync(&ctrl->reset_work);
	flush_work(&ctrl->requeue_work);
	WARN_ON_ONCE(!bio_list_empty(&ctrl->requeue_bios));
	cancel_work_sync(&ctrl->aen_work);
	cancel_work_sync(&ctrl->scan_work);
	nvmx_put_admin_queue(ctrl);
	ida_free(&nvmx_instance_ida, ctrl->instance);
	owner = ctrl->ops->module;
	ctrl->ops->free_ctrl(ctrl);
	module_put(owner);
}

/**
 * nvmx_ctrl_init() - give a new controller its instance, device and works
 * @ctrl: the controller, zeroed, inside the transport's
 * @parent: the transport's device; NULL for a fabrics controller (no bus)
 * @ops: the transport
 *
 * After success the controller is freed by put_device(&ctrl->device),
 * whose release ends with @ops->free_ctrl; on failure @ops->free_ctrl has
 * already freed it.
 */
int nvmx_ctrl_init(struct nvmx_ctrl *ctrl, struct device *parent,
		   const struct nvmx_ctrl_ops *ops)
{
	int ret;

	if (!try_module_get(ops->module)) {
		ops->free_ctrl(ctrl);
		return -ENODEV;
	}
	ctrl->ops = ops;
	spin_lock_init(&ctrl->state_lock);
	mutex_init(&ctrl->shutdown_lock);
	ctrl->state = NVMX_CTRL_NEW;
	INIT_WORK(&ctrl->reset_work, nvmx_reset_work);
	INIT_WORK(&ctrl->scan_work, nvmx_scan_work);
	INIT_WORK(&ctrl->aen_work, nvmx_aen_work);
	INIT_WORK(&ctrl->requeue_work, nvmx_requeue_work);
	spin_lock_init(&ctrl->requeue_lock);
	bio_list_init(&ctrl->requeue_bios);
	nvmx_fault_init(ctrl);
	init_rwsem(&ctrl->ns_rwsem);
	mutex_init(&ctrl->scan_lock);
	INIT_LIST_HEAD(&ctrl->namespaces);
	INIT_LIST_HEAD(&ctrl->leaving);

	ret = ida_alloc_max(&nvmx_instance_ida, NVMX_MINORS - 1, GFP_KERNEL);
	if (ret < 0) {
		ops->free_ctrl(ctrl);
		module_put(ops->module);
		return ret;
	}
	ctrl->instance = ret;

	device_initialize(&ctrl->device);
	ctrl->device.devt = MKDEV(MAJOR(nvmx_chr_devt), ctrl->instance);
	ctrl->device.class = nvmx_class;
	ctrl->device.parent = parent;
	ctrl->device.groups = nvmx_ctrl_groups;
	ctrl->device.release = nvmx_ctrl_release;
	dev_set_drvdata(&ctrl->device, ctrl);
	ret = dev_set_name(&ctrl->device, "nvmx%d", ctrl->instance);
	if (ret) {
		put_device(&ctrl->device);
		return ret;
	}
	cdev_init(&ctrl->cdev, &nvmx_ctrl_fops);
	ctrl->cdev.owner = THIS_MODULE;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(nvmx_ctrl_init, NVMX);

/* Create /dev/nvmx<C> and /sys/class/nvmx/nvmx<C>. */
int nvmx_ctrl_publish(struct nvmx_ctrl *ctrl)
{
	return cdev_device_add(&ctrl->cdev, &ctrl->device);
}
EXPORT_SYMBOL_NS_GPL(nvmx_ctrl_publish, NVMX);

void nvmx_ctrl_unpublish(struct nvmx_ctrl *ctrl)
{
	cdev_device_del(&ctrl->cdev, &ctrl->device);
}
EXPORT_SYMBOL_NS_GPL(nvmx_ctrl_unpublish, NVMX);

/**
 * nvmx_ctrl_remove_devices() - the core's part of removing a controller
 * @ctrl: the controller, DELETING (or DEAD)
 *
 * Waits for the reset, event and scan works, removes hwmon, lets queued
 * I/O finish or fail (no reset comes now), sends the requeued bios on
 * their way, removes the namespaces and the controller's devices.  The
 * transport then shuts the controller down and frees its resources.
 *
 * Context: process context.
 */
void nvmx_ctrl_remove_devices(struct nvmx_ctrl *ctrl)
{
	flush_work(&ctrl->reset_work);
	/*
	 * No reset comes now: let queued I/O finish or fail before
	 * del_gendisk, the scan's too (it may be deleting a disk whose queue
	 * a disable quiesced).
	 */
	nvmx_unquiesce_io(ctrl);
	flush_work(&ctrl->aen_work);
	flush_work(&ctrl->scan_work);
	nvmx_hwmon_remove(ctrl);
	queue_work(nvmx_wq, &ctrl->requeue_work);
	flush_work(&ctrl->requeue_work);
	nvmx_remove_namespaces(ctrl);
	nvmx_ctrl_unpublish(ctrl);
}
EXPORT_SYMBOL_NS_GPL(nvmx_ctrl_remove_devices, NVMX);

/*
 * The generic char device of a namespace owns the namespace: struct nvmx_ns
 * is freed by the release of ns->cdev_device, once its last reference is
 * gone.  The references: the namespace's registration (dropped when the
 * namespace is destroyed), the disk once added (dropped by its free_disk),
 * and the char device's kobject, which cdev_device_add() makes hold its
 * device, so that every open file keeps the namespace until __fput() is
 * done with the cdev.  An open file also holds the disk, which the
 * passthrough ioctls use; it is taken only while the namespace is still
 * registered, when the registration's own disk reference keeps it alive.
 */
static int nvmx_generic_open(struct inode *inode, struct file *file)
{
	struct nvmx_ns *ns = container_of(inode->i_cdev, struct nvmx_ns, cdev);
	int ret = 0;

	spin_lock(&ns->open_lock);
	if (ns->gone)
		ret = -ENXIO;
	else
		get_device(disk_to_dev(ns->disk));
	spin_unlock(&ns->open_lock);
	if (ret)
		return ret;
	file->private_data = ns;
	return nonseekable_open(inode, file);
}

static int nvmx_generic_release(struct inode *inode, struct file *file)
{
	struct nvmx_ns *ns = file->private_data;

	put_device(disk_to_dev(ns->disk));
	return 0;
}

static long nvmx_generic_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	return nvmx_ns_ioctl(file->private_data, cmd, arg,
			     file->f_mode & FMODE_WRITE);
}

static int nvmx_generic_uring_cmd(struct io_uring_cmd *ioucmd,
				  unsigned int issue_flags)
{
	return nvmx_ns_uring_cmd(ioucmd->file->private_data, ioucmd,
				 issue_flags);
}

static const struct file_operations nvmx_generic_fops = {
	.owner		= THIS_MODULE,
	.open		= nvmx_generic_open,
	.release	= nvmx_generic_release,
	.unlocked_ioctl	= nvmx_generic_ioctl,
	.uring_cmd	= nvmx_generic_uring_cmd,
	.uring_cmd_iopoll = nvmx_ns_uring_cmd_iopoll,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* The last reference to the namespace is gone. */
static void nvmx_ns_release(struct device *dev)
{
	struct nvmx_ns *ns = container_of(dev, struct nvmx_ns, cdev_device);
	struct nvmx_ctrl *ctrl = ns->ctrl;

	ida_free(&nvmx_generic_minor_ida, MINOR(dev->devt));
	kfree(ns);
	put_device(&ctrl->device);
}

/**
 * nvmx_ns_init_generic() - make the namespace's lifetime its char device's
 * @ns: the namespace, allocated with kzalloc(), @ns->ctrl and @ns->nsid set
 *
 * Takes a minor and a controller reference.  On success the caller holds
 * the registration reference: from then on nvmx_ns_put() frees @ns.
 *
 * Return: 0, or a negative errno with @ns freed.
 */
int nvmx_ns_init_generic(struct nvmx_ns *ns)
{
	struct device *dev = &ns->cdev_device;
	int minor, ret;

	minor = ida_alloc_max(&nvmx_generic_minor_ida, NVMX_MINORS - 1,
			      GFP_KERNEL);
	if (minor < 0) {
		kfree(ns);
		return minor;
	}
	spin_lock_init(&ns->open_lock);
	device_initialize(dev);
	dev->devt = MKDEV(MAJOR(nvmx_generic_devt), minor);
	dev->class = nvmx_generic_class;
	dev->parent = &ns->ctrl->device;
	dev->release = nvmx_ns_release;
	get_device(&ns->ctrl->device);
	cdev_init(&ns->cdev, &nvmx_generic_fops);
	ns->cdev.owner = THIS_MODULE;
	ret = dev_set_name(dev, "nvmx%dg%u", ns->ctrl->instance, ns->nsid);
	if (ret) {
		nvmx_ns_put(ns);
		return ret;
	}
	return 0;
}

/**
 * nvmx_ns_add_generic() - create /dev/nvmx<C>g<N>
 * @ns: the namespace, its disk added
 *
 * Return: 0 or a negative errno.
 */
int nvmx_ns_add_generic(struct nvmx_ns *ns)
{
	int ret = cdev_device_add(&ns->cdev, &ns->cdev_device);

	ns->generic_added = !ret;
	return ret;
}

/**
 * nvmx_ns_remove_generic() - no new opens of /dev/nvmx<C>g<N>
 * @ns: the namespace, off the controller's list
 *
 * Files already open keep the namespace and its disk until they are
 * closed.  Call before the namespace drops its disk.
 */
void nvmx_ns_remove_generic(struct nvmx_ns *ns)
{
	spin_lock(&ns->open_lock);
	ns->gone = true;
	spin_unlock(&ns->open_lock);
	if (ns->generic_added)
		cdev_device_del(&ns->cdev, &ns->cdev_device);
}

/*
 * Set up what every controller of every transport shares: the work queue,
 * the char device regions, the classes, the debugfs root.  Called by
 * nvmx.ko's init before the PCIe driver registers.
 */
int nvmx_core_init(void)
{
	int ret;

	nvmx_wq = alloc_workqueue("nvmx-wq", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nvmx_wq)
		return -ENOMEM;
	ret = alloc_chrdev_region(&nvmx_chr_devt, 0, NVMX_MINORS, "nvmx");
	if (ret)
		goto destroy_wq;
	ret = alloc_chrdev_region(&nvmx_generic_devt, 0, NVMX_MINORS,
				  "nvmx-generic");
	if (ret)
		goto unregister_chrdev;
	nvmx_class = nvmx_class_create("nvmx");
	if (IS_ERR(nvmx_class)) {
		ret = PTR_ERR(nvmx_class);
		goto unregister_generic;
	}
	nvmx_generic_class = nvmx_class_create("nvmx-generic");
	if (IS_ERR(nvmx_generic_class)) {
		ret = PTR_ERR(nvmx_generic_class);
		goto destroy_class;
	}
	nvmx_debugfs_init();
	return 0;

destroy_class:
	class_destroy(nvmx_class);
unregister_generic:
	unregister_chrdev_region(nvmx_generic_devt, NVMX_MINORS);
unregister_chrdev:
	unregister_chrdev_region(nvmx_chr_devt, NVMX_MINORS);
destroy_wq:
	destroy_workqueue(nvmx_wq);
	return ret;
}

void nvmx_core_exit(void)
{
	nvmx_debugfs_exit();
	class_destroy(nvmx_generic_class);
	class_destroy(nvmx_class);
	unregister_chrdev_region(nvmx_generic_devt, NVMX_MINORS);
	unregister_chrdev_region(nvmx_chr_devt, NVMX_MINORS);
	ida_destroy(&nvmx_generic_minor_ida);
	ida_destroy(&nvmx_instance_ida);
	destroy_workqueue(nvmx_wq);
}
