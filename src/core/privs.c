/* Privilege drop: group first (setgid needs root), then the user; checked, then verified. */
#include "core/privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

/* A failed getgrnam/getpwnam (errno 0: the name does not exist), said once. */
static int privs_unknown(const char *what, const char *name)
{
	int e = errno;

	log_error("cannot switch to %s '%s': %s%s", what, name, e ? strerror(e) : "no such ",
		  e ? "" : what);
	return e ? -e : -ENOENT;
}

/* Both names looked up before anything changes: a typo must not leave us half-dropped. The
 * group defaults to the user's own. */
static int privs_lookup(const char *user, const char *group, uid_t *uid, gid_t *gid)
{
	const struct group *g;
	const struct passwd *pw;

	*uid = 0;
	*gid = 0;
	errno = 0;
	if (group) {
		if (!(g = getgrnam(group)))
			return privs_unknown("group", group);
		*gid = g->gr_gid;
	}
	errno = 0;
	if (user) {
		if (!(pw = getpwnam(user)))
			return privs_unknown("user", user);
		*uid = pw->pw_uid;
		if (!group)
			*gid = pw->pw_gid;
	}
	return 0;
}

int privs_drop(const char *user, const char *group)
{
	uid_t uid;
	gid_t gid;
	int e;

	if (!user && !group)
		return 1;
	e = privs_lookup(user, group, &uid, &gid);
	if (e < 0)
		return e;
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0) {
		e = -errno;
		log_error("cannot switch to group %u: %s", (unsigned)gid, strerror(-e));
		return e;
	}
	if (user && setuid(uid) < 0) {
		e = -errno;
		log_error("cannot switch to user '%s': %s", user, strerror(-e));
		return e;
	}
	/* setuid from root also sets the saved uid: getting root back must now fail. */
	if (user && uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		log_error("privilege drop to '%s' did not stick", user);
		return -EPERM;
	}
	log_notice("dropped privileges to%s%s%s%s", user ? " user " : "", user ? user : "",
		   group ? " group " : "", group ? group : "");
	return 0;
}
