// SPDX-License-Identifier: GPL-2.0
/*
 * fake-target: a small NVMe/TCP controller on loopback that misbehaves on
 * purpose, for the malformed-PDU test (tests/vm/530-tcp-fuzz.sh).
 *
 *   fake-target PORT MODE [SEED]
 *
 * It accepts one connection (the admin queue), answers ICReq and the
 * commands that follow as a controller would (Connect, Property Get/Set,
 * Identify and the rest with zeroed data and success), until the point
 * MODE names, where it sends a malformed PDU instead; then it reads until
 * the host closes the connection (at most 60 s) and exits.  Exit status:
 * 0 when the malformed PDU went out and the host closed, 1 otherwise.
 *
 * Modes: ic-type ic-pfv ic-maxdata ic-cpda ic-hlen ic-short (the ICResp);
 * rsp-type rsp-hlen rsp-plen rsp-cid rsp-early-close (a response to the
 * first Property Get); c2h-nodata (data for a command that has none);
 * c2h-off c2h-len c2h-plen c2h-success-short r2t-read term term-bare (the
 * first command with data to read, Identify; term-bare: a termination
 * request that is its header alone); random (SEED picks the command
 * and either random bytes or a valid answer with bytes flipped).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define T_ICREQ		0x00
#define T_ICRESP	0x01
#define T_H2C_TERM	0x02
#define T_C2H_TERM	0x03
#define T_CMD		0x04
#define T_RSP		0x05
#define T_C2H_DATA	0x07
#define T_R2T		0x09

#define F_LAST		0x04
#define F_SUCCESS	0x08

static const char *mode;
static int fd = -1;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static void ch(uint8_t *p, uint8_t type, uint8_t flags, uint8_t hlen,
	       uint8_t pdo, uint32_t plen)
{
	p[0] = type;
	p[1] = flags;
	p[2] = hlen;
	p[3] = pdo;
	put32(p + 4, plen);
}

/* 0 when all went out; the host may have closed already. */
static int send_all(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read exactly @len bytes within 30 s; -1 when the host closed. */
static int recv_all(void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		if (poll(&pfd, 1, 30000) <= 0)
			return -1;
		n = recv(fd, p, len, 0);
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* After the bad PDU: the host must close the connection, within 60 s. */
static int wait_close(void)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[4096];
	time_t end = time(NULL) + 60;
	ssize_t n;

	while (time(NULL) < end) {
		if (poll(&pfd, 1, 1000) < 0)
			return 1;
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			printf("fake-target: %s: the host closed the connection\n",
			       mode);
			return 0;
		}
	}
	printf("fake-target: %s: the host kept the connection for 60 s\n", mode);
	return 1;
}

static int is(const char *m)
{
	return !strcmp(mode, m);
}

static int prefix(const char *p)
{
	return !strncmp(mode, p, strlen(p));
}

/* A CapsuleResp for command id @cid: status @status, result @result. */
static void rsp(uint8_t *p, uint16_t cid, uint16_t status, uint64_t result)
{
	memset(p, 0, 24);
	ch(p, T_RSP, 0, 24, 0, 24);
	put32(p + 8, result);
	put32(p + 12, result >> 32);
	put16(p + 20, cid);
	put16(p + 22, status << 1);
}

static void icresp(void)
{
	uint8_t p[128] = { 0 };

	ch(p, T_ICRESP, 0, 128, 0, 128);
	put32(p + 12, 1 << 20);			/* MAXH2CDATA */
	if (is("ic-type"))
		p[0] = T_RSP;
	else if (is("ic-pfv"))
		put16(p + 8, 7);
	else if (is("ic-maxdata"))
		put32(p + 12, 16);
	else if (is("ic-cpda"))
		p[10] = 31;
	else if (is("ic-hlen"))
		p[2] = 24;
	if (is("ic-short")) {
		send_all(p, 40);
		return;
	}
	send_all(p, sizeof(p));
}

/* State the controller keeps: CC, for CSTS. */
static uint32_t cc;

/*
 * The answer a controller gives to command @sqe into @out (data PDU
 * first when it reads data); its length.
 */
static size_t answer(const uint8_t *sqe, uint8_t *out, int *reads)
{
	uint8_t opc = sqe[0];
	uint16_t cid = get16(sqe + 2);
	uint32_t dlen = get32(sqe + 32);
	uint64_t res = 0;
	size_t len = 0;

	*reads = 0;
	if (opc == 0x7f) {
		uint8_t fctype = sqe[4];
		uint32_t off = get32(sqe + 44);

		if (fctype == 0x01) {			/* Connect */
			res = 1;			/* cntlid 1 */
		} else if (fctype == 0x04) {		/* Property Get */
			if (off == 0x00)		/* CAP: MQES 127, TO 1 */
				res = 127 | 1ULL << 24 | 1ULL << 37;
			else if (off == 0x08)
				res = 0x10300;
			else if (off == 0x14)
				res = cc;
			else if (off == 0x1c)
				res = (cc & 1) | ((cc >> 14 & 3) ? 2 << 2 : 0);
		} else if (fctype == 0x00) {		/* Property Set */
			if (get32(sqe + 44) == 0x14)
				cc = get32(sqe + 48);
		}
	} else if ((opc & 3) == 2 && dlen) {		/* reads data */
		if (dlen > 1 << 20)
			dlen = 1 << 20;
		*reads = 1;
		memset(out, 0, 24 + dlen);
		ch(out, T_C2H_DATA, F_LAST, 24, 24, 24 + dlen);
		put16(out + 8, cid);
		put32(out + 12, 0);
		put32(out + 16, dlen);
		if (opc == 0x06 && sqe[40] == 1) {	/* Identify Controller */
			uint8_t *id = out + 24;

			memcpy(id + 4, "FAKE0001            ", 20);
			memcpy(id + 24, "nvmx fake target", 16);
			memset(id + 40, ' ', 24);
			put16(id + 78, 1);		/* cntlid */
			put32(id + 516, 1);		/* nn */
			put32(id + 1792, 4);		/* ioccsz */
			put32(id + 1796, 1);		/* iorcsz */
		}
		len = 24 + dlen;
	}
	rsp(out + len, cid, 0, res);
	return len + 24;
}

