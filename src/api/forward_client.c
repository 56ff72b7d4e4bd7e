/* api/forward_client.c -- the forwarder's thread: libcurl's multi interface running every
 * forwarded request, with keep-alive connections to the owners kept in the multi handle's
 * connection cache (see forward.h). Threads: the forwarder thread; fwd_client_submit() from
 * HTTP threads. */
#include "api/forward_int.h"

#include "util/log.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Connections kept open to the owners, over all of them. */
#define POOL_MAX 64L

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    fwd_job_t *j = arg;
    return kr_buf_append(&j->resp, data, size * n) == 0 ? size * n : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    fwd_job_t *j = arg;
    size_t len = size * n;
    static const char loc[] = "Location:";
    static const char cl[] = "Content-Length:";
    if (len > sizeof(cl) && strncasecmp(data, cl, sizeof(cl) - 1) == 0) {
        unsigned long long want = strtoull(data + sizeof(cl) - 1, NULL, 10);
        if (want > 0 && want <= API_MAX_RESPONSE)
            kr_buf_reserve(&j->resp, (size_t)want); /* one allocation for the whole body */
    }
    if (len > sizeof(loc) && strncasecmp(data, loc, sizeof(loc) - 1) == 0) {
        const char *v = data + sizeof(loc) - 1;
        size_t vl = len - (sizeof(loc) - 1);
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        xfree(j->location);
        j->location = xstrndup(v, vl);
    }
    return len;
}

void fwd_job_free(void *arg)
{
    fwd_job_t *j = arg;
    if (!j)
        return;
    if (j->easy)
        curl_easy_cleanup(j->easy);
    curl_slist_free_all(j->hdrs);
    kr_buf_deinit(&j->resp);
    xfree(j->location);
    xfree(j->url);
    xfree(j->method);
    xfree(j->owner_id);
    xfree(j->body);
    xfree(j);
}

/* An easy handle: one kept from an earlier transfer (its buffers already allocated), or new. */
static CURL *easy_get(api_forwarder_t *fw)
{
    if (fw->n_idle == 0)
        return curl_easy_init();
    CURL *e = fw->idle[--fw->n_idle];
    curl_easy_reset(e);
    return e;
}

static void easy_put(api_forwarder_t *fw, CURL *e)
{
    if (fw->n_idle < sizeof(fw->idle) / sizeof(fw->idle[0]))
        fw->idle[fw->n_idle++] = e;
    else
        curl_easy_cleanup(e);
}

/* The instance's own keystore (ssl.keystore.location) is its client certificate towards the
 * owners, so that instances whose listeners require one (ssl.client.authentication) accept each
 * other, as Kafka brokers do; libcurl reads it again for each new connection (a renewed
 * keystore is used without a restart). PKCS12 (DER: a SEQUENCE) or PEM, as http/tls_store.c
 * reads it; a JKS file never gets here (start-up refuses it). */
static void client_cert_init(api_forwarder_t *fw)
{
    const char *ks = fw->cfg->ssl_keystore_location;
    if (!ks || !*ks)
        return;
    FILE *f = fopen(ks, "rb");
    int first = f ? fgetc(f) : EOF;
    if (f)
        fclose(f);
    if (first != EOF)
        fw->cert_type = first == 0x30 ? "P12" : "PEM";
}

static void client_cert_set(const api_forwarder_t *fw, CURL *e)
{
    const krest_config_t *cfg = fw->cfg;
    if (!fw->cert_type)
        return;
    bool pem = strcmp(fw->cert_type, "PEM") == 0;
    const char *pass = pem ? cfg->ssl_key_password : cfg->ssl_keystore_password;
    curl_easy_setopt(e, CURLOPT_SSLCERT, cfg->ssl_keystore_location);
    curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, fw->cert_type);
    if (pem) {
        curl_easy_setopt(e, CURLOPT_SSLKEY, cfg->ssl_keystore_location);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (pass && *pass)
        curl_easy_setopt(e, CURLOPT_KEYPASSWD, pass);
}

