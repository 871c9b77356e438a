/* Fuzzes the text control-message path of a client: split a plaintext record at NULs,
 * classify each message, and apply PUSH_REPLYs; a parsed reply must also rebuild (the
 * server path) without error other than "too big", and the rebuild must parse again.
 * PUSH_UPDATEs (2.7) are parsed and merged into the last reply. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/push.h"
#include "util/log.h"

static struct push_opts opts, back;
static struct push_parts parts;
static struct push_update update;

static void fuzz_reply(const char *msg, size_t len)
{
	int rc;

	push_opts_init(&opts);
	if (push_reply_parse(&opts, msg, len) < 0)
		return;
	rc = push_reply_build(&opts, &parts);
	if (rc == -E2BIG || rc == -EMSGSIZE)
		return;
	if (rc != 0)
		abort();
	push_opts_init(&back);
	for (int i = 0; i < parts.n; i++) {
		if (parts.len[i] > PUSH_BUNDLE_SIZE ||
		    push_reply_parse(&back, parts.part[i], parts.len[i]) < 0)
			abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Bad options are logged as warnings; at fuzzing speed that is only noise. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_LVL_ERROR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *rec = malloc(size + 1);
	const char *msg;
	size_t off = 0, len;

	if (!rec)
		return 0;
	memcpy(rec, data, size);
	rec[size] = 0;
	/* Bounded: every step consumes at least one byte. */
	while (push_next_msg(rec, size, &off, &msg, &len) == 1) {
		struct push_msg m;

		fuzz_reply(msg, len);
		push_update_init(&update);
		if (push_update_parse(&update, msg, len) >= 0)
			push_update_apply(&opts, &update);
		push_msg_parse((char *)msg, len, &m);
	}
	free(rec);
	return 0;
}
