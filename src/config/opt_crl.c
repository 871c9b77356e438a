/* crl-verify FILE | crl-verify DIR dir | <crl-verify> block. The file form's CRLs are read
 * and checked by load.c like every other blob; the dir form names a directory of files
 * named by revoked serial numbers (decimal) whose contents are never read, so here it is
 * only checked to be a directory. */
#include "config/cfg_impl.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int cfg_opt_crl_verify(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[2], "dir") != 0)
		return cfg_fail(x, "the only flag is dir: crl-verify DIR dir",
				"unknown flag '%s'", argv[2]);
	if (argc == 3 && x->inl)
		return cfg_fail(x, "give a directory path", "an inline block cannot be a directory");
	x->c->crl_is_dir = argc == 3;
	return cfg_opt_blob(x, o, argc, argv);
}

int cfg_check_crl_dir(struct cfg *c, struct cfg_err *err)
{
	struct stat sb;

	if (stat(c->crl.path, &sb) != 0)
		return cfg_err_set(err, -errno, c->crl.where.file, c->crl.where.line, "crl-verify",
				   "give the directory of revoked serials (files named by the "
				   "decimal serial)", "cannot read '%s': %s", c->crl.path,
				   strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return cfg_err_set(err, -ENOTDIR, c->crl.where.file, c->crl.where.line,
				   "crl-verify", "drop 'dir' to use a CRL file",
				   "'%s' is not a directory", c->crl.path);
	return 0;
}
