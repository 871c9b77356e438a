/* Logging: one module, levels, timestamps, to stderr. */
#ifndef BURROW_UTIL_LOG_H
#define BURROW_UTIL_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_NOTICE = 2,	/* default: phases a person wants to see */
	LOG_LVL_INFO = 3,	/* -v */
	LOG_LVL_DEBUG = 4,	/* -vv */
};

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Timestamps on (default) or off (tests that compare output). */
void log_set_timestamps(int on);
/* Redirect output (tests, the log directive); NULL restores stderr. */
void log_set_stream(FILE *fp);
/* The descriptor log lines go to (for a signal handler that may only write(2)). */
int log_fileno(void);
/* Timestamps with the date too (log files that outlive a day); off by default. */
void log_set_dates(int on);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_error(...)  log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* Print "burrow: <message>" at error level and exit(1). Never aborts. */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
