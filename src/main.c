/* main.c -- krest's start-up and shutdown, nothing else: configuration, Kafka handles, the
 * worker pool, the HTTP server; then wait for SIGTERM/SIGINT, drain, and exit 0 (SIGHUP
 * reloads the TLS certificates and the Basic authentication's users meanwhile).
 * Threads: the main thread only; it blocks the signals for every thread it starts and
 * receives them itself with sigwait(). */
#include "api/api.h"
#include "api/forward.h"
#include "api/identity.h"
#include "config/config.h"
#include "http/server.h"
#include "kafka/admin.h"
#include "kafka/client.h"
#include "kafka/cluster.h"
#include "kafka/consumer.h"
#include "kafka/health.h"
#include "kafka/loop.h"
#include "kafka/principals.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "kafka/stats.h"
#include "router/router.h"
#include "schema/registry.h"
#include "schema/registry_client.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/pending.h"
#include "util/workq.h"

#include <librdkafka/rdkafka.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

extern char **environ;

/* Each consumer handle holds sockets and wake-up fds (DESIGN.md §4): take all we may. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        log_warn("cannot raise RLIMIT_NOFILE");
}

static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP); /* reload (reload()) */
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void log_listeners(const krest_config_t *cfg)
{
    char line[1024] = "";
    size_t off = 0;
    for (size_t i = 0; i < cfg->n_listeners && off < sizeof(line); i++) {
        const config_listener_t *l = &cfg->listeners[i];
        bool v6 = strchr(l->host, ':') != NULL;
        off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s://%s%s%s:%d", i ? "," : "",
                                l->scheme, v6 ? "[" : "", l->host, v6 ? "]" : "", l->port);
    }
    log_info("krest %s started: listeners %s, bootstrap.servers %s (librdkafka %s, "
             "libmicrohttpd %s)",
             KREST_VERSION, line, cfg->bootstrap_servers, rd_kafka_version_str(),
             MHD_get_version());
}

/* SIGHUP: the files the HTTP server reads are read again (the users of Basic authentication,
 * the HTTPS certificates); a failure keeps what is in force. */
static void reload(http_server_t *srv)
{
    kr_err_t err = {0};
    log_info("SIGHUP received: reloading the authentication's users and the TLS certificates");
    if (http_server_reload(srv, &err) != 0)
        log_error("reload failed, the previous certificates stay in use: %s", err.msg);
}

/* The first metadata fetch, only to tell the operator early whether Kafka answers. */
static void on_probe(void *arg, kafka_md_t *md, const kr_err_t *err)
{
    const api_ctx_t *ctx = arg;
    if (md)
        log_info("Kafka cluster reached: %zu broker(s), %zu topic(s)", md->n_brokers, md->n_topics);
    else
        log_error("Kafka cluster at %s cannot be reached yet: %s (krest keeps trying; requests "
                  "that need Kafka answer 5xx until it can)",
                  ctx->cfg->bootstrap_servers, err->msg);
    kafka_md_release(md);
}

/* The `id` of automatic consumer names: the config's, else <hostname>-<port> (section K). */
static void default_id(const krest_config_t *cfg, char *out, size_t size)
{
    if (cfg->id && *cfg->id) {
        snprintf(out, size, "%s", cfg->id);
        return;
    }
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    snprintf(out, size, "%s-%d", host, cfg->listeners[0].port);
}

/* Many instances (docs/cluster.md): the membership and the forwarder, when
 * krest.cluster.enable is set. @return 0, or -1 (logged) when it is set but cannot start. */
static int cluster_start(api_ctx_t *ctx, const char *instance_id)
{
    if (!ctx->cfg->cluster_enable)
        return 0;
    kr_err_t err = {0};
    char url[512];
    api_forward_self_url(ctx->cfg, url, sizeof(url));
    ctx->cluster = kafka_cluster_start(ctx->cfg, instance_id, url, ctx->consumers, &err);
    ctx->forwarder =
        ctx->cluster ? api_forwarder_new(ctx->cfg, ctx->cluster, instance_id, &err) : NULL;
    if (!ctx->forwarder) {
        log_error("%s", err.msg);
        return -1;
    }
    return 0;
}

