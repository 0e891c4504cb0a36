// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx core: the module parameters every transport honours (nvmx.<name>),
 * and the range-checked integer parameter type the transports use too.
 */
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include "nvmx.h"

/*
 * Integer parameters with a range: the value comes first so that
 * param_get_uint() reads it; a value out of range fails the load (or the
 * write) with a log line and leaves the parameter as it was.
 */
static int nvmx_param_set_range(const char *val, const struct kernel_param *kp)
{
	struct nvmx_uint_param *p = kp->arg;
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < p->min || n > p->max) {
		pr_err("nvmx: %s=%s is invalid: expected an integer from %u to %u\n",
		       kp->name, val, p->min, p->max);
		return -EINVAL;
	}
	p->val = n;
	return 0;
}

const struct kernel_param_ops nvmx_range_ops = {
	.set = nvmx_param_set_range,
	.get = param_get_uint,
};
EXPORT_SYMBOL_NS_GPL(nvmx_range_ops, NVMX);

struct nvmx_uint_param nvmx_admin_timeout = { 60, 1, 3600 };
module_param_cb(admin_timeout, &nvmx_range_ops, &nvmx_admin_timeout, 0444);
MODULE_PARM_DESC(admin_timeout,
		 "timeout of admin commands in seconds (1-3600, default 60)");
EXPORT_SYMBOL_NS_GPL(nvmx_admin_timeout, NVMX);

struct nvmx_uint_param nvmx_io_timeout = { 30, 1, 3600 };
module_param_cb(io_timeout, &nvmx_range_ops, &nvmx_io_timeout, 0444);
MODULE_PARM_DESC(io_timeout,
		 "timeout of I/O commands in seconds (1-3600, default 30)");
EXPORT_SYMBOL_NS_GPL(nvmx_io_timeout, NVMX);

struct nvmx_uint_param nvmx_max_retries = { 5, 0, 255 };
module_param_cb(max_retries, &nvmx_range_ops, &nvmx_max_retries, 0444);
MODULE_PARM_DESC(max_retries,
		 "times a failed command without DNR is sent again (0-255, default 5)");

struct nvmx_uint_param nvmx_nr_io_queues = { 0, 0, 65535 };
module_param_cb(nr_io_queues, &nvmx_range_ops, &nvmx_nr_io_queues, 0444);
MODULE_PARM_DESC(nr_io_queues,
		 "most I/O queue pairs per controller, 0 for one per CPU (0-65535, default 0)");
EXPORT_SYMBOL_NS_GPL(nvmx_nr_io_queues, NVMX);

/*
 * The command id carries a 12-bit tag: a queue of 4096 slots holds 4095
 * commands, tags 0 to 4094.
 */
struct nvmx_uint_param nvmx_io_queue_depth = { 1024, 2, 4096 };
module_param_cb(io_queue_depth, &nvmx_range_ops, &nvmx_io_queue_depth, 0444);
MODULE_PARM_DESC(io_queue_depth,
		 "slots per I/O queue, capped by CAP.MQES (2-4096, default 1024)");
EXPORT_SYMBOL_NS_GPL(nvmx_io_queue_depth, NVMX);
