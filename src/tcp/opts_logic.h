/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx fabrics: the option string /dev/nvmx-fabrics takes, the one
 * /dev/nvme-fabrics takes ("transport=tcp,traddr=...,nqn=...,hdr_digest"),
 * parsed as pure logic shared by the driver and the userspace unit tests.
 * Nothing here calls into the kernel.  Addresses stay strings here; the
 * transport turns them into a socket address and refuses what is not one.
 */
#ifndef NVMX_OPTS_LOGIC_H
#define NVMX_OPTS_LOGIC_H

/* Userspace includers define u8..u64 and bool before including this. */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

/* NVMF_NQN_SIZE (223) with its NUL: the in-tree host refuses longer */
#define NVMX_NQN_MAX		222
#define NVMX_TRADDR_MAX		63
#define NVMX_TRSVCID_MAX	5	/* a TCP port, in decimal */
#define NVMX_HOSTID_LEN		36	/* a UUID, 8-4-4-4-12 */

/* the in-tree defaults */
#define NVMX_DEF_QUEUE_SIZE	128
#define NVMX_DEF_KATO		5	/* seconds */
#define NVMX_DEF_RECONNECT	10	/* seconds */
#define NVMX_DEF_CTRL_LOSS	600	/* seconds */
/* without trsvcid the in-tree TCP host dials the discovery port */
#define NVMX_DEF_TRSVCID	"8009"

enum nvmx_opt_bit {
	NVMX_OPT_TRANSPORT	= 1 << 0,
	NVMX_OPT_TRADDR		= 1 << 1,
	NVMX_OPT_TRSVCID	= 1 << 2,
	NVMX_OPT_NQN		= 1 << 3,
	NVMX_OPT_HOSTNQN	= 1 << 4,
	NVMX_OPT_HOSTID		= 1 << 5,
	NVMX_OPT_NR_IO_QUEUES	= 1 << 6,
	NVMX_OPT_QUEUE_SIZE	= 1 << 7,
	NVMX_OPT_KATO		= 1 << 8,
	NVMX_OPT_RECONNECT	= 1 << 9,
	NVMX_OPT_CTRL_LOSS	= 1 << 10,
	NVMX_OPT_HDR_DIGEST	= 1 << 11,
	NVMX_OPT_DATA_DIGEST	= 1 << 12,
};

/**
 * struct nvmx_opts - what a connect asks for
 * @mask: the options given (enum nvmx_opt_bit)
 * @ctrl_loss_tmo: seconds until a lost controller is given up, -1: never
 * (the other fields as the tokens of the same names; strings terminated)
 */
struct nvmx_opts {
	u32 mask;
	char traddr[NVMX_TRADDR_MAX + 1];
	char trsvcid[NVMX_TRSVCID_MAX + 1];
	char nqn[NVMX_NQN_MAX + 1];
	char hostnqn[NVMX_NQN_MAX + 1];
	char hostid[NVMX_HOSTID_LEN + 1];
	u32 nr_io_queues;
	u32 queue_size;
	u32 kato;
	u32 reconnect_delay;
	int ctrl_loss_tmo;
	bool hdr_digest;
	bool data_digest;
};

/*
 * The tokens, as a read of /dev/nvmx-fabrics before a write lists them
 * (the in-tree device's way: "%s" a string, "%d" a number, a bare name a
 * flag).
 */
#define NVMX_OPTS_TOKENS						\
	"transport=%s,traddr=%s,trsvcid=%s,nqn=%s,hostnqn=%s,hostid=%s,"	\
	"nr_io_queues=%d,queue_size=%d,keep_alive_tmo=%d,"		\
	"reconnect_delay=%d,ctrl_loss_tmo=%d,hdr_digest,data_digest"

/* Parse a decimal number, optionally negative, in [@min, @max]. */
static inline bool nvmx_opt_num(const char *s, long long min, long long max,
				long long *out)
{
	long long v = 0;
	bool neg = false;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > 0x7fffffffLL)
			return false;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Copy @s into @dst of @size bytes; false when empty or too long. */
static inline bool nvmx_opt_str(char *dst, unsigned int size, const char *s)
{
	unsigned int n = 0;

	while (s[n])
		if (++n >= size)
			return false;
	if (!n)
		return false;
	for (n = 0; s[n]; n++)
		dst[n] = s[n];
	dst[n] = '\0';
	return true;
}

