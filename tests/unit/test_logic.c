// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/core/nvmx_logic.h, src/pci/pci_logic.h and
 * src/tcp/tcp_logic.h.  Each test prints one line:
 * "ok <name>" or "not ok <name>: <what failed>".  The exit status is the
 * number of failed tests (capped), so make stops on failure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#include "nvmx_logic.h"
#include "pci_logic.h"
#include "tcp_logic.h"
#include "opts_logic.h"

static int failed, passed;
static const char *cur;
static bool cur_failed;

#define EXPECT_EQ(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b && !cur_failed) {					\
		printf("not ok %s: %s == %llu, expected %llu (line %d)\n", \
		       cur, #a, _a, _b, __LINE__);			\
		cur_failed = true;					\
	}								\
} while (0)

static void run(const char *name, void (*fn)(void))
{
	cur = name;
	cur_failed = false;
	fn();
	if (cur_failed) {
		failed++;
	} else {
		passed++;
		printf("ok %s\n", name);
	}
}

/* CAP with the given MQES, TO, DSTRD, MPSMIN, MPSMAX, CSS=NVM. */
static u64 make_cap(u32 mqes, u32 to, u32 dstrd, u32 mpsmin, u32 mpsmax)
{
	return (u64)mqes | (u64)to << 24 | (u64)dstrd << 32 | 1ULL << 37 |
	       (u64)mpsmin << 48 | (u64)mpsmax << 52;
}

static void test_cap_fields(void)
{
	u64 cap = make_cap(2047, 30, 2, 0, 4);

	EXPECT_EQ(nvmx_cap_timeout_ms(cap), 15000);
	EXPECT_EQ(nvmx_cap_db_stride(cap), 16);
	EXPECT_EQ(nvmx_cap_max_entries(cap), 2048);
	EXPECT_EQ(nvmx_cap_mps_min_shift(cap), 12);
	EXPECT_EQ(nvmx_cap_mps_max_shift(cap), 16);
	/* TO of 0 still waits one unit */
	EXPECT_EQ(nvmx_cap_timeout_ms(make_cap(1, 0, 0, 0, 0)), 500);
	EXPECT_EQ(nvmx_cap_db_stride(make_cap(1, 1, 0, 0, 0)), 4);
	EXPECT_EQ(nvmx_cap_max_entries(make_cap(0xffff, 1, 0, 0, 0)), 65536);
}

static void test_page_shift(void)
{
	/* controller offers 4K..64K: take the host page */
	EXPECT_EQ(nvmx_ctrl_page_shift(make_cap(1, 1, 0, 0, 4), 12), 12);
	/* host pages of 64K and a controller up to 16K: 16K */
	EXPECT_EQ(nvmx_ctrl_page_shift(make_cap(1, 1, 0, 0, 2), 16), 14);
	/* controller minimum 8K above a 4K host page: unusable */
	EXPECT_EQ(nvmx_ctrl_page_shift(make_cap(1, 1, 0, 1, 4), 12), 0);
}

static void test_queue_depth(void)
{
	EXPECT_EQ(nvmx_queue_depth(make_cap(2047, 1, 0, 0, 0), 1024), 1024);
	EXPECT_EQ(nvmx_queue_depth(make_cap(63, 1, 0, 0, 0), 1024), 64);
	EXPECT_EQ(nvmx_queue_depth(make_cap(1, 1, 0, 0, 0), 1024), 2);
	EXPECT_EQ(nvmx_queue_depth(make_cap(2047, 1, 0, 0, 0), 1), 2);
	EXPECT_EQ(nvmx_queue_depth(make_cap(0xffff, 1, 0, 0, 0), 65536),
		  65536);
}

static void test_version(void)
{
	EXPECT_EQ(nvmx_vs_major(0x00010400), 1);
	EXPECT_EQ(nvmx_vs_minor(0x00010400), 4);
	EXPECT_EQ(nvmx_vs_tertiary(0x00020001), 1);
}

static void test_ring(void)
{
	u16 head = 0, tail = 0;
	u8 phase = 1;
	int i;

	EXPECT_EQ(nvmx_ring_next(0, 2), 1);
	EXPECT_EQ(nvmx_ring_next(1, 2), 0);
	EXPECT_EQ(nvmx_ring_next(65534, 65535), 0);

	/* walking a 4-slot CQ flips the phase exactly at each wrap */
	for (i = 0; i < 3; i++)
		nvmx_cq_advance(&head, &phase, 4);
	EXPECT_EQ(head, 3);
	EXPECT_EQ(phase, 1);
	nvmx_cq_advance(&head, &phase, 4);
	EXPECT_EQ(head, 0);
	EXPECT_EQ(phase, 0);
	for (i = 0; i < 4; i++)
		nvmx_cq_advance(&head, &phase, 4);
	EXPECT_EQ(phase, 1);

	EXPECT_EQ(nvmx_ring_used(0, 0, 8), 0);
	EXPECT_EQ(nvmx_ring_used(2, 5, 8), 3);
	EXPECT_EQ(nvmx_ring_used(6, 1, 8), 3);
	tail = nvmx_ring_next(7, 8);
	EXPECT_EQ(nvmx_ring_used(7, tail, 8), 1);
}

