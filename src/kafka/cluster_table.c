/* kafka/cluster_table.c -- the table of known krest instances (kafka/cluster_int.h): one
 * member per id read from the cluster topic, its liveness, and who owns a consumer instance.
 * Threads: every function runs under cl->lock, taken by the caller. */
#include "kafka/cluster_int.h"

#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUTO_PREFIX "rest-consumer-"
#define UUID_LEN    36

static cluster_member_t *find(kafka_cluster_t *cl, const char *id, size_t id_len)
{
    for (size_t i = 0; i < cl->n; i++)
        if (strlen(cl->members[i].id) == id_len && memcmp(cl->members[i].id, id, id_len) == 0)
            return &cl->members[i];
    return NULL;
}

static void member_free(cluster_member_t *m)
{
    xfree(m->id);
    xfree(m->url);
    xfree(m->names);
}

/* Removes the member with this id (a tombstone). */
static void drop(kafka_cluster_t *cl, const char *id, size_t id_len)
{
    cluster_member_t *m = find(cl, id, id_len);
    if (!m)
        return;
    member_free(m);
    *m = cl->members[--cl->n];
}

/* Splits off one '\n'-terminated line of [*p, end). @return its length, or -1 without one. */
static long take_line(const char **p, const char *end, const char **line)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return -1;
    *line = *p;
    long n = (long)(nl - *p);
    *p = nl + 1;
    return n;
}

void cluster_table_apply(kafka_cluster_t *cl, const char *id, size_t id_len, const char *v,
                         size_t v_len)
{
    if (!v) {
        drop(cl, id, id_len);
        return;
    }
    const char *p = v, *end = v + v_len, *magic = NULL, *url = NULL, *hb = NULL;
    long n_magic = take_line(&p, end, &magic);
    long n_url = take_line(&p, end, &url);
    long n_hb = take_line(&p, end, &hb);
    if (n_magic != (long)strlen(CLUSTER_MAGIC) ||
        memcmp(magic, CLUSTER_MAGIC, (size_t)n_magic) != 0 || n_url <= 0 || n_hb <= 0 || n_hb > 20)
        return; /* not ours, or a later version's: ignored */
    char hb_s[24];
    memcpy(hb_s, hb, (size_t)n_hb);
    hb_s[n_hb] = '\0';
    cluster_member_t *m = find(cl, id, id_len);
    if (!m) {
        if (cl->n == cl->cap) {
            cl->cap = cl->cap ? cl->cap * 2 : 8;
            cl->members = xrealloc(cl->members, cl->cap * sizeof(*cl->members));
        }
        m = &cl->members[cl->n++];
        memset(m, 0, sizeof(*m));
        m->id = xstrndup(id, id_len);
    }
    if (strcmp(m->id, cl->self_id) == 0 && !cl->dup_warned &&
        (strlen(cl->url) != (size_t)n_url || memcmp(cl->url, url, (size_t)n_url) != 0)) {
        cl->dup_warned = true; /* two krests with one id: their consumers would be confused */
        log_warn("cluster: another instance announces itself with this instance's id '%s' at "
                 "%.*s: give each krest its own `id`",
                 cl->self_id, (int)n_url, url);
    }
    xfree(m->url);
    m->url = xstrndup(url, (size_t)n_url);
    m->hb_wall = strtoll(hb_s, NULL, 10);
    m->seen_mono = kr_clock_mono_ms();
    xfree(m->names);
    /* "\n" first, so that every entry reads "\n<group>\t<name>\n" (a whole-entry search). */
    m->names_len = (size_t)(end - p) + 1;
    m->names = xmalloc(m->names_len + 1);
    m->names[0] = '\n';
    memcpy(m->names + 1, p, (size_t)(end - p));
    m->names[m->names_len] = '\0';
}

