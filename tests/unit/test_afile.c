/* util/afile: temp + rename never through a symlink, a failure keeps the old file, modes,
 * the in-place rewrite after a privilege drop, whole-file reads with a bound, log opening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/afile.h"
#include "util/log.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/burrow-afile-XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void expect(const char *path, const char *text)
{
	char *got;
	size_t n;

	assert_int_equal(afile_read(path, 1 << 20, &got, &n), 0);
	assert_string_equal(got, text);
	assert_int_equal(n, strlen(text));
	free(got);
}

/* Nothing but the named files in dir: no temporary file left behind. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_write_mode_and_replace(void **state)
{
	struct afile f;
	struct stat st;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/status.log", dir);
	assert_int_equal(afile_init(&f, "status", path, 0600), 0);
	assert_int_equal(afile_write(&f, "first\n", 6), 0);
	expect(path, "first\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(afile_write(&f, "2\n", 2), 0);	/* shorter: no tail of the old */
	expect(path, "2\n");
	assert_int_equal(entries(), 1);
	afile_close(&f);
	assert_int_equal(afile_replace(path, "x", 1, 0640), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	expect(path, "x");
	assert_int_equal(entries(), 1);
}

/* A symlink planted at the target: replaced by the new file, its destination untouched. */
static void test_symlink_not_followed(void **state)
{
	struct afile f;
	struct stat st;
	char path[128], victim[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/ipp.txt", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	put(victim, "precious\n");
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(afile_init(&f, "ifconfig-pool-persist", path, 0600), 0);
	assert_int_equal(afile_write(&f, "alice,10.8.0.2,\n", 16), 0);
	expect(victim, "precious\n");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	expect(path, "alice,10.8.0.2,\n");
	afile_close(&f);

	/* the log: `log` replaces the link, `log-append` refuses it; the victim is untouched */
	unlink(path);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(afile_open_log(path, true), -ELOOP);
	{
		int fd = afile_open_log(path, false);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "log\n", 4), 4);
		close(fd);
	}
	expect(victim, "precious\n");
	expect(path, "log\n");
	{
		int fd = afile_open_log(path, true);
		struct stat ls;

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "more\n", 5), 5);
		assert_int_equal(fstat(fd, &ls), 0);
		assert_int_equal(ls.st_mode & 07777, 0600);
		close(fd);
	}
	expect(path, "log\nmore\n");
}

/* Runs fn in a child that is not root (nobody) when we are root, else after making dir
 * read-only: the situation after the privilege drop. */
static int as_unprivileged(int (*fn)(void *), void *arg)
{
	pid_t pid;
	int st;

	if (geteuid() != 0) {
		int r;

		chmod(dir, 0555);
		r = fn(arg);
		chmod(dir, 0755);
		return r;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(100);
		_exit(fn(arg));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int write_new(void *arg)
{
	struct afile *f = arg;

	return afile_write(f, "new content\n", 12) == -EACCES ? 0 : 1;
}

/* A failed write (the directory cannot take a temporary file, no descriptor kept) leaves the
 * previous file as it was. */
static void test_failure_keeps_old(void **state)
{
	struct afile f;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/status.log", dir);
	put(path, "old content\n");
	assert_int_equal(afile_init(&f, "status", path, 0600), 0);
	assert_int_equal(as_unprivileged(write_new, &f), 0);
	expect(path, "old content\n");
	assert_int_equal(entries(), 1);
	afile_close(&f);

	/* and a directory that does not exist: an error, nothing created */
	snprintf(path, sizeof(path), "%s/nodir/status.log", dir);
	assert_int_equal(afile_init(&f, "status", path, 0600), 0);
	assert_int_equal(afile_write(&f, "x", 1), -ENOENT);
	assert_int_equal(afile_write(&f, "x", 1), -ENOENT);	/* logged once (see stderr) */
	afile_close(&f);
}

static int rewrite_in_place(void *arg)
{
	struct afile *f = arg;

	if (afile_write(f, "after\n", 6) != 0)
		return 1;
	return afile_write(f, "after the drop, longer\n", 23) != 0 ? 2 : 0;
}

/* Written once as root, then unprivileged: rewritten in place, still root's and 0600. */
static void test_in_place_after_drop(void **state)
{
	struct afile f;
	struct stat st;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/status.log", dir);
	assert_int_equal(afile_init(&f, "status", path, 0600), 0);
	assert_int_equal(afile_write(&f, "before the drop, a long line\n", 29), 0);
	assert_int_equal(as_unprivileged(rewrite_in_place, &f), 0);
	expect(path, "after the drop, longer\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(entries(), 1);
	afile_close(&f);
}

static void test_read_bounds(void **state)
{
	char path[128], *text;
	size_t n;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, AFILE_READ_MAX + 1), 0);
	close(fd);
	assert_int_equal(afile_read(path, AFILE_READ_MAX, &text, &n), -EFBIG);
	assert_null(text);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(ftruncate(fd, 200000), 0);	/* over 64 KiB: read whole */
	close(fd);
	assert_int_equal(afile_read(path, AFILE_READ_MAX, &text, &n), 0);
	assert_int_equal(n, 200000);
	free(text);
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(afile_read(path, AFILE_READ_MAX, &text, &n), -ENOENT);
	assert_int_equal(afile_read(dir, AFILE_READ_MAX, &text, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_mode_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_place_after_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_bounds, setup, teardown),
	};

	log_set_timestamps(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
