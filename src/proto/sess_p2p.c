/* Peer-to-peer TLS mode (spec §13.1; 2.7 addendum §A1.4): tls-client <-> tls-server
 * without `pull` / `mode server`. There is no PUSH: both sides announce IV_PROTO bit 5 in
 * their peer-info and, once the KM2 messages crossed, compute the same decisions from the
 * two peer-info strings: the cipher (first of the TLS server's IV_CIPHERS the client also
 * has), EKM, DATA_V2 peer-id, cc-exit, dyn-tls-crypt, aead-epoch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cipher.h"
#include "proto/keys.h"
#include "proto/peerinfo.h"
#include "proto/sess_impl.h"
#include "util/log.h"

#define P2P_PEER_ID_VPN 0x76706Eu	/* "vpn": DATA_V2 without EKM */

/* The IV_PROTO bits this side announces in p2p mode. */
long sess_p2p_proto(const struct sess *s)
{
	long p = PINFO_PROTO_RESERVED | PINFO_PROTO_DATA_V2 | PINFO_PROTO_NCP_P2P |
		 PINFO_PROTO_TLS_KEY_EXPORT | PINFO_PROTO_CC_EXIT_NOTIFY |
		 PINFO_PROTO_DYN_TLS_CRYPT;

	if (s->conf.no_ekm)
		p &= ~(long)PINFO_PROTO_TLS_KEY_EXPORT;
	if (s->conf.no_cc_exit)
		p &= ~(long)PINFO_PROTO_CC_EXIT_NOTIFY;
	if (s->conf.no_dyn_tls_crypt)
		p &= ~(long)PINFO_PROTO_DYN_TLS_CRYPT;
	if (s->conf.aead_epoch)
		p |= PINFO_PROTO_DATA_EPOCH;
	return p;
}

/* Both sides iterate the TLS server's list and take the first the client also has. */
static int p2p_cipher(struct sess *s, const struct pinfo *peer, char *out, size_t cap)
{
	const char *server_list = s->is_server ? s->conf.data_ciphers : peer->ciphers;
	const char *client_list = s->is_server ? peer->ciphers : s->conf.data_ciphers;

	if (peer->ciphers[0] && !push_pick_cipher(server_list, client_list, out, cap))
		return 0;
	if (s->conf.data_ciphers_fallback && cipher_find(s->conf.data_ciphers_fallback)) {
		snprintf(out, cap, "%s", s->conf.data_ciphers_fallback);
		return 0;
	}
	return -ENOENT;
}

static int p2p_decide(struct sess *s, struct sess_ks *ks, const struct pinfo *peer)
{
	long common = sess_p2p_proto(s) & (peer->proto > 0 ? peer->proto : 0);

	if (!(common & PINFO_PROTO_NCP_P2P))
		common = 0;	/* a peer without p2p NCP: no features, cipher by fallback */
	if (p2p_cipher(s, peer, s->neg.cipher, sizeof(s->neg.cipher))) {
		sess_fail(s, -ENOENT, "no data cipher in common with the peer");
		return -ENOENT;
	}
	s->neg.ekm = common & PINFO_PROTO_TLS_KEY_EXPORT;
	s->neg.cc_exit = common & PINFO_PROTO_CC_EXIT_NOTIFY;
	s->neg.dyn_tls_crypt = common & PINFO_PROTO_DYN_TLS_CRYPT;
	s->neg.peer_id = -1;
	if (common & PINFO_PROTO_DATA_V2) {
		uint32_t pid = P2P_PEER_ID_VPN;
		if (s->neg.ekm && keys_ekm_p2p_peer_id(ks->tls, &pid)) {
			sess_fail(s, -EIO, "cannot derive the p2p peer-id");
			return -EIO;
		}
		s->neg.peer_id = (int32_t)pid;
	}
	s->neg.aead_epoch = (common & PINFO_PROTO_DATA_EPOCH) && s->neg.peer_id >= 0 &&
			    cipher_is_aead(cipher_find(s->neg.cipher));
	return 0;
}

int sess_p2p_negotiate(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	struct pinfo *peer = malloc(sizeof(*peer));
	int r = -ENOMEM;

	if (!peer) {
		sess_fail(s, r, "out of memory");
		return r;
	}
	pinfo_init(peer);
	if (pinfo_parse(peer, ks->peer_km2->peer_info, strlen(ks->peer_km2->peer_info)))
		pinfo_init(peer);
	r = p2p_decide(s, ks, peer);
	free(peer);
	if (r)
		return r;
	s->neg_done = true;
	s->auth = SESS_AUTH_OK;
	log_info("session: p2p: cipher %s, %s, peer-id %d%s%s", s->neg.cipher,
		 s->neg.ekm ? "EKM" : "PRF", (int)s->neg.peer_id,
		 s->neg.cc_exit ? ", cc-exit" : "", s->neg.dyn_tls_crypt ? ", dyn-tls-crypt" : "");
	return sess_ks_gen_keys(s, ks, now_ms);
}
