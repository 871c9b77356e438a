/* Data channel, classic 2.6 format (spec §9.1-§9.3, §9.5, §9.6).
 *
 * AEAD:  hdr | packet_id(4) | tag(16) | ciphertext
 *        nonce = packet_id || implicit_iv(8); AAD = hdr || packet_id (V2), packet_id (V1)
 * CBC:   hdr | HMAC | IV | CBC(packet_id || payload, PKCS#7)   HMAC over IV || ciphertext
 *
 * Each direction keeps one EVP_CIPHER_CTX keyed once at creation; per packet only the IV is
 * set, so the key schedule is not recomputed and nothing is allocated.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "proto/data_impl.h"

/* ---- small helpers ---- */

/* Per error code (index DATA_ERR_BASE - code): its counter in data_stats and its text. An
 * error outside the table (an -errno) is counted as err_crypto. */
static const struct {
	size_t stat;
	const char *text;
} data_errs[] = {
#define E(code, field, text) [DATA_ERR_BASE - (code)] = { offsetof(struct data_stats, field), text }
	E(DATA_ERR_SHORT, err_short, "packet too short"),
	E(DATA_ERR_OPCODE, err_opcode, "not a data packet"),
	E(DATA_ERR_KEY_ID, err_key_id, "wrong key id"),
	E(DATA_ERR_AUTH, err_auth, "authentication failed"),
	E(DATA_ERR_REPLAY, err_replay, "replayed packet id"),
	E(DATA_ERR_NOSPACE, err_nospace, "output buffer too small"),
	E(DATA_ERR_EXHAUSTED, err_exhausted, "packet ids exhausted"),
	E(DATA_ERR_PADDING, err_padding, "bad padding"),
	E(DATA_ERR_CRYPTO, err_crypto, "crypto library failure"),
	E(DATA_ERR_TOO_BIG, err_too_big, "payload too big"),
	E(DATA_ERR_EPOCH, err_epoch, "unknown epoch"),
#undef E
};

static bool data_err_known(int err)
{
	return err <= DATA_ERR_BASE - 1 && err >= DATA_ERR_LAST;
}

/* Count an error in the key's stats and pass it through. */
static int count_err(struct data_key *k, int err)
{
	size_t off = data_err_known(err) ? data_errs[DATA_ERR_BASE - err].stat
					 : offsetof(struct data_stats, err_crypto);

	(*(uint64_t *)((char *)&k->st + off))++;
	return err;
}

int data_peek_header(const uint8_t *wire, size_t len, uint8_t *op, uint8_t *key_id,
		     uint32_t *peer_id)
{
	if (!wire || len < 1)
		return DATA_ERR_SHORT;
	uint8_t o = wire[0] >> 3;
	uint32_t pid = DATA_PEER_ID_NONE;

	if (o == DATA_OP_V2) {
		if (len < DATA_HDR_V2_LEN)
			return DATA_ERR_SHORT;
		pid = bytes_get_u32(wire) & 0xFFFFFFu;
	} else if (o != DATA_OP_V1) {
		return DATA_ERR_OPCODE;
	}
	if (op)
		*op = o;
	if (key_id)
		*key_id = wire[0] & 7;
	if (peer_id)
		*peer_id = pid;
	return 0;
}

/* ---- key setup ---- */

static int dir_init_cipher(struct data_dir *d, const struct data_key_cfg *cfg,
			   const struct data_dir_keys *m, int enc)
{
	EVP_CIPHER *evp = cipher_evp_fetch(cfg->cipher);
	int rc = -ENOTSUP;

	if (!evp)
		return -ENOTSUP;
	d->ctx = EVP_CIPHER_CTX_new();
	if (!d->ctx) {
		rc = -ENOMEM;
		goto out;
	}
	if (EVP_CipherInit_ex(d->ctx, evp, NULL, m->cipher, NULL, enc) != 1)
		goto out;
	/* Decrypt side checks PKCS#7 itself so that it can write around the packet id. */
	if (cfg->cipher->kind == CIPHER_KIND_CBC && !enc &&
	    EVP_CIPHER_CTX_set_padding(d->ctx, 0) != 1)
		goto out;
	memcpy(d->implicit_iv, m->hmac, sizeof(d->implicit_iv));
	rc = 0;
out:
	EVP_CIPHER_free(evp);
	return rc;
}

