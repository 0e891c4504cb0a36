// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: synchronous admin commands.  Nothing here knows the transport:
 * commands go through the admin request queue like any other request.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "nvmx.h"

/**
 * nvmx_alloc_user_rq() - a request for a command the caller writes
 * @q: the admin queue or a namespace's queue
 * @write: the command moves data to the controller (nvme_is_write())
 * @opf: request flags besides the direction (REQ_NOWAIT, ...)
 * @blk_flags: allocation flags (BLK_MQ_REQ_NOWAIT, ...)
 *
 * The caller writes every byte of nvmx_req(rq)->cmd before it maps or
 * sends the request; its id is set on submission.  Such commands are not
 * retried, like nvmx_alloc_cmd_rq()'s.  Return: the request or an ERR_PTR.
 */
struct request *nvmx_alloc_user_rq(struct request_queue *q, bool write,
				   blk_opf_t opf, blk_mq_req_flags_t blk_flags)
{
	struct nvmx_request *req;
	struct request *rq;

	rq = blk_mq_alloc_request(q, (write ? REQ_OP_DRV_OUT : REQ_OP_DRV_IN) |
				  opf, blk_flags);
	if (IS_ERR(rq))
		return rq;
	rq->cmd_flags |= REQ_FAILFAST_DRIVER;
	req = nvmx_req(rq);
	req->status = 0;
	req->result.u64 = 0;
	return rq;
}

/**
 * nvmx_alloc_cmd_rq() - a request that carries a ready-made command
 * @q: the admin queue or a namespace's queue
 * @cmd: the command, copied into the request; its id is set on submission
 * @opf: request flags besides the direction (REQ_NOWAIT, ...)
 * @blk_flags: allocation flags (BLK_MQ_REQ_NOWAIT, ...)
 *
 * Such commands are not retried: their submitter decides what a failure
 * means.  Return: the request or an ERR_PTR.
 */
struct request *nvmx_alloc_cmd_rq(struct request_queue *q,
				  struct nvme_command *cmd, blk_opf_t opf,
				  blk_mq_req_flags_t blk_flags)
{
	struct request *rq;

	rq = nvmx_alloc_user_rq(q, nvme_is_write(cmd), opf, blk_flags);
	if (!IS_ERR(rq))
		nvmx_req(rq)->cmd = *cmd;
	return rq;
}
EXPORT_SYMBOL_NS_GPL(nvmx_alloc_cmd_rq, NVMX);

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

	rq = nvmx_alloc_cmd_rq(q, cmd, 0, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	if (timeout)
		rq->timeout = timeout;
	req = nvmx_req(rq);

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
EXPORT_SYMBOL_NS_GPL(nvmx_submit_sync, NVMX);

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
	memcpy(ctrl->subnqn, id->subnqn, sizeof(id->subnqn));
	ctrl->subnqn[sizeof(id->subnqn)] = '\0';
	ctrl->vid = le16_to_cpu(id->vid);
	ctrl->cntlid = le16_to_cpu(id->cntlid);
	ctrl->mdts = id->mdts;
	ctrl->acl = id->acl;
	ctrl->vwc = id->vwc;
	ctrl->rtd3e = le32_to_cpu(id->rtd3e);
	ctrl->nn = le32_to_cpu(id->nn);
	ctrl->oncs = le16_to_cpu(id->oncs);
	ctrl->oacs = le16_to_cpu(id->oacs);
	ctrl->sgls = le32_to_cpu(id->sgls);
	ctrl->awupf = le16_to_cpu(id->awupf);
	ctrl->cctemp = le16_to_cpu(id->cctemp);
	ctrl->oaes = le32_to_cpu(id->oaes);
	ctrl->ioccsz = le32_to_cpu(id->ioccsz);
	ctrl->icdoff = le16_to_cpu(id->icdoff);
	ctrl->kas = le16_to_cpu(id->kas);
	ctrl->ctratt = le32_to_cpu(id->ctratt);
free_id:
	kfree(id);
	return ret;
}

/**
 * nvmx_get_log_page() - Get Log Page for all namespaces, from offset 0
 * @ctrl: the controller
 * @lid: the log page
 * @buf: kernel buffer of @len bytes, a multiple of 4
 * @len: bytes to read
 *
 * Return: 0, a negative errno, or a positive NVMe status.
 */
