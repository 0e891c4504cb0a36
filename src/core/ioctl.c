// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: the ioctl ABI of include/uapi/linux/nvme_ioctl.h, as the in-tree
 * driver of this kernel serves it, so that stock nvme-cli and fio work.
 *
 *  - /dev/nvmx<C>: ADMIN_CMD, ADMIN64_CMD, IO_CMD (single namespace only),
 *    RESET, SUBSYS_RESET, RESCAN.
 *  - /dev/nvmx<C>n<N> and /dev/nvmx<C>g<N>: ADMIN_CMD, ADMIN64_CMD, ID,
 *    SUBMIT_IO, IO_CMD, IO64_CMD, IO64_CMD_VEC.
 *
 * io_uring passthrough (NVME_URING_CMD_IO, _IO_VEC on the generic char
 * device; NVME_URING_CMD_ADMIN, _ADMIN_VEC on the controller device) sends
 * the same commands without blocking the submitter.
 *
 * Passthrough needs CAP_SYS_ADMIN; SUBMIT_IO (read, write, compare) needs
 * only the open device.  The user's data buffer is mapped (or bounced, when
 * its alignment does not suit the controller) by the block layer; nothing
 * of the kernel's reaches it beyond what the controller transferred.
 * Metadata (namespaces formatted with separate metadata) is bounced through
 * a kernel copy of the user's buffer.
 */
#include <linux/blkdev.h>
#include <linux/dma-mapping.h>
#include <linux/nvme_ioctl.h>
#include <linux/ptrace.h>
#include <linux/uaccess.h>

#include "nvmx.h"

/*
 * Map the user's data buffer (an iovec array when @vec, a registered
 * io_uring buffer when @ioucmd says so), at most @limit bytes of it when
 * @limit is not 0; the block layer bounces it when its alignment does not
 * suit the controller.
 */
static __always_inline int nvmx_map_user_buf(struct request *rq,
					     struct io_uring_cmd *ioucmd,
					     u64 ubuf, u32 len, bool vec,
					     u64 limit)
{
	struct iov_iter iter;
	int ret;

	if (!vec && limit && limit < len)
		len = limit;
	if (!ioucmd || !(ioucmd->flags & IORING_URING_CMD_FIXED))
		/*
		 * With @vec, @len is the iovec count.  Given as iov_count, it
		 * has the block layer import that many iovecs and move at
		 * most buf_len bytes of what they hold; given as buf_len with
		 * an iov_count of 0, all of it.
		 */
		return blk_rq_map_user_io(rq, NULL, u64_to_user_ptr(ubuf),
					  vec && limit ? limit : len,
					  GFP_KERNEL, vec, vec && limit ? len : 0,
					  false, rq_data_dir(rq));
	/* registered buffers: not vectored */
	if (vec)
		return -EINVAL;
	ret = io_uring_cmd_import_fixed(ubuf, len, rq_data_dir(rq), &iter,
					ioucmd);
	if (ret < 0)
		return ret;
	return blk_rq_map_user_iov(rq->q, rq, NULL, &iter, GFP_KERNEL);
}

#define NVMX_CMD_COPY	0x19	/* not in this kernel's linux/nvme.h */

/*
 * Metadata bytes a read, write or compare moves per block, given its
 * CDW12: none when the namespace's metadata is exactly the protection
 * information and PRACT has the controller insert or strip it.
 */
static u32 nvmx_user_meta_per_block(struct nvmx_ns *ns, u32 cdw12)
{
	if (ns->pi_type && ns->ms == NVMX_PI_SIZE &&
	    ((cdw12 >> 16) & NVME_RW_PRINFO_PRACT))
		return 0;
	return ns->ms;
}

/* A namespace whose metadata travels in a buffer of its own. */
static bool nvmx_ns_sep_meta(const struct nvmx_ns *ns)
{
	return ns && ns->ms && !ns->ext;
}

/* The separate metadata a command moves: only reads, writes, compares. */
static u64 nvmx_user_meta_need(const struct nvme_command *c,
			       struct nvmx_ns *ns)
{
	u32 cdw12 = le32_to_cpu(c->common.cdw12);

	if (!nvmx_ns_sep_meta(ns))
		return 0;
	switch (c->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
		return ((u64)(cdw12 & 0xffff) + 1) *
		       nvmx_user_meta_per_block(ns, cdw12);
	}
	return 0;
}

/*
 * The bytes a command moves, as far as the driver can tell from the
 * command: the controller follows the command, not data_len, and a buffer
 * shorter than that would let it read or write memory past the pages
 * mapped for it (through PRP2 = 0, for one).  0 for commands it cannot
 * tell or that move nothing.
 */
static u64 nvmx_user_xfer_need(const struct nvme_command *c,
			       struct nvmx_ns *ns)
{
	u32 cdw10 = le32_to_cpu(c->common.cdw10);
	u32 cdw11 = le32_to_cpu(c->common.cdw11);
	u32 cdw12 = le32_to_cpu(c->common.cdw12);

