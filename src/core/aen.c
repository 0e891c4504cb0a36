// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: asynchronous events.  One Asynchronous Event Request is kept
 * outstanding on the admin queue, outside blk-mq (it has no timeout: it
 * completes only when something happens), under a command id no blk-mq
 * tag uses.  Its completion is handled in process context: the event is
 * logged, the log page it names is read (which lets the controller report
 * that kind of event again), a namespace change starts a rescan, and a
 * new request is sent.
 */
#include <linux/slab.h>

#include "nvmx.h"

#define NVMX_AEN_LOG_BYTES	4096	/* the largest log page read here */

/* Asynchronous Event Configuration: the events nvmx wants to hear of. */
void nvmx_aen_configure(struct nvmx_ctrl *ctrl)
{
	/*
	 * The five SMART / health critical warnings every revision defines
	 * (spare, temperature, reliability, read-only, volatile backup);
	 * later bits are reserved in older revisions, and Linux's target
	 * (NVMe 1.3) refuses the whole configuration when they are set.
	 */
	u32 cfg = NVME_SMART_CRIT_SPARE | NVME_SMART_CRIT_TEMPERATURE |
		  NVME_SMART_CRIT_RELIABILITY | NVME_SMART_CRIT_MEDIA |
		  NVME_SMART_CRIT_VOLATILE_MEMORY;
	struct nvme_command cmd = { };
	int ret;

	/* 1.4 added a warning for a persistent memory region, if there is one */
	if (ctrl->vs >= NVME_VS(1, 4, 0) && (ctrl->cap & NVMX_CAP_PMRS))
		cfg |= NVMX_SMART_CRIT_PMR_RO;

	if (ctrl->oaes & NVME_AEN_CFG_NS_ATTR)
		cfg |= NVME_AEN_CFG_NS_ATTR;
	if (ctrl->oaes & NVME_AEN_CFG_FW_ACT)
		cfg |= NVME_AEN_CFG_FW_ACT;
	cmd.features.opcode = nvme_admin_set_features;
	cmd.features.fid = cpu_to_le32(NVME_FEAT_ASYNC_EVENT);
	cmd.features.dword11 = cpu_to_le32(cfg);
	ret = nvmx_submit_sync(ctrl->admin_q, &cmd, NULL, 0, NULL, 0);
	if (ret)
		dev_warn(&ctrl->device, "asynchronous event configuration 0x%x refused (%d)\n",
			 cfg, ret);
}

/**
 * nvmx_aen_complete() - the controller completed the event request
 * @ctrl: the controller
 * @cqe: the completion
 *
 * Context: whoever reaps the admin queue (interrupt or reap).
 */
void nvmx_aen_complete(struct nvmx_ctrl *ctrl, struct nvme_completion *cqe)
{
	u16 status = le16_to_cpu(cqe->status) >> 1;

	/* a controller that completes it twice must not get a second one */
	if (!test_and_clear_bit(NVMX_CTRL_AEN_PENDING, &ctrl->flags)) {
		dev_warn_ratelimited(&ctrl->device, "completion of an event request not outstanding, ignored\n");
		return;
	}
	/* aborted by a disable: the reset sends a new one */
	if (status) {
		if (nvmx_status_code(status) != NVME_SC_ABORT_REQ)
			dev_warn(&ctrl->device, "asynchronous event request failed, status 0x%x\n",
				 status);
		return;
	}
	WRITE_ONCE(ctrl->aen_result, le32_to_cpu(cqe->result.u32));
	queue_work(nvmx_wq, &ctrl->aen_work);
}
EXPORT_SYMBOL_NS_GPL(nvmx_aen_complete, NVMX);

static const char *nvmx_aen_smart_name(u8 info)
{
	switch (info) {
	case 0:
		return "NVM subsystem reliability degraded";
	case 1:
		return "temperature above or below a threshold";
	case 2:
		return "available spare below its threshold";
	default:
		return "unknown SMART / health event";
	}
}

void nvmx_aen_work(struct work_struct *work)
{
	struct nvmx_ctrl *ctrl = container_of(work, struct nvmx_ctrl, aen_work);
	u32 result = READ_ONCE(ctrl->aen_result);
	u8 type = result & 0x7, info = (result >> 8) & 0xff;
	u8 lid = (result >> 16) & 0xff;
	u32 len = lid == NVME_LOG_SMART ? sizeof(struct nvme_smart_log) :
		  NVMX_AEN_LOG_BYTES;
	u64 resets = READ_ONCE(ctrl->nr_resets);
	bool rescan = false;
	void *log;
	int ret;

	if (READ_ONCE(ctrl->state) != NVMX_CTRL_LIVE)
		return;
	WRITE_ONCE(ctrl->aen_events, ctrl->aen_events + 1);
	switch (type) {
	case NVMX_AER_TYPE_ERROR:
		dev_warn(&ctrl->device, "asynchronous event: error (info 0x%x, log page 0x%x)\n",
			 info, lid);
		break;
	case NVMX_AER_TYPE_SMART:
		dev_warn(&ctrl->device, "asynchronous event: SMART / health: %s\n",
			 nvmx_aen_smart_name(info));
		break;
	case NVMX_AER_TYPE_NOTICE:
		if (info == NVME_AER_NOTICE_NS_CHANGED) {
			dev_info(&ctrl->device, "asynchronous event: namespace attributes changed; rescanning\n");
			rescan = true;
		} else if (info == NVME_AER_NOTICE_FW_ACT_STARTING) {
			dev_info(&ctrl->device, "asynchronous event: firmware activation starting\n");
		} else {
			dev_info(&ctrl->device, "asynchronous event: notice 0x%x\n",
				 info);
		}
		break;
	default:
		dev_info(&ctrl->device, "asynchronous event: type %u info 0x%x log page 0x%x\n",
			 type, info, lid);
		break;
	}

	/* reading the log page the event names lets it be reported again */
	log = kzalloc(len, GFP_KERNEL);
	if (log) {
		ret = nvmx_get_log_page(ctrl, lid, log, len);
		if (ret)
			dev_warn(&ctrl->device, "log page 0x%x of the event: not read (%d)\n",
				 lid, ret);
		else if (lid == NVME_LOG_SMART)
			dev_warn(&ctrl->device, "SMART / health: critical warning 0x%x, composite temperature %u K\n",
				 ((struct nvme_smart_log *)log)->critical_warning,
				 get_unaligned_le16(((struct nvme_smart_log *)log)->temperature));
		kfree(log);
	}
	if (rescan)
		queue_work(nvmx_wq, &ctrl->scan_work);
	/* a reset meanwhile has sent a new request already (or will) */
	if (READ_ONCE(ctrl->nr_resets) == resets &&
	    READ_ONCE(ctrl->state) == NVMX_CTRL_LIVE)
		ctrl->ops->submit_async_event(ctrl);
}
