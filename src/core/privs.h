/* Dropping root after setup (user/group directives), shared by the client and the server. */
#ifndef BURROW_CORE_PRIVS_H
#define BURROW_CORE_PRIVS_H

/* Switches to GROUP (supplementary groups cleared) and then USER (its primary group when no
 * GROUP is given); either may be NULL. Every step is checked, and afterwards that root cannot
 * be regained. Returns 0, 1 when there was nothing to do, or -errno (-ENOENT: no such user or
 * group) with the reason logged. */
int privs_drop(const char *user, const char *group);

#endif
