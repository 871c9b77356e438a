/* client-config-dir files: per-client directives parsed by the same lexer and table,
 * restricted to the rows marked CFG_R_CCD. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_impl.h"

void cfg_ccd_free(struct cfg_ccd *ccd)
{
	if (!ccd)
		return;
	CFG_VEC_FREE(ccd->iroutes);
	CFG_VEC_FREE(ccd->iroutes6);
	CFG_VEC_FREE(ccd->push);
	cfg_mem_free(&ccd->mem);
	memset(ccd, 0, sizeof(*ccd));
}

int cfg_ccd_parse(const char *text, size_t len, const char *name, struct cfg_ccd *ccd,
		  struct cfg_err *err)
{
	struct cfg_ctx x = { .ccd = ccd, .mem = &ccd->mem, .err = err };

	if (len > CFG_FILE_MAX)
		return cfg_err_set(err, -E2BIG, name, 0, NULL, NULL, "larger than %d bytes",
				   CFG_FILE_MAX);
	x.file = cfg_mem_strdup(&ccd->mem, name ? name : "<ccd>");
	if (!x.file)
		return -ENOMEM;
	return cfg_parse_text(&x, text, len, x.file, 1);
}

/* A common name is used as a file name: nothing that could leave the directory. */
static bool cn_safe(const char *cn)
{
	size_t n = strlen(cn);

	return n > 0 && n < 256 && !strchr(cn, '/') && strcmp(cn, ".") != 0 &&
	       strcmp(cn, "..") != 0;
}

int cfg_ccd_load(const struct cfg *c, const char *cn, struct cfg_ccd *ccd, struct cfg_err *err)
{
	size_t dl, cl;
	char *path, *text;
	size_t len;
	int ret;

	memset(ccd, 0, sizeof(*ccd));
	if (!c->client_config_dir)
		return -ENOENT;
	if (!cn_safe(cn))
		return cfg_err_set(err, -EINVAL, c->client_config_dir, 0, "client-config-dir",
				   "the certificate's common name cannot be used as a file name",
				   "unsafe common name");
	dl = strlen(c->client_config_dir);
	cl = strlen(cn);
	path = cfg_mem_alloc(&ccd->mem, dl + 1 + cl);
	if (!path)
		return -ENOMEM;
	memcpy(path, c->client_config_dir, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, cn, cl);
	ret = cfg_read_file(&ccd->mem, path, &text, &len);
	if (ret == -ENOENT)
		return ret;
	if (ret < 0)
		return cfg_err_set(err, ret, path, 0, "client-config-dir", "check the file",
				   "cannot read: %s", strerror(-ret));
	return cfg_ccd_parse(text, len, path, ccd, err);
}