int nvmx_get_log_page(struct nvmx_ctrl *ctrl, u8 lid, void *buf, u32 len)
{
	struct nvme_command cmd = { };
	u32 dwords = len / 4 - 1;

	cmd.get_log_page.opcode = nvme_admin_get_log_page;
	cmd.get_log_page.nsid = cpu_to_le32(NVME_NSID_ALL);
	cmd.get_log_page.lid = lid;
	cmd.get_log_page.numdl = cpu_to_le16(dwords & 0xffff);
	cmd.get_log_page.numdu = cpu_to_le16(dwords >> 16);
	return nvmx_submit_sync(ctrl->admin_q, &cmd, buf, len, NULL, 0);
}

/**
 * nvmx_get_vwc() - is the volatile write cache on now (Get Features 06h)?
 * @ctrl: the controller, identified
 *
 * A controller that does not answer is taken to have it on, so that
 * flushes are sent.
 */
bool nvmx_get_vwc(struct nvmx_ctrl *ctrl)
{
	struct nvme_command cmd = { };
	union nvme_result res;

	if (!(ctrl->vwc & NVME_CTRL_VWC_PRESENT))
		return false;
	cmd.features.opcode = nvme_admin_get_features;
	cmd.features.fid = cpu_to_le32(NVME_FEAT_VOLATILE_WC);
	if (nvmx_submit_sync(ctrl->admin_q, &cmd, NULL, 0, &res, 0))
		return true;
	return le32_to_cpu(res.u32) & 1;
}

/**
 * nvmx_identify_ctrl_nvm() - limits of the NVM command set (CNS 06h)
 * @ctrl: the controller
 *
 * Dataset Management and Write Zeroes limits.  A controller that does not
 * know this structure leaves them at 0, "no limit beyond MDTS".
 */
void nvmx_identify_ctrl_nvm(struct nvmx_ctrl *ctrl)
{
	struct nvme_command cmd = { };
	struct nvme_id_ctrl_nvm *id;

	ctrl->dmrl = 0;
	ctrl->dmrsl = 0;
	ctrl->wzsl = 0;
	if (ctrl->vs < NVME_VS(1, 2, 0) ||
	    !(ctrl->oncs & (NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES)))
		return;
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return;
	cmd.identify.opcode = nvme_admin_identify;
	cmd.identify.cns = NVME_ID_CNS_CS_CTRL;
	cmd.identify.csi = NVME_CSI_NVM;
	if (!nvmx_submit_sync(ctrl->admin_q, &cmd, id, sizeof(*id), NULL, 0)) {
		ctrl->dmrl = id->dmrl;
		ctrl->dmrsl = le32_to_cpu(id->dmrsl);
		ctrl->wzsl = id->wzsl;
	}
	kfree(id);
}

/**
 * nvmx_identify_ns() - Identify Namespace
 * @ctrl: the controller
 * @nsid: the namespace
 * @id: a buffer for the data structure
 *
 * Return: 0, a negative errno, or a positive NVMe status.
 */
int nvmx_identify_ns(struct nvmx_ctrl *ctrl, u32 nsid, struct nvme_id_ns *id)
{
	struct nvme_command cmd = { };

	cmd.identify.opcode = nvme_admin_identify;
	cmd.identify.nsid = cpu_to_le32(nsid);
	cmd.identify.cns = NVME_ID_CNS_NS;
	return nvmx_submit_sync(ctrl->admin_q, &cmd, id, sizeof(*id), NULL, 0);
}

/**
 * nvmx_identify_ns_ids() - the namespace's identifiers
 * @ctrl: the controller
 * @nsid: the namespace
 * @id: its Identify Namespace data (EUI64 and NGUID fields)
 * @ids: filled in; fields the controller does not report stay zero
 *
 * Identify Namespace gives the EUI64 and NGUID; from NVMe 1.3 the
 * descriptor list (CNS 03h) may add them and a UUID.  A controller that
 * does not know the list is not an error.
 */
