/* http/conn_ops.c -- api_conn_ops_t over libmicrohttpd (see conn_ops.h). Threads: the
 * request's HTTP thread. */
#include "http/conn_ops.h"

#include <microhttpd.h>

static const char *conn_query(void *conn, const char *key)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

static const char *conn_header(void *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

typedef struct query_visit {
    void (*fn)(void *cls, const char *key, const char *value);
    void *cls;
} query_visit_t;

static enum MHD_Result visit_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    query_visit_t *v = cls;
    v->fn(v->cls, key, value);
    return MHD_YES;
}

static void conn_each_query(void *conn, void (*fn)(void *cls, const char *key, const char *value),
                            void *cls)
{
    query_visit_t v = {fn, cls};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, visit_query, &v);
}

const api_conn_ops_t http_conn_ops = {conn_query, conn_header, conn_each_query};
