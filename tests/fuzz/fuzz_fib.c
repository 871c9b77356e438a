/* The TAP learning table (core/fib.c) driven by fuzz bytes against a naive reference: learn,
 * lookup, client disconnects and the clock, with small limits and ageing so the limits, the
 * reclaim sweeps, takeovers and deletions all happen. Aborts on any difference from the
 * reference or any broken table invariant (a probe run crossing an empty slot, wrong counts).
 *
 * Input: 4 bytes of settings (max per client, max total, age, flags), 16 bytes of SipHash key
 * (so the fuzzer can steer collisions; a real fib draws it at random), then 2 bytes per step:
 *   a: bits 0-1 op (0, 1 learn; 2 lookup; 3 disconnect), bits 2-7 MAC index (60-63 multicast)
 *   b: bits 0-2 client, bits 3-7 clock advance in ms */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/fib.h"

#define N_MACS 64

struct model {
	bool used[N_MACS];
	uint32_t client[N_MACS];
	uint64_t seen[N_MACS];
	uint64_t refused_client, refused_full, takeover;
};

static void mac_of(int i, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x00 };

	memcpy(mac, base, 6);
	if (i >= 60)
		mac[0] = 0x03;	/* multicast source: never learned */
	mac[4] = (uint8_t)(i * 37);
	mac[5] = (uint8_t)i;
}

static bool m_live(const struct fib *f, const struct model *m, int i, uint64_t now)
{
	return m->used[i] && now - m->seen[i] <= f->mac_age_ms;
}

static int m_learn(const struct fib *f, struct model *m, int i, uint32_t c, uint64_t now)
{
	size_t mine = 0, all = 0;

	if (i >= 60)
		return 0;
	if (m_live(f, m, i, now)) {
		if (m->client[i] != c) {
			m->takeover++;
			return -EEXIST;
		}
		m->seen[i] = now;
		return 0;
	}
	for (int j = 0; j < N_MACS; j++) {
		all += m_live(f, m, j, now);
		mine += m_live(f, m, j, now) && m->client[j] == c;
	}
	if (mine >= f->mac_max_client) {
		m->refused_client++;
		return -ENOSPC;
	}
	if (all >= f->mac_max_total) {
		m->refused_full++;
		return -ENOSPC;
	}
	m->used[i] = true;
	m->client[i] = c;
	m->seen[i] = now;
	return 0;
}

static void check_table(const struct fib *f)
{
	size_t used = 0, owned = 0, mask = f->cap_macs - 1;

	if (!f->cap_macs) {
		if (f->n_macs)
			abort();
		return;
	}
	if (f->n_macs * 2 > f->cap_macs || f->n_macs > f->mac_max_total)
		abort();
	for (size_t j = 0; j < f->cap_macs; j++) {
		const struct fib_mac *e = &f->macs[j];
		size_t n = 0;
		bool counted = false;

		if (!e->used)
			continue;
		used++;
		for (size_t i = e->hash & mask; i != j; i = (i + 1) & mask)
			if (!f->macs[i].used)
				abort();	/* unreachable entry */
		for (size_t i = 0; i < f->cap_macs; i++)
			n += f->macs[i].used && f->macs[i].client == e->client;
		if (n > f->mac_max_client)
			abort();
		for (size_t i = 0; i < f->cap_counts; i++)
			if (f->counts[i].n && f->counts[i].client == e->client) {
				if (f->counts[i].n != n || counted)
					abort();
				counted = true;
			}
		if (!counted)
			abort();
	}
	for (size_t i = 0; i < f->cap_counts; i++)
		owned += f->counts[i].n;
	if (used != f->n_macs || owned != used)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fib f;
	struct model m;
	uint64_t now = 1000;
	uint8_t mac[6];
	size_t sz = 8;
	OSSL_PARAM p[] = { OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, &sz), OSSL_PARAM_END };

	if (size < 20)
		return 0;
	if (fib_init(&f, 0) != 0)
		abort();
	memset(&m, 0, sizeof(m));
	f.mac_max_client = 1 + data[0] % 12;
	f.mac_max_total = 1 + data[1] % 40;
	f.mac_age_ms = data[2] % 64;
	if (data[3] & 1)
		f.mac_max_total = 1000;		/* only the per-client limit binds */
	memcpy(f.sip_key, data + 4, 16);
	if (EVP_MAC_init(f.sip, f.sip_key, 16, p) != 1)
		abort();
	data += 20;
	size -= 20;
	for (; size >= 2; data += 2, size -= 2) {
		int op = data[0] & 3, i = data[0] >> 2;
		uint32_t c = data[1] & 7;

		now += data[1] >> 3;
		mac_of(i, mac);
		if (op <= 1) {
			int want = m_learn(&f, &m, i, c, now);

			if (fib_learn(&f, mac, c, now) != want)
				abort();
		} else if (op == 3) {
			fib_del_client(&f, c);
			for (int j = 0; j < N_MACS; j++)
				if (m.client[j] == c)
					m.used[j] = false;
			check_table(&f);
		}
		if (fib_lookup_mac(&f, mac, now) != (m_live(&f, &m, i, now) ? m.client[i] : FIB_NONE))
			abort();
		if (f.learn_refused_client != m.refused_client || f.learn_refused_full != m.refused_full ||
		    f.takeover_refused != m.takeover)
			abort();
	}
	check_table(&f);
	for (int j = 0; j < N_MACS; j++) {
		mac_of(j, mac);
		if (fib_lookup_mac(&f, mac, now) != (m_live(&f, &m, j, now) ? m.client[j] : FIB_NONE))
			abort();
	}
	fib_free(&f);
	return 0;
}
