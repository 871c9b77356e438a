/* Key method 2 and data-channel key derivation (spec §7.1, §7.3).
 *
 * The KM2 message is the first TLS record in each direction. Its randoms feed the legacy
 * OpenVPN PRF; with TLS-EKM (2.6 default) the data keys come from the TLS exporter instead.
 * Either way the output is the 256-byte key2 block of §5.1/§7.3:
 *   key2[0..63]    client->server cipher key   key2[64..127]  client->server hmac / implicit IV
 *   key2[128..191] server->client cipher key   key2[192..255] server->client hmac / implicit IV
 * (2.7 epoch keys start from the same block: E1_c2s = key2[0..31], E1_s2c = key2[128..159].) */
#ifndef BURROW_PROTO_KEYS_H
#define BURROW_PROTO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tls_sess;

#define KEYS_KEY2_LEN 256
#define KEYS_PRE_MASTER_LEN 48
#define KEYS_RANDOM_LEN 32
#define KEYS_SID_LEN 8			/* control-channel session id */
#define KEYS_METHOD 2
/* Receive limits (§7.1, §14); lengths are string bytes without the NUL. */
#define KEYS_OPTIONS_MAX 511		/* 512 bytes including NUL */
#define KEYS_USERPASS_MAX 4095		/* 4096 bytes including NUL (Debian build) */
#define KEYS_PEERINFO_MAX 8191		/* "any length" in OpenVPN; we bound it */
/* Largest KM2 message we build or accept (all fields at their maximum). */
#define KEYS_KM2_MAX (4 + 1 + KEYS_PRE_MASTER_LEN + 2 * KEYS_RANDOM_LEN + \
		      4 * 2 + KEYS_OPTIONS_MAX + 1 + 2 * (KEYS_USERPASS_MAX + 1) + \
		      KEYS_PEERINFO_MAX + 1)

#define KEYS_EKM_LABEL "EXPORTER-OpenVPN-datakeys"
#define KEYS_P2P_PEERID_LABEL "EXPORTER-OpenVPN-p2p-peerid"

/* One side's KM2 message. Strings are NUL-terminated; empty = "" (sent as length 0). */
struct keys_km2 {
	bool from_client;		/* client messages carry pre_master */
	uint8_t pre_master[KEYS_PRE_MASTER_LEN];
	uint8_t random1[KEYS_RANDOM_LEN];
	uint8_t random2[KEYS_RANDOM_LEN];
	char options[KEYS_OPTIONS_MAX + 1];
	char username[KEYS_USERPASS_MAX + 1];
	char password[KEYS_USERPASS_MAX + 1];
	char peer_info[KEYS_PEERINFO_MAX + 1];
};

/* Zeroes km and fills its randoms (pre_master only for a client) with RAND_bytes.
 * Returns 0 or -EIO. */
int keys_km2_init(struct keys_km2 *km, bool from_client);
/* Sets a string field with a length check; returns 0 or -EMSGSIZE. */
int keys_km2_set_options(struct keys_km2 *km, const char *s);
int keys_km2_set_auth(struct keys_km2 *km, const char *user, const char *pass);
int keys_km2_set_peer_info(struct keys_km2 *km, const char *s);
/* Wipes km (it holds secrets and the password). */
void keys_km2_clear(struct keys_km2 *km);

/* Serialises km; returns the length written (<= cap) or -ENOSPC / -EMSGSIZE. */
int keys_km2_build(const struct keys_km2 *km, uint8_t *out, size_t cap);
/* Parses a KM2 record from the peer (from_client says which layout). Every length is
 * checked; a record ending right after the options string is accepted (the rest empty),
 * as OpenVPN does. Returns 0, -EBADMSG (malformed: bad prefix/method, truncated field,
 * missing NUL, embedded NUL, trailing bytes), or -EMSGSIZE (a field above its limit).
 * On error km is wiped. */
int keys_km2_parse(struct keys_km2 *km, bool from_client, const uint8_t *in, size_t len);

/* Legacy data keys (§7.3b): TLS 1.0 PRF (MD5 xor SHA1) with the OpenVPN labels, the
 * client's pre_master and both sides' randoms and session ids. Returns 0 or -EIO. */
int keys_prf_key2(const struct keys_km2 *client, const struct keys_km2 *server,
		  const uint8_t client_sid[KEYS_SID_LEN], const uint8_t server_sid[KEYS_SID_LEN],
		  uint8_t key2[KEYS_KEY2_LEN]);
/* The bare TLS 1.0/1.1 PRF of RFC 2246 §5 (label included in seed). Returns 0 or -EIO. */
int keys_tls1_prf(const uint8_t *secret, size_t secret_len, const uint8_t *seed,
		  size_t seed_len, uint8_t *out, size_t out_len);

/* EKM data keys (§7.3a): TLS exporter, label KEYS_EKM_LABEL, no context, 256 bytes.
 * Returns 0 or the tls_export_ekm() error. */
int keys_ekm_key2(struct tls_sess *sess, uint8_t key2[KEYS_KEY2_LEN]);
/* P2P NCP peer-id (§13.1): 3 exporter bytes, big-endian. Returns 0 or negative. */
int keys_ekm_p2p_peer_id(struct tls_sess *sess, uint32_t *peer_id);

#endif
