/* http/path.c -- request path normalisation (see path.h). Pure; threads: any. */
#include "http/path.h"

void http_path_merge_slashes(char *path)
{
    char *w = path;
    for (const char *p = path; *p; p++)
        if (!(*p == '/' && w > path && w[-1] == '/'))
            *w++ = *p;
    *w = '\0';
}
