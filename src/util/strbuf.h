/* Text built piece by piece into a caller's fixed buffer, always NUL-terminated. */
#ifndef BURROW_UTIL_STRBUF_H
#define BURROW_UTIL_STRBUF_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* Appends n bytes of s at *off in out[cap], keeping room for the NUL; -ENOBUFS (nothing
 * written) when they do not fit. */
static inline int strbuf_put(char *out, size_t cap, size_t *off, const char *s, size_t n)
{
	if (*off + n + 1 > cap)
		return -ENOBUFS;
	memcpy(out + *off, s, n);
	*off += n;
	out[*off] = '\0';
	return 0;
}

#endif
