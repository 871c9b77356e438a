/* Shared by the session-driving test helpers (sessdrive, manyc): clock, ICMP echo packets,
 * reading key files and a client/server TLS configuration from a PKI directory. Not burrow
 * code: the helpers drive proto/session.h directly, without the core. */
#ifndef BURROW_TESTS_DRVLIB_H
#define BURROW_TESTS_DRVLIB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sess_conf;
struct tls_conf;

#define DRV_ECHO_LEN 84		/* IPv4 header + ICMP echo with 56 bytes of data */
#define DRV_ECHO_ID 0x4242	/* the ICMP identifier our requests carry */

uint64_t drv_now_ms(void);
/* The Internet checksum (RFC 1071) of n bytes. */
uint16_t drv_csum(const uint8_t *p, size_t n);
/* Writes an IPv4 ICMP echo request src -> dst with sequence seq into p (DRV_ECHO_LEN bytes
 * of room); returns its length. */
size_t drv_icmp_echo(uint8_t *p, const struct in_addr *src, const uint8_t dst[4], uint16_t seq);
/* True when p is an IPv4 ICMP echo reply carrying DRV_ECHO_ID; *seq = its sequence. */
bool drv_is_echo_reply(const uint8_t *p, size_t n, uint16_t *seq);
/* Reads a whole small file into buf (NUL-terminated); returns its length or -errno. */
int drv_load(const char *path, char *buf, size_t cap);
/* Applies "--tls-crypt F", "--tls-auth F" or "--v2 F" (client side) to c; 0 or -errno. */
int drv_wrap_arg(struct sess_conf *c, const char *opt, const char *file);
/* TLS from DIR/ca.crt and DIR/{server,client}.{crt,key}; 0 or an error (printed). */
int drv_make_tls(struct tls_conf **out, const char *dir, bool server);

#endif