static void test_event_crossed(void)
{
	u16 e;

	/* 5 -> 8 passes events 5, 6, 7, not 8 or 4 */
	for (e = 5; e < 8; e++)
		EXPECT_EQ(nvmx_event_crossed(e, 8, 5), 1);
	EXPECT_EQ(nvmx_event_crossed(8, 8, 5), 0);
	EXPECT_EQ(nvmx_event_crossed(4, 8, 5), 0);
	/* no movement needs no doorbell */
	EXPECT_EQ(nvmx_event_crossed(5, 5, 5), 0);
	/* a ring of 65536 slots wrapping: 65534 -> 2 passes 65535, 0 and 1 */
	EXPECT_EQ(nvmx_event_crossed(65535, 2, 65534), 1);
	EXPECT_EQ(nvmx_event_crossed(0, 2, 65534), 1);
	EXPECT_EQ(nvmx_event_crossed(1, 2, 65534), 1);
	EXPECT_EQ(nvmx_event_crossed(2, 2, 65534), 0);
	EXPECT_EQ(nvmx_event_crossed(65533, 2, 65534), 0);
	/* a ring of 1024 slots wrapping from 1020 to 3: indices stay < 1024 */
	EXPECT_EQ(nvmx_event_crossed(1020, 3, 1020), 1);
	EXPECT_EQ(nvmx_event_crossed(1023, 3, 1020), 1);
	EXPECT_EQ(nvmx_event_crossed(2, 3, 1020), 1);
	EXPECT_EQ(nvmx_event_crossed(3, 3, 1020), 0);
	EXPECT_EQ(nvmx_event_crossed(1019, 3, 1020), 0);
	EXPECT_EQ(nvmx_event_crossed(500, 3, 1020), 0);
}

static void test_cid(void)
{
	u16 tag, cid;
	u8 gen = 0;
	int i;

	for (tag = 0; tag < 4096; tag += 91) {
		for (gen = 0; gen < 16; gen++) {
			cid = nvmx_cid_make(tag, gen);
			EXPECT_EQ(nvmx_cid_tag(cid), tag);
			EXPECT_EQ(nvmx_cid_gen(cid), gen);
		}
	}
	/* the generation wraps within its 4 bits */
	gen = 0;
	for (i = 0; i < 16; i++)
		gen = nvmx_gen_next(gen);
	EXPECT_EQ(gen, 0);
	EXPECT_EQ(nvmx_gen_next(15), 0);
	/* a stale completion (old generation) does not match */
	EXPECT_EQ(nvmx_cid_gen(nvmx_cid_make(5, 3)) == 4, 0);
}

static void test_status(void)
{
	/* Unrecovered Read Error: SCT 2, SC 0x81, DNR set */
	u16 st = 1 << 14 | 2 << 8 | 0x81;

	EXPECT_EQ(nvmx_status_sc(st), 0x81);
	EXPECT_EQ(nvmx_status_sct(st), 2);
	EXPECT_EQ(nvmx_status_dnr(st), 1);
	EXPECT_EQ(nvmx_status_code(st), 0x281);
	EXPECT_EQ(nvmx_status_crd(3 << 11), 3);
	EXPECT_EQ(nvmx_should_retry(st, 0, 5), 0);
	/* the same without DNR is retried up to the limit */
	st &= ~(1 << 14);
	EXPECT_EQ(nvmx_should_retry(st, 0, 5), 1);
	EXPECT_EQ(nvmx_should_retry(st, 4, 5), 1);
	EXPECT_EQ(nvmx_should_retry(st, 5, 5), 0);
	EXPECT_EQ(nvmx_should_retry(st, 0, 0), 0);
	/* success, even with CRD or More bits, never retries */
	EXPECT_EQ(nvmx_should_retry(1 << 13, 0, 5), 0);
}

static void test_prp_pages(void)
{
	/* page aligned */
	EXPECT_EQ(nvmx_prp_pages(0x10000, 512, 12), 1);
	EXPECT_EQ(nvmx_prp_pages(0x10000, 4096, 12), 1);
	EXPECT_EQ(nvmx_prp_pages(0x10000, 4097, 12), 2);
	EXPECT_EQ(nvmx_prp_pages(0x10000, 8192, 12), 2);
	EXPECT_EQ(nvmx_prp_pages(0x10000, 1 << 20, 12), 256);
	/* offset into the first page */
	EXPECT_EQ(nvmx_prp_pages(0x10e00, 512, 12), 1);
	EXPECT_EQ(nvmx_prp_pages(0x10e00, 513, 12), 2);
	EXPECT_EQ(nvmx_prp_pages(0x10200, 8192, 12), 3);
	EXPECT_EQ(nvmx_prp_pages(0x10200, 4096 - 0x200 + 4096, 12), 2);
}