	if (!ns) {
		switch (c->common.opcode) {
		case nvme_admin_identify:
			return NVME_IDENTIFY_DATA_SIZE;
		case nvme_admin_get_log_page:
			/* NUMDU:NUMDL, dwords, 0's based */
			return (((u64)(cdw11 & 0xffff) << 16 | cdw10 >> 16) + 1) * 4;
		case nvme_admin_get_features:
			/* LBA Range Type: the whole 64-entry table */
			return (cdw10 & 0xff) == NVME_FEAT_LBA_RANGE ? 4096 : 0;
		case nvme_admin_set_features:
			/* LBA Range Type: NUM entries of 64 bytes, 0's based */
			return (cdw10 & 0xff) == NVME_FEAT_LBA_RANGE ?
			       ((cdw11 & 0x3f) + 1) * 64 : 0;
		}
		return 0;
	}
	switch (c->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
		return ((u64)(cdw12 & 0xffff) + 1) *
		       ((1U << ns->lba_shift) +
			(ns->ext ? nvmx_user_meta_per_block(ns, cdw12) : 0));
	case nvme_cmd_dsm:
		return ((cdw10 & 0xff) + 1) * sizeof(struct nvme_dsm_range);
	case NVMX_CMD_COPY:
		/*
		 * Source Range descriptors: formats 0h and 2h of 32 bytes,
		 * 1h and 3h (64-bit protection information) of 40, and the
		 * reserved ones as the largest
		 */
		switch ((cdw12 >> 8) & 0xf) {
		case 0:
		case 2:
			return ((cdw12 & 0xff) + 1) * 32;
		}
		return ((cdw12 & 0xff) + 1) * 40;
	}
	return 0;
}

/*
 * Map the user's data, if any, for @rq and check that it holds what the
 * command moves.  A buffer longer than that, when the driver can tell what
 * it is, is checked whole (a bad address in it fails, as with the in-tree
 * driver) and then mapped again for the transfer alone: the controller
 * decides from what it moves, not from the buffer, whether PRP2 is a data
 * page or a list, so data pointers built for the whole buffer would have
 * it write the second page of data into the PRP list, over other
 * commands' lists.  On failure nothing stays mapped.
 */
static int nvmx_map_user_data(struct request *rq, struct io_uring_cmd *ioucmd,
			      u64 ubuf, u32 len, bool vec)
{
	struct nvmx_ctrl *ctrl = nvmx_rq_ctrl(rq);
	struct nvmx_ns *ns = rq->q != ctrl->admin_q ? rq->q->queuedata : NULL;
	u64 need, have = 0;
	int ret;

	need = nvmx_user_xfer_need(&nvmx_req(rq)->cmd, ns);
	if (ubuf && len) {
		ret = nvmx_map_user_buf(rq, ioucmd, ubuf, len, vec, 0);
		if (ret)
			return ret;
		have = blk_rq_bytes(rq);
		if (need && need < have) {
			/*
			 * A bounced read copies back at unmap, and a bad
			 * address past the transfer fails there.  The request
			 * is left as the block layer leaves one it failed to
			 * map.
			 */
			ret = blk_rq_unmap_user(rq->bio);
			rq->bio = NULL;
			if (ret)
				return ret;
			ret = nvmx_map_user_buf(rq, ioucmd, ubuf, len, vec,
						need);
			if (ret)
				return ret;
			have = blk_rq_bytes(rq);
		}
	}
	if (need <= have)
		return 0;
	if (rq->bio)
		blk_rq_unmap_user(rq->bio);
	dev_warn_ratelimited(&ctrl->device,
			     "%s: opcode 0x%02x moves %llu bytes, its buffer holds %llu: refused\n",
			     current->comm, nvmx_req(rq)->cmd.common.opcode,
			     need, have);
	return -EINVAL;
}

/**
 * struct nvmx_user_meta - a passthrough command's separate metadata
 * @buf: the kernel's copy of the user's buffer, in whole pages mapped
 *	both ways
 * @dma: its bus address, the command's MPTR
 * @ubuf: the user's buffer
 * @dev: the device it is mapped for
 * @len: its length in bytes
 * @to_host: the command moves data to the host (opcode bit 1): copy back
 */
struct nvmx_user_meta {
	void *buf;
	dma_addr_t dma;
	void __user *ubuf;
	struct device *dev;
	u32 len;
	bool to_host;
};

/* nvmx_map_user_meta() past its usual case; @meta->buf is NULL */
static noinline int nvmx_map_user_meta_slow(struct nvmx_ctrl *ctrl,
					    struct request *rq,
					    struct nvmx_ns *ns, u64 ubuf,
					    u32 len,
					    struct nvmx_user_meta *meta)
{
	struct nvme_command *c = &nvmx_req(rq)->cmd;
	struct device *dev = ctrl->dma_dev;
	u64 need = nvmx_user_meta_need(c, ns), max;
	int ret;

