/* Safe file writing for a daemon started as root: status, ifconfig-pool-persist and log files.
 *
 * A file is replaced through a temporary file made with mkstemp (O_CREAT|O_EXCL: never a
 * planted symlink) in the target's directory, fsync'd and renamed over the target (rename
 * replaces a symlink at the target, it never writes through it). A failed write leaves the
 * previous file intact and is logged once (path, errno text, what to do) until a write
 * succeeds again.
 *
 * Privilege drop: write the file once before dropping (as OpenVPN opens its files before it);
 * afile keeps the descriptor of the file it last installed. After the drop an unprivileged
 * process cannot create a temporary file in a root-owned directory (/var/log,
 * /etc/openvpn/server), so the file is then rewritten in place through that descriptor
 * (pwrite + ftruncate): not atomic for a concurrent reader, but the only way to keep it
 * current, and the file keeps its owner (root) and mode (0600). */
#ifndef BURROW_UTIL_AFILE_H
#define BURROW_UTIL_AFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define AFILE_READ_MAX (16u << 20)	/* afile_read refuses larger files */

struct afile {
	const char *what;	/* the directive, for log lines: "status", "ifconfig-pool-persist" */
	char *path;
	mode_t mode;		/* of a new file (0600) */
	int fd;			/* the file as last installed, or -1 */
	bool warned;		/* a failure was logged; cleared (and said) on the next success */
	bool in_place;		/* the last write went through fd (directory not writable) */
};

/* Sets f up for path (copied); nothing is opened or written. Returns 0 or -ENOMEM. A zeroed
 * struct afile (path NULL) is "not configured": writes fail with -EINVAL, close is a no-op. */
int afile_init(struct afile *f, const char *what, const char *path, mode_t mode);
/* Replaces the file's content with buf: temp + fsync + rename, or in place through the kept
 * descriptor when the directory cannot take a temporary file (after the privilege drop).
 * Logs a failure once. Returns 0 or -errno. */
int afile_write(struct afile *f, const void *buf, size_t len);
void afile_close(struct afile *f);

/* One-shot replace of path (temp + fsync + rename), no state, no logging. Returns 0/-errno. */
int afile_replace(const char *path, const void *buf, size_t len, mode_t mode);

/* Reads a whole regular file (at most max bytes, else -EFBIG) into a NUL-terminated malloc'd
 * buffer. Returns 0 or -errno (-ENOENT when it does not exist). */
int afile_read(const char *path, size_t max, char **out, size_t *len);

/* Opens a log file for appending or truncating without following a symlink at path, mode
 * 0600 for a new file. Returns the fd or -errno. */
int afile_open_log(const char *path, bool append);

#endif
