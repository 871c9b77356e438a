/* Ping / OCC payloads of the data channel (spec §9.7-§9.9). */
#include <errno.h>
#include <string.h>

#include "proto/dpkt.h"
#include "util/bytes.h"

const uint8_t dpkt_ping_magic[DPKT_MAGIC_LEN] = {
	0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
	0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
};

const uint8_t dpkt_occ_magic[DPKT_MAGIC_LEN] = {
	0x28, 0x7f, 0x34, 0x6b, 0xd4, 0xef, 0x7a, 0x81,
	0x2d, 0x56, 0xb8, 0xd3, 0xaf, 0xc5, 0x45, 0x9c,
};

/* Check the arguments each opcode needs; extra bytes are tolerated (as 2.6 does). */
static int occ_args(struct dpkt_info *i)
{
	const uint8_t *a = i->occ_args;
	size_t n = i->occ_args_len;

	switch (i->occ_op) {
	case DPKT_OCC_REQUEST:
	case DPKT_OCC_MTU_LOAD:
	case DPKT_OCC_MTU_REQUEST:
	case DPKT_OCC_EXIT:
		return 0;
	case DPKT_OCC_REPLY:
		if (n == 0 || !memchr(a, '\0', n))
			return -EBADMSG;
		i->occ_reply = (const char *)a;
		return 0;
	case DPKT_OCC_MTU_LOAD_REQUEST:
		if (n < 2)
			return -EBADMSG;
		i->mtu_size = bytes_get_u16(a);
		return 0;
	case DPKT_OCC_MTU_REPLY:
		if (n < 4)
			return -EBADMSG;
		i->mtu_max_recv = bytes_get_u16(a);
		i->mtu_max_sent = bytes_get_u16(a + 2);
		return 0;
	default:
		return -EPROTONOSUPPORT;
	}
}

int dpkt_classify(const uint8_t *p, size_t len, struct dpkt_info *info)
{
	struct dpkt_info tmp;
	struct dpkt_info *i = info ? info : &tmp;

	memset(i, 0, sizeof(*i));
	/* A ping is exactly the magic; a longer payload starting with it is tunnel data. */
	if (len == DPKT_MAGIC_LEN && memcmp(p, dpkt_ping_magic, DPKT_MAGIC_LEN) == 0) {
		i->kind = DPKT_PING;
		return DPKT_PING;
	}
	if (len < DPKT_MAGIC_LEN || memcmp(p, dpkt_occ_magic, DPKT_MAGIC_LEN) != 0) {
		i->kind = DPKT_DATA;
		return DPKT_DATA;
	}
	i->kind = DPKT_OCC;
	if (len < DPKT_MAGIC_LEN + 1)
		return -EBADMSG;
	i->occ_op = p[DPKT_MAGIC_LEN];
	i->occ_args = p + DPKT_MAGIC_LEN + 1;
	i->occ_args_len = len - DPKT_MAGIC_LEN - 1;
	int rc = occ_args(i);
	return rc ? rc : DPKT_OCC;
}

ssize_t dpkt_build_ping(uint8_t *out, size_t cap)
{
	if (cap < DPKT_MAGIC_LEN)
		return -ENOSPC;
	memcpy(out, dpkt_ping_magic, DPKT_MAGIC_LEN);
	return DPKT_MAGIC_LEN;
}

ssize_t dpkt_build_occ(uint8_t op, const uint8_t *args, size_t args_len, uint8_t *out,
		       size_t cap)
{
	if (cap < DPKT_MAGIC_LEN + 1 || cap - DPKT_MAGIC_LEN - 1 < args_len)
		return -ENOSPC;
	memcpy(out, dpkt_occ_magic, DPKT_MAGIC_LEN);
	out[DPKT_MAGIC_LEN] = op;
	if (args_len)
		memcpy(out + DPKT_MAGIC_LEN + 1, args, args_len);
	return (ssize_t)(DPKT_MAGIC_LEN + 1 + args_len);
}

ssize_t dpkt_build_occ_exit(uint8_t *out, size_t cap)
{
	return dpkt_build_occ(DPKT_OCC_EXIT, NULL, 0, out, cap);
}

ssize_t dpkt_build_occ_reply(const char *options, uint8_t *out, size_t cap)
{
	/* the terminating NUL travels too */
	return dpkt_build_occ(DPKT_OCC_REPLY, (const uint8_t *)options, strlen(options) + 1, out,
			      cap);
}

ssize_t dpkt_build_occ_mtu_reply(uint16_t max_recv, uint16_t max_sent, uint8_t *out,
				 size_t cap)
{
	const uint8_t a[4] = { (uint8_t)(max_recv >> 8), (uint8_t)max_recv,
			       (uint8_t)(max_sent >> 8), (uint8_t)max_sent };

	return dpkt_build_occ(DPKT_OCC_MTU_REPLY, a, sizeof(a), out, cap);
}