static int dir_init_hmac(struct data_dir *d, const struct cipher_digest *auth,
			 const struct data_dir_keys *m)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[2];
	int rc = -ENOTSUP;

	if (!mac)
		return -ENOTSUP;
	d->hmac = EVP_MAC_CTX_new(mac);
	if (!d->hmac) {
		rc = -ENOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)auth->evp_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(d->hmac, m->hmac, auth->len, params) != 1)
		goto out;
	rc = 0;
out:
	EVP_MAC_free(mac);
	return rc;
}

static int dir_init(struct data_key *k, struct data_dir *d, const struct data_dir_keys *m,
		    int enc)
{
	int rc = dir_init_cipher(d, &k->cfg, m, enc);

	if (rc == 0 && k->hmac_len)
		rc = dir_init_hmac(d, k->cfg.auth, m);
	return rc;
}

static void dir_free(struct data_dir *d)
{
	EVP_CIPHER_CTX_free(d->ctx);
	EVP_MAC_CTX_free(d->hmac);
	OPENSSL_cleanse(d->implicit_iv, sizeof(d->implicit_iv));
}

static int cfg_check(struct data_key_cfg *c)
{
	if (!c->cipher || c->key_id > 7 ||
	    (c->role != DATA_ROLE_CLIENT && c->role != DATA_ROLE_SERVER))
		return -EINVAL;
	if (c->format != DATA_FMT_CLASSIC && c->format != DATA_FMT_EPOCH)
		return -EINVAL;
	if (c->peer_id < -1 || c->peer_id > 0xFFFFFF)
		return -EINVAL;
	/* The epoch format exists only for AEAD ciphers in P_DATA_V2 (§A2.1). */
	if (c->format == DATA_FMT_EPOCH && (c->cipher->kind != CIPHER_KIND_AEAD || c->peer_id < 0))
		return -EINVAL;
	if (c->replay_window > REPLAY_WINDOW_MAX)
		return -EINVAL;
	/* "cipher none" (no encryption) is a debugging mode we do not offer. */
	if (c->cipher->kind == CIPHER_KIND_NONE)
		return -ENOTSUP;
	if (c->cipher->kind == CIPHER_KIND_CBC && !c->auth)
		c->auth = cipher_digest_find("SHA1");	/* §14 default */
	if (c->cipher->kind == CIPHER_KIND_AEAD)
		c->auth = NULL;
	if (c->replay_window == 0)
		c->replay_window = DATA_REPLAY_WINDOW_DEFAULT;
	if (c->replay_time == 0)
		c->replay_time = DATA_REPLAY_TIME_DEFAULT;
	return 0;
}

/* AEAD usage limit (2.7 §A5): the AES-GCM family only; ChaCha20-Poly1305 and CBC have none. */
static uint64_t usage_limit(const struct cipher_info *c)
{
	if (c->kind != CIPHER_KIND_AEAD || strcasecmp(c->name, "CHACHA20-POLY1305") == 0)
		return 0;
	return DATA_AEAD_LIMIT;
}

struct data_key *data_key_new_raw(const struct data_key_cfg *cfg, const struct data_dir_keys *send,
				  const struct data_dir_keys *recv, int *err)
{
	struct data_key *k = NULL;
	int rc = -EINVAL;

	if (!cfg || !send || !recv)
		goto fail;
	rc = -ENOMEM;
	k = calloc(1, sizeof(*k));
	if (!k)
		goto fail;
	k->cfg = *cfg;
	rc = cfg_check(&k->cfg);
	if (rc)
		goto fail;
	k->hdr_len = k->cfg.peer_id < 0 ? DATA_HDR_V1_LEN : DATA_HDR_V2_LEN;
	k->hmac_len = k->cfg.auth ? k->cfg.auth->len : 0;
	k->limit = usage_limit(k->cfg.cipher);
	if (k->cfg.format == DATA_FMT_EPOCH) {
		rc = data_ep_init(k, send->cipher, recv->cipher);
		if (rc)
			goto fail;
		return k;
	}
	rc = replay_init(&k->replay, k->cfg.replay_window, k->cfg.replay_time);
	if (rc)
		goto fail_replay;
	rc = dir_init(k, &k->tx, send, 1);
	if (rc == 0)
		rc = dir_init(k, &k->rx, recv, 0);
	if (rc)
		goto fail_dirs;
	return k;

fail_dirs:
	dir_free(&k->tx);
	dir_free(&k->rx);
	replay_free(&k->replay);
fail_replay:
fail:
	free(k);
	if (err)
		*err = rc;
	return NULL;
}

