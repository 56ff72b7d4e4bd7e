/* util/proc.h -- the process's own descriptors: how many are open, how many it may open.
 * Threads: any. */
#ifndef KR_UTIL_PROC_H
#define KR_UTIL_PROC_H

/** @return the descriptors open now (the entries of /proc/self/fd), or -1 when unknown. */
long long kr_proc_open_fds(void);
/** @return the soft RLIMIT_NOFILE, or -1 when unlimited or unknown. */
long long kr_proc_fd_limit(void);

#endif