	if ((!ubuf || !len) && !need)
		return 0;
	/*
	 * at most what the largest transfer has, on a namespace with some,
	 * through a transport that maps it
	 */
	max = dev && nvmx_ns_sep_meta(ns) ?
	      ((u64)ctrl->max_hw_sectors << SECTOR_SHIFT >> ns->lba_shift) *
	      ns->ms : 0;
	if (!ubuf || !len) {
		len = 0;
		goto refuse;
	}
	if (len < need || len > max)
		goto refuse;

	/*
	 * Whole pages, mapped whole, past the copy zeroed: a controller that
	 * moves a little more than the buffer holds (a command whose metadata
	 * the driver cannot size) writes into them up to the page's end, not
	 * into a neighbouring object or bounce slot; more than that, nothing
	 * here contains.
	 */
	meta->buf = alloc_pages_exact(PAGE_ALIGN(len), GFP_USER | __GFP_NOWARN);
	if (!meta->buf)
		return -ENOMEM;
	if (copy_from_user(meta->buf, u64_to_user_ptr(ubuf), len)) {
		ret = -EFAULT;
		goto free_buf;
	}
	memset(meta->buf + len, 0, PAGE_ALIGN(len) - len);
	meta->dma = dma_map_single(dev, meta->buf, PAGE_ALIGN(len),
				   DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, meta->dma)) {
		ret = -ENOMEM;
		goto free_buf;
	}
	meta->ubuf = u64_to_user_ptr(ubuf);
	meta->dev = dev;
	meta->len = len;
	meta->to_host = c->common.opcode & 2;
	c->common.metadata = cpu_to_le64(meta->dma);
	return 0;

free_buf:
	free_pages_exact(meta->buf, PAGE_ALIGN(len));
	meta->buf = NULL;
	return ret;

refuse:
	if (max)
		dev_warn_ratelimited(&ctrl->device,
				     "%s: opcode 0x%02x moves %llu bytes of metadata, its buffer holds %u (at most %llu): refused\n",
				     current->comm, c->common.opcode, need, len,
				     max);
	else
		dev_warn_ratelimited(&ctrl->device,
				     "%s: opcode 0x%02x with a metadata buffer, but %s has no separate metadata: refused\n",
				     current->comm, c->common.opcode,
				     ns ? "the namespace" : "an admin command");
	return -EINVAL;
}

/*
 * Copy the user's metadata (it is one contiguous buffer for the
 * controller, whatever its alignment) and point the command at the copy.
 * Metadata is taken, as by the in-tree driver, only when both address and
 * length are given; a command that moves metadata must have enough.
 * Return: 0 with @meta->buf NULL when there is none, 0 with it mapped, or
 * a negative errno with nothing mapped.
 */
static __always_inline int nvmx_map_user_meta(struct nvmx_ctrl *ctrl,
					      struct request *rq,
					      struct nvmx_ns *ns, u64 ubuf,
					      u32 len,
					      struct nvmx_user_meta *meta)
{
	meta->buf = NULL;
	/* the usual case inline: none given, none a command could need */
	if ((!ubuf || !len) && !nvmx_ns_sep_meta(ns))
		return 0;
	return nvmx_map_user_meta_slow(ctrl, rq, ns, ubuf, len, meta);
}

/*
 * After the command: unmap the metadata and, for a command that succeeded
 * and moves data to the host, copy it back.  Return: @ret, or -EFAULT.
 */
static int nvmx_unmap_user_meta(struct nvmx_user_meta *meta, int ret)
{
	if (!meta->buf)
		return ret;
	dma_unmap_single(meta->dev, meta->dma, PAGE_ALIGN(meta->len),
			 DMA_BIDIRECTIONAL);
	if (!ret && meta->to_host &&
	    copy_to_user(meta->ubuf, meta->buf, meta->len))
		ret = -EFAULT;
	free_pages_exact(meta->buf, PAGE_ALIGN(meta->len));
	meta->buf = NULL;
	return ret;
}

/**
 * struct nvmx_user_buffers - where a passthrough command's data goes
 * @addr: user address of the data, or of an iovec array when @vec
 * @len: data length in bytes, or the iovec count when @vec
 * @vec: @addr is an iovec array
 * @meta: user address of the separate metadata
 * @meta_len: its length in bytes
 */
struct nvmx_user_buffers {
	u64 addr;
	u32 len;
	bool vec;
	u64 meta;
	u32 meta_len;
};

/**
 * nvmx_user_cmd_exec() - run a passthrough command with user buffers
 * @ctrl: the controller
 * @ns: the namespace of an I/O command, NULL for an admin command
 * @cmd: the command; data pointers are filled in by the mapping
 * @bufs: the user's buffers
 * @timeout_ms: the command's timeout, 0 for the queue's default
 * @result: the completion's result
 *
 * Return: see nvmx_user_status().
 */