struct data_key *data_key_new(const struct data_key_cfg *cfg, const uint8_t key2[DATA_KEY2_LEN],
			      int *err)
{
	struct data_dir_keys halves[2];
	struct data_key *k;

	if (!cfg || !key2) {
		if (err)
			*err = -EINVAL;
		return NULL;
	}
	memcpy(halves, key2, sizeof(halves));
	/* §7.3: key[0] is client->server. */
	int tx = cfg->role == DATA_ROLE_CLIENT ? 0 : 1;
	k = data_key_new_raw(cfg, &halves[tx], &halves[1 - tx], err);
	OPENSSL_cleanse(halves, sizeof(halves));
	return k;
}

void data_key_free(struct data_key *k)
{
	if (!k)
		return;
	data_ep_free(k);
	dir_free(&k->tx);
	dir_free(&k->rx);
	replay_free(&k->replay);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

/* ---- send ---- */

static void write_header(const struct data_key *k, uint8_t *out)
{
	if (k->hdr_len == DATA_HDR_V1_LEN)
		out[0] = (uint8_t)(DATA_OP_V1 << 3 | k->cfg.key_id);
	else
		bytes_put_u32(out, (uint32_t)DATA_OP_V2 << 27 | (uint32_t)k->cfg.key_id << 24 |
			     (uint32_t)k->cfg.peer_id);
}

static void make_nonce(const struct data_dir *d, const uint8_t *pid, uint8_t nonce[12])
{
	memcpy(nonce, pid, DATA_PID_LEN);
	memcpy(nonce + DATA_PID_LEN, d->implicit_iv, DATA_IMPLICIT_IV_LEN);
}

int data_aead_seal(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, const uint8_t *aad, int aad_len,
		   const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	int n1, n2;

	if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &n1, aad, aad_len) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &n1, in, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, out + n1, &n2) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, CIPHER_AEAD_TAG_LEN, tag) != 1)
		return DATA_ERR_CRYPTO;
	return 0;
}

int data_aead_open(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, const uint8_t *aad, int aad_len,
		   const uint8_t *in, size_t len, uint8_t *out, const uint8_t *tag)
{
	int n1, n2;

	if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n1, aad, aad_len) != 1 ||
	    EVP_DecryptUpdate(ctx, out, &n1, in, (int)len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, CIPHER_AEAD_TAG_LEN, (void *)tag) != 1)
		return DATA_ERR_CRYPTO;
	/* Final compares the tag (constant time inside OpenSSL). */
	return EVP_DecryptFinal_ex(ctx, out + n1, &n2) == 1 ? 0 : DATA_ERR_AUTH;
}

static ssize_t aead_encrypt(struct data_key *k, uint32_t pid, const uint8_t *in, size_t len,
			    uint8_t *out, size_t cap)
{
	size_t hl = k->hdr_len, ct_off = hl + DATA_PID_LEN + CIPHER_AEAD_TAG_LEN;
	uint8_t nonce[12];
	int rc;

	if (cap < ct_off + len)
		return DATA_ERR_NOSPACE;
	write_header(k, out);
	bytes_put_u32(out + hl, pid);
	make_nonce(&k->tx, out + hl, nonce);
	/* V1: the opcode byte is not authenticated (§9.2). */
	const uint8_t *aad = hl == DATA_HDR_V2_LEN ? out : out + hl;
	int aad_len = hl == DATA_HDR_V2_LEN ? DATA_HDR_V2_LEN + DATA_PID_LEN : DATA_PID_LEN;
	rc = data_aead_seal(k->tx.ctx, nonce, aad, aad_len, in, len, out + ct_off,
			    out + hl + DATA_PID_LEN);
	return rc ? rc : (ssize_t)(ct_off + len);
}

