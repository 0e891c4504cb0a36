/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx NVMe/TCP transport: pure logic shared by the driver and the
 * userspace unit tests: the PDU layouts (NVMe/TCP transport specification
 * 1.0), the checks every PDU from the network passes before any of it is
 * used, and the arithmetic of data transfers (in-capsule, R2T, H2CData).
 * Nothing here calls into the kernel; tests/unit compiles it directly with
 * stdint types.  Fields are read byte by byte, little endian, so a header
 * is never cast from a network buffer.
 */
#ifndef NVMX_TCP_LOGIC_H
#define NVMX_TCP_LOGIC_H

/* Userspace includers define u8..u64 and bool before including this. */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

/* ---- PDU types, flags and sizes ---- */

enum nvmx_tcp_pdu_type {
	NVMX_TCP_ICREQ		= 0x00,
	NVMX_TCP_ICRESP		= 0x01,
	NVMX_TCP_H2C_TERM	= 0x02,
	NVMX_TCP_C2H_TERM	= 0x03,
	NVMX_TCP_CMD		= 0x04,
	NVMX_TCP_RSP		= 0x05,
	NVMX_TCP_H2C_DATA	= 0x06,
	NVMX_TCP_C2H_DATA	= 0x07,
	NVMX_TCP_R2T		= 0x09,
};

#define NVMX_TCP_F_HDGST	0x01	/* a header digest follows the header */
#define NVMX_TCP_F_DDGST	0x02	/* a data digest follows the data */
#define NVMX_TCP_F_DATA_LAST	0x04	/* last data PDU of a transfer */
#define NVMX_TCP_F_DATA_SUCCESS	0x08	/* C2HData: completes the command */

#define NVMX_TCP_CH_LEN		8	/* common header */
#define NVMX_TCP_IC_LEN		128	/* ICReq, ICResp: header is the PDU */
#define NVMX_TCP_CMD_HLEN	72	/* common header + 64-byte command */
#define NVMX_TCP_RSP_HLEN	24	/* common header + 16-byte completion */
#define NVMX_TCP_DATA_HLEN	24	/* H2CData, C2HData */
#define NVMX_TCP_R2T_HLEN	24
#define NVMX_TCP_TERM_HLEN	24
#define NVMX_TCP_TERM_MAX_DATA	128	/* the offending header, copied */
#define NVMX_TCP_DIGEST_LEN	4	/* CRC32C */
#define NVMX_TCP_PFV_1_0	0x0000

/* The largest header a controller sends (ICResp's). */
#define NVMX_TCP_MAX_HLEN	NVMX_TCP_IC_LEN
/*
 * The smallest header nvmx_tcp_check_ch() lets through (CapsuleResp, R2T,
 * C2HData and C2HTermReq are all 24 bytes, ICResp 128): the receive side
 * takes this much before the check.  The unit test tcp_check_ch_hlen
 * holds the check to it.
 */
#define NVMX_TCP_MIN_HLEN	NVMX_TCP_RSP_HLEN

/* ICReq/ICResp DGST field */
#define NVMX_TCP_IC_HDGST	0x01
#define NVMX_TCP_IC_DDGST	0x02

/* H2CTermReq/C2HTermReq fatal error status (FES) */
#define NVMX_TCP_FES_INVALID_HEADER	0x01
#define NVMX_TCP_FES_PDU_SEQ_ERR	0x02
#define NVMX_TCP_FES_HDR_DIGEST_ERR	0x03
#define NVMX_TCP_FES_DATA_OUT_OF_RANGE	0x04
#define NVMX_TCP_FES_DATA_LIMIT_EXCEEDED 0x05
#define NVMX_TCP_FES_UNSUPPORTED_PARAM	0x06

