/* OpenVPN packet codec (spec §1, §2.1). */
#include "proto/packet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

static bool is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

bool pkt_op_is_control(uint8_t op)
{
	switch (op) {
	case P_CONTROL_SOFT_RESET_V1:
	case P_CONTROL_V1:
	case P_ACK_V1:
	case P_CONTROL_HARD_RESET_CLIENT_V2:
	case P_CONTROL_HARD_RESET_SERVER_V2:
	case P_CONTROL_HARD_RESET_CLIENT_V3:
	case P_CONTROL_WKC_V1:
		return true;
	default:
		return false;
	}
}

bool pkt_op_is_data(uint8_t op)
{
	return op == P_DATA_V1 || op == P_DATA_V2;
}

bool pkt_op_has_msgid(uint8_t op)
{
	return pkt_op_is_control(op) && op != P_ACK_V1;
}

bool pkt_op_is_hard_reset(uint8_t op)
{
	return op == P_CONTROL_HARD_RESET_CLIENT_V2 || op == P_CONTROL_HARD_RESET_SERVER_V2 ||
	       op == P_CONTROL_HARD_RESET_CLIENT_V3;
}

const char *pkt_op_name(uint8_t op)
{
#define OP(name) [name] = #name	/* an opcode's name is its identifier */
	static const char *const names[] = {
		OP(P_CONTROL_HARD_RESET_CLIENT_V1), OP(P_CONTROL_HARD_RESET_SERVER_V1),
		OP(P_CONTROL_SOFT_RESET_V1), OP(P_CONTROL_V1), OP(P_ACK_V1), OP(P_DATA_V1),
		OP(P_CONTROL_HARD_RESET_CLIENT_V2), OP(P_CONTROL_HARD_RESET_SERVER_V2),
		OP(P_DATA_V2), OP(P_CONTROL_HARD_RESET_CLIENT_V3), OP(P_CONTROL_WKC_V1),
	};
#undef OP

	if (op >= sizeof(names) / sizeof(names[0]) || !names[op])
		return "?";
	return names[op];
}

int pkt_peek(const uint8_t *buf, size_t len, uint8_t *op, uint8_t *key_id,
	     uint8_t sid[PKT_SID_LEN])
{
	if (!buf || len < 1 + PKT_SID_LEN)
		return -EBADMSG;
	if (op)
		*op = pkt_op(buf[0]);
	if (key_id)
		*key_id = pkt_keyid(buf[0]);
	if (sid)
		memcpy(sid, buf + 1, PKT_SID_LEN);
	return 0;
}

/* ACK block: count, ids, remote sid.  Returns bytes read or a negative errno. */
static int decode_acks(const uint8_t *p, size_t len, struct pkt_ctrl *pkt)
{
	size_t need;

	if (len < 1)
		return -EBADMSG;
	pkt->n_acks = p[0];
	if (pkt->n_acks > PKT_MAX_ACKS)
		return -ERANGE;
	if (pkt->n_acks == 0)
		return 1;
	need = 1 + 4u * pkt->n_acks + PKT_SID_LEN;
	if (len < need)
		return -EBADMSG;
	for (size_t i = 0; i < pkt->n_acks; i++)
		pkt->acks[i] = bytes_get_u32(p + 1 + 4 * i);
	memcpy(pkt->remote_sid, p + 1 + 4u * pkt->n_acks, PKT_SID_LEN);
	if (is_zero(pkt->remote_sid, PKT_SID_LEN))
		return -EINVAL;
	return (int)need;
}

int pkt_ctrl_decode(const uint8_t *buf, size_t len, struct pkt_ctrl *pkt)
{
	size_t off = 1 + PKT_SID_LEN;
	int n;

	if (!buf || !pkt || len == 0)
		return -EBADMSG;
	memset(pkt, 0, sizeof(*pkt));
	if (len > PKT_CTRL_MAX)
		return -EMSGSIZE;
	pkt->op = pkt_op(buf[0]);
	pkt->key_id = pkt_keyid(buf[0]);
	if (!pkt_op_is_control(pkt->op))
		return -EPROTO;
	if (len < off)
		return -EBADMSG;
	memcpy(pkt->sid, buf + 1, PKT_SID_LEN);
	if (is_zero(pkt->sid, PKT_SID_LEN))
		return -EINVAL;
	n = decode_acks(buf + off, len - off, pkt);
	if (n < 0)
		return n;
	off += (size_t)n;
	if (pkt->op == P_ACK_V1)
		/* A pure ACK is nothing but its ACK list. */
		return (pkt->n_acks == 0 || off != len) ? -EBADMSG : 0;
	if (len - off < 4)
		return -EBADMSG;
	pkt->has_msgid = true;
	pkt->msgid = bytes_get_u32(buf + off);
	off += 4;
	pkt->payload = buf + off;
	pkt->payload_len = len - off;
	return 0;
}

static bool ctrl_valid(const struct pkt_ctrl *pkt)
{
	if (!pkt || !pkt_op_is_control(pkt->op) || pkt->key_id > PKT_KEY_ID_MAX)
		return false;
	if (pkt->n_acks > PKT_MAX_ACKS)
		return false;
	if (pkt->payload_len && !pkt->payload)
		return false;
	if (pkt->op == P_ACK_V1)
		return pkt->n_acks > 0 && pkt->payload_len == 0;
	return true;
}

