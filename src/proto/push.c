/* Text control messages (spec §8) and the server's negotiation helpers (§7.5).
 * The PUSH_REPLY option codec lives in pushopt.c. */
#include "proto/push_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/occ.h"
#include "proto/peerinfo.h"

#define MSG(name) [PUSH_MSG_##name] = #name	/* PUSH_MSG_X is the message "X" */
static const char *const push_names[] = {
	[PUSH_MSG_UNKNOWN] = NULL,
	[PUSH_MSG_REQUEST] = "PUSH_REQUEST", [PUSH_MSG_REPLY] = "PUSH_REPLY",
	[PUSH_MSG_UPDATE] = "PUSH_UPDATE",
	MSG(AUTH_FAILED), MSG(AUTH_PENDING), MSG(RESTART), MSG(HALT), MSG(EXIT), MSG(INFO),
	MSG(INFO_PRE), MSG(CR_RESPONSE),
};
#undef MSG
#define PUSH_NTYPES (sizeof(push_names) / sizeof(push_names[0]))

const char *push_msg_name(enum push_msg_type type)
{
	if ((size_t)type >= PUSH_NTYPES || !push_names[type])
		return "UNKNOWN";
	return push_names[type];
}

int push_next_msg(const uint8_t *buf, size_t buflen, size_t *off, const char **msg,
		  size_t *len)
{
	while (*off < buflen) {
		const uint8_t *start = buf + *off;
		const uint8_t *nul = memchr(start, '\0', buflen - *off);
		size_t n;

		if (!nul)
			return -EBADMSG;	/* a command must not span records (§3.2) */
		n = (size_t)(nul - start);
		*off += n + 1;
		if (n == 0)
			continue;		/* stray NUL padding */
		if (n > PUSH_MSG_MAX)
			return -EMSGSIZE;
		*msg = (const char *)start;
		*len = n;
		return 1;
	}
	return 0;
}

static bool push_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

int push_list_parse(const char *msg, size_t len, const char *prefix, int *continuation,
		    int (*fn)(void *arg, char *opt), void *arg)
{
	char buf[PUSH_MSG_MAX + 1];
	size_t plen = strlen(prefix);
	char *s, *next;

	if (len > PUSH_MSG_MAX)
		return -EMSGSIZE;
	while (len && (msg[len - 1] == '\0' || msg[len - 1] == '\r' || msg[len - 1] == '\n'))
		len--;
	if (len < plen || memcmp(msg, prefix, plen) != 0 || (len > plen && msg[plen] != ','))
		return -EBADMSG;
	if (!push_printable(msg, len))
		return -EBADMSG;
	memcpy(buf, msg, len);
	buf[len] = '\0';
	*continuation = 0;
	for (s = len > plen ? buf + plen + 1 : NULL; s; s = next) {
		int rc;

		next = strchr(s, ',');
		if (next)
			*next++ = '\0';
		while (*s == ' ')
			s++;
		if (!*s)
			continue;
		rc = fn(arg, s);
		if (rc)
			return rc;
	}
	return *continuation == 2 ? 1 : 0;
}

/* "NAME" or "NAME,..." */
static bool push_has_name(const char *msg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(msg, name, n) == 0 && (msg[n] == '\0' || msg[n] == ',');
}