static int hmac_compute(struct data_dir *d, const uint8_t *in, size_t len, uint8_t *mac,
			size_t mac_len)
{
	size_t outl = 0;

	/* NULL key: restart with the key set at creation (OpenSSL 3 HMAC). */
	if (EVP_MAC_init(d->hmac, NULL, 0, NULL) != 1 || EVP_MAC_update(d->hmac, in, len) != 1 ||
	    EVP_MAC_final(d->hmac, mac, &outl, mac_len) != 1 || outl != mac_len)
		return DATA_ERR_CRYPTO;
	return 0;
}

static ssize_t cbc_encrypt(struct data_key *k, uint32_t pid, const uint8_t *in, size_t len,
			   uint8_t *out, size_t cap)
{
	size_t hl = k->hdr_len, hm = k->hmac_len, bl = k->cfg.cipher->block_len;
	size_t ct_len = (DATA_PID_LEN + len) / bl * bl + bl;	/* PKCS#7 always adds 1..bl */
	EVP_CIPHER_CTX *ctx = k->tx.ctx;
	uint8_t *iv = out + hl + hm, *ct = iv + bl, pidb[DATA_PID_LEN];
	int n1, n2, n3;

	if (cap < hl + hm + bl + ct_len)
		return DATA_ERR_NOSPACE;
	write_header(k, out);
	bytes_put_u32(pidb, pid);
	if (RAND_bytes(iv, (int)bl) != 1 || EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, ct, &n1, pidb, DATA_PID_LEN) != 1 ||
	    EVP_EncryptUpdate(ctx, ct + n1, &n2, in, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, ct + n1 + n2, &n3) != 1)
		return DATA_ERR_CRYPTO;
	if ((size_t)(n1 + n2 + n3) != ct_len)
		return DATA_ERR_CRYPTO;
	if (hm && hmac_compute(&k->tx, iv, bl + ct_len, out + hl, hm))
		return DATA_ERR_CRYPTO;
	return (ssize_t)(hl + hm + bl + ct_len);
}

ssize_t data_encrypt(struct data_key *k, uint8_t key_id, const uint8_t *payload, size_t len,
		     uint8_t *out, size_t cap)
{
	ssize_t n;

	if (!k || !out || (!payload && len))
		return DATA_ERR_CRYPTO;
	if (key_id != k->cfg.key_id)
		return count_err(k, DATA_ERR_KEY_ID);
	if (len == 0)	/* peers drop empty data packets */
		return count_err(k, DATA_ERR_SHORT);
	if (len > DATA_MAX_PAYLOAD)
		return count_err(k, DATA_ERR_TOO_BIG);
	if (k->ep) {
		n = data_ep_encrypt(k, payload, len, out, cap);
		goto done;
	}
	if (k->send_pid >= DATA_PID_MAX)	/* never reuse an id: renegotiate */
		return count_err(k, DATA_ERR_EXHAUSTED);
	uint32_t pid = (uint32_t)(k->send_pid + 1);
	if (k->cfg.cipher->kind == CIPHER_KIND_AEAD)
		n = aead_encrypt(k, pid, payload, len, out, cap);
	else
		n = cbc_encrypt(k, pid, payload, len, out, cap);
	if (n >= 0) {
		/* The id is consumed only by a packet that was produced. */
		k->send_pid = pid;
		k->tx_usage += data_usage((size_t)n);
	}
done:
	if (n < 0)
		return count_err(k, (int)n);
	k->st.tx_packets++;
	k->st.tx_bytes += len;
	return n;
}

/* ---- receive ---- */

static int replay_ok(struct data_key *k, uint32_t pid, uint64_t now_s)
{
	return replay_accept(&k->replay, pid, 0, now_s) == REPLAY_OK ? 0 : DATA_ERR_REPLAY;
}