/* krest's metrics (util/metrics.h): options, before any handle or thread starts. */
static void metrics_init(const krest_config_t *cfg)
{
    kr_metrics_opts_t o = {
        .enable = cfg->metrics_enable,
        .topic_labels = cfg->metrics_topic_labels,
        .stats_max_age_ms = 3 * cfg->metrics_statistics_interval_ms,
        .version = KREST_VERSION,
        .librdkafka = rd_kafka_version_str(),
        .libmicrohttpd = MHD_get_version(),
    };
    kr_metrics_init(&o);
}

/* Workers (or consumer handles' own threads) were still busy at the end of
 * shutdown.graceful.ms: their jobs (consumer seeks, commits, closes, destroys, metadata
 * fetches) answer no one any more and every delivery report was waited for already, so the
 * process ends now, without the teardown those threads could still be using. */
static _Noreturn void exit_abandoned(size_t n, const char *what, int rc)
{
    log_error("%zu %s at the end of shutdown.graceful.ms: abandoned", n, what);
    if (rc == 0)
        log_info("krest stopped");
    fflush(NULL);
    _exit(rc);
}

/* krest.kafka.principal.propagation: the pool of per-user Kafka handles (api/identity.h).
 * @return false (logged) when it cannot start. */
static bool start_principals(api_ctx_t *ctx, kafka_loop_t *loop)
{
    kr_err_t err = {0};
    config_kv_t *kv;
    size_t n = config_kafka_props(ctx->cfg, "producer", &kv);
    bool sasl = false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, "security.protocol") == 0 && strncasecmp(kv[i].value, "sasl", 4) == 0)
            sasl = true;
    config_kv_free(kv, n);
    if (!sasl)
        log_warn("krest.kafka.principal.propagation=true but client.security.protocol is not "
                 "SASL_PLAINTEXT or SASL_SSL: users' credentials cannot reach Kafka");
    ctx->principals = kafka_principals_new(ctx->cfg, loop, ctx->workq, api_identity_ctx_new,
                                           api_identity_ctx_free, ctx, &err);
    if (!ctx->principals)
        log_error("%s", err.msg);
    return ctx->principals != NULL;
}

