// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx core: the NVMe over Fabrics commands every fabrics transport
 * sends the same way: Property Get and Set (the registers, where there is
 * no BAR) and Connect (what makes a queue of a transport connection).
 * Property Get and Set go through the admin queue like any command;
 * Connect is each connection's first command, which the transport sends
 * and reads itself before the queue takes requests (no request of blk-mq
 * can be bound to a queue that the tag set does not have yet).
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
 * nvmx_connect_prep() - a Connect command and its data
 * @cmd: the command, filled in (its command id is the sender's)
 * @data: the 1024 bytes of data, filled in
 * @c: host and subsystem identities, queue size and keep-alive
 * @qid: the queue being connected
 * @cntlid: for an I/O queue, the controller it joins (the admin Connect's
 *	answer); the admin queue asks for any (0xffff: the dynamic model)
 *
 * The transport sends it as the first command on the queue's connection,
 * before the queue takes any other, and reads the answer with
 * nvmx_connect_done().
 */
void nvmx_connect_prep(struct nvme_command *cmd, struct nvmf_connect_data *data,
		       const struct nvmx_connect_params *c, u16 qid, u16 cntlid)
{
	memset(data, 0, sizeof(*data));
	uuid_copy(&data->hostid, &c->hostid);
	data->cntlid = cpu_to_le16(qid ? cntlid : 0xffff);
	strscpy(data->subsysnqn, c->subnqn, NVMF_NQN_SIZE);
	strscpy(data->hostnqn, c->hostnqn, NVMF_NQN_SIZE);

	memset(cmd, 0, sizeof(*cmd));
	cmd->connect.opcode = nvme_fabrics_command;
	cmd->connect.fctype = nvme_fabrics_type_connect;
	cmd->connect.qid = cpu_to_le16(qid);
	cmd->connect.sqsize = cpu_to_le16(c->sqsize - 1);	/* 0's based */
	/* keep-alive is the admin queue's, in milliseconds */
	if (!qid)
		cmd->connect.kato = cpu_to_le32(c->kato * 1000);
}
EXPORT_SYMBOL_NS_GPL(nvmx_connect_prep, NVMX);

/**
 * nvmx_connect_done() - what a Connect's completion says
 * @ctrl: the controller
 * @qid: the queue
 * @cqe: the completion
 * @cntlid: for the admin queue, the controller id given
 *
 * Return: 0, or the NVMe status (logged with the result, which names the
 * refused field).
 */
int nvmx_connect_done(struct nvmx_ctrl *ctrl, u16 qid,
		      const struct nvme_completion *cqe, u16 *cntlid)
{
	u16 status = le16_to_cpu(cqe->status) >> 1;

	if (status) {
		dev_err(&ctrl->device, "qid %u: Connect refused: status 0x%x (result 0x%x)\n",
			qid, status, le32_to_cpu(cqe->result.u32));
		return status;
	}
	if (!qid)
		*cntlid = le32_to_cpu(cqe->result.u32) & 0xffff;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(nvmx_connect_done, NVMX);
