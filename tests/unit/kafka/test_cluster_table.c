/* tests/unit/kafka/test_cluster_table.c -- the cluster table (kafka/cluster_table.c): records
 * in, owners out. Automatic names carry their owner's id (ids with dashes too), client-given
 * names are found in the published lists (whole entries only), stale heartbeats, refused
 * connections and tombstones make an owner gone or unknown. No Kafka. */
#include "kafka/cluster_int.h"

#include "util/clock.h"
#include "util/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#define UUID "2a915438-0a95-42a1-a9d2-2296f90f2def"

static krest_config_t cfg;

static kafka_cluster_t *table(void)
{
    static kafka_cluster_t cl;
    memset(&cl, 0, sizeof(cl));
    cfg.cluster_heartbeat_timeout_ms = 2000;
    cl.cfg = &cfg;
    cl.self_id = "me-8082";
    cl.url = "http://me:8082";
    return &cl;
}

static void put(kafka_cluster_t *cl, const char *id, const char *url, int64_t age_ms,
                const char *names)
{
    char v[1024];
    int n = snprintf(v, sizeof(v), "%s\n%s\n%lld\n%s", CLUSTER_MAGIC, url,
                     (long long)(kr_clock_wall_ms() - age_ms), names);
    cluster_table_apply(cl, id, strlen(id), v, (size_t)n);
}

static kafka_owner_t owner(kafka_cluster_t *cl, const char *g, const char *name, char *url_out)
{
    char *url = NULL, *id = NULL;
    kafka_owner_t r = cluster_table_owner(cl, g, name, &url, &id);
    if (url_out)
        snprintf(url_out, 256, "%s", url ? url : "");
    xfree(url);
    xfree(id);
    return r;
}

static void test_auto_names(void **state)
{
    (void)state;
    kafka_cluster_t *cl = table();
    char url[256];
    put(cl, "host-a-8082", "http://a:8082", 0, "");
    assert_int_equal(owner(cl, "g", "rest-consumer-host-a-8082-" UUID, url), KAFKA_OWNER_PEER);
    assert_string_equal(url, "http://a:8082");
    assert_int_equal(owner(cl, "g", "rest-consumer-me-8082-" UUID, NULL), KAFKA_OWNER_SELF);
    assert_int_equal(owner(cl, "g", "rest-consumer-other-1-" UUID, NULL), KAFKA_OWNER_UNKNOWN);
    /* not a UUID at the end: a client-given name, looked up in the lists */
    assert_int_equal(owner(cl, "g", "rest-consumer-host-a-8082-x", NULL), KAFKA_OWNER_UNKNOWN);
    assert_int_equal(owner(cl, "g", "rest-consumer-host-a-8082-" UUID "0", NULL),
                     KAFKA_OWNER_UNKNOWN);
    cluster_table_free(cl);
}

static void test_client_names(void **state)
{
    (void)state;
    kafka_cluster_t *cl = table();
    char url[256];
    put(cl, "a", "http://a:1", 0, "g1\tmine\ng2\tx y\n");
    put(cl, "b", "http://b:1", 0, "g1\tother\n");
    assert_int_equal(owner(cl, "g1", "mine", url), KAFKA_OWNER_PEER);
    assert_string_equal(url, "http://a:1");
    assert_int_equal(owner(cl, "g2", "x y", url), KAFKA_OWNER_PEER);
    assert_int_equal(owner(cl, "g1", "other", url), KAFKA_OWNER_PEER);
    assert_string_equal(url, "http://b:1");
    /* whole entries only: no prefix, suffix or cross-group match */
    assert_int_equal(owner(cl, "g1", "min", NULL), KAFKA_OWNER_UNKNOWN);
    assert_int_equal(owner(cl, "g", "1\tmine", NULL), KAFKA_OWNER_UNKNOWN);
    assert_int_equal(owner(cl, "g2", "mine", NULL), KAFKA_OWNER_UNKNOWN);
    /* two list it (deleted on a, made again on c): the newest record wins */
    put(cl, "c", "http://c:1", -5, "g1\tmine\n");
    assert_int_equal(owner(cl, "g1", "mine", url), KAFKA_OWNER_PEER);
    assert_string_equal(url, "http://c:1");
    cluster_table_apply(cl, "c", 1, NULL, 0);
    /* a newer record replaces the list */
    put(cl, "a", "http://a:2", 0, "g1\tnew\n");
    assert_int_equal(owner(cl, "g1", "mine", NULL), KAFKA_OWNER_UNKNOWN);
    assert_int_equal(owner(cl, "g1", "new", url), KAFKA_OWNER_PEER);
    assert_string_equal(url, "http://a:2");
    cluster_table_free(cl);
}

static void test_liveness(void **state)
{
    (void)state;
    kafka_cluster_t *cl = table();
    put(cl, "old", "http://old:1", 5000, "g\tn\n");
    assert_int_equal(owner(cl, "g", "rest-consumer-old-" UUID, NULL), KAFKA_OWNER_GONE);
    assert_int_equal(owner(cl, "g", "n", NULL), KAFKA_OWNER_GONE);
    put(cl, "b", "http://b:1", 0, "");
    assert_int_equal(cluster_table_live(cl), 1); /* b; "old" is stale; self is not in it */
    cluster_table_failed(cl, "b");
    assert_int_equal(owner(cl, "g", "rest-consumer-b-" UUID, NULL), KAFKA_OWNER_GONE);
    put(cl, "b", "http://b:1", -10, ""); /* a newer heartbeat: back */
    assert_int_equal(owner(cl, "g", "rest-consumer-b-" UUID, NULL), KAFKA_OWNER_PEER);
    cluster_table_apply(cl, "b", 1, NULL, 0); /* tombstone */
    assert_int_equal(owner(cl, "g", "rest-consumer-b-" UUID, NULL), KAFKA_OWNER_UNKNOWN);
    cluster_table_free(cl);
}

static void test_foreign_records(void **state)
{
    (void)state;
    kafka_cluster_t *cl = table();
    const char *bad[] = {"",
                         "krest-cluster 2\nhttp://x\n1\n",
                         "krest-cluster 1\n",
                         "krest-cluster 1\nhttp://x\n",
                         "krest-cluster 1\n\n1\n",
                         "krest-cluster 1\nhttp://x\n123456789012345678901234\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cluster_table_apply(cl, "x", 1, bad[i], strlen(bad[i]));
    assert_int_equal(cl->n, 0);
    cluster_table_free(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_names),
        cmocka_unit_test(test_client_names),
        cmocka_unit_test(test_liveness),
        cmocka_unit_test(test_foreign_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
