/* util/proc.c -- see proc.h. Reads /proc/self/fd (one readdir: about 1 ms per 10,000
 * descriptors) and getrlimit. Threads: any; no state. */
#include "util/proc.h"

#include <dirent.h>
#include <sys/resource.h>

long long kr_proc_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long long n = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

long long kr_proc_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return -1;
    return (long long)rl.rlim_cur;
}
