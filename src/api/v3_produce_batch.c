/* api/v3_produce_batch.c -- POST …/records:batch (API.md §3.6): {"entries":[{"id", …}, …]}.
 * The whole request is checked first (422/42208: no body, no entries, more than
 * api.v3.produce.batch.maximum.entries, an id that is not 1-80 characters of [0-9a-zA-Z_-],
 * ids not distinct); then each entry is decoded as a ProduceRequest with its id, produced
 * independently (its own in-band failure), and the answer is 207 {successes, failures}.
 * Threads: HTTP threads. */
#include "api/v3_produce.h"

#include "api/v3_produce_int.h"
#include "format/json.h"
#include "format/json_scan.h"
#include "util/mem.h"

#include <string.h>

#define ID_MAX 80

static bool id_valid(json_object *id)
{
    if (!id || !json_object_is_type(id, json_type_string))
        return false;
    const char *s = json_object_get_string(id);
    size_t n = (size_t)json_object_get_string_len(id);
    if (n < 1 || n > ID_MAX || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* The whole-request checks on json-c's tree. @return 0, or -1 with err set. */
static int prevalidate(json_object *root, size_t max, kr_err_t *err)
{
    json_object *entries = NULL;
    json_object_object_foreach(root, key, val)
    {
        if (strcmp(key, "entries") != 0)
            return kr_err_set(err, KR_ERR_BAD_REQUEST,
                              "Unrecognized field \"%.64s\" (class "
                              "io.confluent.kafkarest.entities.v3.ProduceBatchRequest), not "
                              "marked as ignorable",
                              key);
        entries = val;
    }
    if (entries && !json_object_is_type(entries, json_type_array))
        return kr_err_set(err, KR_ERR_BAD_REQUEST,
                          "Cannot deserialize value of type `java.util.ArrayList` from a value "
                          "that is not an array");
    size_t n = entries ? json_object_array_length(entries) : 0;
    if (n == 0)
        return kr_err_set(err, KR_ERR_BATCH, "Empty batch.");
    if (n > max)
        return kr_err_set(err, KR_ERR_BATCH, "Too many entries in batch.");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(entries, i), *id = NULL;
        if (!e || !json_object_is_type(e, json_type_object))
            return kr_err_set(err, KR_ERR_BAD_REQUEST,
                              "Cannot deserialize value of type `ProduceBatchRequestEntry` from "
                              "a value that is not an object");
        json_object_object_get_ex(e, "id", &id);
        if (!id_valid(id))
            return kr_err_set(err, KR_ERR_BATCH, "Batch entry identifier is not a valid string.");
    }
    for (size_t i = 0; i < n; i++) {
        json_object *a, *b;
        json_object_object_get_ex(json_object_array_get_idx(entries, i), "id", &a);
        for (size_t j = i + 1; j < n; j++) {
            json_object_object_get_ex(json_object_array_get_idx(entries, j), "id", &b);
            if (strcmp(json_object_get_string(a), json_object_get_string(b)) == 0)
                return kr_err_set(err, KR_ERR_BATCH, "Batch entry IDs are not distinct.");
        }
    }
    return 0;
}

/* --- each entry's text, exactly as written --------------------------------------------- */

typedef struct entries_ctx {
    v3p_job_t *job;
} entries_ctx_t;

static int entry_element(fmt_jscan_t *js, size_t index, void *ctx)
{
    (void)index;
    v3p_job_t *job = ((entries_ctx_t *)ctx)->job;
    fmt_jscan_skip_ws(js);
    const char *start = js->p;
    if (fmt_jscan_value(js, NULL, 0) != 0)
        return -1;
    kr_err_t err = {0};
    fmt_v3_record_t rec;
    int rc = fmt_v3_entry_decode(&job->st, start, (size_t)(js->p - start), &rec, &err);
    v3p_slot_t *s = v3p_slot_add(job);
    s->rec = rec;
    if (rc != FMT_V3_RECORD) {
        /* the entry's id is still what the failure is reported under */
        json_object *o = fmt_json_parse(start, (size_t)(js->p - start), &(int){0}, &(kr_err_t){0});
        json_object *id = NULL;
        json_object_object_get_ex(o, "id", &id);
        const char *ids = id ? json_object_get_string(id) : "";
        size_t off = job->st.arena.len;
        kr_buf_append(&job->st.arena, ids, strlen(ids));
        s->rec.id = (fmt_span_t){(uint32_t)off, (uint32_t)strlen(ids)};
        json_object_put(o);
        v3p_slot_fail(s, err.code, "%s", err.msg);
    }
    v3p_rate_check(job->job.ctx, s);
    return 0;
}

static int top_member(fmt_jscan_t *js, const char *name, void *ctx)
{
    if (strcmp(name, "entries") == 0)
        return fmt_jscan_array(js, entry_element, ctx, "expected an array");
    return fmt_jscan_value(js, NULL, 0);
}

api_status_t api_v3_records_batch(api_req_t *req)
{
    kr_err_t err = {0};
    int is_null = 0;
    const char *body = req->body ? req->body : "";
    size_t len = req->body_len;
    size_t ws = 0;
    while (ws < len &&
           (body[ws] == ' ' || body[ws] == '\n' || body[ws] == '\r' || body[ws] == '\t'))
        ws++;
    json_object *root = ws == len ? NULL : fmt_json_parse(body, len, &is_null, &err);
    if (ws == len || is_null)
        return api_reply_error(req, KR_ERR_BATCH, "Request body is empty. Data is required.");
    if (!root)
        return api_reply_err(req, &err);
    if (!json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return api_reply_error(req, KR_ERR_BAD_REQUEST,
                               "Cannot deserialize value of type `ProduceBatchRequest` from a "
                               "value that is not an object");
    }
    int rc = prevalidate(root, (size_t)req->ctx->cfg->v3_batch_max_entries, &err);
    json_object_put(root);
    if (rc != 0)
        return api_reply_err(req, &err);
    v3p_job_t *job = v3p_job_new(req, true);
    fmt_jscan_t js;
    entries_ctx_t ec = {job};
    fmt_jscan_init(&js, body, len, 512, KR_ERR_BAD_REQUEST, &err);
    rc = fmt_jscan_object(&js, top_member, &ec, "expected an object");
    fmt_jscan_deinit(&js);
    if (rc != 0) { /* json-c read it already: not expected */
        v3p_job_free(&job->job);
        return api_reply_err(req, &err);
    }
    return v3p_run(req, job);
}
