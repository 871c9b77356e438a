/* Internals of the data channel shared by data.c (2.6 classic format) and data_epoch.c
 * (2.7 epoch format). Not for other modules. */
#ifndef BURROW_PROTO_DATA_IMPL_H
#define BURROW_PROTO_DATA_IMPL_H

#include <openssl/evp.h>

#include "proto/data.h"
#include "proto/replay.h"
#include "util/bytes.h"

#define DATA_PID_LEN 4
#define DATA_IMPLICIT_IV_LEN 8
#define DATA_NONCE_LEN 12
#define DATA_MAX_PAYLOAD 65535	/* EVP takes int lengths; no tunnel MTU comes close */
#define DATA_TAG_FAIL_WARN (1ull << 35)		/* failed tags: renegotiate / bump epoch */
#define DATA_TAG_FAIL_REFUSE (1ull << 36)	/* failed tags: the key refuses to decrypt */
/* Classic mode renegotiates at 7/8 of the AEAD limit (2.7 §A5). */
#define DATA_RENEG_USAGE(limit) ((limit) / 8 * 7)

struct data_dir {
	EVP_CIPHER_CTX *ctx;
	EVP_MAC_CTX *hmac;		/* CBC with an auth digest; NULL otherwise */
	uint8_t implicit_iv[DATA_IMPLICIT_IV_LEN];
};

/* One epoch's key in one direction. */
struct data_ep_key {
	uint16_t epoch;			/* 0 = slot empty */
	EVP_CIPHER_CTX *ctx;		/* allocated once, re-keyed on epoch changes */
	uint8_t iv[DATA_NONCE_LEN];
	struct replay replay;		/* receive side: one window per epoch (§A4.4) */
	uint64_t usage;			/* packets + 16-byte blocks (§A5) */
	uint64_t fails;			/* failed tag checks */
};

#define DATA_EP_SLOTS (DATA_EPOCH_FUTURE + 1)	/* current + future, index epoch % SLOTS */

struct data_epoch {
	uint8_t tx_secret[32];		/* E_s of the send epoch */
	struct data_ep_key tx;
	uint64_t tx_counter;		/* last counter used in tx.epoch */
	uint8_t rx_secret[32];		/* E_top: the last derived receive epoch's secret */
	uint16_t rx_top;		/* highest receive epoch with a derived key */
	uint16_t rx_cur;		/* current receive epoch r */
	struct data_ep_key slot[DATA_EP_SLOTS];
	struct data_ep_key retiring;	/* the previous r (epoch 0 until the first move) */
};

struct data_key {
	struct data_key_cfg cfg;
	unsigned hdr_len;		/* of packets we send: 1 (V1) or 4 (V2) */
	unsigned hmac_len;		/* CBC only */
	struct data_dir tx, rx;		/* classic format */
	uint64_t send_pid;		/* classic: last packet id sent */
	struct replay replay;		/* classic: receive window */
	uint64_t tx_usage, rx_usage;	/* classic: packets + blocks, for the AEAD limit */
	uint64_t limit;			/* AEAD usage limit L; 0 = none (ChaCha20, CBC) */
	struct data_epoch *ep;		/* epoch format only */
	struct data_stats st;
};

/* AEAD usage of one packet: 1 + its 16-byte blocks. */
static inline uint64_t data_usage(size_t bytes)
{
	return 1 + (bytes + 15) / 16;
}

/* Epoch format (data_epoch.c). */
/* AEAD over a context keyed for one direction: aad[aad_len] authenticated, in[len] to out
 * (in place is fine), the 16-byte tag written (seal) or checked (open, in constant time inside
 * OpenSSL). 0, DATA_ERR_CRYPTO, or DATA_ERR_AUTH (open: the packet is not authentic). */
int data_aead_seal(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, const uint8_t *aad, int aad_len,
		   const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag);
int data_aead_open(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, const uint8_t *aad, int aad_len,
		   const uint8_t *in, size_t len, uint8_t *out, const uint8_t *tag);

int data_ep_init(struct data_key *k, const uint8_t tx_e1[32], const uint8_t rx_e1[32]);
void data_ep_free(struct data_key *k);
ssize_t data_ep_encrypt(struct data_key *k, const uint8_t *in, size_t len, uint8_t *out,
			size_t cap);
ssize_t data_ep_decrypt(struct data_key *k, const uint8_t *w, size_t len, uint8_t *out,
			size_t cap, uint64_t now_s);

#endif
