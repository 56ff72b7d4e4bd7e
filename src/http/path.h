/* http/path.h -- request path normalisation before routing: runs of '/' are merged, as
 * Jetty-based Confluent does (docs/design-notes.md, section K proposals).
 * May use: libc. Pure. Threads: any. */
#ifndef KR_HTTP_PATH_H
#define KR_HTTP_PATH_H

/** Merges every run of '/' in path into one, in place ("/a//b/" -> "/a/b/"). */
void http_path_merge_slashes(char *path);

#endif
