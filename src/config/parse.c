/* The driver: text -> lexer -> option table -> struct cfg. Also cfg_init/cfg_free and the
 * command-line overrides. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg_impl.h"
#include "util/log.h"

void cfg_init(struct cfg *c, enum cfg_role role)
{
	memset(c, 0, sizeof(*c));
	c->role = role;
	/* Unset markers only: defaults come from the option table (cfg_validate applies them). */
	c->mssfix = -1;
	c->key_direction = -1;
	c->tls_auth.direction = -1;
	c->tls_crypt.direction = -1;
	c->tls_crypt_v2.direction = -1;
	c->reneg_sec = -1;
	c->reneg_bytes = -1;
	c->reneg_pkts = -1;
	c->keepalive_interval = -1;
	c->keepalive_timeout = -1;
	c->ping = -1;
	c->ping_restart = -1;
	c->ping_exit = -1;
	c->route_metric = -1;
}

void cfg_free(struct cfg *c)
{
	if (!c)
		return;
	CFG_VEC_FREE(c->remotes);
	CFG_VEC_FREE(c->routes);
	CFG_VEC_FREE(c->routes6);
	CFG_VEC_FREE(c->dhcp_options);
	CFG_VEC_FREE(c->setenv);
	CFG_VEC_FREE(c->push);
	CFG_VEC_FREE(c->ignore_unknown);
	CFG_VEC_FREE(c->pull_filters);
	cfg_mem_free(&c->mem);
	memset(c, 0, sizeof(*c));
}

struct cfg_where cfg_here(const struct cfg_ctx *x)
{
	return (struct cfg_where){ .file = x->file, .line = x->line };
}

int cfg_fail(struct cfg_ctx *x, const char *hint, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = cfg_err_vset(x->err, -EINVAL, x->file, x->line, x->directive, hint, fmt, ap);
	va_end(ap);
	if (x->c)
		x->c->n_errors++;
	return ret;
}