static int nvmx_user_cmd_exec(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns,
			      struct nvme_command *cmd,
			      const struct nvmx_user_buffers *bufs,
			      u32 timeout_ms, u64 *result)
{
	struct nvmx_user_meta meta;
	struct bio *bio = NULL;
	struct request *rq;
	blk_status_t sts;
	int ret;

	rq = nvmx_alloc_cmd_rq(ns ? ns->disk->queue : ctrl->admin_q, cmd, 0, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	if (timeout_ms)
		rq->timeout = msecs_to_jiffies(timeout_ms);
	ret = nvmx_map_user_data(rq, NULL, bufs->addr, bufs->len, bufs->vec);
	if (ret)
		goto free_rq;
	bio = rq->bio;
	ret = nvmx_map_user_meta(ctrl, rq, ns, bufs->meta, bufs->meta_len,
				 &meta);
	if (ret)
		goto unmap_data;

	sts = blk_execute_rq(rq, false);
	*result = le64_to_cpu(nvmx_req(rq)->result.u64);
	ret = nvmx_user_status(rq, sts);
	ret = nvmx_unmap_user_meta(&meta, ret);
unmap_data:
	if (bio && blk_rq_unmap_user(bio) && !ret)
		ret = -EFAULT;
free_rq:
	blk_mq_free_request(rq);
	return ret;
}

/* Only the fields a passthrough command may set; no data pointers. */
static void nvmx_fill_user_cmd(struct nvme_command *c, const u8 opcode,
			       const struct nvme_passthru_cmd64 *u)
{
	memset(c, 0, sizeof(*c));
	c->common.opcode = opcode;
	c->common.nsid = cpu_to_le32(u->nsid);
	c->common.cdw2[0] = cpu_to_le32(u->cdw2);
	c->common.cdw2[1] = cpu_to_le32(u->cdw3);
	c->common.cdw10 = cpu_to_le32(u->cdw10);
	c->common.cdw11 = cpu_to_le32(u->cdw11);
	c->common.cdw12 = cpu_to_le32(u->cdw12);
	c->common.cdw13 = cpu_to_le32(u->cdw13);
	c->common.cdw14 = cpu_to_le32(u->cdw14);
	c->common.cdw15 = cpu_to_le32(u->cdw15);
}

/*
 * Checks shared by the 32- and 64-bit passthrough commands and io_uring.
 * On a namespace device the command's nsid must be that namespace's.
 */
static int nvmx_check_user_cmd(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns,
			       u8 flags, u32 nsid)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EACCES;
	if (flags)
		return -EINVAL;
	if (ns && nsid != ns->nsid) {
		dev_err_ratelimited(&ctrl->device,
				    "%s: nsid %u in the command is not the namespace's (%u)\n",
				    current->comm, nsid, ns->nsid);
		return -EINVAL;
	}
	return 0;
}

/*
 * Admin commands after which the driver must look again: at the
 * namespaces, or at the volatile write cache.  The ioctls do that before
 * they return; io_uring, which completes in the submitter's task work,
 * does not take them.
 */
static bool nvmx_user_cmd_follow_up(u8 opcode, u32 cdw10)
{
	switch (opcode) {
	case nvme_admin_format_nvm:
	case nvme_admin_ns_mgmt:
	case nvme_admin_ns_attach:
		return true;
	case nvme_admin_set_features:
		return (cdw10 & 0xff) == NVME_FEAT_VOLATILE_WC;
	default:
		return false;
	}
}

/*
 * After commands that change what the namespaces are, look again; a
 * volatile write cache switched on or off shows in the queues' flags.
 */
static void nvmx_user_cmd_done(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns,
			       const struct nvme_command *c, int status)
{
	if (ns || status)
		return;
	switch (c->common.opcode) {
	case nvme_admin_format_nvm:
	case nvme_admin_ns_mgmt:
	case nvme_admin_ns_attach:
		/* done before returning: the caller may use the new format */
		queue_work(nvmx_wq, &ctrl->scan_work);
		flush_work(&ctrl->scan_work);
		break;
	case nvme_admin_set_features:
		if ((le32_to_cpu(c->common.cdw10) & 0xff) == NVME_FEAT_VOLATILE_WC &&
		    (ctrl->vwc & NVME_CTRL_VWC_PRESENT)) {
			bool on = le32_to_cpu(c->common.cdw11) & 1;

			nvmx_set_write_cache(ctrl, on);
			dev_info(&ctrl->device, "volatile write cache %s by %s\n",
				 on ? "enabled" : "disabled", current->comm);
		}
		break;
	}
}

