#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static enum log_level log_level_cur = LOG_LVL_NOTICE;
static int log_stamps = 1;
static int log_dates;
static FILE *log_stream;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_names[] = {
	[LOG_LVL_ERROR] = "error", [LOG_LVL_WARN] = "warning",
	[LOG_LVL_NOTICE] = "", [LOG_LVL_INFO] = "", [LOG_LVL_DEBUG] = "debug",
};

void log_set_level(enum log_level lvl)
{
	if (lvl > LOG_LVL_DEBUG)
		lvl = LOG_LVL_DEBUG;
	log_level_cur = lvl;
}

enum log_level log_get_level(void) { return log_level_cur; }
void log_set_timestamps(int on) { log_stamps = on; }
void log_set_stream(FILE *fp) { log_stream = fp; }
void log_set_dates(int on) { log_dates = on; }
int log_fileno(void) { return fileno(log_stream ? log_stream : stderr); }

static void log_stamp(FILE *fp)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	if (log_dates)
		fprintf(fp, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	fprintf(fp, "%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000);
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	FILE *fp;

	if (lvl > log_level_cur)
		return;
	pthread_mutex_lock(&log_lock);
	fp = log_stream ? log_stream : stderr;
	if (log_stamps)
		log_stamp(fp);
	if (log_names[lvl][0])
		fprintf(fp, "%s: ", log_names[lvl]);
	vfprintf(fp, fmt, ap);
	fputc('\n', fp);
	fflush(fp);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
