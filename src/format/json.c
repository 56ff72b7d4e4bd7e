/* format/json.c -- strict JSON parsing with positions in errors. Pure; threads: any. */
#include "format/json.h"

#include "format/json_scan.h"

#include <stdbool.h>
#include <string.h>

/* Line and column (1-based) of byte offset off in text. */
static void position(const char *text, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static bool only_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    }
    return true;
}

/* json-c 0.16 accepts 'single-quoted' strings even in strict mode; JSON (and Jackson, which
 * Confluent's clients are used to) does not. @return the offset of a quote outside any
 * double-quoted string, or len when there is none. */
static size_t single_quote_at(const char *s, size_t len)
{
    if (!memchr(s, '\'', len))
        return len;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        if (in_str && s[i] == '\\')
            i++;
        else if (s[i] == '"')
            in_str = !in_str;
        else if (!in_str && s[i] == '\'')
            return i;
    }
    return len;
}

json_object *fmt_json_parse(const char *text, size_t len, int *is_null, kr_err_t *err)
{
    *is_null = 0;
    if (!text || only_space(text, len)) {
        kr_err_set(err, KR_ERR_BAD_REQUEST, "Invalid JSON: the body is empty");
        return NULL;
    }
    if (fmt_json_check(text, len, err) != 0)
        return NULL;
    json_tokener *tok = json_tokener_new_ex(FMT_JSON_MAX_DEPTH);
    if (!tok) {
        kr_err_set(err, KR_ERR_INTERNAL, "out of memory");
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* A top-level scalar (null, 12) ends only at a delimiter: give it one. */
        obj = json_tokener_parse_ex(tok, " ", 1);
        jerr = json_tokener_get_error(tok);
    }
    if (jerr == json_tokener_continue) {
        jerr = json_tokener_error_parse_eof;
        used = len;
    } else if (jerr == json_tokener_success && !only_space(text + used, len - used)) {
        jerr = json_tokener_error_parse_unexpected;
    } else if (jerr == json_tokener_success && single_quote_at(text, len) < len) {
        jerr = json_tokener_error_parse_unexpected;
        used = single_quote_at(text, len);
    }
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        json_object_put(obj);
        size_t line, col;
        position(text, used < len ? used : len, &line, &col);
        kr_err_set(err, KR_ERR_BAD_REQUEST, "Invalid JSON: %s at line %zu, column %zu",
                   json_tokener_error_desc(jerr), line, col);
        return NULL;
    }
    *is_null = obj == NULL;
    return obj;
}