char *cfg_resolve_path(struct cfg_ctx *x, const char *path)
{
	size_t dl, pl = strlen(path);
	char *out;

	/* "C:\\..." (Windows profiles) is kept as written so the error shows it unchanged */
	bool drive = ((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':' &&
		     (path[2] == '\\' || path[2] == '/');

	if (!x->dir || path[0] == '/' || drive)
		return cfg_mem_strdup(x->mem, path);
	dl = strlen(x->dir);
	out = cfg_mem_alloc(x->mem, dl + 1 + pl);
	if (!out)
		return NULL;
	memcpy(out, x->dir, dl);
	out[dl] = '/';
	memcpy(out + dl + 1, path, pl);
	return out;
}

static bool in_list(const struct cfg *c, const char *name)
{
	for (size_t i = 0; c && i < c->ignore_unknown.n; i++)
		if (strcmp(c->ignore_unknown.v[i], name) == 0)
			return true;
	return false;
}

/* "%HOST_TUN_PROTOCOL%": a generator template that was never filled in. */
static const char *placeholder_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (n > 2 && argv[i][0] == '%' && argv[i][n - 1] == '%' &&
		    strspn(argv[i] + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n - 2)
			return argv[i];
	}
	return NULL;
}

/* Parsing goes on so the rest of a template can be checked; cfg_validate() refuses it. */
static int skip_placeholder(struct cfg_ctx *x, const char *value)
{
	log_warn("%s:%d: %s: unexpanded template placeholder '%s', directive skipped", x->file,
		 x->line, x->directive, value);
	if (x->c && !x->c->placeholder.directive) {
		x->c->placeholder.directive = cfg_mem_strdup(x->mem, x->directive);
		x->c->placeholder.value = cfg_mem_strdup(x->mem, value);
		x->c->placeholder.where = cfg_here(x);
	}
	return 0;
}

static bool merge_marker(const char *s)
{
	return strncmp(s, "<<<<<<<", 7) == 0 || strncmp(s, "=======", 7) == 0 ||
	       strncmp(s, ">>>>>>>", 7) == 0;
}

static int dispatch_unknown(struct cfg_ctx *x, const char *name)
{
	const char *near;
	char hint[160];

	if (x->optional || in_list(x->c, name)) {
		log_info("%s:%d: %s: unknown, skipped (marked optional)", x->file, x->line, name);
		return 0;
	}
	near = cfg_option_suggest(name);
	if (near)
		snprintf(hint, sizeof(hint), "did you mean '%s'? (burrow help directives)", near);
	else
		snprintf(hint, sizeof(hint), "remove it, or name it in 'ignore-unknown-option' to "
			 "skip it (burrow help directives lists what is known)");
	return cfg_fail(x, hint, "unknown directive");
}

static int dispatch_role(struct cfg_ctx *x, const struct cfg_option *o)
{
	if (x->ccd)
		return (o->roles & CFG_R_CCD) ? 0 :
			cfg_fail(x, "client-config-dir files take ifconfig-push, iroute, push, "
				 "push-reset, disable", "not allowed in a client-config-dir file");
	if (!(o->roles & CFG_R_BOTH))
		return cfg_fail(x, "it belongs in a client-config-dir file",
				"only allowed in a client-config-dir file");
	if (x->c->role == CFG_ROLE_CLIENT && !(o->roles & CFG_R_CLIENT))
		return cfg_fail(x, "remove it, or run this file with 'burrow server'",
				"server-only directive in a client configuration");
	if (x->c->role == CFG_ROLE_SERVER && !(o->roles & CFG_R_SERVER))
		return cfg_fail(x, "remove it, or run this file with 'burrow client'",
				"client-only directive in a server configuration");
	if (x->in_conn && !(o->flags & CFG_F_CONN))
		return cfg_fail(x, "move it out of the <connection> block",
				"not allowed inside <connection>");
	return 0;
}

/* Validation errors about a directive name the line it was set on. A proto/port that only
 * set its <connection>'s own value is not remembered: the global one is still unset. */
static void remember(struct cfg_ctx *x, const struct cfg_option *o)
{
	if (x->conn_local)
		return;
	if (!x->c->seen)
		x->c->seen = cfg_mem_alloc(x->mem, cfg_n_options * sizeof(*x->c->seen));
	if (x->c->seen)
		x->c->seen[o - cfg_options] = cfg_here(x);
}

struct cfg_where cfg_seen(const struct cfg *c, const char *name)
{
	const struct cfg_option *o = cfg_option_find(name);

	if (o && c->seen && c->seen[o - cfg_options].file)
		return c->seen[o - cfg_options];
	return (struct cfg_where){ .file = c->file, .line = 0 };
}

int cfg_dispatch(struct cfg_ctx *x, int argc, char **argv)
{
	const char *name = argv[0];
	const struct cfg_option *o;
	int nargs = argc - 1;
	int ret;

	/* "--directive" is accepted in files too (seen in real profiles) */
	if (name[0] == '-' && name[1] == '-' && name[2])
		name += 2;
	x->directive = name;
	o = cfg_option_find(name);
	if (!o)
		return dispatch_unknown(x, name);
	ret = dispatch_role(x, o);
	if (ret < 0)
		return ret;
	if (placeholder_arg(argc, argv))
		return skip_placeholder(x, placeholder_arg(argc, argv));
	if (!x->inl && (nargs < o->min_args || nargs > o->max_args)) {
		char hint[128];

		snprintf(hint, sizeof(hint), "usage: %s %s", o->name, o->args ? o->args : "");
		if (nargs < o->min_args)
			return cfg_fail(x, hint, "missing argument (needs %u, got %d)",
					o->min_args, nargs);
		return cfg_fail(x, hint, "too many arguments (takes at most %u, got %d)",
				o->max_args, nargs);
	}
	argv[0] = (char *)name;
	x->conn_local = false;
	ret = o->parse(x, o, argc, argv);
	if (ret == 0 && x->c)
		remember(x, o);
	return ret;
}

/* ---- defaults ---- */

static bool was_seen(const struct cfg *c, const struct cfg_option *o)
{
	return c->seen && c->seen[o - cfg_options].file;
}

bool cfg_default_needed(const struct cfg *c, const struct cfg_option *o)
{
	unsigned want = c->role == CFG_ROLE_SERVER ? CFG_R_SERVER : CFG_R_CLIENT;

	if (!o->dflt || !(o->roles & want) || was_seen(c, o))
		return false;
	/* another spelling of the same setting (ncp-ciphers, client-cert-not-required) */
	for (size_t i = 0; o->off && i < cfg_n_options; i++)
		if (cfg_options[i].off == o->off && was_seen(c, &cfg_options[i]))
			return false;
	return true;
}

/* Split a default into its words (defaults are plain words, no quotes). */
static int dflt_words(const struct cfg_option *o, char *buf, size_t cap, char **w, int max)
{
	char *save = NULL;
	int n = 0;

	if (!o->dflt || snprintf(buf, cap, "%s", o->dflt) >= (int)cap)
		return 0;
	for (char *t = strtok_r(buf, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return n;
}

int cfg_dflt_arg(const struct cfg_option *o, int pos, char *buf, size_t cap)
{
	char tmp[128], *w[CFG_MAX_ARGS];
	int n = dflt_words(o, tmp, sizeof(tmp), w, CFG_MAX_ARGS);
	int first = (o->flags & CFG_F_DTAIL) ? o->max_args - n + 1 : 1;

	if (pos < first || pos >= first + n || snprintf(buf, cap, "%s", w[pos - first]) >= (int)cap)
		return -ENOENT;
	return 0;
}

int cfg_apply_default(struct cfg *c, const struct cfg_option *o, struct cfg_err *err)
{
	struct cfg_ctx x = { .c = c, .mem = &c->mem, .err = err, .file = "<default>",
			     .directive = o->name, .dflt = true };
	char buf[128], *argv[CFG_MAX_ARGS + 1] = { (char *)o->name };
	int n = dflt_words(o, buf, sizeof(buf), argv + 1, CFG_MAX_ARGS - 1), argc = n + 1;

	if (n == 0 || n > o->max_args)
		return cfg_err_set(err, -EINVAL, NULL, 0, o->name, NULL, "bad table default '%s'",
				   o->dflt ? o->dflt : "");
	if (o->flags & CFG_F_DTAIL) {
		/* the leading (mandatory) arguments have no default: passed as NULL */
		memmove(argv + 1 + o->max_args - n, argv + 1, (size_t)n * sizeof(*argv));
		memset(argv + 1, 0, (size_t)(o->max_args - n) * sizeof(*argv));
		argc = o->max_args + 1;
	}
	return o->parse(&x, o, argc, argv);
}

/* "<tag>" line: read the block body and hand it to the directive as its inline value. */
static int parse_block(struct cfg_ctx *x, struct cfg_lexer *lx, struct cfg_line *ln)
{
	char tag[64], *argv[2];
	size_t n = strlen(ln->argv[0]);
	const struct cfg_option *o;
	const char *body;
	size_t len;
	int ret;

	x->line = ln->line;
	x->directive = ln->argv[0];
	if (ln->argc != 1 || n < 3 || n - 2 >= sizeof(tag) || ln->argv[0][n - 1] != '>' ||
	    ln->argv[0][1] == '/')
		return cfg_fail(x, "an inline block is a line '<name>', the contents, and "
				"a line '</name>'", "malformed block tag");
	memcpy(tag, ln->argv[0] + 1, n - 2);
	tag[n - 2] = '\0';
	o = cfg_option_find(tag);
	if (!o || !(o->flags & CFG_F_INLINE))
		return cfg_fail(x, "inline blocks: <ca> <cert> <key> <extra-certs> <pkcs12> "
				"<tls-auth> <tls-crypt> <tls-crypt-v2> <crl-verify> <dh> "
				"<auth-user-pass> <connection>", "not an inline block burrow knows");
	ret = cfg_lex_block(lx, tag, &body, &len, x->err);
	if (ret < 0)
		return ret;
	x->inl = body;
	x->inl_len = len;
	argv[0] = tag;
	argv[1] = NULL;
	ret = cfg_dispatch(x, 1, argv);
	x->inl = NULL;
	x->inl_len = 0;
	return ret;
}

int cfg_parse_text(struct cfg_ctx *x, const char *text, size_t len, const char *name,
		   int first_line)
{
	struct cfg_lexer *lx;
	struct cfg_line ln;
	int ret;

	if (++x->depth > 3) {	/* file, one include, one <connection> */
		x->depth--;
		return cfg_fail(x, "flatten the nesting", "blocks nested too deeply");
	}
	lx = malloc(sizeof(*lx));
	if (!lx) {
		x->depth--;
		return -ENOMEM;
	}
	cfg_lex_init(lx, text, len, name, first_line);
	while ((ret = cfg_lex_next(lx, &ln, x->err)) > 0) {
		x->line = ln.line;
		x->directive = ln.argv[0];
		if (merge_marker(ln.argv[0]))
			ret = cfg_fail(x, "resolve the merge conflict and keep one side",
				       "unresolved git merge-conflict marker");
		else if (ln.tag)
			ret = parse_block(x, lx, &ln);
		else
			ret = cfg_dispatch(x, ln.argc, ln.argv);
		if (ret < 0)
			break;
	}
	free(lx);
	x->depth--;
	return ret < 0 ? ret : 0;
}

static char *dir_of(struct cfg_mem **m, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return cfg_mem_strdup(m, ".");
	if (slash == path)
		return cfg_mem_strdup(m, "/");
	return cfg_mem_strndup(m, path, (size_t)(slash - path));
}

int cfg_load_text(const char *text, size_t len, const char *name, const char *dir,
		  struct cfg *c, struct cfg_err *err)
{
	struct cfg_ctx x = { .c = c, .mem = &c->mem, .err = err };

	if (len > CFG_FILE_MAX)
		return cfg_err_set(err, -E2BIG, name, 0, NULL, "is this really a config file?",
				   "larger than %d bytes", CFG_FILE_MAX);
	x.file = cfg_mem_strdup(&c->mem, name ? name : "<text>");
	x.dir = cfg_mem_strdup(&c->mem, dir ? dir : ".");
	if (!x.file || !x.dir)
		return -ENOMEM;
	if (!c->file) {
		c->file = x.file;
		c->dir = x.dir;
	}
	return cfg_parse_text(&x, text, len, x.file, 1);
}

int cfg_load_file(const char *path, enum cfg_role role, struct cfg *c, struct cfg_err *err)
{
	char *text;
	size_t len;
	int ret;

	cfg_init(c, role);
	ret = cfg_read_file(&c->mem, path, &text, &len);
	if (ret == -E2BIG)
		return cfg_err_set(err, ret, path, 0, NULL, "is this really a config file?",
				   "larger than %d bytes", CFG_FILE_MAX);
	if (ret < 0)
		return cfg_err_set(err, ret, path, 0, NULL, "check the path and permissions",
				   "cannot read the configuration: %s", strerror(-ret));
	return cfg_load_text(text, len, path, dir_of(&c->mem, path), c, err);
}

int cfg_apply_args(int argc, char *const argv[], struct cfg *c, struct cfg_err *err)
{
	struct cfg_ctx x = { .c = c, .mem = &c->mem, .err = err, .file = CFG_CMDLINE };
	char *args[CFG_MAX_ARGS + 1];
	int i = 0, ret;

	while (i < argc) {
		int n = 0;

		x.line = i + 1;
		x.directive = argv[i];
		if (strncmp(argv[i], "--", 2) != 0 || !argv[i][2])
			return cfg_fail(&x, "directives on the command line are written --name ARGS",
					"expected a --directive, got '%s'", argv[i]);
		args[n++] = argv[i++];
		while (i < argc && strncmp(argv[i], "--", 2) != 0) {
			if (n == CFG_MAX_ARGS)
				return cfg_fail(&x, NULL, "too many arguments");
			args[n++] = argv[i++];
		}
		args[n] = NULL;
		ret = cfg_dispatch(&x, n, args);
		if (ret < 0)
			return ret;
	}
	return 0;
}