static void test_prp_list_pages(void)
{
	/* 4K pages hold 512 entries; chaining uses the last one */
	EXPECT_EQ(nvmx_prp_list_pages(2, 12), 1);
	EXPECT_EQ(nvmx_prp_list_pages(512, 12), 1);
	EXPECT_EQ(nvmx_prp_list_pages(513, 12), 2);
	EXPECT_EQ(nvmx_prp_list_pages(511 + 512, 12), 2);
	EXPECT_EQ(nvmx_prp_list_pages(511 + 512 + 1, 12), 3);
	EXPECT_EQ(nvmx_prp_list_pages(1024, 12), 3);
}

/*
 * Cross-check nvmx_prp_list_pages() by simulating how entries are placed:
 * fill a page; when a page is full and entries remain, its last slot
 * becomes the chain pointer.
 */
static u32 simulate_list_pages(u32 entries, u32 per_page)
{
	u32 pages = 1, slot = 0, left = entries;

	while (left) {
		if (slot == per_page - 1 && left > 1) {
			pages++;
			slot = 0;
		}
		slot++;
		left--;
	}
	return pages;
}

static void test_prp_list_pages_sim(void)
{
	u32 n;

	for (n = 1; n < 5000; n++)
		EXPECT_EQ(nvmx_prp_list_pages(n, 12), simulate_list_pages(n, 512));
	for (n = 1; n < 200; n++)
		EXPECT_EQ(nvmx_prp_list_pages(n, 5), simulate_list_pages(n, 4));
}

static void test_lat_bucket(void)
{
	u64 ns;
	u32 b;

	EXPECT_EQ(nvmx_lat_bucket(0), 0);
	EXPECT_EQ(nvmx_lat_bucket(1), 0);
	EXPECT_EQ(nvmx_lat_bucket(2047), 0);
	EXPECT_EQ(nvmx_lat_bucket(2048), 1);
	EXPECT_EQ(nvmx_lat_bucket(4095), 1);
	EXPECT_EQ(nvmx_lat_bucket(4096), 2);
	EXPECT_EQ(nvmx_lat_bucket(~0ULL), NVMX_LAT_BUCKETS - 1);
	/* every bucket but the edges holds exactly [2^(i+10), 2^(i+11)) */
	for (b = 1; b < NVMX_LAT_BUCKETS - 1; b++) {
		ns = 1ULL << (b + NVMX_LAT_MIN_SHIFT);
		EXPECT_EQ(nvmx_lat_bucket(ns), b);
		EXPECT_EQ(nvmx_lat_bucket(2 * ns - 1), b);
	}
	EXPECT_EQ(nvmx_lat_bucket(1ULL << (NVMX_LAT_BUCKETS - 1 +
					   NVMX_LAT_MIN_SHIFT)),
		  NVMX_LAT_BUCKETS - 1);
}

/*
 * A controller and a host sharing one CQ, one small step at a time: the
 * host keeps up to sq_depth - 1 commands outstanding and reaps entry by
 * entry, reporting its CQ head the way nvmx_process_cq() does (at the end
 * of a batch when @hold is 0, else as soon as @hold consumed entries are
 * unreported); the controller may act between any two host steps, the
 * doorbell write included.  Return: how often the controller had a
 * completion to post and found the ring full.
 */
static u32 simulate_cq_full(u32 sq_depth, u32 cq_depth, u32 hold, u32 steps)
{
	u32 outstanding = 0, posted = 0, tail = 0, head = 0, reported = 0;
	u32 full = 0, seed = 12345, since = 0, i;
	bool reaping = false, ring_due = false;

	for (i = 0; i < steps; i++) {
		u32 r;

		seed = seed * 1103515245 + 12345;
		r = seed >> 16;
		if (r % 4 == 0) {
			if (outstanding < sq_depth - 1)
				outstanding++;		/* host submits */
		} else if (r % 4 == 1) {
			if (posted == outstanding)
				continue;
			if ((tail + 1) % cq_depth == reported) {
				full++;			/* controller: no room */
				continue;
			}
			tail = (tail + 1) % cq_depth;	/* controller posts */
			posted++;
		} else if (ring_due) {
			reported = head;		/* doorbell write */
			ring_due = false;
		} else if (reaping && head != tail && r % 9) {
			head = (head + 1) % cq_depth;	/* one entry reaped */
			posted--;
			outstanding--;
			since++;
			if (hold && (head - reported + cq_depth) % cq_depth >= hold) {
				ring_due = true;
				since = 0;
			}
		} else if (reaping) {
			reaping = false;		/* end of the batch */
			ring_due = since && !hold;
			since = 0;
		} else {
			reaping = true;			/* an interrupt */
		}
	}
	return full;
}

