/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx core tracepoints: a request handed back to blk-mq, timeouts and
 * resets.  Event system "nvmx"; the steps of command processing on PCIe
 * are the PCIe transport's (pci/trace.h), in the same system.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvmx

#if !defined(NVMX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NVMX_TRACE_H

#include <linux/tracepoint.h>

#include "nvmx.h"

/* The request is handed back to blk-mq (or requeued for a retry). */
TRACE_EVENT(nvmx_complete,
	    TP_PROTO(struct request *rq, bool retry),
	    TP_ARGS(rq, retry),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u16, cid)
			     __field(u16, status)
			     __field(u8, retries)
			     __field(bool, retry)),
	    TP_fast_assign(__entry->ctrl = nvmx_rq_ctrl(rq)->instance;
			   __entry->qid = nvmx_rq_qid(rq);
			   __entry->cid = nvmx_req(rq)->cmd.common.command_id;
			   __entry->status = nvmx_req(rq)->status;
			   __entry->retries = nvmx_req(rq)->retries;
			   __entry->retry = retry;),
	    TP_printk("nvmx%d qid=%u cid=0x%04x status=0x%x retries=%u%s",
		      __entry->ctrl, __entry->qid, __entry->cid, __entry->status,
		      __entry->retries, __entry->retry ? " requeued" : "")
);

TRACE_EVENT(nvmx_timeout,
	    TP_PROTO(struct request *rq, u32 csts),
	    TP_ARGS(rq, csts),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __field(u16, qid)
			     __field(u16, cid)
			     __field(u8, opcode)
			     __field(u32, csts)),
	    TP_fast_assign(__entry->ctrl = nvmx_rq_ctrl(rq)->instance;
			   __entry->qid = nvmx_rq_qid(rq);
			   __entry->cid = nvmx_req(rq)->cmd.common.command_id;
			   __entry->opcode = nvmx_req(rq)->cmd.common.opcode;
			   __entry->csts = csts;),
	    TP_printk("nvmx%d qid=%u cid=0x%04x opcode=0x%02x csts=0x%x",
		      __entry->ctrl, __entry->qid, __entry->cid, __entry->opcode,
		      __entry->csts)
);

TRACE_EVENT(nvmx_reset,
	    TP_PROTO(struct nvmx_ctrl *ctrl, const char *phase, int err),
	    TP_ARGS(ctrl, phase, err),
	    TP_STRUCT__entry(__field(int, ctrl)
			     __string(phase, phase)
			     __field(int, err)),
	    TP_fast_assign(__entry->ctrl = ctrl->instance;
			   nvmx_assign_str(phase, phase);
			   __entry->err = err;),
	    TP_printk("nvmx%d %s err=%d", __entry->ctrl, __get_str(phase),
		      __entry->err)
);

#endif /* NVMX_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH core
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
