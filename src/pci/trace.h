/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx PCIe tracepoints: one event for each step of command processing the
 * host performs or observes on PCIe (the seed's steps 1, 2, 6, 7 and 8).
 * Event system "nvmx", as the core's (core/trace.h).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvmx

#if !defined(NVMX_PCI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NVMX_PCI_TRACE_H

#include <linux/tracepoint.h>

#include "pci.h"

/* Step 1: the command is in its SQ slot. */
TRACE_EVENT(nvmx_sq_write,
	    TP_PROTO(struct nvmx_queue *nq, const struct nvme_command *cmd,
		     u16 slot),
	    TP_ARGS(nq, cmd, slot),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u16, cid)
			     __field(u8, opcode)
			     __field(u32, nsid)
			     __field(u64, slba)
			     __field(u32, nlb)
			     __field(u16, slot)),
	    TP_fast_assign(bool rw = nvmx_is_rw(nq->qid, cmd);

			   __entry->ctrl = nq->ctrl->instance;
			   __entry->qid = nq->qid;
			   __entry->cid = cmd->common.command_id;
			   __entry->opcode = cmd->common.opcode;
			   __entry->nsid = le32_to_cpu(cmd->common.nsid);
			   __entry->slba = rw ? le64_to_cpu(cmd->rw.slba) : 0;
			   __entry->nlb = rw ?
					   le16_to_cpu(cmd->rw.length) + 1 : 0;
			   __entry->slot = slot;),
	    TP_printk("nvmx%d qid=%u cid=0x%04x opcode=0x%02x nsid=%u slba=%llu nlb=%u slot=%u",
		      __entry->ctrl, __entry->qid, __entry->cid, __entry->opcode,
		      __entry->nsid, __entry->slba, __entry->nlb, __entry->slot)
);

/*
 * Step 2: the SQ tail doorbell for a batch of commands: the register
 * written (mmio=1), or only the shadow doorbell updated (mmio=0).
 */
TRACE_EVENT(nvmx_sq_doorbell,
	    TP_PROTO(struct nvmx_queue *nq, u16 tail, u16 batch, bool mmio),
	    TP_ARGS(nq, tail, batch, mmio),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u16, tail)
			     __field(u16, batch)
			     __field(bool, mmio)),
	    TP_fast_assign(__entry->ctrl = nq->ctrl->instance;
			   __entry->qid = nq->qid;
			   __entry->tail = tail;
			   __entry->batch = batch;
			   __entry->mmio = mmio;),
	    TP_printk("nvmx%d qid=%u tail=%u batch=%u mmio=%d", __entry->ctrl,
		      __entry->qid, __entry->tail, __entry->batch,
		      __entry->mmio)
);

/* Step 6: the queue's interrupt handler runs. */
TRACE_EVENT(nvmx_irq,
	    TP_PROTO(struct nvmx_queue *nq),
	    TP_ARGS(nq),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(s16, vector)),
	    TP_fast_assign(__entry->ctrl = nq->ctrl->instance;
			   __entry->qid = nq->qid;
			   __entry->vector = nq->cq_vector;),
	    TP_printk("nvmx%d qid=%u vector=%d", __entry->ctrl, __entry->qid,
		      __entry->vector)
);

/* Step 7: a completion queue entry is consumed. */
TRACE_EVENT(nvmx_cqe,
	    TP_PROTO(struct nvmx_queue *nq, const struct nvme_completion *cqe),
	    TP_ARGS(nq, cqe),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u16, cid)
			     __field(u16, status)
			     __field(u16, sq_head)
			     __field(u16, head)
			     __field(u8, phase)),
	    TP_fast_assign(__entry->ctrl = nq->ctrl->instance;
			   __entry->qid = nq->qid;
			   __entry->cid = cqe->command_id;
			   __entry->status = le16_to_cpu(cqe->status) >> 1;
			   __entry->sq_head = le16_to_cpu(cqe->sq_head);
			   __entry->head = nq->cq_head;
			   __entry->phase = nq->cq_phase;),
	    TP_printk("nvmx%d qid=%u cid=0x%04x status=0x%x sq_head=%u head=%u phase=%u",
		      __entry->ctrl, __entry->qid, __entry->cid, __entry->status,
		      __entry->sq_head, __entry->head, __entry->phase)
);

/* Step 8: the CQ head doorbell after a batch of entries (mmio as above). */
TRACE_EVENT(nvmx_cq_doorbell,
	    TP_PROTO(struct nvmx_queue *nq, u16 cq_head, int reaped, bool mmio),
	    TP_ARGS(nq, cq_head, reaped, mmio),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u16, head)
			     __field(int, reaped)
			     __field(bool, mmio)),
	    TP_fast_assign(__entry->ctrl = nq->ctrl->instance;
			   __entry->qid = nq->qid;
			   __entry->head = cq_head;
			   __entry->reaped = reaped;
			   __entry->mmio = mmio;),
	    TP_printk("nvmx%d qid=%u head=%u reaped=%d mmio=%d", __entry->ctrl,
		      __entry->qid, __entry->head, __entry->reaped,
		      __entry->mmio)
);

#endif /* NVMX_PCI_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH pci
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
