/* util/metrics_int.h -- what the files of util/metrics*.c share: the options and the writers
 * of the exposition format. May use: util/. Threads: as metrics.h. */
#ifndef KR_UTIL_METRICS_INT_H
#define KR_UTIL_METRICS_INT_H

#include "util/metrics.h"

/** The options of kr_metrics_init(); strings owned by metrics.c. Read-only after start-up. */
extern kr_metrics_opts_t g_metrics_opts;

/** Writes the "# HELP" and "# TYPE" lines of a family. */
void metrics_family(kr_buf_t *out, const char *name, const char *type, const char *help);

/** Writes a label value with the format's escapes (backslash, double quote, newline). */
void metrics_label(kr_buf_t *out, const char *value);

/** Writes the handles' figures (metrics_kafka.c). */
void metrics_write_handles(kr_buf_t *out);

/** Writes the process figures from /proc/self and krest_build_info (metrics_proc.c). */
void metrics_write_process(kr_buf_t *out);

#endif
