// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: synchronous admin commands.  Nothing here knows the transport:
 * commands go through the admin request queue like any other request.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "nvmx.h"

/**
 * nvmx_submit_sync() - send one command and wait for its completion
 * @q: the request queue (the admin queue or a namespace's queue)
 * @cmd: the command; its command id is assigned on submission
 * @buf: kernel buffer for the data, or NULL
 * @len: data length in bytes
 * @result: where to store the completion's result, or NULL
 * @timeout: in jiffies, 0 for the queue's default
 *
 * Context: process context, may sleep.
 * Return: 0, a negative errno when the host failed the command, or the
 * positive NVMe status the controller returned.
 */
int nvmx_submit_sync(struct request_queue *q, struct nvme_command *cmd,
		     void *buf, unsigned int len, union nvme_result *result,
		     unsigned int timeout)
{
	struct nvmx_request *req;
	struct request *rq;
	blk_status_t sts;
	int ret;

	rq = blk_mq_alloc_request(q, nvme_is_write(cmd) ? REQ_OP_DRV_OUT :
				  REQ_OP_DRV_IN, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	rq->cmd_flags |= REQ_FAILFAST_DRIVER;
	if (timeout)
		rq->timeout = timeout;
	req = nvmx_req(rq);
	req->cmd = *cmd;
	req->retries = 0;

	if (buf && len) {
		ret = blk_rq_map_kern(q, rq, buf, len, GFP_KERNEL);
		if (ret)
			goto free_rq;
	}

	sts = blk_execute_rq(rq, false);
	if (result)
		*result = req->result;
	if (req->status)
		ret = req->status;
	else
		ret = blk_status_to_errno(sts);
free_rq:
	blk_mq_free_request(rq);
	return ret;
}

/* Copy a space padded identify string and drop the padding. */
static void nvmx_copy_id_string(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
	strim(dst);
}

/**
 * nvmx_identify_ctrl() - read and keep what nvmx uses of Identify Controller
 * @ctrl: the controller, its admin queue live
 *
 * Context: reset work.
 * Return: 0, a negative errno, or a positive NVMe status.
 */
int nvmx_identify_ctrl(struct nvmx_ctrl *ctrl)
{
	struct nvme_command cmd = { };
	struct nvme_id_ctrl *id;
	int ret;

	id = kmalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	cmd.identify.opcode = nvme_admin_identify;
	cmd.identify.cns = NVME_ID_CNS_CTRL;
	ret = nvmx_submit_sync(ctrl->admin_q, &cmd, id, sizeof(*id), NULL, 0);
	if (ret)
		goto free_id;

	nvmx_copy_id_string(ctrl->model, id->mn, sizeof(id->mn));
	nvmx_copy_id_string(ctrl->serial, id->sn, sizeof(id->sn));
	nvmx_copy_id_string(ctrl->firmware_rev, id->fr, sizeof(id->fr));
	ctrl->cntlid = le16_to_cpu(id->cntlid);
	ctrl->mdts = id->mdts;
	ctrl->vwc = id->vwc;
	ctrl->rtd3e = le32_to_cpu(id->rtd3e);
free_id:
	kfree(id);
	return ret;
}
