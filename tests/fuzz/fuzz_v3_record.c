/* tests/fuzz/fuzz_v3_record.c -- libFuzzer target for format/v3_record: any bytes as a v3
 * records stream, then as one records:batch entry.
 * Invariants: the decoder always advances (every call consumes bytes or ends the stream), never
 * reads outside the text; a record's spans lie inside the arena and its headers inside the
 * store; an in-band error is 400 or 40402 with a "Bad Request: " or "Partition" message and
 * leaves the store as it was; a broken stream is 400 "Bad Request: Error processing ...";
 * every decoded timestamp written back and parsed again is the same instant. */
#include "format/v3_record.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(const fmt_v3_store_t *st, fmt_span_t s)
{
    if ((size_t)s.off + s.len > st->arena.len)
        abort();
}

static void check_side(const fmt_v3_store_t *st, const fmt_v3_data_t *d)
{
    if (!d->present)
        return;
    if (d->has_data)
        check_span(st, d->data);
    if (d->has_subject)
        check_span(st, d->subject);
    if (d->has_schema)
        check_span(st, d->schema);
    if (d->type > FMT_V3_PROTOBUF || d->strategy > FMT_V3_TOPIC_RECORD_NAME)
        abort();
}

static void check_record(const fmt_v3_store_t *st, const fmt_v3_record_t *r)
{
    check_side(st, &r->key);
    check_side(st, &r->value);
    if ((size_t)r->first_header + r->n_headers > st->n_headers && r->n_headers)
        abort();
    for (uint32_t i = 0; i < r->n_headers; i++) {
        check_span(st, st->headers[r->first_header + i].name);
        if (st->headers[r->first_header + i].has_value)
            check_span(st, st->headers[r->first_header + i].value);
    }
    if (r->partition < -1)
        abort();
    if (r->has_timestamp) {
        char out[40];
        int64_t back;
        size_t n = fmt_v3_time_write(r->timestamp, out);
        if (fmt_v3_time_parse(out, n, &back) != 0 || back != r->timestamp)
            abort();
    }
}

static void check_invalid(const fmt_v3_store_t *st, size_t arena, size_t headers,
                          const kr_err_t *err)
{
    if (st->arena.len != arena || st->n_headers != headers)
        abort();
    if (err->code == 400 ? strncmp(err->msg, "Bad Request: ", 13) != 0 : err->code != 40402)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    fmt_v3_store_t st;
    fmt_v3_store_init(&st, (size_t)64 << 20);
    size_t pos = 0;
    for (;;) {
        fmt_v3_record_t r;
        kr_err_t err = {0};
        size_t before = pos, arena = st.arena.len, headers = st.n_headers;
        int rc = fmt_v3_record_next(&st, text, size, &pos, 0, &r, &err);
        if (rc == FMT_V3_END || rc == FMT_V3_BROKEN) {
            if (rc == FMT_V3_BROKEN &&
                (err.code != 400 || strncmp(err.msg, "Bad Request: Error processing", 29) != 0))
                abort();
            break;
        }
        if (pos <= before || pos > size)
            abort();
        if (rc == FMT_V3_RECORD)
            check_record(&st, &r);
        else
            check_invalid(&st, arena, headers, &err);
    }
    fmt_v3_store_deinit(&st);

    /* the same text arriving in two pieces (as a chunked body does): fmt_v3_record_more on the
     * first half waits (PARTIAL, pos unchanged) or decodes what is complete */
    fmt_v3_store_init(&st, (size_t)64 << 20);
    pos = 0;
    for (;;) {
        fmt_v3_record_t r;
        kr_err_t err = {0};
        size_t before = pos;
        int rc = fmt_v3_record_more(&st, text, size / 2, &pos, 0, &r, &err);
        if (rc == FMT_V3_PARTIAL) {
            if (pos != before)
                abort();
            break;
        }
        if (rc == FMT_V3_END || rc == FMT_V3_BROKEN)
            break;
        if (pos <= before || pos > size / 2)
            abort();
        if (rc == FMT_V3_RECORD)
            check_record(&st, &r);
    }
    fmt_v3_store_deinit(&st);

    fmt_v3_store_init(&st, (size_t)64 << 20);
    fmt_v3_record_t r;
    kr_err_t err = {0};
    int rc = fmt_v3_entry_decode(&st, text, size, &r, &err);
    if (rc == FMT_V3_RECORD) {
        check_record(&st, &r);
        if (r.has_id)
            check_span(&st, r.id);
    } else if (rc == FMT_V3_INVALID) {
        check_invalid(&st, 0, 0, &err);
    } else if (rc != FMT_V3_BROKEN) {
        abort();
    }
    fmt_v3_store_deinit(&st);
    return 0;
}