static void test_cq_hold(void)
{
	u32 sq;

	EXPECT_EQ(nvmx_cq_depth(1024, 2048), 2048);
	EXPECT_EQ(nvmx_cq_depth(1024, 1500), 1500);
	EXPECT_EQ(nvmx_cq_depth(2048, 2048), 2048);
	EXPECT_EQ(nvmx_cq_hold(1024, 2048), 1024);
	EXPECT_EQ(nvmx_cq_hold(2048, 2048), 0);
	for (sq = 2; sq <= 64; sq++) {
		u32 cq = nvmx_cq_depth(sq, 65536);

		/* the bound never lets the controller find the ring full */
		EXPECT_EQ(simulate_cq_full(sq, cq, nvmx_cq_hold(sq, cq),
					   200000), 0);
		EXPECT_EQ(simulate_cq_full(sq, sq + sq / 2,
					   nvmx_cq_hold(sq, sq + sq / 2),
					   200000), 0);
	}
	/* and it is tight: one more held entry can make it wait for room */
	EXPECT_EQ(simulate_cq_full(4, 8, nvmx_cq_hold(4, 8) + 1, 200000) > 0, 1);
	EXPECT_EQ(simulate_cq_full(16, 24, nvmx_cq_hold(16, 24) + 1,
				   2000000) > 0, 1);
}

static void test_use_sgl(void)
{
	/* SGLS bits 1:0: 0 none, 1 any alignment, 2 dword aligned */
	EXPECT_EQ(nvmx_use_sgl(0, 32768, 1 << 20, 1), 0);
	EXPECT_EQ(nvmx_use_sgl(0x30000, 32768, 1 << 20, 1), 0);
	EXPECT_EQ(nvmx_use_sgl(1, 32768, 1 << 20, 1), 1);
	EXPECT_EQ(nvmx_use_sgl(2, 32768, 32768, 1), 1);
	EXPECT_EQ(nvmx_use_sgl(1, 32768, 32767, 1), 0);
	/* the average segment counts: 32 pages of 4 KiB take PRPs */
	EXPECT_EQ(nvmx_use_sgl(1, 32768, 128 << 10, 32), 0);
	EXPECT_EQ(nvmx_use_sgl(1, 32768, 128 << 10, 4), 1);
	/* rounded up: 65537 bytes in 2 segments average 32769 */
	EXPECT_EQ(nvmx_use_sgl(1, 32769, 65537, 2), 1);
	EXPECT_EQ(nvmx_use_sgl(1, 32770, 65537, 2), 0);
	/* threshold 0: PRPs only; 1: every transfer */
	EXPECT_EQ(nvmx_use_sgl(1, 0, 1 << 20, 1), 0);
	EXPECT_EQ(nvmx_use_sgl(1, 1, 512, 1), 1);
	EXPECT_EQ(nvmx_use_sgl(1, 1, 128 << 10, 32), 1);
}

static void test_ns_probe_limit(void)
{
	EXPECT_EQ(nvmx_ns_probe_limit(0), 0);
	EXPECT_EQ(nvmx_ns_probe_limit(1), 1);
	EXPECT_EQ(nvmx_ns_probe_limit(256), 256);
	EXPECT_EQ(nvmx_ns_probe_limit(NVMX_NS_PROBE_MAX), NVMX_NS_PROBE_MAX);
	EXPECT_EQ(nvmx_ns_probe_limit(NVMX_NS_PROBE_MAX + 1), NVMX_NS_PROBE_MAX);
	EXPECT_EQ(nvmx_ns_probe_limit(0xffffffffU), NVMX_NS_PROBE_MAX);
}

/* A common header as bytes, decoded: the decoder is what the driver uses. */
static struct nvmx_tcp_ch tcp_ch(u8 type, u8 flags, u8 hlen, u8 pdo, u32 plen)
{
	struct nvmx_tcp_ch ch;
	u8 raw[NVMX_TCP_CH_LEN];

	nvmx_tcp_ch_encode(raw, type, flags, hlen, pdo, plen);
	nvmx_tcp_ch_decode(raw, &ch);
	return ch;
}

static void test_tcp_fields(void)
{
	u8 b[8] = { 0x07, 0x0c, 24, 28, 0x78, 0x56, 0x34, 0x12 };
	struct nvmx_tcp_ch ch;

	nvmx_tcp_ch_decode(b, &ch);
	EXPECT_EQ(ch.type, NVMX_TCP_C2H_DATA);
	EXPECT_EQ(ch.flags, NVMX_TCP_F_DATA_LAST | NVMX_TCP_F_DATA_SUCCESS);
	EXPECT_EQ(ch.hlen, 24);
	EXPECT_EQ(ch.pdo, 28);
	EXPECT_EQ(ch.plen, 0x12345678);
	EXPECT_EQ(nvmx_tcp_get16(b + 4), 0x5678);
	nvmx_tcp_put32(b, 0xa1b2c3d4);
	EXPECT_EQ(b[0], 0xd4);
	EXPECT_EQ(b[3], 0xa1);
	nvmx_tcp_put16(b, 0xbeef);
	EXPECT_EQ(b[0], 0xef);
	EXPECT_EQ(b[1], 0xbe);
}