static inline u16 nvmx_tcp_get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 nvmx_tcp_get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline void nvmx_tcp_put16(u8 *p, u16 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void nvmx_tcp_put32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* The common header of every PDU, decoded. */
struct nvmx_tcp_ch {
	u8 type;
	u8 flags;
	u8 hlen;
	u8 pdo;
	u32 plen;
};

static inline void nvmx_tcp_ch_decode(const u8 *p, struct nvmx_tcp_ch *ch)
{
	ch->type = p[0];
	ch->flags = p[1];
	ch->hlen = p[2];
	ch->pdo = p[3];
	ch->plen = nvmx_tcp_get32(p + 4);
}

static inline void nvmx_tcp_ch_encode(u8 *p, u8 type, u8 flags, u8 hlen,
				      u8 pdo, u32 plen)
{
	p[0] = type;
	p[1] = flags;
	p[2] = hlen;
	p[3] = pdo;
	nvmx_tcp_put32(p + 4, plen);
}

/* ---- Checks of received PDUs ---- */

/* Why a received PDU was refused: each a connection error. */
enum nvmx_tcp_bad {
	NVMX_TCP_OK = 0,
	NVMX_TCP_BAD_TYPE,		/* not a PDU a controller sends now */
	NVMX_TCP_BAD_HLEN,		/* header length wrong for the type */
	NVMX_TCP_BAD_PLEN,		/* PDU length wrong for the header */
	NVMX_TCP_BAD_PDO,		/* data offset wrong */
	NVMX_TCP_BAD_FLAGS,		/* digest or data flags wrong */
	NVMX_TCP_BAD_CID,		/* command id of no outstanding command */
	NVMX_TCP_BAD_DATA,		/* data offset or length out of range */
	NVMX_TCP_BAD_R2T,		/* R2T for a command that takes none */
	NVMX_TCP_BAD_HDGST,		/* header digest mismatch */
	NVMX_TCP_BAD_DDGST,		/* data digest mismatch */
	NVMX_TCP_BAD_IC,		/* ICResp parameters refused */
	NVMX_TCP_BAD_EARLY,		/* answer to a command still being sent */
	NVMX_TCP_BAD_NR,
};

static inline const char *nvmx_tcp_bad_name(enum nvmx_tcp_bad why)
{
	static const char *const names[NVMX_TCP_BAD_NR] = {
		[NVMX_TCP_OK]		= "ok",
		[NVMX_TCP_BAD_TYPE]	= "unexpected PDU type",
		[NVMX_TCP_BAD_HLEN]	= "bad header length",
		[NVMX_TCP_BAD_PLEN]	= "bad PDU length",
		[NVMX_TCP_BAD_PDO]	= "bad data offset",
		[NVMX_TCP_BAD_FLAGS]	= "bad flags",
		[NVMX_TCP_BAD_CID]	= "unknown command id",
		[NVMX_TCP_BAD_DATA]	= "data out of range",
		[NVMX_TCP_BAD_R2T]	= "unexpected R2T",
		[NVMX_TCP_BAD_HDGST]	= "header digest error",
		[NVMX_TCP_BAD_DDGST]	= "data digest error",
		[NVMX_TCP_BAD_IC]	= "connection parameters refused",
		[NVMX_TCP_BAD_EARLY]	= "response before the command was sent",
	};

	return (unsigned int)why < NVMX_TCP_BAD_NR ? names[why] : "?";
}

/* What a connection negotiated, as its receive side needs it. */
struct nvmx_tcp_rx_params {
	bool hdgst;		/* header digests on */
	bool ddgst;		/* data digests on */
	bool ic_done;		/* ICResp received: no other before it */
};

static inline u32 nvmx_tcp_hdgst_len(const struct nvmx_tcp_rx_params *rp)
{
	return rp->hdgst ? NVMX_TCP_DIGEST_LEN : 0;
}

/**
 * nvmx_tcp_check_ch() - check a received common header
 * @ch: the decoded common header
 * @rp: the connection's parameters
 *
 * Everything the common header alone can tell, before any byte past it is
 * read: a PDU a controller may send at this point of the connection, the
 * fixed header length of its type, the digest flags as negotiated, the
 * data offset and a PDU length that fits them (for C2HData, at least the
 * header; its data length is checked against plen by
 * nvmx_tcp_check_c2h_data()).  The host asks for no data alignment
 * (HPDA 0), so data follows the header and its digest directly.
 *
 * Return: NVMX_TCP_OK, or why the PDU is refused.
 */
static inline enum nvmx_tcp_bad
nvmx_tcp_check_ch(const struct nvmx_tcp_ch *ch,
		  const struct nvmx_tcp_rx_params *rp)
{
	u32 hd = nvmx_tcp_hdgst_len(rp);
	u8 hdf = rp->hdgst ? NVMX_TCP_F_HDGST : 0;

	if (!rp->ic_done) {
		if (ch->type == NVMX_TCP_C2H_TERM)
			goto term;
		if (ch->type != NVMX_TCP_ICRESP)
			return NVMX_TCP_BAD_TYPE;
		if (ch->hlen != NVMX_TCP_IC_LEN)
			return NVMX_TCP_BAD_HLEN;
		if (ch->plen != NVMX_TCP_IC_LEN)
			return NVMX_TCP_BAD_PLEN;
		if (ch->pdo)
			return NVMX_TCP_BAD_PDO;
		if (ch->flags)
			return NVMX_TCP_BAD_FLAGS;
		return NVMX_TCP_OK;
	}

	switch (ch->type) {
	case NVMX_TCP_RSP:
	case NVMX_TCP_R2T:
		/* RSP_HLEN == R2T_HLEN */
		if (ch->hlen != NVMX_TCP_RSP_HLEN)
			return NVMX_TCP_BAD_HLEN;
		if (ch->flags != hdf)
			return NVMX_TCP_BAD_FLAGS;
		if (ch->pdo)
			return NVMX_TCP_BAD_PDO;
		if (ch->plen != NVMX_TCP_RSP_HLEN + hd)
			return NVMX_TCP_BAD_PLEN;
		return NVMX_TCP_OK;
	case NVMX_TCP_C2H_DATA: {
		u8 dflags = NVMX_TCP_F_DATA_LAST | NVMX_TCP_F_DATA_SUCCESS;
		u8 want = hdf | (rp->ddgst ? NVMX_TCP_F_DDGST : 0);

		if (ch->hlen != NVMX_TCP_DATA_HLEN)
			return NVMX_TCP_BAD_HLEN;
		if ((ch->flags & ~dflags) != want)
			return NVMX_TCP_BAD_FLAGS;
		/* SUCCESS only on the last PDU of the transfer */
		if ((ch->flags & NVMX_TCP_F_DATA_SUCCESS) &&
		    !(ch->flags & NVMX_TCP_F_DATA_LAST))
			return NVMX_TCP_BAD_FLAGS;
		if (ch->pdo != NVMX_TCP_DATA_HLEN + hd)
			return NVMX_TCP_BAD_PDO;
		if (ch->plen < (u32)ch->pdo + (rp->ddgst ? NVMX_TCP_DIGEST_LEN : 0))
			return NVMX_TCP_BAD_PLEN;
		return NVMX_TCP_OK;
	}
	case NVMX_TCP_C2H_TERM:
		goto term;
	default:
		return NVMX_TCP_BAD_TYPE;
	}

term:
	/* never digests; the data is the offending header, if any */
	if (ch->hlen != NVMX_TCP_TERM_HLEN)
		return NVMX_TCP_BAD_HLEN;
	if (ch->flags)
		return NVMX_TCP_BAD_FLAGS;
	if (ch->plen < NVMX_TCP_TERM_HLEN ||
	    ch->plen > NVMX_TCP_TERM_HLEN + NVMX_TCP_TERM_MAX_DATA)
		return NVMX_TCP_BAD_PLEN;
	if (ch->pdo && ch->pdo != NVMX_TCP_TERM_HLEN)
		return NVMX_TCP_BAD_PDO;
	return NVMX_TCP_OK;
}

/**
 * nvmx_tcp_check_c2h_data() - check a C2HData PDU against its command
 * @ch: its common header, passed by nvmx_tcp_check_ch()
 * @rp: the connection's parameters
 * @datao: DATAO, the offset of this PDU's data in the command's transfer
 * @datal: DATAL, its length
 * @received: bytes of the transfer received so far (data arrives in order)
 * @len: the command's transfer length; 0 for a command that reads nothing
 *
 * Return: NVMX_TCP_OK, or why the PDU is refused.
 */
static inline enum nvmx_tcp_bad
nvmx_tcp_check_c2h_data(const struct nvmx_tcp_ch *ch,
			const struct nvmx_tcp_rx_params *rp, u32 datao,
			u32 datal, u32 received, u32 len)
{
	u32 dd = rp->ddgst ? NVMX_TCP_DIGEST_LEN : 0;

	if (ch->plen - ch->pdo - dd != datal)
		return NVMX_TCP_BAD_PLEN;
	if (!datal || datao != received || received > len ||
	    datal > len - received)
		return NVMX_TCP_BAD_DATA;
	/* the last PDU ends the transfer, and only it */
	if (!!(ch->flags & NVMX_TCP_F_DATA_LAST) != (datao + datal == len))
		return NVMX_TCP_BAD_DATA;
	return NVMX_TCP_OK;
}

/**
 * nvmx_tcp_check_r2t() - check an R2T against its command
 * @r2to: R2TO, offset of the data asked for
 * @r2tl: R2TL, its length
 * @sent: bytes of the command's data sent so far (in the capsule and in
 *	answers to earlier R2Ts); the host allows one R2T at a time (MAXR2T
 *	0), and the controller asks for the data in order
 * @len: the command's data length; 0 for a command that writes nothing
 * @r2t_pending: an earlier R2T of this command is still being answered
 *
 * Return: NVMX_TCP_OK, or why the R2T is refused.
 */
static inline enum nvmx_tcp_bad
nvmx_tcp_check_r2t(u32 r2to, u32 r2tl, u32 sent, u32 len, bool r2t_pending)
{
	if (!len || r2t_pending)
		return NVMX_TCP_BAD_R2T;
	if (!r2tl || r2to != sent || sent > len || r2tl > len - sent)
		return NVMX_TCP_BAD_DATA;
	return NVMX_TCP_OK;
}

/*
 * Length of the next H2CData PDU's data answering an R2T of @left bytes
 * still to send, at most @maxh2cdata (the controller's MAXH2CDATA).
 */
static inline u32 nvmx_tcp_h2c_chunk(u32 left, u32 maxh2cdata)
{
	return left < maxh2cdata ? left : maxh2cdata;
}

/* Number of H2CData PDUs that answer an R2T of @r2tl bytes. */
static inline u32 nvmx_tcp_h2c_pdus(u32 r2tl, u32 maxh2cdata)
{
	return (r2tl + maxh2cdata - 1) / maxh2cdata;
}

/*
 * Whether a write of @len bytes goes in the command capsule: the I/O
 * queues take up to @inline_max bytes (IOCCSZ * 16 - 64, the command
 * capsule size less the command); the admin queue takes 8 KiB (the size
 * every NVMe/TCP controller supports for it).
 */
static inline bool nvmx_tcp_inline(u32 len, u32 inline_max)
{
	return len && len <= inline_max;
}

/* In-capsule data bytes of an I/O queue's command capsule: IOCCSZ is in 16-byte units. */
static inline u32 nvmx_tcp_ioccsz_inline(u32 ioccsz)
{
	return ioccsz > 4 ? (ioccsz - 4) * 16 : 0;
}

/**
 * nvmx_tcp_check_icresp() - check the controller's ICResp parameters
 * @pfv: PDU format version
 * @cpda: controller PDU data alignment
 * @dgst: DGST, the digests the controller turned on
 * @maxh2cdata: MAXH2CDATA
 * @want_hdgst: the host asked for header digests
 * @want_ddgst: the host asked for data digests
 *
 * The controller must speak version 1.0, ask for no alignment of the
 * host's data (CPDA 0, what the host's PDUs have), turn on exactly the
 * digests asked for, and take at least 4 KiB per H2CData PDU (the
 * specification's minimum) in 4-byte units.
 *
 * Return: NVMX_TCP_OK or NVMX_TCP_BAD_IC.
 */
static inline enum nvmx_tcp_bad
nvmx_tcp_check_icresp(u16 pfv, u8 cpda, u8 dgst, u32 maxh2cdata,
		      bool want_hdgst, bool want_ddgst)
{
	u8 want = (want_hdgst ? NVMX_TCP_IC_HDGST : 0) |
		  (want_ddgst ? NVMX_TCP_IC_DDGST : 0);

	if (pfv != NVMX_TCP_PFV_1_0 || cpda || dgst != want)
		return NVMX_TCP_BAD_IC;
	if (maxh2cdata < 4096 || maxh2cdata % 4)
		return NVMX_TCP_BAD_IC;
	return NVMX_TCP_OK;
}

#endif /* NVMX_TCP_LOGIC_H */