/* Check, build, send and follow up one passthrough command. */
static int nvmx_run_user_cmd(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns,
			     const struct nvme_passthru_cmd64 *u, bool vec,
			     u64 *result)
{
	struct nvmx_user_buffers bufs = {
		.addr = u->addr, .len = u->data_len, .vec = vec,
		.meta = u->metadata, .meta_len = u->metadata_len,
	};
	struct nvmx_ns_set *frozen = NULL;
	struct nvme_command c;
	int ret;

	ret = nvmx_check_user_cmd(ctrl, ns, u->flags, u->nsid);
	if (ret)
		return ret;
	nvmx_fill_user_cmd(&c, u->opcode, u);
	/* no block request of the old format may meet the new one */
	if (!ns && c.common.opcode == nvme_admin_format_nvm) {
		frozen = nvmx_freeze_namespaces(ctrl);
		if (IS_ERR(frozen))
			return PTR_ERR(frozen);
	}
	ret = nvmx_user_cmd_exec(ctrl, ns, &c, &bufs, u->timeout_ms, result);
	if (frozen)
		nvmx_thaw_namespaces(ctrl, frozen, !ret);
	nvmx_user_cmd_done(ctrl, ns, &c, ret);
	return ret;
}

/* NVME_IOCTL_ADMIN_CMD, NVME_IOCTL_IO_CMD: the 32-bit result variant. */
static int nvmx_user_cmd(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns,
			 struct nvme_passthru_cmd __user *ucmd)
{
	struct nvme_passthru_cmd u32cmd;
	struct nvme_passthru_cmd64 u = { };
	u64 result = 0;
	int ret;

	if (copy_from_user(&u32cmd, ucmd, sizeof(u32cmd)))
		return -EFAULT;
	u.opcode = u32cmd.opcode;
	u.flags = u32cmd.flags;
	u.nsid = u32cmd.nsid;
	u.cdw2 = u32cmd.cdw2;
	u.cdw3 = u32cmd.cdw3;
	u.metadata = u32cmd.metadata;
	u.addr = u32cmd.addr;
	u.metadata_len = u32cmd.metadata_len;
	u.data_len = u32cmd.data_len;
	u.cdw10 = u32cmd.cdw10;
	u.cdw11 = u32cmd.cdw11;
	u.cdw12 = u32cmd.cdw12;
	u.cdw13 = u32cmd.cdw13;
	u.cdw14 = u32cmd.cdw14;
	u.cdw15 = u32cmd.cdw15;
	u.timeout_ms = u32cmd.timeout_ms;
	ret = nvmx_run_user_cmd(ctrl, ns, &u, false, &result);
	if (ret >= 0 && put_user(lower_32_bits(result), &ucmd->result))
		return -EFAULT;
	return ret;
}

/* NVME_IOCTL_ADMIN64_CMD, NVME_IOCTL_IO64_CMD(_VEC) */
static int nvmx_user_cmd64(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns,
			   struct nvme_passthru_cmd64 __user *ucmd, bool vec)
{
	struct nvme_passthru_cmd64 u;
	u64 result = 0;
	int ret;

	if (copy_from_user(&u, ucmd, sizeof(u)))
		return -EFAULT;
	ret = nvmx_run_user_cmd(ctrl, ns, &u, vec, &result);
	if (ret >= 0 && put_user(result, &ucmd->result))
		return -EFAULT;
	return ret;
}

/*
 * NVME_IOCTL_SUBMIT_IO: read, write or compare of whole blocks.  It needs
 * no privilege, so a write needs at least a descriptor open for writing.
 * Its LBA is the namespace's: a descriptor of a partition reaches the whole
 * namespace, as with the in-tree driver.
 */
static int nvmx_submit_io(struct nvmx_ns *ns, struct nvme_user_io __user *uio,
			  bool writable)
{
	struct nvmx_user_buffers bufs = { };
	struct nvme_user_io io;
	struct nvme_command c = { };
	u32 meta_per_block, nlb;
	u64 result, len;

	if (copy_from_user(&io, uio, sizeof(io)))
		return -EFAULT;
	if (io.flags)
		return -EINVAL;
	switch (io.opcode) {
	case nvme_cmd_write:
	case nvme_cmd_read:
	case nvme_cmd_compare:
		break;
	default:
		return -EINVAL;
	}
	if (io.opcode == nvme_cmd_write && !writable) {
		dev_warn_ratelimited(&ns->ctrl->device,
				     "%s: SUBMIT_IO write through a descriptor of %s open read-only: refused\n",
				     current->comm, ns->disk->disk_name);
		return -EBADF;
	}
	c.rw.opcode = io.opcode;
	c.rw.nsid = cpu_to_le32(ns->nsid);
	c.rw.slba = cpu_to_le64(io.slba);
	c.rw.length = cpu_to_le16(io.nblocks);
	c.rw.control = cpu_to_le16(io.control);
	c.rw.dsmgmt = cpu_to_le32(io.dsmgmt);
	c.rw.reftag = cpu_to_le32(io.reftag);
	/* LBAT and LBATM (apptag, appmask before 6.9): dword 15 */
	c.common.cdw15 = cpu_to_le32(io.apptag | (u32)io.appmask << 16);

	/* the lengths follow from the block count and the format */
	meta_per_block = nvmx_user_meta_per_block(ns, (u32)io.control << 16);
	nlb = (u32)io.nblocks + 1;
	len = (u64)nlb << ns->lba_shift;
	if (ns->ext) {
		len += nlb * meta_per_block;
	} else if (meta_per_block) {
		/* the ABI wants it dword aligned, though it is bounced */
		if (io.metadata & 3)
			return -EINVAL;
		bufs.meta = io.metadata;
		bufs.meta_len = nlb * meta_per_block;
	} else if (io.metadata && ns->ms) {
		/* the controller inserts and strips the PI: none to give */
		return -EINVAL;
	}
	if (len > U32_MAX)
		return -EINVAL;
	bufs.addr = io.addr;
	bufs.len = len;
	return nvmx_user_cmd_exec(ns->ctrl, ns, &c, &bufs, 0, &result);
}