/* A UUID in its 36-character text form. */
static inline bool nvmx_opt_uuid(const char *s)
{
	unsigned int i;

	for (i = 0; i < NVMX_HOSTID_LEN; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return s[i] == '\0';
}

static inline bool nvmx_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/**
 * nvmx_opts_parse() - parse a connect's option string
 * @buf: the string, modified in place (commas and '=' become NULs); a
 *	trailing newline is allowed
 * @o: filled in, defaults first
 * @bad: on failure, the token refused (a pointer into @buf)
 *
 * Every token at most once; "transport=tcp", "traddr" and "nqn" needed;
 * numbers in range: nr_io_queues 1 to 65535, queue_size 16 to 1024,
 * keep_alive_tmo 0 to 65535 seconds (0: no keep-alive), reconnect_delay
 * 1 to 3600 seconds, ctrl_loss_tmo -1 (reconnect for ever) to 2^31 - 1.
 *
 * Return: 0, or -1 with @bad set (the name alone when a needed token is
 * missing).
 */
static inline int nvmx_opts_parse(char *buf, struct nvmx_opts *o,
				  const char **bad)
{
	static const struct {
		const char *name;
		u32 bit;
	} tokens[] = {
		{ "transport", NVMX_OPT_TRANSPORT },
		{ "traddr", NVMX_OPT_TRADDR },
		{ "trsvcid", NVMX_OPT_TRSVCID },
		{ "nqn", NVMX_OPT_NQN },
		{ "hostnqn", NVMX_OPT_HOSTNQN },
		{ "hostid", NVMX_OPT_HOSTID },
		{ "nr_io_queues", NVMX_OPT_NR_IO_QUEUES },
		{ "queue_size", NVMX_OPT_QUEUE_SIZE },
		{ "keep_alive_tmo", NVMX_OPT_KATO },
		{ "reconnect_delay", NVMX_OPT_RECONNECT },
		{ "ctrl_loss_tmo", NVMX_OPT_CTRL_LOSS },
		{ "hdr_digest", NVMX_OPT_HDR_DIGEST },
		{ "data_digest", NVMX_OPT_DATA_DIGEST },
		{ NULL, 0 },
	};
	char *p = buf, *tok, *val;
	unsigned int i;
	long long v;
	bool ok;

	*o = (struct nvmx_opts){
		.queue_size = NVMX_DEF_QUEUE_SIZE,
		.kato = NVMX_DEF_KATO,
		.reconnect_delay = NVMX_DEF_RECONNECT,
		.ctrl_loss_tmo = NVMX_DEF_CTRL_LOSS,
	};
	for (i = 0; p[i]; i++)
		;
	if (i && p[i - 1] == '\n')
		p[i - 1] = '\0';

	while (*p) {
		tok = p;
		while (*p && *p != ',')
			p++;
		if (*p)
			*p++ = '\0';
		if (!*tok)
			continue;	/* ",," and a trailing comma */
		*bad = tok;
		for (val = tok; *val && *val != '='; val++)
			;
		if (*val)
			*val++ = '\0';
		else
			val = NULL;
		for (i = 0; tokens[i].name; i++)
			if (nvmx_streq(tok, tokens[i].name))
				break;
		if (!tokens[i].name || (o->mask & tokens[i].bit))
			return -1;
		o->mask |= tokens[i].bit;
		/* flags take no value, the others need one */
		if (!(tokens[i].bit & (NVMX_OPT_HDR_DIGEST | NVMX_OPT_DATA_DIGEST)) != !!val)
			return -1;
		switch (tokens[i].bit) {
		case NVMX_OPT_TRANSPORT:
			ok = nvmx_streq(val, "tcp");
			break;
		case NVMX_OPT_TRADDR:
			ok = nvmx_opt_str(o->traddr, sizeof(o->traddr), val);
			break;
		case NVMX_OPT_TRSVCID:
			ok = nvmx_opt_num(val, 1, 65535, &v) &&
			     nvmx_opt_str(o->trsvcid, sizeof(o->trsvcid), val);
			break;
		case NVMX_OPT_NQN:
			ok = nvmx_opt_str(o->nqn, sizeof(o->nqn), val);
			break;
		case NVMX_OPT_HOSTNQN:
			ok = nvmx_opt_str(o->hostnqn, sizeof(o->hostnqn), val);
			break;
		case NVMX_OPT_HOSTID:
			ok = nvmx_opt_uuid(val) &&
			     nvmx_opt_str(o->hostid, sizeof(o->hostid), val);
			break;
		case NVMX_OPT_NR_IO_QUEUES:
			ok = nvmx_opt_num(val, 1, 65535, &v);
			o->nr_io_queues = v;
			break;
		case NVMX_OPT_QUEUE_SIZE:
			ok = nvmx_opt_num(val, 16, 1024, &v);
			o->queue_size = v;
			break;
		case NVMX_OPT_KATO:
			ok = nvmx_opt_num(val, 0, 65535, &v);
			o->kato = v;
			break;
		case NVMX_OPT_RECONNECT:
			ok = nvmx_opt_num(val, 1, 3600, &v);
			o->reconnect_delay = v;
			break;
		case NVMX_OPT_CTRL_LOSS:
			ok = nvmx_opt_num(val, -1, 0x7fffffff, &v);
			o->ctrl_loss_tmo = v;
			break;
		case NVMX_OPT_HDR_DIGEST:
			o->hdr_digest = true;
			ok = true;
			break;
		default:
			o->data_digest = true;
			ok = true;
			break;
		}
		if (!ok)
			return -1;
	}
	if (!(o->mask & NVMX_OPT_TRANSPORT)) {
		*bad = "transport";
		return -1;
	}
	if (!(o->mask & NVMX_OPT_TRADDR)) {
		*bad = "traddr";
		return -1;
	}
	if (!(o->mask & NVMX_OPT_NQN)) {
		*bad = "nqn";
		return -1;
	}
	if (!(o->mask & NVMX_OPT_TRSVCID))
		nvmx_opt_str(o->trsvcid, sizeof(o->trsvcid), NVMX_DEF_TRSVCID);
	return 0;
}

#endif /* NVMX_OPTS_LOGIC_H */