static ssize_t aead_decrypt(struct data_key *k, const uint8_t *w, size_t len, size_t hl,
			    uint8_t *out, size_t cap, uint64_t now_s)
{
	size_t ct_off = hl + DATA_PID_LEN + CIPHER_AEAD_TAG_LEN;
	uint8_t nonce[12], tag[CIPHER_AEAD_TAG_LEN];
	int rc;

	if (len < ct_off + 1)
		return DATA_ERR_SHORT;
	size_t ct_len = len - ct_off;
	if (ct_len > DATA_MAX_PAYLOAD)
		return DATA_ERR_TOO_BIG;
	if (cap < ct_len)
		return DATA_ERR_NOSPACE;
	make_nonce(&k->rx, w + hl, nonce);
	memcpy(tag, w + hl + DATA_PID_LEN, sizeof(tag));
	const uint8_t *aad = hl == DATA_HDR_V2_LEN ? w : w + hl;
	int aad_len = hl == DATA_HDR_V2_LEN ? DATA_HDR_V2_LEN + DATA_PID_LEN : DATA_PID_LEN;
	rc = data_aead_open(k->rx.ctx, nonce, aad, aad_len, w + ct_off, ct_len, out, tag);
	if (!rc && replay_ok(k, bytes_get_u32(w + hl), now_s))
		rc = DATA_ERR_REPLAY;
	if (rc) {
		OPENSSL_cleanse(out, ct_len);
		return rc;
	}
	return (ssize_t)ct_len;
}

static int cbc_auth(struct data_key *k, const uint8_t *w, size_t len, size_t hl)
{
	uint8_t mac[CIPHER_DIGEST_MAX_LEN];
	size_t hm = k->hmac_len;

	if (!hm)
		return 0;
	if (hmac_compute(&k->rx, w + hl + hm, len - hl - hm, mac, hm))
		return DATA_ERR_CRYPTO;
	return CRYPTO_memcmp(mac, w + hl, hm) == 0 ? 0 : DATA_ERR_AUTH;
}

/* PKCS#7 on the last block (payload already authenticated, so no padding oracle). */
static int cbc_unpad(const uint8_t *pt, size_t pt_len, size_t bl, size_t *pad)
{
	uint8_t p = pt[pt_len - 1];

	if (p == 0 || p > bl || p > pt_len)
		return DATA_ERR_PADDING;
	for (size_t i = 0; i < p; i++)
		if (pt[pt_len - 1 - i] != p)
			return DATA_ERR_PADDING;
	*pad = p;
	return 0;
}

/* Decrypts IV||ct so that the 4-byte packet id lands in pidb and the rest at out[0..]. */
static int cbc_decrypt_body(struct data_key *k, const uint8_t *iv, size_t ct_len, uint8_t *out,
			    uint8_t pidb[DATA_PID_LEN])
{
	size_t bl = k->cfg.cipher->block_len;
	EVP_CIPHER_CTX *ctx = k->rx.ctx;
	const uint8_t *ct = iv + bl;
	uint8_t first[CIPHER_MAX_IV_LEN];
	int n1, n2 = 0;

	if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_DecryptUpdate(ctx, first, &n1, ct, (int)bl) != 1 || (size_t)n1 != bl)
		return DATA_ERR_CRYPTO;
	memcpy(pidb, first, DATA_PID_LEN);
	memcpy(out, first + DATA_PID_LEN, bl - DATA_PID_LEN);
	OPENSSL_cleanse(first, sizeof(first));
	if (ct_len > bl && (EVP_DecryptUpdate(ctx, out + bl - DATA_PID_LEN, &n2, ct + bl,
					      (int)(ct_len - bl)) != 1 ||
			    (size_t)n2 != ct_len - bl))
		return DATA_ERR_CRYPTO;
	return 0;
}

static ssize_t cbc_decrypt(struct data_key *k, const uint8_t *w, size_t len, size_t hl,
			   uint8_t *out, size_t cap, uint64_t now_s)
{
	size_t hm = k->hmac_len, bl = k->cfg.cipher->block_len, pad = 0;
	uint8_t pidb[DATA_PID_LEN];
	int rc;

	if (len < hl + hm + bl + bl || (len - hl - hm - bl) % bl)
		return DATA_ERR_SHORT;
	size_t ct_len = len - hl - hm - bl;
	if (ct_len > DATA_MAX_PAYLOAD)
		return DATA_ERR_TOO_BIG;
	if (cap < ct_len - DATA_PID_LEN)
		return DATA_ERR_NOSPACE;
	rc = cbc_auth(k, w, len, hl);
	if (rc)
		return rc;
	rc = cbc_decrypt_body(k, w + hl + hm, ct_len, out, pidb);
	if (rc == 0)
		rc = cbc_unpad(out, ct_len - DATA_PID_LEN, bl, &pad);
	if (rc == 0)
		rc = replay_ok(k, bytes_get_u32(pidb), now_s);
	if (rc) {
		OPENSSL_cleanse(out, ct_len - DATA_PID_LEN);
		return rc;
	}
	return (ssize_t)(ct_len - DATA_PID_LEN - pad);
}