static void test_tcp_check_ch(void)
{
	struct nvmx_tcp_rx_params none = { .ic_done = true };
	struct nvmx_tcp_rx_params dig = { .hdgst = true, .ddgst = true, .ic_done = true };
	struct nvmx_tcp_rx_params init = { 0 };
	struct nvmx_tcp_ch ch;

	/* before ICResp: only ICResp or a termination */
	ch = tcp_ch(NVMX_TCP_ICRESP, 0, 128, 0, 128);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &init), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_TYPE);
	ch = tcp_ch(NVMX_TCP_ICRESP, 0, 128, 0, 129);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &init), NVMX_TCP_BAD_PLEN);
	ch = tcp_ch(NVMX_TCP_ICRESP, 0, 24, 0, 128);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &init), NVMX_TCP_BAD_HLEN);
	ch = tcp_ch(NVMX_TCP_ICRESP, NVMX_TCP_F_HDGST, 128, 0, 128);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &init), NVMX_TCP_BAD_FLAGS);
	ch = tcp_ch(NVMX_TCP_RSP, 0, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &init), NVMX_TCP_BAD_TYPE);
	ch = tcp_ch(NVMX_TCP_C2H_TERM, 0, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &init), NVMX_TCP_OK);

	/* responses and R2Ts: fixed lengths, the header digest as negotiated */
	ch = tcp_ch(NVMX_TCP_RSP, 0, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_BAD_FLAGS);
	ch = tcp_ch(NVMX_TCP_RSP, NVMX_TCP_F_HDGST, 24, 0, 28);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_FLAGS);
	ch = tcp_ch(NVMX_TCP_RSP, NVMX_TCP_F_HDGST, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_BAD_PLEN);
	ch = tcp_ch(NVMX_TCP_RSP, 0, 23, 0, 23);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_HLEN);
	ch = tcp_ch(NVMX_TCP_RSP, 0, 24, 24, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_PDO);
	ch = tcp_ch(NVMX_TCP_RSP, 0, 24, 0, 0xffffffffu);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_PLEN);
	ch = tcp_ch(NVMX_TCP_R2T, 0, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_OK);
	ch = tcp_ch(NVMX_TCP_R2T, NVMX_TCP_F_DATA_LAST, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_FLAGS);

	/* C2HData: data right after the header (and its digest) */
	ch = tcp_ch(NVMX_TCP_C2H_DATA, NVMX_TCP_F_DATA_LAST, 24, 24, 24 + 4096);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_OK);
	ch = tcp_ch(NVMX_TCP_C2H_DATA, NVMX_TCP_F_DATA_SUCCESS, 24, 24, 24 + 4096);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_FLAGS);
	ch = tcp_ch(NVMX_TCP_C2H_DATA, 0, 24, 32, 32 + 4096);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_PDO);
	ch = tcp_ch(NVMX_TCP_C2H_DATA, 0, 24, 24, 20);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_PLEN);
	ch = tcp_ch(NVMX_TCP_C2H_DATA, NVMX_TCP_F_HDGST | NVMX_TCP_F_DDGST, 24, 28,
		    28 + 512 + 4);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_OK);
	ch = tcp_ch(NVMX_TCP_C2H_DATA, NVMX_TCP_F_HDGST | NVMX_TCP_F_DDGST, 24, 28, 30);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_BAD_PLEN);
	ch = tcp_ch(NVMX_TCP_C2H_DATA, NVMX_TCP_F_HDGST, 24, 28, 28 + 512);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_BAD_FLAGS);

	/* terminations: no digests, at most the offending header as data */
	ch = tcp_ch(NVMX_TCP_C2H_TERM, 0, 24, 24, 24 + 128);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_OK);
	ch = tcp_ch(NVMX_TCP_C2H_TERM, 0, 24, 24, 24 + 129);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_BAD_PLEN);
	ch = tcp_ch(NVMX_TCP_C2H_TERM, NVMX_TCP_F_HDGST, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &dig), NVMX_TCP_BAD_FLAGS);

	/* what only a host sends, and unknown types */
	ch = tcp_ch(NVMX_TCP_CMD, 0, 72, 0, 72);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_TYPE);
	ch = tcp_ch(NVMX_TCP_H2C_DATA, 0, 24, 24, 24 + 4);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_TYPE);
	ch = tcp_ch(0x08, 0, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_TYPE);
	ch = tcp_ch(0xff, 0, 24, 0, 24);
	EXPECT_EQ(nvmx_tcp_check_ch(&ch, &none), NVMX_TCP_BAD_TYPE);
	EXPECT_EQ(strcmp(nvmx_tcp_bad_name(NVMX_TCP_BAD_NR), "?"), 0);
	EXPECT_EQ(strcmp(nvmx_tcp_bad_name(NVMX_TCP_BAD_CID), "unknown command id"), 0);
}

