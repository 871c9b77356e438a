/* Shared by the device-layer benchmark's files (bench_vif.c, kpair.c). */
#ifndef BURROW_BENCH_VIF_H
#define BURROW_BENCH_VIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t bv_now_ns(void);
/* A kernel TUN pair: one TUN device in each of two network namespaces, this program
 * forwarding between them (a VPN with no crypto and no transport), a UDP ping from ns1 answered
 * by a UDP echo in ns2. threads: one thread per forwarding direction and one for the echo.
 * Returns the number of round trips measured into s. */
size_t bv_kpair_rtt(int64_t *s, size_t iters, const char *ns1, const char *ns2, bool threads);

#endif
