// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: the composite temperature as a hwmon device, so that `sensors`
 * and the hwmon sysfs files show it: temp1_input from the SMART /
 * Health log, temp1_max and temp1_min from the over and under temperature
 * thresholds (Get/Set Features 04h, writable), temp1_crit from CCTEMP,
 * temp1_alarm from the critical warning bit of the log.
 */
#include <linux/hwmon.h>
#include <linux/slab.h>
#include <linux/units.h>

#include "nvmx.h"

/* Kelvin, as NVMe reports temperatures, to hwmon's millidegrees Celsius. */
static long nvmx_k_to_mc(u32 kelvin)
{
	return kelvin_to_millicelsius(kelvin);
}

static u32 nvmx_mc_to_k(long mc)
{
	/* from absolute zero to the 16 bits of a threshold */
	mc = clamp_val(mc, ABSOLUTE_ZERO_MILLICELSIUS,
		       kelvin_to_millicelsius(NVME_TEMP_THRESH_MASK));
	return millicelsius_to_kelvin(mc);
}

static int nvmx_get_smart(struct nvmx_ctrl *ctrl, struct nvme_smart_log *log)
{
	return nvmx_get_log_page(ctrl, NVME_LOG_SMART, log, sizeof(*log));
}

/* The composite temperature's threshold, over (max) or under (min). */
static u32 nvmx_thresh_cdw11(bool under)
{
	return under ? NVME_TEMP_THRESH_TYPE_UNDER : 0;
}

static int nvmx_get_thresh(struct nvmx_ctrl *ctrl, bool under, long *val)
{
	struct nvme_command cmd = { };
	union nvme_result res;
	int ret;

	cmd.features.opcode = nvme_admin_get_features;
	cmd.features.fid = cpu_to_le32(NVME_FEAT_TEMP_THRESH);
	cmd.features.dword11 = cpu_to_le32(nvmx_thresh_cdw11(under));
	ret = nvmx_submit_sync(ctrl->admin_q, &cmd, NULL, 0, &res, 0);
	if (ret)
		return ret > 0 ? -EIO : ret;
	*val = nvmx_k_to_mc(le32_to_cpu(res.u32) & NVME_TEMP_THRESH_MASK);
	return 0;
}

static int nvmx_set_thresh(struct nvmx_ctrl *ctrl, bool under, long val)
{
	struct nvme_command cmd = { };
	int ret;

	cmd.features.opcode = nvme_admin_set_features;
	cmd.features.fid = cpu_to_le32(NVME_FEAT_TEMP_THRESH);
	cmd.features.dword11 = cpu_to_le32(nvmx_thresh_cdw11(under) |
					   nvmx_mc_to_k(val));
	ret = nvmx_submit_sync(ctrl->admin_q, &cmd, NULL, 0, NULL, 0);
	return ret > 0 ? -EIO : ret;
}

static umode_t nvmx_hwmon_visible(const void *data,
				  enum hwmon_sensor_types type, u32 attr,
				  int channel)
{
	const struct nvmx_ctrl *ctrl = data;

	switch (attr) {
	case hwmon_temp_input:
	case hwmon_temp_alarm:
	case hwmon_temp_label:
		return 0444;
	case hwmon_temp_max:
	case hwmon_temp_min:
		return 0644;
	case hwmon_temp_crit:
		return ctrl->cctemp ? 0444 : 0;
	default:
		return 0;
	}
}

static int nvmx_hwmon_read(struct device *dev, enum hwmon_sensor_types type,
			   u32 attr, int channel, long *val)
{
	struct nvmx_ctrl *ctrl = dev_get_drvdata(dev);
	struct nvme_smart_log *log;
	int ret;

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
		return -EAGAIN;
	switch (attr) {
	case hwmon_temp_max:
		return nvmx_get_thresh(ctrl, false, val);
	case hwmon_temp_min:
		return nvmx_get_thresh(ctrl, true, val);
	case hwmon_temp_crit:
		*val = nvmx_k_to_mc(ctrl->cctemp);
		return 0;
	case hwmon_temp_input:
	case hwmon_temp_alarm:
		break;
	default:
		return -EOPNOTSUPP;
	}

	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	ret = nvmx_get_smart(ctrl, log);
	if (ret)
		ret = ret > 0 ? -EIO : ret;
	else if (attr == hwmon_temp_input)
		*val = nvmx_k_to_mc(get_unaligned_le16(log->temperature));
	else
		*val = !!(log->critical_warning & NVME_SMART_CRIT_TEMPERATURE);
	kfree(log);
	return ret;
}

static int nvmx_hwmon_read_string(struct device *dev,
				  enum hwmon_sensor_types type, u32 attr,
				  int channel, const char **str)
{
	*str = "Composite";
	return 0;
}

static int nvmx_hwmon_write(struct device *dev, enum hwmon_sensor_types type,
			    u32 attr, int channel, long val)
{
	struct nvmx_ctrl *ctrl = dev_get_drvdata(dev);

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
		return -EAGAIN;
	switch (attr) {
	case hwmon_temp_max:
		return nvmx_set_thresh(ctrl, false, val);
	case hwmon_temp_min:
		return nvmx_set_thresh(ctrl, true, val);
	default:
		return -EOPNOTSUPP;
	}
}

static const struct hwmon_channel_info *nvmx_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT | HWMON_T_MAX | HWMON_T_MIN |
			   HWMON_T_CRIT | HWMON_T_LABEL | HWMON_T_ALARM),
	NULL
};

static const struct hwmon_ops nvmx_hwmon_ops = {
	.is_visible	= nvmx_hwmon_visible,
	.read		= nvmx_hwmon_read,
	.read_string	= nvmx_hwmon_read_string,
	.write		= nvmx_hwmon_write,
};

static const struct hwmon_chip_info nvmx_hwmon_chip = {
	.ops	= &nvmx_hwmon_ops,
	.info	= nvmx_hwmon_info,
};

/**
 * nvmx_hwmon_add() - register the temperature sensor once the controller
 * is live; a controller without a SMART log simply has none
 * @ctrl: the controller
 */
void nvmx_hwmon_add(struct nvmx_ctrl *ctrl)
{
	struct nvme_smart_log *log;
	struct device *hwmon;
	int ret;

	if (ctrl->hwmon)
		return;
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return;
	ret = nvmx_get_smart(ctrl, log);
	kfree(log);
	if (ret)
		return;
	hwmon = hwmon_device_register_with_info(&ctrl->device, "nvmx", ctrl,
						&nvmx_hwmon_chip, NULL);
	if (IS_ERR(hwmon)) {
		dev_warn(&ctrl->device, "no hwmon device (%ld)\n",
			 PTR_ERR(hwmon));
		return;
	}
	ctrl->hwmon = hwmon;
}

void nvmx_hwmon_remove(struct nvmx_ctrl *ctrl)
{
	if (!ctrl->hwmon)
		return;
	hwmon_device_unregister(ctrl->hwmon);
	ctrl->hwmon = NULL;
}