/* Of the PDUs with these fields, how many pass; each passed one fits. */
static unsigned int tcp_hlen_fits(const struct nvmx_tcp_rx_params *rp,
				  u8 type, u8 flags, u8 hlen)
{
	static const u32 plens[] = { 0, 8, 23, 24, 28, 32, 128, 132, 152,
				     153, 24 + 4096, 28 + 4096 + 4, 0xffffffffu };
	static const u8 pdos[] = { 0, 8, 24, 28, 128 };
	u32 need = hlen + (flags & NVMX_TCP_F_HDGST ? NVMX_TCP_DIGEST_LEN : 0);
	unsigned int i, j, passed = 0;
	struct nvmx_tcp_ch ch;

	for (i = 0; i < sizeof(pdos); i++) {
		for (j = 0; j < sizeof(plens) / sizeof(plens[0]); j++) {
			ch = tcp_ch(type, flags, hlen, pdos[i], plens[j]);
			if (nvmx_tcp_check_ch(&ch, rp))
				continue;
			passed++;
			EXPECT_EQ(hlen >= NVMX_TCP_MIN_HLEN, 1);
			EXPECT_EQ(need <= NVMX_TCP_MAX_HLEN +
				  NVMX_TCP_DIGEST_LEN, 1);
		}
	}
	return passed;
}

/*
 * The receive side takes NVMX_TCP_MIN_HLEN bytes of a header before its
 * common header is checked, then the header length (and digest) it says,
 * into a buffer of NVMX_TCP_MAX_HLEN + NVMX_TCP_DIGEST_LEN: whatever the
 * check lets through must be at least the one and fit the other, or bytes
 * of the next PDU would be taken as this one's.
 */
static void test_tcp_check_ch_hlen(void)
{
	static const struct nvmx_tcp_rx_params params[] = {
		{ 0 },
		{ .ic_done = true },
		{ .hdgst = true, .ic_done = true },
		{ .hdgst = true, .ddgst = true, .ic_done = true },
	};
	unsigned int n, passed[16] = { 0 };

	/* every parameter set, type 0-15, header length, flag combination */
	for (n = 0; n < 4 * 16 * 256 * 16; n++)
		passed[(n / 4) % 16] +=
			tcp_hlen_fits(&params[n % 4], (n / 4) % 16,
				      n / (4 * 16 * 256), (n / (4 * 16)) % 256);
	/* each type a controller sends passed somewhere, no other did */
	for (n = 0; n < 16; n++)
		EXPECT_EQ(passed[n] > 0, n == NVMX_TCP_ICRESP || n == NVMX_TCP_RSP ||
			  n == NVMX_TCP_R2T || n == NVMX_TCP_C2H_DATA ||
			  n == NVMX_TCP_C2H_TERM);
}

static void test_tcp_data(void)
{
	struct nvmx_tcp_rx_params none = { .ic_done = true };
	struct nvmx_tcp_rx_params dig = { .hdgst = true, .ddgst = true, .ic_done = true };
	struct nvmx_tcp_ch ch;

	/* an 8 KiB read in two PDUs */
	ch = tcp_ch(NVMX_TCP_C2H_DATA, 0, 24, 24, 24 + 4096);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 0, 4096, 0, 8192), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 4096, 4096, 4096, 8192),
		  NVMX_TCP_BAD_DATA);	/* the last one without LAST */
	ch = tcp_ch(NVMX_TCP_C2H_DATA, NVMX_TCP_F_DATA_LAST, 24, 24, 24 + 4096);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 4096, 4096, 4096, 8192), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 0, 4096, 0, 8192),
		  NVMX_TCP_BAD_DATA);	/* LAST too early */
	/* out of order, repeated, beyond the buffer, empty, length mismatch */
	ch = tcp_ch(NVMX_TCP_C2H_DATA, 0, 24, 24, 24 + 4096);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 4096, 4096, 0, 16384), NVMX_TCP_BAD_DATA);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 0, 4096, 4096, 16384), NVMX_TCP_BAD_DATA);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 0, 4096, 0, 2048), NVMX_TCP_BAD_DATA);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 0, 4096, 0, 0), NVMX_TCP_BAD_DATA);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 0, 4000, 0, 8192), NVMX_TCP_BAD_PLEN);
	ch = tcp_ch(NVMX_TCP_C2H_DATA, NVMX_TCP_F_DATA_LAST, 24, 24, 24);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 0, 0, 0, 8192), NVMX_TCP_BAD_DATA);
	/* received near the 4 GiB wrap */
	ch = tcp_ch(NVMX_TCP_C2H_DATA, 0, 24, 24, 24 + 4096);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &none, 0xfffff000u, 4096, 0xfffff000u, 0x1000),
		  NVMX_TCP_BAD_DATA);
	/* with digests */
	ch = tcp_ch(NVMX_TCP_C2H_DATA, NVMX_TCP_F_HDGST | NVMX_TCP_F_DDGST |
		    NVMX_TCP_F_DATA_LAST | NVMX_TCP_F_DATA_SUCCESS, 24, 28, 28 + 512 + 4);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &dig, 0, 512, 0, 512), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_c2h_data(&ch, &dig, 0, 516, 0, 1024), NVMX_TCP_BAD_PLEN);

	/* R2T: one at a time, in order, within the data */
	EXPECT_EQ(nvmx_tcp_check_r2t(0, 65536, 0, 131072, false), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_r2t(65536, 65536, 65536, 131072, false), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_r2t(0, 65536, 0, 131072, true), NVMX_TCP_BAD_R2T);
	EXPECT_EQ(nvmx_tcp_check_r2t(0, 4096, 0, 0, false), NVMX_TCP_BAD_R2T);
	EXPECT_EQ(nvmx_tcp_check_r2t(0, 0, 0, 4096, false), NVMX_TCP_BAD_DATA);
	EXPECT_EQ(nvmx_tcp_check_r2t(4096, 4096, 0, 8192, false), NVMX_TCP_BAD_DATA);
	EXPECT_EQ(nvmx_tcp_check_r2t(0, 8193, 0, 8192, false), NVMX_TCP_BAD_DATA);
	EXPECT_EQ(nvmx_tcp_check_r2t(8192, 1, 8192, 8192, false), NVMX_TCP_BAD_DATA);
	EXPECT_EQ(nvmx_tcp_check_r2t(4096, 0xfffff000u, 4096, 8192, false), NVMX_TCP_BAD_DATA);

	/* answering an R2T in H2CData PDUs of at most MAXH2CDATA */
	EXPECT_EQ(nvmx_tcp_h2c_chunk(131072, 32768), 32768);
	EXPECT_EQ(nvmx_tcp_h2c_chunk(4096, 32768), 4096);
	EXPECT_EQ(nvmx_tcp_h2c_pdus(131072, 32768), 4);
	EXPECT_EQ(nvmx_tcp_h2c_pdus(131073, 32768), 5);
	EXPECT_EQ(nvmx_tcp_h2c_pdus(1, 32768), 1);

	/* in-capsule data */
	EXPECT_EQ(nvmx_tcp_ioccsz_inline(0), 0);
	EXPECT_EQ(nvmx_tcp_ioccsz_inline(4), 0);
	EXPECT_EQ(nvmx_tcp_ioccsz_inline(516), 8192);
	EXPECT_EQ(nvmx_tcp_inline(0, 8192), false);
	EXPECT_EQ(nvmx_tcp_inline(8192, 8192), true);
	EXPECT_EQ(nvmx_tcp_inline(8193, 8192), false);
}

