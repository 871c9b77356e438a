/* OpenVPN packet codec: opcodes, the logical (unwrapped) control packet, TCP framing.
 *
 * Spec: openvpn-protocol.md §1 (framing, opcodes), §2.1 (control packet layout).
 * Everything here is pure byte shuffling: no crypto (see wrap.h), no state beyond the
 * TCP reassembler.  Errors are negative errno values.
 */
#ifndef BURROW_PROTO_PACKET_H
#define BURROW_PROTO_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcodes (§1.4): byte0 = (opcode << 3) | key_id. */
enum pkt_opcode {
	P_CONTROL_HARD_RESET_CLIENT_V1 = 1,	/* key-method 1: rejected */
	P_CONTROL_HARD_RESET_SERVER_V1 = 2,	/* key-method 1: rejected */
	P_CONTROL_SOFT_RESET_V1 = 3,
	P_CONTROL_V1 = 4,
	P_ACK_V1 = 5,
	P_DATA_V1 = 6,
	P_CONTROL_HARD_RESET_CLIENT_V2 = 7,
	P_CONTROL_HARD_RESET_SERVER_V2 = 8,
	P_DATA_V2 = 9,
	P_CONTROL_HARD_RESET_CLIENT_V3 = 10,	/* tls-crypt-v2: WKc appended */
	P_CONTROL_WKC_V1 = 11,			/* tls-crypt-v2: WKc appended */
};

#define PKT_SID_LEN 8
#define PKT_MAX_ACKS 8		/* a received ack count above this is invalid (§3) */
#define PKT_KEY_ID_MAX 7
/* Largest logical control packet we accept (§3.1 says "at least ~1600"; tls-mtu ≤ 2048). */
#define PKT_CTRL_MAX 2048
/* Header sizes of the logical control packet (§2.1). */
#define PKT_CTRL_HDR_MIN (1 + PKT_SID_LEN + 1)		/* op, sid, ack count */
#define PKT_TCP_HDR 2
/* Default cap for one TCP record (data packets with tun-mtu 1500 plus overhead fit). */
#define PKT_TCP_MAX_DEFAULT 4096
#define PKT_TCP_MAX 65535

static inline uint8_t pkt_op(uint8_t byte0) { return (uint8_t)(byte0 >> 3); }
static inline uint8_t pkt_keyid(uint8_t byte0) { return (uint8_t)(byte0 & 7u); }
static inline uint8_t pkt_byte0(uint8_t op, uint8_t key_id)
{
	return (uint8_t)((op << 3) | (key_id & 7u));
}

/* Control opcodes burrow accepts: 3,4,5,7,8,10,11 (1,2 are key-method 1: rejected). */
bool pkt_op_is_control(uint8_t op);
bool pkt_op_is_data(uint8_t op);
/* Hard/soft resets, CONTROL_V1 and WKC_V1 carry a message id; P_ACK_V1 does not. */
bool pkt_op_has_msgid(uint8_t op);
/* Hard resets (client V2/V3, server V2). */
bool pkt_op_is_hard_reset(uint8_t op);
/* Printable name, "?" for unknown. */
const char *pkt_op_name(uint8_t op);

/* The logical control packet (§2.1).  payload points into the decoded buffer. */
struct pkt_ctrl {
	uint8_t op, key_id;
	uint8_t sid[PKT_SID_LEN];		/* sender's session id */
	uint8_t n_acks;
	uint32_t acks[PKT_MAX_ACKS];
	uint8_t remote_sid[PKT_SID_LEN];	/* valid when n_acks > 0 */
	bool has_msgid;				/* false only for P_ACK_V1 */
	uint32_t msgid;
	const uint8_t *payload;
	size_t payload_len;
};

/* Decodes an unwrapped control packet.  Returns 0, or:
 *   -EBADMSG   truncated (shorter than its own header says), empty, or a P_ACK_V1 with
 *              no ACKs / trailing bytes
 *   -EPROTO    opcode is not an accepted control opcode (data, key-method 1, unknown)
 *   -ERANGE    ack count > 8
 *   -EINVAL    all-zero session id (or all-zero remote session id)
 *   -EMSGSIZE  longer than PKT_CTRL_MAX
 * pkt->payload points into buf. */
int pkt_ctrl_decode(const uint8_t *buf, size_t len, struct pkt_ctrl *pkt);

/* Encoded size of pkt (no wrapping), or -EINVAL for an invalid pkt. */
int pkt_ctrl_encoded_len(const struct pkt_ctrl *pkt);
/* Encodes pkt into out.  has_msgid is implied by the opcode (ignored).  Returns the number
 * of bytes written, -ENOBUFS if cap is too small, -EINVAL for an invalid pkt (bad opcode,
 * n_acks > 8, P_ACK_V1 with no ACKs or with payload, key_id > 7). */
int pkt_ctrl_encode(const struct pkt_ctrl *pkt, uint8_t *out, size_t cap);

/* Reads opcode, key id and session id from the first 9 bytes of any control packet, wrapped
 * or not (all wrappings keep them in clear, §2).  -EBADMSG if len < 9. */
int pkt_peek(const uint8_t *buf, size_t len, uint8_t *op, uint8_t *key_id,
	     uint8_t sid[PKT_SID_LEN]);

/* TCP stream reassembly (§1.2): feed arbitrary chunks, get whole packets. */
struct pkt_tcp_rx {
	uint8_t *buf;		/* max bytes, heap */
	size_t max;		/* largest accepted record */
	size_t need;		/* record length being assembled (0 = reading the length) */
	size_t have;		/* bytes of the record (or of the length) collected */
	uint8_t hdr[PKT_TCP_HDR];
	bool broken;		/* a bad length was seen: the stream is unusable */
	uint64_t n_packets, n_bad;
};

/* max = largest record accepted (1..PKT_TCP_MAX; 0 = PKT_TCP_MAX_DEFAULT).  -ENOMEM, -EINVAL. */
int pkt_tcp_rx_init(struct pkt_tcp_rx *rx, size_t max);
void pkt_tcp_rx_free(struct pkt_tcp_rx *rx);
/* Forget any partial record (new connection). */
void pkt_tcp_rx_reset(struct pkt_tcp_rx *rx);
/* Consumes bytes from data until one record completes or data runs out; *consumed says how
 * many.  Returns 1 with *pkt and *pkt_len set (valid until the next call) when a record is
 * complete, 0 when more bytes are needed, -EBADMSG for a record length of 0 or > max (the
 * connection must be closed; later calls keep failing).  Typical loop:
 *   while (len) { r = pkt_tcp_rx_feed(rx, p, len, &used, &pkt, &n); p += used; len -= used;
 *                 if (r < 0) close; if (r == 1) handle(pkt, n); } */
int pkt_tcp_rx_feed(struct pkt_tcp_rx *rx, const uint8_t *data, size_t len, size_t *consumed,
		    const uint8_t **pkt, size_t *pkt_len);

/* Writes the u16 BE length prefix for a packet of len bytes (1..65535), -EMSGSIZE else. */
int pkt_tcp_put_len(uint8_t hdr[PKT_TCP_HDR], size_t len);
/* Writes len(2) || pkt into out; returns len + 2, -EMSGSIZE (len 0 or > 65535) or -ENOBUFS. */
int pkt_tcp_frame(const uint8_t *pkt, size_t len, uint8_t *out, size_t cap);

#endif
