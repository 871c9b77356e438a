/* The one place a config error is formatted: "FILE:LINE: directive: problem — what to do". */
#include <stdio.h>
#include <string.h>

#include "config/cfg_impl.h"

static void err_copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

int cfg_err_vset(struct cfg_err *err, int ret, const char *file, int line, const char *directive,
		 const char *hint, const char *fmt, va_list ap)
{
	size_t n = 0;

	if (!err)
		return ret;
	err_copy(err->file, sizeof(err->file), file);
	err->line = line;
	err_copy(err->directive, sizeof(err->directive), directive);
	err_copy(err->hint, sizeof(err->hint), hint);
	vsnprintf(err->problem, sizeof(err->problem), fmt, ap);

	if (err->file[0] && line > 0)
		n = (size_t)snprintf(err->text, sizeof(err->text), "%s:%d: ", err->file, line);
	else if (err->file[0])
		n = (size_t)snprintf(err->text, sizeof(err->text), "%s: ", err->file);
	if (n < sizeof(err->text) && err->directive[0])
		n += (size_t)snprintf(err->text + n, sizeof(err->text) - n, "%s: ", err->directive);
	if (n < sizeof(err->text))
		n += (size_t)snprintf(err->text + n, sizeof(err->text) - n, "%s", err->problem);
	if (n < sizeof(err->text) && err->hint[0])
		snprintf(err->text + n, sizeof(err->text) - n, " \u2014 %s", err->hint);
	return ret;
}

int cfg_err_set(struct cfg_err *err, int ret, const char *file, int line, const char *directive,
		const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ret = cfg_err_vset(err, ret, file, line, directive, hint, fmt, ap);
	va_end(ap);
	return ret;
}