/* IO_CMD on the controller device: only when there is one namespace. */
static int nvmx_ctrl_io_cmd(struct nvmx_ctrl *ctrl,
			    struct nvme_passthru_cmd __user *ucmd)
{
	struct nvmx_ns *ns;
	int ret;

	down_read(&ctrl->ns_rwsem);
	if (list_empty(&ctrl->namespaces)) {
		up_read(&ctrl->ns_rwsem);
		return -ENOTTY;
	}
	ns = list_first_entry(&ctrl->namespaces, struct nvmx_ns, list);
	if (!list_is_singular(&ctrl->namespaces)) {
		up_read(&ctrl->ns_rwsem);
		dev_warn_ratelimited(&ctrl->device, "NVME_IOCTL_IO_CMD on the controller device needs a single namespace; use the namespace's device\n");
		return -EINVAL;
	}
	/* the disk, and with it the namespace, stays while we use it */
	get_device(disk_to_dev(ns->disk));
	up_read(&ctrl->ns_rwsem);
	ret = nvmx_user_cmd(ctrl, ns, ucmd);
	put_device(disk_to_dev(ns->disk));
	return ret;
}

long nvmx_ctrl_ioctl(struct nvmx_ctrl *ctrl, unsigned int cmd,
		     unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case NVME_IOCTL_ADMIN_CMD:
		return nvmx_user_cmd(ctrl, NULL, argp);
	case NVME_IOCTL_ADMIN64_CMD:
		return nvmx_user_cmd64(ctrl, NULL, argp, false);
	case NVME_IOCTL_IO_CMD:
		return nvmx_ctrl_io_cmd(ctrl, argp);
	case NVME_IOCTL_RESET:
		if (!capable(CAP_SYS_ADMIN))
			return -EACCES;
		return nvmx_reset_sync(ctrl);
	case NVME_IOCTL_SUBSYS_RESET:
		if (!capable(CAP_SYS_ADMIN))
			return -EACCES;
		return nvmx_subsystem_reset(ctrl);
	case NVME_IOCTL_RESCAN:
		if (!capable(CAP_SYS_ADMIN))
			return -EACCES;
		queue_work(nvmx_wq, &ctrl->scan_work);
		return 0;
	default:
		return -ENOTTY;
	}
}

/*
 * The block device and the generic char device of a namespace; @writable:
 * the descriptor is open for writing.
 */
long nvmx_ns_ioctl(struct nvmx_ns *ns, unsigned int cmd, unsigned long arg,
		   bool writable)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case NVME_IOCTL_ADMIN_CMD:
		return nvmx_user_cmd(ns->ctrl, NULL, argp);
	case NVME_IOCTL_ADMIN64_CMD:
		return nvmx_user_cmd64(ns->ctrl, NULL, argp, false);
	case NVME_IOCTL_ID:
		force_successful_syscall_return();
		return ns->nsid;
	case NVME_IOCTL_IO_CMD:
		return nvmx_user_cmd(ns->ctrl, ns, argp);
	case NVME_IOCTL_SUBMIT_IO:
		return nvmx_submit_io(ns, argp, writable);
	case NVME_IOCTL_IO64_CMD:
		return nvmx_user_cmd64(ns->ctrl, ns, argp, false);
	case NVME_IOCTL_IO64_CMD_VEC:
		return nvmx_user_cmd64(ns->ctrl, ns, argp, true);
	default:
		return -ENOTTY;
	}
}

/* ---- io_uring passthrough ---- */

/*
 * Kept in io_uring_cmd.pdu between submission and completion.  The bio to
 * poll lives here too, not in io_uring_cmd.cookie: on 6.1 the cookie
 * shares its memory with the task work callback that
 * io_uring_cmd_complete_in_task() stores, so an iopoll racing the
 * completion (another ring, SQPOLL) could take that function for a bio.
 */
struct nvmx_uring_pdu {
	struct bio *bio;	/* to unmap: the request's is gone by then */
	struct nvmx_user_meta *meta;	/* or NULL */
	u64 result;
	int status;
	bool poll;		/* @bio may be polled: sent, not yet ended */
};

static struct nvmx_uring_pdu *nvmx_uring_pdu(struct io_uring_cmd *ioucmd)
{
	BUILD_BUG_ON(sizeof(struct nvmx_uring_pdu) > sizeof(ioucmd->pdu));
	return (struct nvmx_uring_pdu *)ioucmd->pdu;
}

