/* Private to src/config: the option-table row, the parse context, the lexer, memory and
 * error helpers shared by the config files. Nothing outside src/config includes this. */
#ifndef BURROW_CONFIG_CFG_IMPL_H
#define BURROW_CONFIG_CFG_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

#define CFG_MAX_ARGS 16			/* tokens per line, directive included (as OpenVPN) */
#define CFG_LINE_MAX 8192		/* longest directive line accepted */
#define CFG_FILE_MAX (1024 * 1024)	/* largest config / PEM / key file read */
#define CFG_VEC_MAX 65536		/* most entries in one multi-valued directive */
#define CFG_CMDLINE "<command line>"

/* ---- memory owned by a cfg / cfg_ccd ------------------------------------------------ */

/* Allocations are chained and wiped (they may hold keys) and freed together. */
void *cfg_mem_alloc(struct cfg_mem **m, size_t n);
char *cfg_mem_strndup(struct cfg_mem **m, const char *s, size_t n);
char *cfg_mem_strdup(struct cfg_mem **m, const char *s);
void cfg_mem_free(struct cfg_mem **m);

/* Grow a CFG_VEC to hold one more element; returns 0 or -ENOMEM/-E2BIG. */
int cfg_vec_grow(void *pv, size_t *cap, size_t elsz, size_t n);
#define CFG_VEC_ADD(vec)                                                             \
	((vec).n < (vec).cap ||                                                      \
	 cfg_vec_grow(&(vec).v, &(vec).cap, sizeof(*(vec).v), (vec).n) == 0          \
		 ? (memset(&(vec).v[(vec).n], 0, sizeof(*(vec).v)), &(vec).v[(vec).n++]) \
		 : NULL)
#define CFG_VEC_FREE(vec) do { free((vec).v); (vec).v = NULL; (vec).n = (vec).cap = 0; } while (0)

/* ---- errors ---------------------------------------------------------------------- */

