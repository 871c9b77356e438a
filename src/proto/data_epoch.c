/* 2.7 epoch data format (openvpn-2.7-addendum §A2-§A5).
 *
 * wire  = hdr(4) | epoch(2) | counter(6) | ciphertext | tag(16)
 * AAD   = the first 12 bytes; nonce = (epoch||counter||0000) XOR IV_e
 * keys  = K_e / IV_e = OVPN-Expand-Label(E_e, "data_key"/"data_iv"), E_e+1 = ..."datakey upd"
 *
 * Send: one key, moved forward on the AEAD usage limit, at the counter limit, or to follow
 * the peer. Receive: the current epoch, the one before it (retiring) and 16 future keys,
 * each with its own replay window; the current epoch moves only on an authenticated packet.
 * All EVP contexts are allocated at creation and re-keyed in place when epochs move.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto/data_impl.h"

#define EP_HDR_LEN (DATA_HDR_V2_LEN + 8)
#define EP_MAX_EPOCH 65535u
/* A future key is used only up to here (§A4.3 step 2, as 2.7.6). */
#define EP_MAX_FUTURE_EPOCH (EP_MAX_EPOCH - DATA_EPOCH_FUTURE - 1)
#define EP_SECRET_LEN 32

int data_expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t len)
{
	uint8_t info[64], md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	size_t n = 0, ll = label ? strlen(label) : 0;

	if (!secret || !out || len == 0 || len > 32 || ll > 32)
		return DATA_ERR_CRYPTO;
	bytes_put_u16(info + n, (uint16_t)len);
	n += 2;
	info[n++] = (uint8_t)(5 + ll);
	memcpy(info + n, "ovpn ", 5);
	n += 5;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;	/* empty context */
	info[n++] = 1;	/* HKDF-Expand block 1: one SHA-256 output covers len <= 32 */
	if (!HMAC(EVP_sha256(), secret, EP_SECRET_LEN, info, n, md, &md_len) || md_len < len)
		return DATA_ERR_CRYPTO;
	memcpy(out, md, len);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/* E_n -> E_n+1, in place; on failure the secret is left as it was. */
static int ep_next_secret(uint8_t secret[EP_SECRET_LEN])
{
	uint8_t next[EP_SECRET_LEN];

	if (data_expand_label(secret, "datakey upd", next, sizeof(next)))
		return DATA_ERR_CRYPTO;
	memcpy(secret, next, sizeof(next));
	OPENSSL_cleanse(next, sizeof(next));
	return 0;
}

/* Derive K_e / IV_e from E_e and re-key the slot's context in place. */
static int ep_key_set(const struct data_key *k, struct data_ep_key *ek,
		      const uint8_t secret[EP_SECRET_LEN], uint16_t epoch, int enc)
{
	uint8_t key[CIPHER_MAX_KEY_LEN];
	int rc = DATA_ERR_CRYPTO;

	if (data_expand_label(secret, "data_key", key, k->cfg.cipher->key_len) ||
	    data_expand_label(secret, "data_iv", ek->iv, DATA_NONCE_LEN))
		goto out;
	if (EVP_CipherInit_ex(ek->ctx, NULL, NULL, key, NULL, enc) != 1)
		goto out;
	ek->epoch = epoch;
	ek->usage = 0;
	ek->fails = 0;
	if (!enc)
		replay_reset(&ek->replay);
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

static int ep_key_alloc(const struct data_key *k, struct data_ep_key *ek, EVP_CIPHER *evp,
			int enc)
{
	ek->ctx = EVP_CIPHER_CTX_new();
	if (!ek->ctx)
		return -ENOMEM;
	if (EVP_CipherInit_ex(ek->ctx, evp, NULL, NULL, NULL, enc) != 1)
		return -EIO;
	if (enc)
		return 0;
	return replay_init(&ek->replay, k->cfg.replay_window, k->cfg.replay_time);
}

static void ep_key_free(struct data_ep_key *ek)
{
	EVP_CIPHER_CTX_free(ek->ctx);
	replay_free(&ek->replay);
	OPENSSL_cleanse(ek, sizeof(*ek));
}

void data_ep_free(struct data_key *k)
{
	struct data_epoch *e = k->ep;

	if (!e)
		return;
	ep_key_free(&e->tx);
	ep_key_free(&e->retiring);
	for (size_t i = 0; i < DATA_EP_SLOTS; i++)
		ep_key_free(&e->slot[i]);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
	k->ep = NULL;
}

/* Keep receive keys derived up to r + 16 (§A4.3). */
static int ep_rx_extend(struct data_key *k)
{
	struct data_epoch *e = k->ep;
	unsigned want = e->rx_cur + DATA_EPOCH_FUTURE;

	if (want > EP_MAX_EPOCH)
		want = EP_MAX_EPOCH;
	while (e->rx_top < want) {
		if (ep_next_secret(e->rx_secret))
			return DATA_ERR_CRYPTO;
		e->rx_top++;
		if (ep_key_set(k, &e->slot[e->rx_top % DATA_EP_SLOTS], e->rx_secret, e->rx_top, 0))
			return DATA_ERR_CRYPTO;
	}
	return 0;
}

/* An authenticated packet of epoch ep > r: r becomes the retiring epoch, the keys between
 * are forgotten, and the future window moves up. The old retiring slot is recycled. */
static int ep_rx_advance(struct data_key *k, uint16_t ep)
{
	struct data_epoch *e = k->ep;
	struct data_ep_key *old = &e->slot[e->rx_cur % DATA_EP_SLOTS];
	struct data_ep_key tmp = e->retiring;

	e->retiring = *old;
	*old = tmp;
	for (unsigned x = e->rx_cur; x < ep; x++)
		e->slot[x % DATA_EP_SLOTS].epoch = 0;
	e->rx_cur = ep;
	return ep_rx_extend(k);
}

static int ep_tx_move(struct data_key *k, unsigned target)
{
	struct data_epoch *e = k->ep;
	uint8_t secret[EP_SECRET_LEN];
	int rc = DATA_ERR_CRYPTO;

	if (target <= e->tx.epoch || target > EP_MAX_EPOCH)
		return -EINVAL;
	memcpy(secret, e->tx_secret, sizeof(secret));
	for (unsigned x = e->tx.epoch; x < target; x++)
		if (ep_next_secret(secret))
			goto out;
	if (ep_key_set(k, &e->tx, secret, (uint16_t)target, 1))
		goto out;
	memcpy(e->tx_secret, secret, sizeof(secret));
	e->tx_counter = 0;
	rc = 0;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

/* §A4.1: move the send epoch on the usage limit, as a hint when the receive key wears out,
 * or when the counter is used up. */
static int ep_tx_prepare(struct data_key *k)
{
	struct data_epoch *e = k->ep;
	const struct data_ep_key *rx = &e->slot[e->rx_cur % DATA_EP_SLOTS];
	bool move = false;

	if (e->tx.epoch < EP_MAX_EPOCH) {
		if (k->limit && e->tx.usage > k->limit)
			move = true;
		else if (k->limit && e->tx.epoch == e->rx_cur &&
			 (rx->usage > k->limit || rx->fails > DATA_TAG_FAIL_WARN))
			move = true;
		if (e->tx_counter >= DATA_EPOCH_CTR_MAX)
			move = true;
	}
	if (move) {
		int rc = ep_tx_move(k, e->tx.epoch + 1u);
		if (rc)
			return rc;
	}
	return e->tx_counter >= DATA_EPOCH_CTR_MAX ? DATA_ERR_EXHAUSTED : 0;
}

static void ep_nonce(const struct data_ep_key *ek, const uint8_t id[8], uint8_t nonce[12])
{
	for (int i = 0; i < 8; i++)
		nonce[i] = id[i] ^ ek->iv[i];
	memcpy(nonce + 8, ek->iv + 8, 4);
}

static void ep_header(const struct data_key *k, uint64_t ctr, uint8_t *out)
{
	uint16_t ep = k->ep->tx.epoch;

	bytes_put_u32(out, (uint32_t)DATA_OP_V2 << 27 | (uint32_t)k->cfg.key_id << 24 |
			  (uint32_t)k->cfg.peer_id);
	bytes_put_u16(out + 4, ep);
	for (int i = 0; i < 6; i++)
		out[6 + i] = (uint8_t)(ctr >> (40 - 8 * i));
}

ssize_t data_ep_encrypt(struct data_key *k, const uint8_t *in, size_t len, uint8_t *out,
			size_t cap)
{
	struct data_epoch *e = k->ep;
	uint8_t nonce[DATA_NONCE_LEN];

	if (cap < EP_HDR_LEN + len + CIPHER_AEAD_TAG_LEN)
		return DATA_ERR_NOSPACE;
	int rc = ep_tx_prepare(k);
	if (rc)
		return rc;
	uint64_t ctr = e->tx_counter + 1;
	ep_header(k, ctr, out);
	ep_nonce(&e->tx, out + DATA_HDR_V2_LEN, nonce);
	rc = data_aead_seal(e->tx.ctx, nonce, out, EP_HDR_LEN, in, len, out + EP_HDR_LEN,
			    out + EP_HDR_LEN + len);
	if (rc)
		return rc;
	e->tx_counter = ctr;
	e->tx.usage += data_usage(EP_HDR_LEN + len);
	return (ssize_t)(EP_HDR_LEN + len + CIPHER_AEAD_TAG_LEN);
}

/* §A4.3 step 2: current, retiring, or one of the future keys. */
static struct data_ep_key *ep_rx_key(struct data_epoch *e, uint16_t ep)
{
	struct data_ep_key *slot = &e->slot[ep % DATA_EP_SLOTS];

	if (ep == 0)
		return NULL;
	if (ep == e->retiring.epoch)
		return &e->retiring;
	if (ep != e->rx_cur && (ep < e->rx_cur || ep > e->rx_top || ep > EP_MAX_FUTURE_EPOCH))
		return NULL;
	return slot->epoch == ep ? slot : NULL;
}

static int ep_open(struct data_ep_key *kp, const uint8_t *w, size_t ct_len, uint8_t *out)
{
	uint8_t nonce[DATA_NONCE_LEN], tag[CIPHER_AEAD_TAG_LEN];

	ep_nonce(kp, w + DATA_HDR_V2_LEN, nonce);
	memcpy(tag, w + EP_HDR_LEN + ct_len, sizeof(tag));
	return data_aead_open(kp->ctx, nonce, w, EP_HDR_LEN, w + EP_HDR_LEN, ct_len, out, tag);
}

/* After authentication: move the receive (and, to follow the peer, send) epoch, then the
 * replay window of the epoch the packet used. */
static int ep_accept(struct data_key *k, struct data_ep_key *kp, uint16_t ep, uint64_t ctr,
		     uint64_t now_s)
{
	struct data_epoch *e = k->ep;

	if (replay_check(&kp->replay, ctr, 0, now_s) != REPLAY_OK)
		return DATA_ERR_REPLAY;
	if (ep > e->rx_cur) {
		if (ep_rx_advance(k, ep))
			return DATA_ERR_CRYPTO;
		if (e->tx.epoch < ep && ep_tx_move(k, ep))
			return DATA_ERR_CRYPTO;
	}
	return replay_accept(&kp->replay, ctr, 0, now_s) == REPLAY_OK ? 0 : DATA_ERR_REPLAY;
}

ssize_t data_ep_decrypt(struct data_key *k, const uint8_t *w, size_t len, uint8_t *out,
			size_t cap, uint64_t now_s)
{
	if (len < EP_HDR_LEN + CIPHER_AEAD_TAG_LEN + 1)
		return DATA_ERR_SHORT;
	size_t ct_len = len - EP_HDR_LEN - CIPHER_AEAD_TAG_LEN;
	if (ct_len > DATA_MAX_PAYLOAD)
		return DATA_ERR_TOO_BIG;
	if (cap < ct_len)
		return DATA_ERR_NOSPACE;
	uint16_t ep = bytes_get_u16(w + 4);
	uint64_t ctr = (uint64_t)w[6] << 40 | (uint64_t)bytes_get_u32(w + 7) << 8 | w[11];
	struct data_ep_key *kp = ep_rx_key(k->ep, ep);
	if (!kp)
		return DATA_ERR_EPOCH;
	if (kp->fails > DATA_TAG_FAIL_REFUSE)
		return DATA_ERR_AUTH;
	int rc = ep_open(kp, w, ct_len, out);
	if (rc == DATA_ERR_AUTH)
		kp->fails++;
	if (rc == 0)
		rc = ep_accept(k, kp, ep, ctr, now_s);
	if (rc) {
		OPENSSL_cleanse(out, ct_len);
		return rc;
	}
	kp->usage += data_usage(ct_len);
	return (ssize_t)ct_len;
}

int data_ep_init(struct data_key *k, const uint8_t tx_e1[32], const uint8_t rx_e1[32])
{
	EVP_CIPHER *evp = cipher_evp_fetch(k->cfg.cipher);
	struct data_epoch *e;
	int rc = -ENOMEM;

	if (!evp)
		return -ENOTSUP;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out;
	k->ep = e;
	rc = ep_key_alloc(k, &e->tx, evp, 1);
	for (size_t i = 0; rc == 0 && i < DATA_EP_SLOTS; i++)
		rc = ep_key_alloc(k, &e->slot[i], evp, 0);
	if (rc == 0)
		rc = ep_key_alloc(k, &e->retiring, evp, 0);
	if (rc)
		goto out;
	memcpy(e->tx_secret, tx_e1, EP_SECRET_LEN);
	memcpy(e->rx_secret, rx_e1, EP_SECRET_LEN);
	e->rx_cur = e->rx_top = 1;	/* epochs start at 1 (§A3.2) */
	if (ep_key_set(k, &e->tx, e->tx_secret, 1, 1) ||
	    ep_key_set(k, &e->slot[1], e->rx_secret, 1, 0) || ep_rx_extend(k))
		rc = -EIO;
out:
	EVP_CIPHER_free(evp);
	if (rc)
		data_ep_free(k);
	return rc;
}

uint16_t data_key_send_epoch(const struct data_key *k)
{
	return k && k->ep ? k->ep->tx.epoch : 0;
}

uint16_t data_key_recv_epoch(const struct data_key *k)
{
	return k && k->ep ? k->ep->rx_cur : 0;
}

int data_key_epoch_advance(struct data_key *k, uint16_t epoch)
{
	if (!k || !k->ep || epoch < k->ep->tx.epoch)
		return -EINVAL;
	return epoch == k->ep->tx.epoch ? 0 : ep_tx_move(k, epoch);
}