ssize_t data_decrypt(struct data_key *k, const uint8_t *wire, size_t len, uint8_t *out,
		     size_t cap, uint64_t now_s)
{
	uint8_t op, key_id;
	ssize_t n;

	if (!k || !out)
		return DATA_ERR_CRYPTO;
	int rc = data_peek_header(wire, len, &op, &key_id, NULL);
	if (rc)
		return count_err(k, rc);
	if (key_id != k->cfg.key_id)
		return count_err(k, DATA_ERR_KEY_ID);
	/* Accept V1 and V2 whatever we send (§9.1). */
	size_t hl = op == DATA_OP_V2 ? DATA_HDR_V2_LEN : DATA_HDR_V1_LEN;
	if (k->ep)
		n = op == DATA_OP_V2 ? data_ep_decrypt(k, wire, len, out, cap, now_s)
				     : DATA_ERR_OPCODE;	/* epoch packets are always V2 */
	else if (k->cfg.cipher->kind == CIPHER_KIND_AEAD)
		n = aead_decrypt(k, wire, len, hl, out, cap, now_s);
	else
		n = cbc_decrypt(k, wire, len, hl, out, cap, now_s);
	if (n < 0)
		return count_err(k, (int)n);
	k->rx_usage += data_usage((size_t)n);
	k->st.rx_packets++;
	k->st.rx_bytes += (uint64_t)n;
	return n;
}

/* ---- accessors ---- */

bool data_key_needs_renegotiation(const struct data_key *k)
{
	if (!k)
		return false;
	/* Epoch keys renew themselves; only a worn-out epoch chain needs a new key_id (§A4.6). */
	if (k->ep)
		return k->ep->tx.epoch >= DATA_EPOCH_RENEG;
	if (k->send_pid >= DATA_PID_RENEG)
		return true;
	if (k->cfg.cipher->kind == CIPHER_KIND_AEAD && k->st.err_auth > DATA_TAG_FAIL_WARN)
		return true;
	return k->limit && (k->tx_usage > DATA_RENEG_USAGE(k->limit) ||
			    k->rx_usage > DATA_RENEG_USAGE(k->limit));
}

size_t data_key_headroom(const struct data_key *k)
{
	if (k->ep)	/* header, epoch, counter; the tag is at the end */
		return DATA_HDR_V2_LEN + 8;
	if (k->cfg.cipher->kind == CIPHER_KIND_AEAD)
		return k->hdr_len + DATA_PID_LEN + CIPHER_AEAD_TAG_LEN;
	return k->hdr_len + k->hmac_len + k->cfg.cipher->block_len;
}

size_t data_key_overhead(const struct data_key *k)
{
	if (k->ep)
		return DATA_HDR_V2_LEN + 8 + CIPHER_AEAD_TAG_LEN;
	if (k->cfg.cipher->kind == CIPHER_KIND_AEAD)
		return data_key_headroom(k);
	return data_key_headroom(k) + DATA_PID_LEN + k->cfg.cipher->block_len;
}

uint8_t data_key_id(const struct data_key *k)
{
	return k->cfg.key_id;
}

const struct cipher_info *data_key_cipher(const struct data_key *k)
{
	return k->cfg.cipher;
}

const struct data_stats *data_key_stats(const struct data_key *k)
{
	return &k->st;
}

uint64_t data_key_send_pid(const struct data_key *k)
{
	if (k->ep)
		return (uint64_t)k->ep->tx.epoch << 48 | k->ep->tx_counter;
	return k->send_pid;
}

void data_key_set_send_pid(struct data_key *k, uint64_t last_sent)
{
	if (k->ep)
		k->ep->tx_counter = last_sent & DATA_EPOCH_CTR_MAX;
	else
		k->send_pid = last_sent;
}

void data_key_set_usage_limit(struct data_key *k, uint64_t limit)
{
	k->limit = limit;
}

const char *data_strerror(int err)
{
	return data_err_known(err) ? data_errs[DATA_ERR_BASE - err].text : "unknown";
}