void nvmx_identify_ns_ids(struct nvmx_ctrl *ctrl, u32 nsid,
			  const struct nvme_id_ns *id, struct nvmx_ns_ids *ids)
{
	struct nvme_command cmd = { };
	unsigned int pos = 0;
	u8 *list;

	memset(ids, 0, sizeof(*ids));
	memcpy(ids->eui64, id->eui64, sizeof(ids->eui64));
	memcpy(ids->nguid, id->nguid, sizeof(ids->nguid));
	if (ctrl->vs < NVME_VS(1, 3, 0))
		return;
	list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!list)
		return;
	cmd.identify.opcode = nvme_admin_identify;
	cmd.identify.nsid = cpu_to_le32(nsid);
	cmd.identify.cns = NVME_ID_CNS_NS_DESC_LIST;
	if (nvmx_submit_sync(ctrl->admin_q, &cmd, list,
			     NVME_IDENTIFY_DATA_SIZE, NULL, 0))
		goto free_list;
	while (pos + sizeof(struct nvme_ns_id_desc) <= NVME_IDENTIFY_DATA_SIZE) {
		struct nvme_ns_id_desc *d = (void *)(list + pos);
		u8 *val = list + pos + sizeof(*d);

		if (!d->nidl)
			break;
		if (pos + sizeof(*d) + d->nidl > NVME_IDENTIFY_DATA_SIZE) {
			dev_warn(&ctrl->device, "nsid %u: identifier descriptor overruns the list; ignored\n",
				 nsid);
			break;
		}
		if (d->nidt == NVME_NIDT_EUI64 && d->nidl == NVME_NIDT_EUI64_LEN)
			memcpy(ids->eui64, val, NVME_NIDT_EUI64_LEN);
		else if (d->nidt == NVME_NIDT_NGUID && d->nidl == NVME_NIDT_NGUID_LEN)
			memcpy(ids->nguid, val, NVME_NIDT_NGUID_LEN);
		else if (d->nidt == NVME_NIDT_UUID && d->nidl == NVME_NIDT_UUID_LEN)
			memcpy(&ids->uuid, val, NVME_NIDT_UUID_LEN);
		pos += sizeof(*d) + d->nidl;
	}
free_list:
	kfree(list);
}

/**
 * nvmx_identify_ns_list() - active namespace ids above @after
 * @ctrl: the controller
 * @after: list ids greater than this
 * @list: a buffer of NVME_IDENTIFY_DATA_SIZE bytes, ids in increasing
 *	order, zero terminated unless full
 *
 * Return: 0, a negative errno, or a positive NVMe status (controllers
 * before NVMe 1.1 do not know the list).
 */
int nvmx_identify_ns_list(struct nvmx_ctrl *ctrl, u32 after, __le32 *list)
{
	struct nvme_command cmd = { };

	cmd.identify.opcode = nvme_admin_identify;
	cmd.identify.nsid = cpu_to_le32(after);
	cmd.identify.cns = NVME_ID_CNS_NS_ACTIVE_LIST;
	return nvmx_submit_sync(ctrl->admin_q, &cmd, list,
				NVME_IDENTIFY_DATA_SIZE, NULL, 0);
}

/**
 * nvmx_set_queue_count() - Set Features, Number of Queues
 * @ctrl: the controller
 * @count: in: I/O queue pairs wanted; out: pairs granted (at most wanted)
 *
 * Return: 0, a negative errno, or a positive NVMe status.
 */
int nvmx_set_queue_count(struct nvmx_ctrl *ctrl, unsigned int *count)
{
	struct nvme_command cmd = { };
	union nvme_result res;
	u32 want = *count - 1, sqs, cqs;
	int ret;

	cmd.features.opcode = nvme_admin_set_features;
	cmd.features.fid = cpu_to_le32(NVME_FEAT_NUM_QUEUES);
	cmd.features.dword11 = cpu_to_le32(want | want << 16);
	ret = nvmx_submit_sync(ctrl->admin_q, &cmd, NULL, 0, &res, 0);
	if (ret)
		return ret;
	sqs = (le32_to_cpu(res.u32) & 0xffff) + 1;
	cqs = (le32_to_cpu(res.u32) >> 16) + 1;
	*count = min3(*count, sqs, cqs);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(nvmx_set_queue_count, NVMX);