bool cluster_member_alive(const kafka_cluster_t *cl, const cluster_member_t *m)
{
    int64_t timeout = cl->cfg->cluster_heartbeat_timeout_ms;
    return m->hb_wall > m->failed_hb && kr_clock_wall_ms() - m->hb_wall < timeout &&
           kr_clock_mono_ms() - m->seen_mono < timeout;
}

void cluster_table_failed(kafka_cluster_t *cl, const char *id)
{
    cluster_member_t *m = find(cl, id, strlen(id));
    if (m)
        m->failed_hb = m->hb_wall;
}

size_t cluster_table_live(const kafka_cluster_t *cl)
{
    size_t n = 0;
    for (size_t i = 0; i < cl->n; i++)
        n += strcmp(cl->members[i].id, cl->self_id) == 0 ||
             cluster_member_alive(cl, &cl->members[i]);
    return n;
}

/* The <id> of rest-consumer-<id>-<uuid>. @return its length (id at name + prefix), or 0 when
 * name is not an automatic one. */
static size_t auto_id_len(const char *name)
{
    size_t n = strlen(name), pre = strlen(AUTO_PREFIX);
    if (n < pre + 2 + UUID_LEN || strncmp(name, AUTO_PREFIX, pre) != 0)
        return 0;
    const char *u = name + n - UUID_LEN;
    if (u[-1] != '-')
        return 0;
    for (size_t i = 0; i < UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        bool hex = (u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f');
        if (dash ? u[i] != '-' : !hex)
            return 0;
    }
    return (size_t)(u - 1 - (name + pre));
}

static kafka_owner_t answer(const kafka_cluster_t *cl, const cluster_member_t *m, char **url,
                            char **owner_id)
{
    if (!cluster_member_alive(cl, m))
        return KAFKA_OWNER_GONE;
    *url = xstrdup(m->url);
    if (owner_id)
        *owner_id = xstrdup(m->id);
    return KAFKA_OWNER_PEER;
}

/* A client-given name: of the live instances that publish (group, name), the one whose record
 * is newest (a name deleted on one instance and made again on another is listed by both until
 * the first publishes again); else whether only a gone one did. */
static kafka_owner_t by_table(kafka_cluster_t *cl, const char *group, const char *name, char **url,
                              char **owner_id)
{
    size_t gl = strlen(group), nl = strlen(name);
    char *needle = xmalloc(gl + nl + 4);
    snprintf(needle, gl + nl + 4, "\n%s\t%s\n", group, name);
    const cluster_member_t *best = NULL;
    bool gone = false;
    for (size_t i = 0; i < cl->n; i++) {
        const cluster_member_t *m = &cl->members[i];
        if (strcmp(m->id, cl->self_id) == 0 || !m->names || !strstr(m->names, needle))
            continue;
        if (!cluster_member_alive(cl, m))
            gone = true;
        else if (!best || m->hb_wall > best->hb_wall)
            best = m;
    }
    xfree(needle);
    if (best)
        return answer(cl, best, url, owner_id);
    return gone ? KAFKA_OWNER_GONE : KAFKA_OWNER_UNKNOWN;
}

kafka_owner_t cluster_table_owner(kafka_cluster_t *cl, const char *group, const char *name,
                                  char **url, char **owner_id)
{
    size_t n = auto_id_len(name);
    if (n == 0)
        return by_table(cl, group, name, url, owner_id);
    const char *id = name + strlen(AUTO_PREFIX);
    if (strlen(cl->self_id) == n && memcmp(id, cl->self_id, n) == 0)
        return KAFKA_OWNER_SELF;
    const cluster_member_t *m = find(cl, id, n);
    return m ? answer(cl, m, url, owner_id) : KAFKA_OWNER_UNKNOWN;
}

void cluster_table_free(kafka_cluster_t *cl)
{
    for (size_t i = 0; i < cl->n; i++)
        member_free(&cl->members[i]);
    xfree(cl->members);
    cl->members = NULL;
    cl->n = cl->cap = 0;
}
