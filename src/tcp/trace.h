/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx NVMe/TCP tracepoints: a command's way over the connection, as the
 * PCIe events show its way through the rings.  The capsule is built (the
 * SQ slot's analogue), each PDU is on the socket (the doorbell's), each
 * PDU header from the controller is accepted (C2HData, R2T, CapsuleResp:
 * the completion entry's); the core's nvmx_complete ends it.  Event
 * system "nvmx", as the core's (core/trace.h).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvmx

#if !defined(NVMX_TCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NVMX_TCP_TRACE_H

#include <linux/tracepoint.h>

#include "tcp.h"

#define nvmx_tcp_show_type(t)					\
	__print_symbolic(t, { NVMX_TCP_CMD, "CapsuleCmd" },	\
			 { NVMX_TCP_RSP, "CapsuleResp" },		\
			 { NVMX_TCP_H2C_DATA, "H2CData" },		\
			 { NVMX_TCP_C2H_DATA, "C2HData" },		\
			 { NVMX_TCP_R2T, "R2T" },			\
			 { NVMX_TCP_C2H_TERM, "C2HTermReq" })

/* The command capsule is built; @inline bytes of data go in it. */
TRACE_EVENT(nvmx_tcp_cmd,
	    TP_PROTO(struct nvmx_tcp_queue *queue, const struct nvme_command *cmd,
		     u32 len, u32 inline_len),
	    TP_ARGS(queue, cmd, len, inline_len),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u16, cid)
			     __field(u8, opcode)
			     __field(u32, nsid)
			     __field(u64, slba)
			     __field(u32, len)
			     __field(u32, inline_len)),
	    TP_fast_assign(bool rw = nvmx_tcp_is_rw(queue, cmd);

			   __entry->ctrl = queue->ctrl->ctrl.instance;
			   __entry->qid = queue->qid;
			   __entry->cid = cmd->common.command_id;
			   __entry->opcode = cmd->common.opcode;
			   __entry->nsid = le32_to_cpu(cmd->common.nsid);
			   __entry->slba = rw ? le64_to_cpu(cmd->rw.slba) : 0;
			   __entry->len = len;
			   __entry->inline_len = inline_len;),
	    TP_printk("nvmx%d qid=%u cid=0x%04x opcode=0x%02x nsid=%u slba=%llu len=%u in_capsule=%u",
		      __entry->ctrl, __entry->qid, __entry->cid,
		      __entry->opcode, __entry->nsid, __entry->slba,
		      __entry->len, __entry->inline_len)
);

/* A PDU went to the socket whole: a capsule or an H2CData PDU. */
TRACE_EVENT(nvmx_tcp_send_pdu,
	    TP_PROTO(struct nvmx_tcp_queue *queue, u8 type, u16 cid, u32 offset,
		     u32 len),
	    TP_ARGS(queue, type, cid, offset, len),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u8, type)
			     __field(u16, cid)
			     __field(u32, offset)
			     __field(u32, len)),
	    TP_fast_assign(__entry->ctrl = queue->ctrl->ctrl.instance;
			   __entry->qid = queue->qid;
			   __entry->type = type;
			   __entry->cid = cid;
			   __entry->offset = offset;
			   __entry->len = len;),
	    TP_printk("nvmx%d qid=%u %s cid=0x%04x data_offset=%u data_len=%u",
		      __entry->ctrl, __entry->qid,
		      nvmx_tcp_show_type(__entry->type), __entry->cid,
		      __entry->offset, __entry->len)
);

/*
 * A PDU header from the controller passed its checks: for C2HData and
 * R2T the data's offset and length, for a CapsuleResp the status.
 */
TRACE_EVENT(nvmx_tcp_recv_pdu,
	    TP_PROTO(struct nvmx_tcp_queue *queue, u8 type, u16 cid, u32 offset,
		     u32 len, u16 status),
	    TP_ARGS(queue, type, cid, offset, len, status),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u8, type)
			     __field(u16, cid)
			     __field(u32, offset)
			     __field(u32, len)
			     __field(u16, status)),
	    TP_fast_assign(__entry->ctrl = queue->ctrl->ctrl.instance;
			   __entry->qid = queue->qid;
			   __entry->type = type;
			   __entry->cid = cid;
			   __entry->offset = offset;
			   __entry->len = len;
			   __entry->status = status;),
	    TP_printk("nvmx%d qid=%u %s cid=0x%04x data_offset=%u data_len=%u status=0x%x",
		      __entry->ctrl, __entry->qid,
		      nvmx_tcp_show_type(__entry->type), __entry->cid,
		      __entry->offset, __entry->len, __entry->status)
);

#endif /* NVMX_TCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH tcp
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
