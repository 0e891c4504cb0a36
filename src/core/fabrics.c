// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx core: the NVMe over Fabrics commands every fabrics transport
 * sends the same way: Property Get and Set (the registers, where there is
 * no BAR) and Connect (what makes a queue of a transport connection).
 * They go through the admin queue, or for an I/O queue's Connect through
 * a request bound to that queue's hardware context, like any command: the
 * transport carries them.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "nvmx.h"

/*
 * The property sizes a controller answers: CAP is the only 8-byte
 * register a fabrics controller must serve (nvmet serves no other), and
 * 4-byte ones are read as such.
 */
static bool nvmx_prop_is_64(u32 off)
{
	return off == NVME_REG_CAP;
}

/**
 * nvmx_prop_get() - read a controller property
 * @ctrl: the controller, its admin queue connected
 * @off: the register's offset (NVME_REG_*)
 * @val: the value read
 *
 * Context: process context.
 * Return: 0, a negative errno, or the NVMe status.
 */
int nvmx_prop_get(struct nvmx_ctrl *ctrl, u32 off, u64 *val)
{
	union nvme_result res = { };
	struct nvme_command cmd = { };
	int ret;

	cmd.prop_get.opcode = nvme_fabrics_command;
	cmd.prop_get.fctype = nvme_fabrics_type_property_get;
	cmd.prop_get.attrib = nvmx_prop_is_64(off);
	cmd.prop_get.offset = cpu_to_le32(off);
	ret = nvmx_submit_sync(ctrl->admin_q, &cmd, NULL, 0, &res, 0);
	if (ret)
		return ret;
	*val = le64_to_cpu(res.u64);
	if (!nvmx_prop_is_64(off))
		*val = (u32)*val;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(nvmx_prop_get, NVMX);

/**
 * nvmx_prop_set() - write a 4-byte controller property (CC)
 * @ctrl: the controller, its admin queue connected
 * @off: the register's offset
 * @val: the value
 *
 * Context: process context.
 * Return: 0, a negative errno, or the NVMe status.
 */
int nvmx_prop_set(struct nvmx_ctrl *ctrl, u32 off, u32 val)
{
	struct nvme_command cmd = { };

	cmd.prop_set.opcode = nvme_fabrics_command;
	cmd.prop_set.fctype = nvme_fabrics_type_property_set;
	cmd.prop_set.attrib = 0;
	cmd.prop_set.offset = cpu_to_le32(off);
	cmd.prop_set.value = cpu_to_le64(val);
	return nvmx_submit_sync(ctrl->admin_q, &cmd, NULL, 0, NULL, 0);
}
EXPORT_SYMBOL_NS_GPL(nvmx_prop_set, NVMX);

/**
 * nvmx_connect() - send Connect on a queue
 * @ctrl: the controller
 * @rq: a request bound to the queue (the admin queue's for qid 0, the
 *	hardware context of the I/O queue otherwise), freed here
 * @c: host and subsystem identities, queue size and keep-alive
 * @qid: the queue
 * @cntlid: for qid 0, the controller id the controller gave (0xffff is
 *	sent: the dynamic controller model); otherwise the one to join
 *
 * Context: process context; the transport's connection of @qid is up and
 * lets this one command through before the queue is live.
 * Return: 0, a negative errno, or the NVMe status (logged).
 */
int nvmx_connect(struct nvmx_ctrl *ctrl, struct request *rq,
		 const struct nvmx_connect_params *c, u16 qid, u16 *cntlid)
{
	struct nvmx_request *req = nvmx_req(rq);
	struct nvmf_connect_data *data;
	blk_status_t sts;
	int ret;

	data = kzalloc(sizeof(*data), GFP_KERNEL);
	if (!data) {
		ret = -ENOMEM;
		goto free_rq;
	}
	uuid_copy(&data->hostid, &c->hostid);
	data->cntlid = cpu_to_le16(qid ? *cntlid : 0xffff);
	strscpy(data->subsysnqn, c->subnqn, NVMF_NQN_SIZE);
	strscpy(data->hostnqn, c->hostnqn, NVMF_NQN_SIZE);

	rq->cmd_flags |= REQ_FAILFAST_DRIVER;
	memset(&req->cmd, 0, sizeof(req->cmd));
	req->cmd.connect.opcode = nvme_fabrics_command;
	req->cmd.connect.fctype = nvme_fabrics_type_connect;
	req->cmd.connect.qid = cpu_to_le16(qid);
	/* 0's based; the admin queue's depth is the core's */
	req->cmd.connect.sqsize = cpu_to_le16(c->sqsize - 1);
	/* keep-alive is the admin queue's, in milliseconds */
	if (!qid)
		req->cmd.connect.kato = cpu_to_le32(c->kato * 1000);
	ret = blk_rq_map_kern(rq->q, rq, data, sizeof(*data), GFP_KERNEL);
	if (ret)
		goto free_data;
	req->status = 0;
	req->result.u64 = 0;
	sts = blk_execute_rq(rq, false);
	ret = req->status ?: blk_status_to_errno(sts);
	if (ret) {
		if (ret > 0)
			dev_err(&ctrl->device, "qid %u: Connect failed: status 0x%x (result 0x%x)\n",
				qid, ret, le32_to_cpu(req->result.u32));
		else
			dev_err(&ctrl->device, "qid %u: Connect failed (%d)\n",
				qid, ret);
		goto free_data;
	}
	if (!qid)
		*cntlid = le32_to_cpu(req->result.u32) & 0xffff;
free_data:
	kfree(data);
free_rq:
	blk_mq_free_request(rq);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(nvmx_connect, NVMX);
