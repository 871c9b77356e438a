/* Safe file writing: temp + fsync + rename, in place after the privilege drop. See afile.h. */
#include "util/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

int afile_init(struct afile *f, const char *what, const char *path, mode_t mode)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->what = what;
	f->mode = mode;
	f->path = strdup(path);
	return f->path ? 0 : -ENOMEM;
}

void afile_close(struct afile *f)
{
	if (!f->path)
		return;		/* never set up (a zeroed struct: fd 0 is not ours) */
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->path);
	f->path = NULL;
}

static int afile_pwrite_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	off_t off = 0;

	while (len) {
		ssize_t w = pwrite(fd, p, len, off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		off += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Makes "<dir>/.<name>.XXXXXX" next to path: mkostemp opens it O_CREAT|O_EXCL, so a symlink
 * planted at that name fails the call instead of being followed. */
static int afile_mktemp(const char *path, char *tmp, size_t n, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	int len, fd;

	if (slash)
		len = snprintf(tmp, n, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		len = snprintf(tmp, n, ".%s.XXXXXX", path);
	if (len < 0 || (size_t)len >= n)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0) {
		int e = -errno;

		close(fd);
		unlink(tmp);
		return e;
	}
	return fd;
}

/* temp + fsync + rename; on success *fdp is the installed file, open read-write. */
static int afile_swap(const char *path, const void *buf, size_t len, mode_t mode, int *fdp)
{
	char tmp[4096];
	int fd, e;

	fd = afile_mktemp(path, tmp, sizeof(tmp), mode);
	if (fd < 0)
		return fd;
	e = afile_pwrite_all(fd, buf, len);
	if (!e && fsync(fd) < 0)
		e = -errno;
	if (!e && rename(tmp, path) < 0)
		e = -errno;
	if (e) {
		unlink(tmp);
		close(fd);
		return e;
	}
	*fdp = fd;
	return 0;
}

int afile_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = -1, e = afile_swap(path, buf, len, mode, &fd);

	if (fd >= 0)
		close(fd);
	return e;
}

/* After the privilege drop: the descriptor opened as root is the only way to the file.
 * Write first, then cut the tail: a reader sees the old or the new length, never nothing. */
static int afile_rewrite_fd(int fd, const void *buf, size_t len)
{
	int e = afile_pwrite_all(fd, buf, len);

	if (!e && ftruncate(fd, (off_t)len) < 0)
		e = -errno;
	if (!e && fdatasync(fd) < 0)
		e = -errno;
	return e;
}

static bool afile_denied(int e)
{
	return e == -EACCES || e == -EPERM || e == -EROFS;
}

int afile_write(struct afile *f, const void *buf, size_t len)
{
	int fd = -1, e;
	bool in_place = false;

	if (!f->path)
		return -EINVAL;
	e = afile_swap(f->path, buf, len, f->mode, &fd);
	if (e == 0) {
		if (f->fd >= 0)
			close(f->fd);
		f->fd = fd;
	} else if (afile_denied(e) && f->fd >= 0) {
		/* The directory is root's and we no longer are: rewrite through the descriptor
		 * kept from the last write as root (see afile.h). */
		e = afile_rewrite_fd(f->fd, buf, len);
		in_place = true;
	}
	if (e < 0) {
		if (!f->warned)
			log_warn("%s: cannot write %s: %s; the previous file is left as it was. "
				 "Check that the directory exists and that burrow can write it (with "
				 "user/group the file must be writable before the drop), or point %s "
				 "elsewhere", f->what, f->path, strerror(-e), f->what);
		f->warned = true;
		return e;
	}
	if (f->warned)
		log_notice("%s: %s written again", f->what, f->path);
	if (in_place && !f->in_place)
		log_info("%s: %s: its directory takes no new file from this user: rewriting it in "
			 "place through the descriptor opened before the privilege drop", f->what,
			 f->path);
	f->warned = false;
	f->in_place = in_place;
	return 0;
}

int afile_read(const char *path, size_t max, char **out, size_t *lenp)
{
	struct stat st;
	size_t len = 0;
	char *buf;
	int fd, e = 0;

	*out = NULL;
	*lenp = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		e = -errno;
	else if (!S_ISREG(st.st_mode))
		e = -EINVAL;
	if (e) {
		close(fd);
		return e;
	}
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* The file may grow while we read: read up to max, never past the buffer. */
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = -errno;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	buf[len] = '\0';
	*out = buf;
	*lenp = len;
	return 0;
}

int afile_open_log(const char *path, bool append)
{
	struct stat st;
	int fd, e;

	if (!append) {
		/* A fresh empty file installed by rename: a symlink or hard link planted at path
		 * is replaced, never truncated through. */
		e = afile_swap(path, "", 0, 0600, &fd);
		if (e < 0)
			return e;
	} else {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return errno == ELOOP ? -ELOOP : -errno;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return -EINVAL;
		}
	}
	/* the log is appended to: the descriptor must append even when it came from mkstemp */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_APPEND) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}
