#include "util/sanitize.h"

#include <stdio.h>
#include <string.h>

static bool ctrl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

size_t sanitize_name(char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (ctrl((unsigned char)*s)) {
			*s = '_';
			n++;
		}
	return n;
}

char *sanitize_name_copy(char *dst, size_t cap, const char *src)
{
	if (cap == 0)
		return dst;
	snprintf(dst, cap, "%s", src);
	sanitize_name(dst);
	return dst;
}

static bool key_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

bool sanitize_peer_info_line(char *line)
{
	char *eq = line;

	if (strncmp(line, "IV_", 3) != 0 && strncmp(line, "UV_", 3) != 0)
		return false;
	while (key_char((unsigned char)*eq))
		eq++;
	if (*eq != '=')
		return false;
	for (char *v = eq + 1; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c <= 0x20 || c >= 0x7f || c == '$' || c == '(' || c == '`')
			*v = '_';
	}
	return true;
}

char *sanitize_field(char *dst, size_t cap, const char *src, char sep)
{
	size_t i = 0;

	if (cap == 0)
		return dst;
	for (; src[i] && i + 1 < cap; i++)
		dst[i] = (src[i] == sep || ctrl((unsigned char)src[i])) ? '_' : src[i];
	dst[i] = '\0';
	return dst;
}

bool sanitize_field_ok(const char *s, char sep)
{
	for (; *s; s++)
		if (*s == sep || ctrl((unsigned char)*s))
			return false;
	return true;
}