/* In the submitter's task: copy back a bounced buffer, post the CQE. */
static void nvmx_uring_task_cb(struct io_uring_cmd *ioucmd,
			       unsigned int issue_flags)
{
	struct nvmx_uring_pdu *pdu = nvmx_uring_pdu(ioucmd);

	if (pdu->meta) {
		pdu->status = nvmx_unmap_user_meta(pdu->meta, pdu->status);
		kfree(pdu->meta);
	}
	if (pdu->bio && blk_rq_unmap_user(pdu->bio) && !pdu->status)
		pdu->status = -EFAULT;
	io_uring_cmd_done(ioucmd, pdu->status, pdu->result, issue_flags);
}

static enum rq_end_io_ret nvmx_uring_end_io(struct request *rq,
					    blk_status_t err)
{
	struct io_uring_cmd *ioucmd = rq->end_io_data;
	struct nvmx_uring_pdu *pdu = nvmx_uring_pdu(ioucmd);

	pdu->status = nvmx_user_status(rq, err);
	pdu->result = le64_to_cpu(nvmx_req(rq)->result.u64);
	/* nothing left to poll for; the task work frees the bio */
	WRITE_ONCE(pdu->poll, false);
	/*
	 * Even a polled command completes through task work: another ring
	 * polling the same queue may have found it.
	 */
	io_uring_cmd_complete_in_task(ioucmd, nvmx_uring_task_cb);
	return RQ_END_IO_FREE;
}

/*
 * nvme_is_write() before the command is built: a Fabrics command's
 * direction is its fctype's bit 0, and fctype is the low byte of the nsid
 * field.
 */
static bool nvmx_user_cmd_is_write(u8 opcode, u32 nsid)
{
	if (opcode == nvme_fabrics_command)
		return nsid & 1;
	return opcode & 1;
}

/*
 * Build an io_uring passthrough command in place, every field of it: the
 * ones a passthrough command may set, each read once from the SQE (or
 * passed in, already read and checked), zero for the rest; the data
 * pointer is the mapping's, the command id the submission's.
 */
static void nvmx_uring_fill_cmd(struct nvme_command *c,
				const struct nvme_uring_cmd *ucmd, u8 opcode,
				u32 nsid, u32 cdw10)
{
	BUILD_BUG_ON(offsetofend(struct nvme_common_command, cdw15) !=
		     sizeof(struct nvme_command));
	c->common.opcode = opcode;
	c->common.flags = 0;
	c->common.command_id = 0;
	c->common.nsid = cpu_to_le32(nsid);
	c->common.cdw2[0] = cpu_to_le32(READ_ONCE(ucmd->cdw2));
	c->common.cdw2[1] = cpu_to_le32(READ_ONCE(ucmd->cdw3));
	c->common.metadata = 0;
	memset(&c->common.dptr, 0, sizeof(c->common.dptr));
	c->common.cdw10 = cpu_to_le32(cdw10);
	c->common.cdw11 = cpu_to_le32(READ_ONCE(ucmd->cdw11));
	c->common.cdw12 = cpu_to_le32(READ_ONCE(ucmd->cdw12));
	c->common.cdw13 = cpu_to_le32(READ_ONCE(ucmd->cdw13));
	c->common.cdw14 = cpu_to_le32(READ_ONCE(ucmd->cdw14));
	c->common.cdw15 = cpu_to_le32(READ_ONCE(ucmd->cdw15));
}