int pkt_ctrl_encoded_len(const struct pkt_ctrl *pkt)
{
	size_t n;

	if (!ctrl_valid(pkt))
		return -EINVAL;
	n = PKT_CTRL_HDR_MIN;
	if (pkt->n_acks)
		n += 4u * pkt->n_acks + PKT_SID_LEN;
	if (pkt->op != P_ACK_V1)
		n += 4 + pkt->payload_len;
	if (n > PKT_CTRL_MAX)
		return -EINVAL;
	return (int)n;
}

int pkt_ctrl_encode(const struct pkt_ctrl *pkt, uint8_t *out, size_t cap)
{
	int total = pkt_ctrl_encoded_len(pkt);
	size_t off = 0;

	if (total < 0)
		return total;
	if (!out || cap < (size_t)total)
		return -ENOBUFS;
	out[off++] = pkt_byte0(pkt->op, pkt->key_id);
	memcpy(out + off, pkt->sid, PKT_SID_LEN);
	off += PKT_SID_LEN;
	out[off++] = pkt->n_acks;
	for (size_t i = 0; i < pkt->n_acks; i++, off += 4)
		bytes_put_u32(out + off, pkt->acks[i]);
	if (pkt->n_acks) {
		memcpy(out + off, pkt->remote_sid, PKT_SID_LEN);
		off += PKT_SID_LEN;
	}
	if (pkt->op != P_ACK_V1) {
		bytes_put_u32(out + off, pkt->msgid);
		off += 4;
		if (pkt->payload_len)
			memcpy(out + off, pkt->payload, pkt->payload_len);
		off += pkt->payload_len;
	}
	return (int)off;
}

int pkt_tcp_rx_init(struct pkt_tcp_rx *rx, size_t max)
{
	memset(rx, 0, sizeof(*rx));
	if (max == 0)
		max = PKT_TCP_MAX_DEFAULT;
	if (max > PKT_TCP_MAX)
		return -EINVAL;
	rx->buf = malloc(max);
	if (!rx->buf)
		return -ENOMEM;
	rx->max = max;
	return 0;
}

void pkt_tcp_rx_free(struct pkt_tcp_rx *rx)
{
	if (!rx)
		return;
	free(rx->buf);
	memset(rx, 0, sizeof(*rx));
}

void pkt_tcp_rx_reset(struct pkt_tcp_rx *rx)
{
	rx->need = 0;
	rx->have = 0;
	rx->broken = false;
}

/* Collects the 2-byte length.  Returns bytes used, or -EBADMSG for a bad length. */
static int rx_length(struct pkt_tcp_rx *rx, const uint8_t *data, size_t len)
{
	size_t take = PKT_TCP_HDR - rx->have;
	size_t n;

	if (take > len)
		take = len;
	memcpy(rx->hdr + rx->have, data, take);
	rx->have += take;
	if (rx->have < PKT_TCP_HDR)
		return (int)take;
	n = bytes_get_u16(rx->hdr);
	if (n == 0 || n > rx->max) {
		rx->broken = true;
		rx->n_bad++;
		return -EBADMSG;
	}
	rx->need = n;
	rx->have = 0;
	return (int)take;
}

int pkt_tcp_rx_feed(struct pkt_tcp_rx *rx, const uint8_t *data, size_t len, size_t *consumed,
		    const uint8_t **pkt, size_t *pkt_len)
{
	size_t used = 0, take;
	int n;

	*consumed = 0;
	if (!rx->buf || rx->broken)
		return -EBADMSG;
	if (rx->need == 0) {
		n = rx_length(rx, data, len);
		if (n < 0)
			return n;
		used = (size_t)n;
		if (rx->need == 0) {
			*consumed = used;
			return 0;
		}
	}
	take = rx->need - rx->have;
	if (take > len - used)
		take = len - used;
	memcpy(rx->buf + rx->have, data + used, take);
	rx->have += take;
	*consumed = used + take;
	if (rx->have < rx->need)
		return 0;
	*pkt = rx->buf;
	*pkt_len = rx->need;
	rx->need = 0;
	rx->have = 0;
	rx->n_packets++;
	return 1;
}

int pkt_tcp_put_len(uint8_t hdr[PKT_TCP_HDR], size_t len)
{
	if (len == 0 || len > PKT_TCP_MAX)
		return -EMSGSIZE;
	bytes_put_u16(hdr, (uint16_t)len);
	return 0;
}

int pkt_tcp_frame(const uint8_t *pkt, size_t len, uint8_t *out, size_t cap)
{
	if (len == 0 || len > PKT_TCP_MAX)
		return -EMSGSIZE;
	if (!out || cap < len + PKT_TCP_HDR)
		return -ENOBUFS;
	/* memmove: framing in place (pkt == out + 2) is allowed. */
	memmove(out + PKT_TCP_HDR, pkt, len);
	pkt_tcp_put_len(out, len);
	return (int)(len + PKT_TCP_HDR);
}
