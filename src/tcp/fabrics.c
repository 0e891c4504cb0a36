// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx NVMe/TCP transport: /dev/nvmx-fabrics, where users connect, and
 * the module.  The device speaks as /dev/nvme-fabrics does: one write of
 * the option string per open connects; a read before it lists the
 * tokens, a read after it answers "instance=N,cntlid=M".
 */
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "tcp.h"

/* an option string longer than this is refused */
#define NVMX_FABRICS_MAX_OPTS	4096

struct workqueue_struct *nvmx_tcp_wq;
struct workqueue_struct *nvmx_tcp_ctl_wq;
uuid_t nvmx_tcp_hostid;

/**
 * struct nvmx_fabrics_file - one open of /dev/nvmx-fabrics
 * @lock: serialises its write and reads
 * @tctrl: the controller its write connected, referenced; NULL before
 */
struct nvmx_fabrics_file {
	struct mutex lock;	/* serialises the write and reads */
	struct nvmx_tcp_ctrl *tctrl;
};

static int nvmx_fabrics_open(struct inode *inode, struct file *file)
{
	struct nvmx_fabrics_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int nvmx_fabrics_release(struct inode *inode, struct file *file)
{
	struct nvmx_fabrics_file *f = file->private_data;

	if (f->tctrl)
		put_device(&f->tctrl->ctrl.device);
	kfree(f);
	return 0;
}

static ssize_t nvmx_fabrics_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *pos)
{
	struct nvmx_fabrics_file *f = file->private_data;
	struct nvmx_tcp_ctrl *tctrl;
	struct nvmx_opts *opts;
	const char *bad = "";
	char *buf;
	int ret;

	if (count > NVMX_FABRICS_MAX_OPTS) {
		pr_err("nvmx-tcp: option string of %zu bytes refused (at most %u)\n",
		       count, NVMX_FABRICS_MAX_OPTS);
		return -EINVAL;
	}
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts) {
		ret = -ENOMEM;
		goto free_buf;
	}
	if (nvmx_opts_parse(buf, opts, &bad)) {
		pr_err("nvmx-tcp: option \"%s\" refused (unknown, repeated, malformed or missing)\n",
		       bad);
		ret = -EINVAL;
		goto free_opts;
	}

	mutex_lock(&f->lock);
	if (f->tctrl) {
		ret = -EINVAL;	/* one controller per open, as in-tree */
		goto unlock;
	}
	tctrl = nvmx_tcp_create_ctrl(opts);
	if (IS_ERR(tctrl)) {
		ret = PTR_ERR(tctrl);
		goto unlock;
	}
	f->tctrl = tctrl;
	ret = count;
unlock:
	mutex_unlock(&f->lock);
free_opts:
	kfree(opts);
free_buf:
	kfree(buf);
	return ret;
}

static ssize_t nvmx_fabrics_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *pos)
{
	struct nvmx_fabrics_file *f = file->private_data;
	char answer[64];
	ssize_t ret;

	mutex_lock(&f->lock);
	if (f->tctrl) {
		snprintf(answer, sizeof(answer), "instance=%d,cntlid=%u\n",
			 f->tctrl->ctrl.instance, f->tctrl->ctrl.cntlid);
		ret = simple_read_from_buffer(ubuf, count, pos, answer,
					      strlen(answer));
	} else {
		ret = simple_read_from_buffer(ubuf, count, pos,
					      NVMX_OPTS_TOKENS "\n",
					      sizeof(NVMX_OPTS_TOKENS));
	}
	mutex_unlock(&f->lock);
	return ret;
}

static const struct file_operations nvmx_fabrics_fops = {
	.owner		= THIS_MODULE,
	.open		= nvmx_fabrics_open,
	.release	= nvmx_fabrics_release,
	.write		= nvmx_fabrics_write,
	.read		= nvmx_fabrics_read,
};

static struct miscdevice nvmx_fabrics_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "nvmx-fabrics",
	.nodename	= "nvmx-fabrics",
	.mode		= 0600,
	.fops		= &nvmx_fabrics_fops,
};

static int __init nvmx_tcp_init(void)
{
	int ret;

	/*
	 * Sending and receiving may be what frees memory (swap, writeback
	 * over NVMe/TCP): a rescuer thread, and high priority as the
	 * completions it delivers are.
	 */
	nvmx_tcp_wq = alloc_workqueue("nvmx-tcp-wq",
				      WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!nvmx_tcp_wq)
		return -ENOMEM;
	/*
	 * Keep-alives, error handling and deletion, kept off the data path's
	 * queue (which they wait for); the module's exit drains it, so no
	 * work runs in the module once it is gone.
	 */
	nvmx_tcp_ctl_wq = alloc_workqueue("nvmx-tcp-ctl", WQ_MEM_RECLAIM, 0);
	if (!nvmx_tcp_ctl_wq) {
		ret = -ENOMEM;
		goto destroy_wq;
	}
	uuid_gen(&nvmx_tcp_hostid);
	ret = misc_register(&nvmx_fabrics_misc);
	if (ret)
		goto destroy_ctl_wq;
	return 0;

destroy_ctl_wq:
	destroy_workqueue(nvmx_tcp_ctl_wq);
destroy_wq:
	destroy_workqueue(nvmx_tcp_wq);
	return ret;
}

/* Controllers hold the module (nvmx_ctrl_ops.module): none is left here. */
static void __exit nvmx_tcp_exit(void)
{
	misc_deregister(&nvmx_fabrics_misc);
	destroy_workqueue(nvmx_tcp_ctl_wq);
	destroy_workqueue(nvmx_tcp_wq);
}

module_init(nvmx_tcp_init);
module_exit(nvmx_tcp_exit);

MODULE_DESCRIPTION("nvmx NVMe/TCP transport");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(NVMX);