static int nvmx_uring_cmd(struct nvmx_ctrl *ctrl, struct nvmx_ns *ns,
			  struct io_uring_cmd *ioucmd, unsigned int issue_flags,
			  bool vec)
{
	const struct nvme_uring_cmd *ucmd = NVMX_URING_CMD(ioucmd);
	struct nvmx_uring_pdu *pdu = nvmx_uring_pdu(ioucmd);
	struct nvmx_user_meta meta;
	blk_mq_req_flags_t blk_flags = 0;
	u32 nsid, cdw10, data_len, meta_len, timeout_ms;
	u64 addr, meta_addr;
	struct request *rq;
	blk_opf_t opf = 0;
	u8 opcode, flags;
	bool poll;
	int ret;

	/* the command and its result need the big SQE and CQE */
	if ((issue_flags & (IO_URING_F_SQE128 | IO_URING_F_CQE32)) !=
	    (IO_URING_F_SQE128 | IO_URING_F_CQE32))
		return -EOPNOTSUPP;
	/* IOPOLL: data commands of a namespace, sent on a poll queue */
	if ((issue_flags & IO_URING_F_IOPOLL) && !ns)
		return -EOPNOTSUPP;

	/*
	 * The SQE is shared with user space: each field is read once, the
	 * checked ones and the buffers' and timeout into locals, the other
	 * command dwords straight into the request's command
	 * (nvmx_uring_fill_cmd()).
	 */
	opcode = READ_ONCE(ucmd->opcode);
	flags = READ_ONCE(ucmd->flags);
	nsid = READ_ONCE(ucmd->nsid);
	cdw10 = READ_ONCE(ucmd->cdw10);
	ret = nvmx_check_user_cmd(ctrl, ns, flags, nsid);
	if (ret)
		return ret;
	if (!ns && nvmx_user_cmd_follow_up(opcode, cdw10)) {
		dev_err_ratelimited(&ctrl->device,
				    "%s: admin opcode 0x%02x changes namespaces or the write cache; use the ioctl, not io_uring\n",
				    current->comm, opcode);
		return -EOPNOTSUPP;
	}
	addr = READ_ONCE(ucmd->addr);
	data_len = READ_ONCE(ucmd->data_len);
	meta_addr = READ_ONCE(ucmd->metadata);
	meta_len = READ_ONCE(ucmd->metadata_len);
	timeout_ms = READ_ONCE(ucmd->timeout_ms);

	if (issue_flags & IO_URING_F_NONBLOCK) {
		opf = REQ_NOWAIT;
		blk_flags = BLK_MQ_REQ_NOWAIT;
	}
	poll = (issue_flags & IO_URING_F_IOPOLL) && addr && data_len;
	if (poll)
		opf |= REQ_POLLED;
	rq = nvmx_alloc_user_rq(ns ? ns->disk->queue : ctrl->admin_q,
				nvmx_user_cmd_is_write(opcode, nsid), opf,
				blk_flags);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	nvmx_uring_fill_cmd(&nvmx_req(rq)->cmd, ucmd, opcode, nsid, cdw10);
	if (timeout_ms)
		rq->timeout = msecs_to_jiffies(timeout_ms);
	ret = nvmx_map_user_data(rq, ioucmd, addr, data_len, vec);
	if (ret)
		goto free_rq;
	ret = nvmx_map_user_meta(ctrl, rq, ns, meta_addr, meta_len, &meta);
	if (ret)
		goto unmap_data;
	pdu->meta = NULL;
	if (meta.buf) {
		/* kept until the completion's task work */
		pdu->meta = kmemdup(&meta, sizeof(meta), GFP_KERNEL);
		if (!pdu->meta) {
			ret = nvmx_unmap_user_meta(&meta, -ENOMEM);
			goto unmap_data;
		}
	}
	/* bio_poll() finds the queue through the bio's device */
	if (poll) {
		bio_set_dev(rq->bio, ns->disk->part0);
		rq->bio->bi_opf |= REQ_POLLED;
	}
	pdu->bio = rq->bio;
	pdu->status = 0;
	pdu->result = 0;
	WRITE_ONCE(pdu->poll, poll);
	rq->end_io = nvmx_uring_end_io;
	rq->end_io_data = ioucmd;
	blk_execute_rq_nowait(rq, false);
	return -EIOCBQUEUED;

unmap_data:
	if (rq->bio)
		blk_rq_unmap_user(rq->bio);
free_rq:
	blk_mq_free_request(rq);
	return ret;
}

int nvmx_ns_uring_cmd(struct nvmx_ns *ns, struct io_uring_cmd *ioucmd,
		      unsigned int issue_flags)
{
	switch (ioucmd->cmd_op) {
	case NVME_URING_CMD_IO:
		return nvmx_uring_cmd(ns->ctrl, ns, ioucmd, issue_flags, false);
	case NVME_URING_CMD_IO_VEC:
		return nvmx_uring_cmd(ns->ctrl, ns, ioucmd, issue_flags, true);
	default:
		return -ENOTTY;
	}
}

/**
 * nvmx_ns_uring_cmd_iopoll() - poll for a command sent with IOPOLL
 * @ioucmd: the command, sent on a poll queue while its pdu says so
 * @iob: completion batch
 * @poll_flags: BLK_POLL_*
 *
 * The bio stays until the completion's task work, which runs in the task
 * that polls (or after it stops polling this command), so it is still
 * there when the end of the request races this poll.
 *
 * Return: completions found, 0 when there is nothing to poll.
 */
int nvmx_ns_uring_cmd_iopoll(struct io_uring_cmd *ioucmd,
			     struct io_comp_batch *iob,
			     unsigned int poll_flags)
{
	struct nvmx_uring_pdu *pdu = nvmx_uring_pdu(ioucmd);
	int ret = 0;

	rcu_read_lock();
	if (READ_ONCE(pdu->poll))
		ret = bio_poll(pdu->bio, iob, poll_flags);
	rcu_read_unlock();
	return ret;
}

int nvmx_ctrl_uring_cmd(struct nvmx_ctrl *ctrl, struct io_uring_cmd *ioucmd,
			unsigned int issue_flags)
{
	switch (ioucmd->cmd_op) {
	case NVME_URING_CMD_ADMIN:
		return nvmx_uring_cmd(ctrl, NULL, ioucmd, issue_flags, false);
	case NVME_URING_CMD_ADMIN_VEC:
		return nvmx_uring_cmd(ctrl, NULL, ioucmd, issue_flags, true);
	default:
		return -ENOTTY;
	}
}