static void start_job(api_forwarder_t *fw, fwd_job_t *j)
{
    CURL *e = easy_get(fw);
    j->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, j->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->hdrs);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)fw->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024); /* fewer, larger copies of big reads */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    const char *ca = fw->cfg->cluster_ssl_ca_location;
    if (ca && *ca)
        curl_easy_setopt(e, CURLOPT_CAINFO, ca); /* https internal URLs: the instances' CA */
    client_cert_set(fw, e);
    if (strcmp(j->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (j->body_len > 0 || strcmp(j->method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body ? j->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->body_len);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, j->method);
    } else if (strcmp(j->method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, j->method);
    }
    if (curl_multi_add_handle(fw->multi, e) != CURLM_OK) {
        j->curl_rc = CURLE_FAILED_INIT;
        kr_pending_complete(j->h, j, fwd_job_free);
        return;
    }
    j->next = fw->running;
    fw->running = j;
}

static void unlink_running(api_forwarder_t *fw, fwd_job_t *j)
{
    for (fwd_job_t **pp = &fw->running; *pp; pp = &(*pp)->next) {
        if (*pp == j) {
            *pp = j->next;
            j->next = NULL;
            return;
        }
    }
}

static void finish(api_forwarder_t *fw, CURLMsg *msg)
{
    fwd_job_t *j = NULL;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
    j->curl_rc = (int)msg->data.result;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &j->status);
    curl_off_t connect_us = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_CONNECT_TIME_T, &connect_us);
    j->connected = connect_us > 0;
    curl_multi_remove_handle(fw->multi, msg->easy_handle);
    unlink_running(fw, j);
    easy_put(fw, j->easy);
    j->easy = NULL;
    kr_pending_complete(j->h, j, fwd_job_free);
}

static void take_queue(api_forwarder_t *fw)
{
    pthread_mutex_lock(&fw->lock);
    fwd_job_t *j = fw->queue;
    fw->queue = NULL;
    pthread_mutex_unlock(&fw->lock);
    while (j) {
        fwd_job_t *next = j->next;
        j->next = NULL;
        start_job(fw, j);
        j = next;
    }
}

static void *run(void *arg)
{
    api_forwarder_t *fw = arg;
    while (!atomic_load(&fw->stop)) {
        take_queue(fw);
        int running = 0;
        curl_multi_perform(fw->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(fw->multi, &left)))
            if (msg->msg == CURLMSG_DONE)
                finish(fw, msg);
        curl_multi_poll(fw->multi, NULL, 0, 1000, NULL);
    }
    return NULL;
}

void fwd_client_submit(api_forwarder_t *fw, fwd_job_t *job)
{
    pthread_mutex_lock(&fw->lock);
    job->next = fw->queue;
    fw->queue = job;
    pthread_mutex_unlock(&fw->lock);
    curl_multi_wakeup(fw->multi);
}

int fwd_client_start(api_forwarder_t *fw)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    client_cert_init(fw);
    fw->multi = curl_multi_init();
    if (!fw->multi)
        return -1;
    curl_multi_setopt(fw->multi, CURLMOPT_MAXCONNECTS, POOL_MAX);
    if (pthread_create(&fw->thread, NULL, run, fw) != 0) {
        curl_multi_cleanup(fw->multi);
        fw->multi = NULL;
        return -1;
    }
    return 0;
}

/* Every handle still in the multi: its job is dropped (the request was answered as timed out
 * when the HTTP server stopped). */
static void drop_running(api_forwarder_t *fw)
{
    int n = 0;
    while (fw->running) {
        fwd_job_t *j = fw->running;
        fw->running = j->next;
        j->next = NULL;
        curl_multi_remove_handle(fw->multi, j->easy);
        kr_pending_complete(j->h, j, fwd_job_free);
        n++;
    }
    if (n)
        log_warn("cluster: %d forwarded request(s) still running at shutdown were dropped", n);
}

void fwd_client_stop(api_forwarder_t *fw)
{
    if (!fw->multi)
        return;
    atomic_store(&fw->stop, true);
    curl_multi_wakeup(fw->multi);
    pthread_join(fw->thread, NULL);
    take_queue(fw); /* started, then dropped below */
    drop_running(fw);
    while (fw->n_idle > 0)
        curl_easy_cleanup(fw->idle[--fw->n_idle]);
    curl_multi_cleanup(fw->multi);
    fw->multi = NULL;
    curl_global_cleanup();
}