/* The bad version of the answer to @sqe; its length. */
static size_t corrupt(const uint8_t *sqe, uint8_t *out, size_t len, int reads)
{
	uint16_t cid = get16(sqe + 2);
	size_t i, n;

	if (is("rsp-type"))
		out[len - 24] = 0x0b;
	else if (is("rsp-hlen"))
		out[len - 24 + 2] = 16;
	else if (is("rsp-plen"))
		put32(out + len - 24 + 4, 0xfffffff0);
	else if (is("rsp-cid"))
		put16(out + len - 24 + 20, cid ^ 0x5a5a);
	else if (is("rsp-early-close"))
		return 12;
	else if (is("c2h-nodata")) {
		memset(out, 0, 24 + 512);
		ch(out, T_C2H_DATA, F_LAST, 24, 24, 24 + 512);
		put16(out + 8, cid);
		put32(out + 16, 512);
		rsp(out + 24 + 512, cid, 0, 0);
		return 24 + 512 + 24;
	} else if (is("c2h-off"))
		put32(out + 12, 1 << 30);
	else if (is("c2h-len"))
		put32(out + 16, get32(out + 16) + 4096);
	else if (is("c2h-plen"))
		put32(out + 4, get32(out + 4) - 100);
	else if (is("c2h-success-short")) {
		/* half the data, SUCCESS: the rest never comes */
		n = get32(out + 16) / 2;
		put32(out + 16, n);
		put32(out + 4, 24 + n);
		out[1] = F_LAST | F_SUCCESS;
		return 24 + n;
	} else if (is("r2t-read")) {
		memset(out, 0, 24);
		ch(out, T_R2T, 0, 24, 0, 24);
		put16(out + 8, cid);
		put32(out + 16, 4096);
		return 24;
	} else if (is("term")) {
		memset(out, 0, 24 + 8);
		ch(out, T_C2H_TERM, 0, 24, 0, 24 + 8);
		put16(out + 8, 1);
		return 24 + 8;
	} else if (is("term-bare")) {
		memset(out, 0, 24);
		ch(out, T_C2H_TERM, 0, 24, 0, 24);
		put16(out + 8, 1);
		return 24;
	} else if (is("random")) {
		if (rand() % 3 == 0) {
			n = 1 + rand() % 300;
			for (i = 0; i < n; i++)
				out[i] = rand();
			return n;
		}
		n = 1 + rand() % 4;
		for (i = 0; i < n; i++) {
			/* within a header: the first 24 bytes of a PDU */
			size_t at = rand() % 24;

			if (reads && rand() % 2)
				at += len - 24;
			out[at] ^= 1 << (rand() % 8);
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t hdr[8], *pdu, *out;
	int lfd, one = 1, target, ncmd = 0, reads;
	size_t len;

	if (argc < 3) {
		fprintf(stderr, "usage: fake-target PORT MODE [SEED]\n");
		return 2;
	}
	mode = argv[2];
	srand(argc > 3 ? atoi(argv[3]) : 1);
	/* the command answered badly: random picks one of the first six */
	target = is("random") ? rand() % 6 : 1;
	pdu = malloc(1 << 21);
	out = malloc(1 << 21);
	if (!pdu || !out)
		die("malloc");

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_port = htons(atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (void *)&sin, sizeof(sin)) || listen(lfd, 4))
		die("bind/listen");
	printf("fake-target: listening on %s, mode %s\n", argv[1], mode);
	fflush(stdout);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	/* no I/O queue connects: they are refused at once */
	close(lfd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	if (recv_all(pdu, 128) || pdu[0] != T_ICREQ) {
		fprintf(stderr, "fake-target: no ICReq\n");
		return 1;
	}
	icresp();
	if (prefix("ic-"))
		return wait_close();

	for (;;) {
		uint32_t plen;

		if (recv_all(hdr, 8)) {
			fprintf(stderr, "fake-target: %s: the host closed before command %d\n",
				mode, target);
			return 1;
		}
		plen = get32(hdr + 4);
		if (hdr[0] != T_CMD || plen < 72 || plen > (1 << 21)) {
			fprintf(stderr, "fake-target: unexpected PDU type 0x%x length %u\n",
				hdr[0], plen);
			return 1;
		}
		memcpy(pdu, hdr, 8);
		if (recv_all(pdu + 8, plen - 8))
			return 1;
		len = answer(pdu + 8, out, &reads);
		/* the data modes wait for the first command that reads data */
		if ((prefix("c2h-") && strcmp(mode, "c2h-nodata")) ||
		    is("r2t-read") || prefix("term") ? reads :
		    ncmd == target) {
			len = corrupt(pdu + 8, out, len, reads);
			send_all(out, len);
			if (is("rsp-early-close"))
				shutdown(fd, SHUT_WR);
			return wait_close();
		}
		if (send_all(out, len))
			return 1;
		ncmd++;
	}
}