/* Fill err and format err->text; returns ret (a negative errno) for `return cfg_err(...)`. */
int cfg_err_set(struct cfg_err *err, int ret, const char *file, int line, const char *directive,
		const char *hint, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
int cfg_err_vset(struct cfg_err *err, int ret, const char *file, int line, const char *directive,
		 const char *hint, const char *fmt, va_list ap) __attribute__((format(printf, 7, 0)));

/* ---- lexer ---------------------------------------------------------------------------- */

struct cfg_lexer {
	const char *p, *end;
	const char *name;	/* file name for messages */
	int line;		/* number of the line last read */
	char buf[CFG_LINE_MAX];	/* token storage for the current line */
};

struct cfg_line {
	int line;
	int argc;
	char *argv[CFG_MAX_ARGS + 1];	/* NULL-terminated; point into the lexer's buf */
	bool tag;			/* argv[0] is an unquoted <tag> / </tag> */
};

void cfg_lex_init(struct cfg_lexer *lx, const char *text, size_t len, const char *name,
		  int first_line);
/* Next non-empty, non-comment line. Returns 1 (line), 0 (end) or -EINVAL (err filled). */
int cfg_lex_next(struct cfg_lexer *lx, struct cfg_line *out, struct cfg_err *err);
/* After a "<tag>" line: the raw body up to the line "</tag>". body points into the text. */
int cfg_lex_block(struct cfg_lexer *lx, const char *tag, const char **body, size_t *len,
		  struct cfg_err *err);

/* ---- the option table ------------------------------------------------------------------ */

enum {
	CFG_R_CLIENT = 1 << 0,
	CFG_R_SERVER = 1 << 1,
	CFG_R_CCD = 1 << 2,	/* allowed in client-config-dir files */
	CFG_R_BOTH = CFG_R_CLIENT | CFG_R_SERVER,
};

enum {
	CFG_F_INLINE = 1 << 1,		/* may be given as an inline <name> block */
	CFG_F_CONN = 1 << 3,		/* allowed inside a <connection> block */
	CFG_F_DTAIL = 1 << 4,		/* the default is for the trailing optional argument(s) only
					 * (status FILE [SECONDS]): applied without the leading ones */
};

/* What burrow does with a directive: every row declares one (0 is not a status, so a row
 * without one fails the table test; the row macros in options.c take it as a required
 * argument). */
enum cfg_status {
	CFG_ST_UNDECLARED = 0,
	CFG_ST_HONOURED,	/* has its effect; `test` names the test that shows it */
	CFG_ST_NOTICED,		/* accepted with a warning saying why it does not matter here */
	CFG_ST_REFUSED,		/* parsed, then cfg_validate() fails: `why` — `todo` */
};

struct cfg_ctx;
struct cfg_option;
/* argv[0] is the directive; argc counts it. Returns 0 or a negative errno (err filled). */
typedef int (*cfg_parse_fn)(struct cfg_ctx *x, const struct cfg_option *o, int argc,
			    char **argv);

struct cfg_option {
	const char *name;
	unsigned char min_args, max_args;	/* arguments after the directive */
	unsigned char roles;			/* CFG_R_* */
	unsigned char flags;			/* CFG_F_* */
	cfg_parse_fn parse;
	size_t off;				/* field in struct cfg for the generic parsers */
	long lo, hi;				/* range for opt_int */
	const char *args;			/* argument synopsis for help */
	const char *help;			/* one line */
	/* The default, written as the directive's arguments the way OpenVPN documents it
	 * ("60", "5 300", "1492 mtu"); NULL = none. cfg_validate() runs it through `parse`
	 * when the user did not give the directive (nor another row setting the same field),
	 * so after validation the field holds it. With CFG_F_DTAIL it stands for the trailing
	 * optional arguments only, and parse is called with the leading ones NULL. */
	const char *dflt;
	unsigned char status;			/* enum cfg_status */
	/* honoured: "tests/netns/x.sh" or "tests/unit/test_x.c[:function]", relative to the
	 * source tree. noticed: why it does not matter here (the warning's text). refused: why,
	 * with todo saying what to do instead. */
	const char *test;
	const char *why;
	const char *todo;
};

extern const struct cfg_option cfg_options[];
const char *cfg_status_name(enum cfg_status st);
/* Argument-level status inside an honoured row (redirect-gateway block-local, server ...
 * nopool): warn that this part does not matter here / make cfg_validate() refuse it. */
void cfg_notice(struct cfg_ctx *x, const char *why);
void cfg_refuse(struct cfg_ctx *x, const char *why, const char *todo);
extern const size_t cfg_n_options;
const struct cfg_option *cfg_option_find(const char *name);
/* The closest directive name (edit distance <= 2), or NULL. */
const char *cfg_option_suggest(const char *name);

/* Per-parse state handed to every parse function. */
struct cfg_ctx {
	struct cfg *c;		/* NULL when parsing a ccd file */
	struct cfg_ccd *ccd;	/* non-NULL when parsing a ccd file */
	struct cfg_mem **mem;
	const char *file;	/* owned copy, for cfg_where */
	const char *dir;	/* base for relative paths; NULL = as given */
	int line;
	const char *directive;
	struct cfg_err *err;
	const char *inl;	/* inline block body for this directive, or NULL */
	size_t inl_len;
	bool optional;		/* `setenv opt`: unknown directive is not an error */
	bool in_conn;		/* inside <connection> */
	struct {		/* `proto`/`port` given inside the current <connection> */
		enum cfg_proto proto;
		enum cfg_af af;
		uint16_t port;
	} conn;
	int depth;
	bool dflt;		/* applying a table default, not a user's directive */
	bool conn_local;	/* set by a parse function that stored into `conn` only */
};

/* Error at the current directive. */
int cfg_fail(struct cfg_ctx *x, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct cfg_where cfg_here(const struct cfg_ctx *x);
/* Where directive `name` was last given (file:line), or the top-level file with line 0. */
struct cfg_where cfg_seen(const struct cfg *c, const char *name);
/* Apply row o's default (o->dflt) through its parse function, as if given by the user but
 * without marking it seen or setting "set by the user" flags. 0 or a negative errno. */
int cfg_apply_default(struct cfg *c, const struct cfg_option *o, struct cfg_err *err);
/* The row whose default applies to c is still unset by the user (see cfg_option.dflt). */
bool cfg_default_needed(const struct cfg *c, const struct cfg_option *o);
/* The default for argument position pos (1 = first argument) of row o, into buf:
 * 0, or -ENOENT when the default does not cover that position. For parse functions
 * whose optional arguments take the table's default when omitted. */
int cfg_dflt_arg(const struct cfg_option *o, int pos, char *buf, size_t cap);
/* Row o's default as help and the manual show it: the default itself ("60", "5 300"), or for
 * CFG_F_DTAIL rows the optional arguments' names then their values ("SECONDS 60").
 * 0, -ENOENT (no default) or -ENOSPC. */
int cfg_default_text(const struct cfg_option *o, char *buf, size_t cap);
/* Run one tokenized directive line through the table. */
int cfg_dispatch(struct cfg_ctx *x, int argc, char **argv);
/* Parse a whole text (file, <connection> body, ccd file) with x. */
int cfg_parse_text(struct cfg_ctx *x, const char *text, size_t len, const char *name,
		   int first_line);
/* A path as given, resolved against x->dir when relative. */
char *cfg_resolve_path(struct cfg_ctx *x, const char *path);

/* ---- value parsers (addr.c): 0 or -EINVAL, no error text ------------------------------ */

int cfg_parse_long(const char *s, long lo, long hi, long *out);
int cfg_parse_port(const char *s, uint16_t *out);
int cfg_parse_ipv4(const char *s, struct in_addr *out);
int cfg_parse_netmask(const char *s, struct in_addr *out);	/* contiguous only */
int cfg_parse_ipv6_prefix(const char *s, struct in6_addr *out, uint8_t *prefix, int dflt);
int cfg_parse_proto(const char *s, enum cfg_proto *p, enum cfg_af *af, enum cfg_role role);

/* ---- generic parse functions (options.c) ---------------------------------------------- */
int cfg_opt_flag(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv);
int cfg_opt_int(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv);
int cfg_opt_client_timer(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv);
int cfg_opt_str(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv);
int cfg_opt_path(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv);
int cfg_opt_blob(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv);
/* Parse functions for noticed / refused rows that store nothing (cfg_dispatch does the
 * warning or records the refusal from the row's status). */
int cfg_opt_ignored(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv);
int cfg_opt_unsupported(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv);

/* Specific parse functions, grouped by file. */
/* opt_net.c */
int cfg_opt_dev(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_dev_type(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_proto(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_remote(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_port(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_route(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_route6(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_redirect_gateway(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_dhcp_option(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ifconfig(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ifconfig6(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_mssfix(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_resolv_retry(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_connect_retry(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_keepalive(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_explicit_exit(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_connection(struct cfg_ctx *, const struct cfg_option *, int, char **);
/* opt_server.c */
int cfg_opt_server(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_server6(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_server_bridge(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_mode(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_client(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_topology(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_pool(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_pool6(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_pool_persist(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_push(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_aupv(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_verify_cc(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_status(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_setenv(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ignore_unknown(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_script(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_config(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ccd_ifconfig_push(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ccd_ifconfig6_push(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ccd_iroute(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ccd_iroute6(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ccd_flag(struct cfg_ctx *, const struct cfg_option *, int, char **);
/* opt_tls.c */
int cfg_opt_statickey(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_key_direction(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_remote_cert_tls(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_ns_cert_type(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_verify_x509(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_x509_user(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_tls_remote(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_tls_version(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_dh(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_crl_verify(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_cipher_list(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_compress(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_comp_lzo(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_allow_comp(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_auth_user_pass(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_reneg(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_client_cert_not_required(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_pull_filter(struct cfg_ctx *, const struct cfg_option *, int, char **);
int cfg_opt_log(struct cfg_ctx *, const struct cfg_option *, int, char **);

/* ---- validation helpers (load.c) --------------------------------------------------------- */
/* Read a whole file (<= CFG_FILE_MAX) into cfg-owned memory. 0 or negative errno. */
int cfg_read_file(struct cfg_mem **m, const char *path, char **text, size_t *len);
/* Load b (when a path) and check it parses as kind ("ca", "cert", ...). */
int cfg_load_blob(struct cfg *c, struct cfg_blob *b, const char *directive, struct cfg_err *err);
/* Error about a blob: "FILE:LINE: directive: PATH|inline block: problem — hint". */
int cfg_blob_fail(const struct cfg_blob *b, const char *directive, const char *hint,
		  const char *problem, struct cfg_err *err);
/* OpenSSL's reason for the last error (clearing the queue), or fallback. */
const char *cfg_ssl_reason(const char *fallback);
/* opt_crl.c: crl-verify DIR dir names an existing directory. */
int cfg_check_crl_dir(struct cfg *c, struct cfg_err *err);
/* certkey.c */
int cfg_check_pki(struct cfg *c, struct cfg_err *err);
int cfg_unpack_pkcs12(struct cfg *c, struct cfg_err *err);
int cfg_load_user_pass(struct cfg *c, struct cfg_err *err);

#endif