static void test_tcp_icresp(void)
{
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 0, 0, 131072, false, false), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 0, 3, 131072, true, true), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 0, 1, 131072, true, false), NVMX_TCP_OK);
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 0, 0, 131072, true, false), NVMX_TCP_BAD_IC);
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 0, 2, 131072, false, false), NVMX_TCP_BAD_IC);
	EXPECT_EQ(nvmx_tcp_check_icresp(1, 0, 0, 131072, false, false), NVMX_TCP_BAD_IC);
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 1, 0, 131072, false, false), NVMX_TCP_BAD_IC);
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 0, 0, 2048, false, false), NVMX_TCP_BAD_IC);
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 0, 0, 4098, false, false), NVMX_TCP_BAD_IC);
	EXPECT_EQ(nvmx_tcp_check_icresp(0, 0, 0, 0, false, false), NVMX_TCP_BAD_IC);
}

/* Parse @s (copied: the parser writes into its buffer); the refused token. */
static int opts(const char *s, struct nvmx_opts *o, char *bad, size_t badlen)
{
	char buf[1024];
	const char *b = "";
	int ret;

	snprintf(buf, sizeof(buf), "%s", s);
	ret = nvmx_opts_parse(buf, o, &b);
	snprintf(bad, badlen, "%s", ret ? b : "");
	return ret;
}

