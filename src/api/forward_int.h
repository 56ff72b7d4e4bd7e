/* api/forward_int.h -- what api/forward.c (deciding, signing, relaying) and
 * api/forward_client.c (the libcurl multi thread) share. Only api/forward*.c include it.
 * Threads: as the fields say. */
#ifndef KR_API_FORWARD_INT_H
#define KR_API_FORWARD_INT_H

#include "api/forward.h"
#include "api/forward_nonce.h"
#include "util/buf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* One forwarded request: built on the HTTP thread, run on the forwarder's, handed back to the
 * HTTP thread as the pending slot's result. */
typedef struct fwd_job {
    api_forwarder_t *fw;
    kr_handle_t h;
    char *url, *method, *owner_id;
    void *hdrs; /* struct curl_slist * */
    char *body; /* owned copy of the decoded request body (consumer bodies are small) */
    size_t body_len;
    kr_buf_t resp; /* the owner's body */
    char *location;
    long status;
    int curl_rc;    /* CURLcode */
    bool connected; /* a connection to the owner was made (else a timeout means it is gone) */
    void *easy;     /* CURL *, forwarder thread */
    struct fwd_job *next;
} fwd_job_t;

struct api_forwarder {
    const krest_config_t *cfg;
    kafka_cluster_t *cluster;
    void *multi; /* CURLM *, forwarder thread (curl_multi_wakeup from any) */
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t lock;
    fwd_job_t *queue;   /* lock */
    fwd_job_t *running; /* forwarder thread: jobs in the multi handle */
    void *idle[64];     /* forwarder thread: easy handles kept for the next transfers */
    size_t n_idle;
    int64_t timeout_ms;
    const char *cert_type; /* "PEM" or "P12": the keystore presented to owners, NULL: none */
    char *self_id;         /* owned: this instance's id, which forwarded requests must name */
    fwd_nonces_t *nonces;  /* owned: the nonces of the forwarded requests accepted lately */
};

/** Starts the thread and the multi handle. @return 0 or -1. */
int fwd_client_start(api_forwarder_t *fw);
/** Stops the thread; jobs not finished are freed (their requests time out). */
void fwd_client_stop(api_forwarder_t *fw);
/** Hands a job to the thread (takes ownership); the job's handle is completed with the job. */
void fwd_client_submit(api_forwarder_t *fw, fwd_job_t *job);
/** Frees a job (kr_pending_free_fn). */
void fwd_job_free(void *job);

#endif