static int run(krest_config_t *cfg)
{
    api_ctx_t ctx = {.cfg = cfg};
    kr_err_t err = {0};
    int rc = 1;
    int64_t t0 = -1; /* when the drain began */
    http_server_t *srv = NULL;
    kafka_loop_t *loop = NULL;
    sigset_t set;
    block_signals(&set);
    if (cfg->cluster_enable && (!cfg->cluster_secret || !*cfg->cluster_secret)) {
        log_error("krest.cluster.enable=true needs krest.cluster.secret (the same on every "
                  "instance): forwarded requests are signed with it");
        return 1;
    }
    metrics_init(cfg);
    if (kr_pending_start() != 0)
        return 1;
    kafka_client_check_config(cfg);
    ctx.workq = kr_workq_new((size_t)cfg->worker_threads, (size_t)cfg->worker_queue_size);
    ctx.admin = ctx.workq ? kafka_client_new_admin(cfg, &err) : NULL;
    if (!ctx.admin) {
        log_error("%s", err.msg[0] ? err.msg : "cannot start the worker threads");
        goto out;
    }
    loop = kafka_loop_new(&err);
    ctx.producer = loop ? kafka_producer_new(cfg, loop, &err) : NULL;
    if (!ctx.producer) {
        log_error("%s", err.msg);
        goto out;
    }
    char instance_id[300];
    default_id(cfg, instance_id, sizeof(instance_id));
    ctx.consumers = kafka_consumers_new(cfg, loop, ctx.workq, instance_id, &err);
    if (!ctx.consumers) {
        log_error("%s", err.msg);
        goto out;
    }
    kafka_consumers_metrics(ctx.consumers);
    if (cluster_start(&ctx, instance_id) != 0)
        goto out;
    ctx.kadmin = kafka_admin_new(ctx.admin, loop, &err);
    if (!ctx.kadmin) {
        log_error("%s", err.msg);
        goto out;
    }
    ctx.md =
        kafka_md_cache_new(ctx.admin, ctx.workq, cfg->metadata_max_age_ms, cfg->client_timeout_ms);
    ctx.health = kafka_health_new(loop, ctx.md, cfg->client_timeout_ms, &err);
    if (!ctx.health)
        log_warn("readiness checks not started (GET /ready answers 503): %s", err.msg);
    if (*cfg->schema_registry_listeners) {
        ctx.registry = sr_registry_start(cfg, &err);
        if (!ctx.registry)
            log_warn("built-in schema registry not started: %s", err.msg);
    }
    ctx.sr_client = sr_client_new(cfg);
    if (cfg->kafka_principal_propagation && !start_principals(&ctx, loop))
        goto out;
    srv = http_server_start(&ctx, &err);
    if (!srv) {
        log_error("%s", err.msg);
        goto out;
    }
    log_listeners(cfg);
    kafka_md_request(ctx.md, 0, on_probe, &ctx);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        reload(srv);
    log_info("%s received: stopping (up to %lld ms for requests in flight)", strsignal(sig),
             (long long)cfg->shutdown_graceful_ms);
    t0 = kr_clock_mono_ms();
    http_server_shutdown(srv, cfg->shutdown_graceful_ms);
    kafka_consumers_shutdown(ctx.consumers); /* each instance leaves its group */
    int64_t left = cfg->shutdown_graceful_ms - (kr_clock_mono_ms() - t0);
    int unresolved = kafka_producer_flush(ctx.producer, left > 1000 ? left : 1000);
    if (unresolved > 0)
        log_error("%d record(s) still without a delivery report at shutdown", unresolved);
    rc = 0;
out:
    http_server_free(srv);
    api_forwarder_free(ctx.forwarder);   /* nothing is forwarded any more */
    kafka_health_free(ctx.health, loop); /* before the worker pool: a check submits fetches */
    kafka_producer_free(ctx.producer);
    sr_registry_stop(ctx.registry); /* registry jobs still queued fail at once */
    /* Runs what is queued (closes, destroys) while the loop lives, within shutdown.graceful.ms
     * (issue 19): a worker still busy then is abandoned, and the process exits at once. */
    int64_t until = t0 >= 0 ? t0 + cfg->shutdown_graceful_ms : -1;
    if (until >= 0 && until < kr_clock_mono_ms() + 200)
        until = kr_clock_mono_ms() + 200; /* idle workers need a moment to see the stop */
    size_t abandoned = kr_workq_free_within(ctx.workq, until);
    if (abandoned > 0) {
        kafka_cluster_stop(ctx.cluster); /* the others stop forwarding here at once */
        exit_abandoned(abandoned, "worker(s) still busy", rc);
    }
    kafka_principals_free(ctx.principals); /* flushes each user's producer: the loop runs */
    kafka_consumers_metrics(NULL);
    int handles = kafka_consumers_free(ctx.consumers, until);
    kafka_cluster_stop(ctx.cluster); /* the consumers left their groups: now the tombstone */
    if (handles > 0)
        exit_abandoned((size_t)handles, "consumer handle(s) still closing", rc);
    kafka_admin_free(ctx.kadmin); /* waits for admin requests in flight: the loop still runs */
    kafka_loop_free(loop);
    kafka_md_cache_free(ctx.md);
    sr_registry_free(ctx.registry);
    sr_client_free(ctx.sr_client);
    if (ctx.admin)
        rd_kafka_destroy(ctx.admin);
    kr_pending_stop();
    if (rc == 0)
        log_info("krest stopped");
    return rc;
}

/* krest --routes (not in --help: for the tests, tests/api/test_openapi_served.py): every route
 * of every table, one "<listener> <METHOD> <template>" line each, listener "rest" or
 * "registry"; the OpenAPI documents must have exactly these operations. */
static void print_routes(const char *listener, const router_route_t *routes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%s %s %s\n", listener, routes[i].method, routes[i].path);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--routes") == 0) {
        print_routes("rest", router_routes, router_n_routes);
        print_routes("rest", router_v3_routes, router_v3_n_routes);
        print_routes("registry", router_sr_routes, router_sr_n_routes);
        return 0;
    }
    krest_config_t *cfg = NULL;
    kr_err_t err = {0};
    int lr = config_load(argc, argv, environ, &cfg, &err);
    if (lr == 1)
        return 0;
    if (lr != 0) {
        fprintf(stderr, "krest: %s\n", err.msg);
        return 2;
    }
    kr_log_set_level((kr_log_level_t)cfg->log_level);
    raise_nofile();
    int rc = run(cfg);
    config_free(cfg);
    return rc;
}