static void test_opts(void)
{
	const char *base = "transport=tcp,traddr=127.0.0.1,nqn=nqn.2026-12.io.nvmx:t";
	char s[1024], bad[64];
	struct nvmx_opts o;

	EXPECT_EQ(opts(base, &o, bad, sizeof(bad)), 0);
	EXPECT_EQ(strcmp(o.traddr, "127.0.0.1"), 0);
	EXPECT_EQ(strcmp(o.trsvcid, "8009"), 0);
	EXPECT_EQ(strcmp(o.nqn, "nqn.2026-12.io.nvmx:t"), 0);
	EXPECT_EQ(o.queue_size, 128);
	EXPECT_EQ(o.kato, 5);
	EXPECT_EQ(o.reconnect_delay, 10);
	EXPECT_EQ(o.ctrl_loss_tmo, 600);
	EXPECT_EQ(o.hdr_digest || o.data_digest, false);

	EXPECT_EQ(opts("transport=tcp,traddr=10.0.0.2,trsvcid=4420,nqn=n,hostnqn=h,"
		       "hostid=0f0e0d0c-0b0a-0908-0706-050403020100,nr_io_queues=2,"
		       "queue_size=16,keep_alive_tmo=0,reconnect_delay=1,ctrl_loss_tmo=-1,"
		       "hdr_digest,data_digest\n", &o, bad, sizeof(bad)), 0);
	EXPECT_EQ(strcmp(o.trsvcid, "4420"), 0);
	EXPECT_EQ(strcmp(o.hostnqn, "h"), 0);
	EXPECT_EQ(o.nr_io_queues, 2);
	EXPECT_EQ(o.queue_size, 16);
	EXPECT_EQ(o.kato, 0);
	EXPECT_EQ(o.reconnect_delay, 1);
	EXPECT_EQ((long long)o.ctrl_loss_tmo, -1);
	EXPECT_EQ(o.hdr_digest && o.data_digest, true);
	EXPECT_EQ(o.mask, 0x1fff);

	/* refused, each naming the token */
	static const char *const refused[][2] = {
		{ "transport=rdma,traddr=a,nqn=n", "transport" },
		{ "transport=tcp,traddr=a,nqn=n,bogus=1", "bogus" },
		{ "transport=tcp,traddr=a,nqn=n,nqn=m", "nqn" },
		{ "transport=tcp,traddr=,nqn=n", "traddr" },
		{ "transport=tcp,traddr=a,nqn=n,trsvcid=0", "trsvcid" },
		{ "transport=tcp,traddr=a,nqn=n,trsvcid=65536", "trsvcid" },
		{ "transport=tcp,traddr=a,nqn=n,trsvcid=44x", "trsvcid" },
		{ "transport=tcp,traddr=a,nqn=n,queue_size=15", "queue_size" },
		{ "transport=tcp,traddr=a,nqn=n,queue_size=1025", "queue_size" },
		{ "transport=tcp,traddr=a,nqn=n,nr_io_queues=0", "nr_io_queues" },
		{ "transport=tcp,traddr=a,nqn=n,nr_io_queues=99999999999", "nr_io_queues" },
		{ "transport=tcp,traddr=a,nqn=n,keep_alive_tmo=-1", "keep_alive_tmo" },
		{ "transport=tcp,traddr=a,nqn=n,ctrl_loss_tmo=-2", "ctrl_loss_tmo" },
		{ "transport=tcp,traddr=a,nqn=n,reconnect_delay=0", "reconnect_delay" },
		{ "transport=tcp,traddr=a,nqn=n,hdr_digest=1", "hdr_digest" },
		{ "transport=tcp,traddr=a,nqn=n,nr_io_queues", "nr_io_queues" },
		{ "transport=tcp,traddr=a,nqn=n,hostid=0f0e0d0c-0b0a-0908-0706-05040302010", "hostid" },
		{ "transport=tcp,traddr=a,nqn=n,hostid=0f0e0d0c0b0a-0908-0706-050403020100", "hostid" },
		{ "transport=tcp,traddr=a,nqn=n,hostid=0f0e0d0c-0b0a-0908-0706-05040302010g", "hostid" },
		{ "transport=tcp,nqn=n", "traddr" },
		{ "traddr=a,nqn=n", "transport" },
		{ "transport=tcp,traddr=a", "nqn" },
		{ "", "transport" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		EXPECT_EQ(opts(refused[i][0], &o, bad, sizeof(bad)), -1);
		if (strcmp(bad, refused[i][1])) {
			printf("not ok %s: '%s' refused as '%s', expected '%s'\n",
			       cur, refused[i][0], bad, refused[i][1]);
			cur_failed = true;
		}
	}
	/* an NQN of 222 characters fits (NVMF_NQN_SIZE with its NUL), 223 do not */
	snprintf(s, sizeof(s), "transport=tcp,traddr=a,nqn=%0222d", 0);
	EXPECT_EQ(opts(s, &o, bad, sizeof(bad)), 0);
	EXPECT_EQ(strlen(o.nqn), 222);
	snprintf(s, sizeof(s), "transport=tcp,traddr=a,nqn=%0223d", 0);
	EXPECT_EQ(opts(s, &o, bad, sizeof(bad)), -1);
	/* empty tokens are skipped */
	EXPECT_EQ(opts("transport=tcp,,traddr=a,nqn=n,", &o, bad, sizeof(bad)), 0);
	EXPECT_EQ(strncmp(NVMX_OPTS_TOKENS, "transport=%s,", 13), 0);
}

int main(void)
{
	run("cap_fields", test_cap_fields);
	run("page_shift", test_page_shift);
	run("queue_depth", test_queue_depth);
	run("version", test_version);
	run("ring", test_ring);
	run("event_crossed", test_event_crossed);
	run("cid", test_cid);
	run("status", test_status);
	run("prp_pages", test_prp_pages);
	run("prp_list_pages", test_prp_list_pages);
	run("prp_list_pages_sim", test_prp_list_pages_sim);
	run("lat_bucket", test_lat_bucket);
	run("use_sgl", test_use_sgl);
	run("cq_hold", test_cq_hold);
	run("ns_probe_limit", test_ns_probe_limit);
	run("tcp_fields", test_tcp_fields);
	run("tcp_check_ch", test_tcp_check_ch);
	run("tcp_check_ch_hlen", test_tcp_check_ch_hlen);
	run("tcp_data", test_tcp_data);
	run("tcp_icresp", test_tcp_icresp);
	run("opts", test_opts);
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed > 100 ? 100 : failed;
}
