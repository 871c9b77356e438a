/* Lines -> tokens with OpenVPN's config syntax:
 *  - whitespace separates tokens; CR before LF is dropped (CRLF and mixed files);
 *  - '#' or ';' starts a comment only where a token would start ("a#b" is one token);
 *  - "double quotes" group a token; inside them and in bare tokens a backslash escapes
 *    '\\', '"', '\'' and whitespace; before any other character it stays literal, so an
 *    unquoted Windows path keeps its backslashes;
 *  - 'single quotes' group a token with no escapes at all;
 *  - a line that is just "<tag>" opens an inline block whose raw body runs to "</tag>".
 * NUL bytes are refused in directive lines (they would silently cut a token) and turned
 * into spaces inside blocks, where they only ever occur in comment text. */
#include <errno.h>
#include <string.h>

#include "config/cfg_impl.h"

void cfg_lex_init(struct cfg_lexer *lx, const char *text, size_t len, const char *name,
		  int first_line)
{
	lx->p = text;
	lx->end = text + len;
	lx->name = name;
	lx->line = first_line - 1;
}

/* The next physical line [*s, *e) without its line ending; false at end of text. */
static bool lex_raw_line(struct cfg_lexer *lx, const char **s, const char **e)
{
	const char *nl;

	if (lx->p >= lx->end)
		return false;
	*s = lx->p;
	nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
	*e = nl ? nl : lx->end;
	lx->p = nl ? nl + 1 : lx->end;
	if (*e > *s && (*e)[-1] == '\r')
		(*e)--;
	lx->line++;
	return true;
}

static bool lex_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool lex_escapable(char ch)
{
	return ch == '\\' || ch == '"' || ch == '\'' || lex_space(ch);
}

/* One token starting at *pp (not whitespace, not a comment). Writes into *out, advances
 * both. Returns 0 or -EINVAL for an unterminated quote. */
static int lex_token(const char **pp, const char *e, char **out)
{
	const char *p = *pp;
	char *o = *out;
	char quote = 0;

	while (p < e && (quote || !lex_space(*p))) {
		char ch = *p++;

		if (quote == '\'') {
			if (ch == '\'')
				quote = 0;
			else
				*o++ = ch;
		} else if (ch == '\\' && p < e && lex_escapable(*p)) {
			*o++ = *p++;
		} else if (quote == '"') {
			if (ch == '"')
				quote = 0;
			else
				*o++ = ch;
		} else if (ch == '"' || ch == '\'') {
			quote = ch;
		} else {
			*o++ = ch;
		}
	}
	if (quote)
		return -EINVAL;
	*o++ = '\0';
	*pp = p;
	*out = o;
	return 0;
}

static int lex_split(struct cfg_lexer *lx, const char *s, const char *e, struct cfg_line *out,
		     struct cfg_err *err)
{
	char *o = lx->buf;
	const char *p = s;

	out->argc = 0;
	out->tag = false;
	for (;;) {
		while (p < e && lex_space(*p))
			p++;
		if (p >= e || *p == '#' || *p == ';')
			break;
		if (out->argc == CFG_MAX_ARGS)
			return cfg_err_set(err, -EINVAL, lx->name, lx->line, NULL,
					   "quote arguments that contain spaces",
					   "more than %d words on one line", CFG_MAX_ARGS);
		if (out->argc == 0 && *p == '<')
			out->tag = true;
		out->argv[out->argc++] = o;
		if (lex_token(&p, e, &o) < 0)
			return cfg_err_set(err, -EINVAL, lx->name, lx->line, out->argv[0],
					   "close the quote on the same line",
					   "unterminated quote");
	}
	out->argv[out->argc] = NULL;
	return 0;
}

int cfg_lex_next(struct cfg_lexer *lx, struct cfg_line *out, struct cfg_err *err)
{
	const char *s, *e;
	int ret;

	while (lex_raw_line(lx, &s, &e)) {
		const char *q = s;

		while (q < e && lex_space(*q))
			q++;
		if (q == e || *q == '#' || *q == ';')
			continue;	/* blank or comment line: NULs in comments are harmless */
		if ((size_t)(e - s) >= CFG_LINE_MAX)
			return cfg_err_set(err, -EINVAL, lx->name, lx->line, NULL,
					   "split it or move the data to a file",
					   "line longer than %d bytes", CFG_LINE_MAX - 1);
		if (memchr(s, '\0', (size_t)(e - s)))
			return cfg_err_set(err, -EINVAL, lx->name, lx->line, NULL,
					   "the file looks binary or damaged; re-save it as text",
					   "NUL byte in a directive line");
		ret = lex_split(lx, s, e, out, err);
		if (ret < 0)
			return ret;
		if (out->argc == 0)
			continue;
		out->line = lx->line;
		return 1;
	}
	return 0;
}

/* True when [s, e) is "</tag>" with optional surrounding whitespace. */
static bool lex_is_close(const char *s, const char *e, const char *tag)
{
	size_t n = strlen(tag);

	while (s < e && lex_space(*s))
		s++;
	while (e > s && lex_space(e[-1]))
		e--;
	return (size_t)(e - s) == n + 3 && s[0] == '<' && s[1] == '/' &&
	       memcmp(s + 2, tag, n) == 0 && s[n + 2] == '>';
}

int cfg_lex_block(struct cfg_lexer *lx, const char *tag, const char **body, size_t *len,
		  struct cfg_err *err)
{
	const char *start = lx->p, *s, *e;
	int open_line = lx->line;

	while (lex_raw_line(lx, &s, &e)) {
		if (lex_is_close(s, e, tag)) {
			*body = start;
			*len = (size_t)(s - start);
			return 0;
		}
	}
	return cfg_err_set(err, -EINVAL, lx->name, open_line, NULL, NULL,
			   "<%s> block is not closed \u2014 add a line </%s> after its contents",
			   tag, tag);
}
