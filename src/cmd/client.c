/* burrow client PROFILE [--directive args...]: connect to an OpenVPN 2.6 server. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cmd/cfgload.h"
#include "cmd/cli.h"
#include "config/config.h"
#include "core/client.h"
#include "util/log.h"

#define CRED_MAX 512

/* The terminal settings to put back if a signal ends the password prompt: Ctrl-C must not
 * leave the user's shell without echo. */
static struct termios prompt_saved;

static void prompt_on_signal(int signo)
{
	tcsetattr(STDIN_FILENO, TCSANOW, &prompt_saved);
	signal(signo, SIG_DFL);
	raise(signo);
}

/* Reads one line from the terminal, optionally without echo. Returns 0 or -errno. */
static int prompt_line(const char *what, bool echo, char *out, size_t cap)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = prompt_on_signal }, prev[4];
	struct termios quiet;
	bool restore = false, hooked = false;
	size_t n;

	/* Echo goes off before the prompt appears, and without flushing input: whatever is
	 * typed (or pasted) after the prompt is neither echoed nor lost. */
	if (!echo && tcgetattr(STDIN_FILENO, &prompt_saved) == 0) {
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < 4; i++)
			sigaction(sigs[i], &sa, &prev[i]);
		hooked = true;
		quiet = prompt_saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
	}
	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	if (!fgets(out, (int)cap, stdin))
		out[0] = '\0';
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSANOW, &prompt_saved);
		fputc('\n', stderr);
	}
	for (size_t i = 0; hooked && i < 4; i++)
		sigaction(sigs[i], &prev[i], NULL);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return n ? 0 : -ENODATA;
}

/* auth-user-pass without a (complete) file: ask on the terminal, as OpenVPN does. */
static int client_credentials(const struct cfg *c, char *user, char *pass)
{
	const char *u = c->auth_user_pass.username, *p = c->auth_user_pass.password;

	user[0] = pass[0] = '\0';
	if (c->auth_user_pass.source == CFG_AUP_NONE || (u && p))
		return 0;
	if (!isatty(STDIN_FILENO)) {
		log_error("the profile asks for a username/password (auth-user-pass) but there is "
			  "no terminal to ask on: put them in a file and use 'auth-user-pass FILE'");
		return -ENOTTY;
	}
	if (u)
		snprintf(user, CRED_MAX, "%s", u);
	else if (prompt_line("Enter Auth Username", true, user, CRED_MAX) < 0)
		return -ENODATA;
	if (prompt_line("Enter Auth Password", false, pass, CRED_MAX) < 0)
		return -ENODATA;
	return 0;
}

int cmd_client(int argc, char **argv)
{
	struct cfg c;
	char user[CRED_MAX], pass[CRED_MAX];
	int e;

	e = cmd_load_config("client", CFG_ROLE_CLIENT, argc, argv, &c);
	if (e) {
		cfg_free(&c);
		return e;
	}
	if (cmd_apply_logging(&c) || cmd_need_net_admin("client")) {
		cfg_free(&c);
		return CLI_FAIL;
	}
	if (client_credentials(&c, user, pass) < 0) {
		cfg_free(&c);
		return CLI_FAIL;
	}
	e = core_client_run_creds(&c, user[0] ? user : NULL, pass[0] ? pass : NULL);
	OPENSSL_cleanse(pass, sizeof(pass));
	cfg_free(&c);
	return e;
}