/* Leading decimal digits of s as a number <= max; -1 if none or too large. */
static long push_lead_num(const char *s, long max)
{
	long v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* AUTH_FAILED,TEMP[backoff N,advance no]:msg | AUTH_FAILED,SESSION:msg | AUTH_FAILED,msg */
static void push_parse_auth_failed(struct push_msg *m)
{
	const char *a = m->arg;

	m->reason = a;
	if (strncmp(a, "SESSION:", 8) == 0) {
		m->af_session = true;
		m->reason = a + 8;
	} else if (strncmp(a, "TEMP", 4) == 0) {
		const char *p = a + 4, *close;

		m->af_temp = true;
		if (*p == '[' && (close = strchr(p, ']'))) {
			const char *b = strstr(p, "backoff ");

			if (b && b < close)
				m->af_backoff = (int)push_lead_num(b + 8, 86400);
			p = close + 1;
		}
		m->reason = *p == ':' ? p + 1 : p;
	}
}

/* AUTH_PENDING[,timeout N][,...] */
static void push_parse_auth_pending(struct push_msg *m)
{
	for (const char *p = m->arg; p && *p;) {
		if (strncmp(p, "timeout ", 8) == 0)
			m->pending_timeout = (int)push_lead_num(p + 8, 86400);
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
}

/* RESTART[,[flags]msg]: P = keep credentials, N = advance to the next remote. */
static void push_parse_restart(struct push_msg *m)
{
	const char *a = m->arg, *close;

	m->reason = a;
	if (*a != '[' || !(close = strchr(a, ']')))
		return;
	for (const char *f = a + 1; f < close; f++) {
		if (*f == 'P')
			m->restart_keep_creds = true;
		else if (*f == 'N')
			m->restart_next_remote = true;
	}
	m->reason = close + 1;
}

int push_msg_parse(char *msg, size_t len, struct push_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->af_backoff = -1;
	m->pending_timeout = -1;
	m->arg = m->reason = "";
	if (len > PUSH_MSG_MAX)
		return -EMSGSIZE;
	while (len && (msg[len - 1] == '\r' || msg[len - 1] == '\n'))
		msg[--len] = '\0';
	if (len == 0 || !push_printable(msg, len) || msg[len] != '\0')
		return -EBADMSG;
	m->text = msg;
	for (size_t t = 1; t < PUSH_NTYPES; t++) {
		if (!push_has_name(msg, push_names[t]))
			continue;
		m->type = (enum push_msg_type)t;
		m->arg = msg[strlen(push_names[t])] ? msg + strlen(push_names[t]) + 1 : "";
		break;
	}
	if (m->type == PUSH_MSG_AUTH_FAILED)
		push_parse_auth_failed(m);
	else if (m->type == PUSH_MSG_AUTH_PENDING)
		push_parse_auth_pending(m);
	else if (m->type == PUSH_MSG_RESTART)
		push_parse_restart(m);
	else if (m->type == PUSH_MSG_HALT)
		m->reason = m->arg;
	return 0;
}

int push_msg_build(enum push_msg_type type, const char *arg, char *out, size_t cap)
{
	const char *name = (size_t)type < PUSH_NTYPES ? push_names[type] : NULL;
	int n;

	if (!name || (arg && !push_printable(arg, strlen(arg))))
		return -EINVAL;
	if (arg && arg[0])
		n = snprintf(out, cap, "%s,%s", name, arg);
	else
		n = snprintf(out, cap, "%s", name);
	if (n < 0 || (size_t)n >= cap || n + 1 > PUSH_MSG_MAX + 1)
		return -ENOSPC;
	return n + 1;	/* the NUL is part of the message */
}

/* ---- negotiation (§7.5) ---- */

int push_pick_cipher(const char *server_list, const char *client_list, char *out, size_t cap)
{
	for (const char *s = server_list; s && *s;) {
		const char *c = strchr(s, ':');
		size_t len = c ? (size_t)(c - s) : strlen(s);
		char name[64];

		if (len > 0 && len < sizeof(name)) {
			memcpy(name, s, len);
			name[len] = '\0';
			if (pinfo_list_has(client_list, name)) {
				if (len >= cap)
					return -ENOSPC;
				memcpy(out, name, len + 1);
				return 0;
			}
		}
		s = c ? c + 1 : NULL;
	}
	return -ENOENT;
}

static int push_copy(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap)
		return -ENOSPC;
	memcpy(out, s, n + 1);
	return 0;
}

int push_client_ciphers(const struct pinfo *pi, const char *occ, char *out, size_t cap)
{
	if (pi && pi->ciphers[0])
		return push_copy(out, cap, pi->ciphers);
	if (pi && pi->ncp >= 2)
		return push_copy(out, cap, "AES-256-GCM:AES-128-GCM");
	if (occ)
		return occ_get(occ, "cipher", out, cap);
	return -ENOENT;
}

bool push_apply_client_caps(struct push_opts *o, const struct pinfo *pi, long peer_id,
			    int server_tun_mtu)
{
	unsigned long proto = pi->proto > 0 ? (unsigned long)pi->proto : 0;
	bool ekm = proto & PINFO_PROTO_TLS_KEY_EXPORT;

	if ((proto & PINFO_PROTO_DATA_V2) && peer_id >= 0 && peer_id < 0xffffff)
		o->peer_id = peer_id;
	o->proto_flags = 0;
	o->key_derivation_ekm = false;
	/* Clients that accept protocol-flags get EKM there, others as key-derivation. */
	if (proto & PINFO_PROTO_CC_EXIT_NOTIFY) {
		o->proto_flags |= PUSH_PF_CC_EXIT;
		if (ekm)
			o->proto_flags |= PUSH_PF_TLS_EKM;
	} else if (ekm) {
		o->key_derivation_ekm = true;
	}
	if (proto & PINFO_PROTO_DYN_TLS_CRYPT)
		o->proto_flags |= PUSH_PF_DYN_TLS_CRYPT;
	o->has_proto_flags = o->proto_flags != 0;
	if (pi->mtu >= 0 && server_tun_mtu > 0)
		o->tun_mtu = server_tun_mtu;
	return ekm;
}
