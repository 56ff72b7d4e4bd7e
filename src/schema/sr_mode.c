/* schema/sr_mode.c -- the registry's modes (Confluent's Mode: READWRITE, READONLY,
 * READONLY_OVERRIDE, IMPORT): which one is in force for a subject, the read-only check of every
 * write, and the plans that set and remove a mode (MODE records of `_schemas`, so every krest
 * of the topic sees them and a restart keeps them). See sr_state.h. Threads: as sr_state.c. */
#include "schema/sr_state.h"

#include "format/jsonw.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const modes[] = {"READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT"};

const char *sr_mode_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcasecmp(name, modes[i]) == 0)
            return modes[i];
    return NULL;
}

static bool is_override(const char *global)
{
    return strcmp(global, "READONLY_OVERRIDE") == 0;
}

const char *sr_state_mode_in_scope(const sr_state_t *st, const char *subject)
{
    const char *global = sr_state_mode(st);
    if (is_override(global) || !subject)
        return global;
    const sr_subject_t *s = sr_state_subject(st, subject);
    return s && s->mode ? s->mode : global;
}

const char *sr_state_mode_own(const sr_state_t *st, const char *subject)
{
    const char *global = sr_state_mode(st);
    if (is_override(global))
        return global;
    const sr_subject_t *s = sr_state_subject(st, subject);
    return s ? s->mode : NULL;
}

int sr_check_writable(const sr_state_t *st, const char *subject, kr_err_t *err)
{
    const char *mode = sr_state_mode_in_scope(st, subject);
    if (strcmp(mode, "READONLY") != 0 && !is_override(mode))
        return 0;
    /* Confluent's message, "null" for the global scope included */
    return kr_err_set(err, SR_ERR_OPERATION_NOT_PERMITTED, "Subject %s is in read-only mode",
                      subject ? subject : "null");
}

static bool in_scope(const sr_subject_t *s, const char *subject)
{
    return !subject || strcmp(s->name, subject) == 0;
}

/* Changing to IMPORT: no live subject in scope; the soft-deleted versions there go for good,
 * then CLEAR_SUBJECT (Confluent's setMode). */
static int plan_import(const sr_state_t *st, const char *subject, sr_records_t *out, kr_err_t *err)
{
    const sr_subject_t *const *subs;
    size_t n = sr_state_subjects(st, &subs);
    for (size_t i = 0; i < n; i++)
        if (in_scope(subs[i], subject) && sr_subject_live(subs[i]))
            return kr_err_set(err, SR_ERR_OPERATION_NOT_PERMITTED,
                              "Cannot import since found existing subjects");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; in_scope(subs[i], subject) && k < subs[i]->n; k++)
            sr_records_add(out, sr_key_make("SCHEMA", subs[i]->name, subs[i]->v[k].version, 1),
                           NULL);
    if (subject) {
        kr_buf_t b;
        size_t len;
        kr_buf_init(&b, 0);
        kr_buf_puts(&b, "{\"subject\":");
        fmt_json_quote(&b, subject, strlen(subject));
        kr_buf_puts(&b, "}");
        kr_buf_putc(&b, '\0');
        sr_records_add(out, sr_key_make("CLEAR_SUBJECT", subject, 0, 0), kr_buf_steal(&b, &len));
    }
    return 0;
}

int sr_plan_set_mode(const sr_state_t *st, const char *subject, const char *mode, bool force,
                     sr_records_t *out, kr_err_t *err)
{
    if (strcmp(mode, "IMPORT") == 0 && strcmp(sr_state_mode_in_scope(st, subject), "IMPORT") != 0 &&
        !force && plan_import(st, subject, out, err) != 0)
        return -1;
    sr_records_add(out, sr_key_make("MODE", subject, 0, 0), sr_value_scoped(subject, "mode", mode));
    return 0;
}

int sr_plan_delete_mode(const sr_state_t *st, const char *subject, char old[32], sr_records_t *out,
                        kr_err_t *err)
{
    const sr_subject_t *s = sr_state_subject(st, subject);
    if (!s || !s->mode) /* Confluent answers 40401 here */
        return kr_err_set(err, SR_ERR_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
    snprintf(old, 32, "%s", s->mode);
    sr_records_add(out, sr_key_make("MODE", subject, 0, 0), NULL);
    return 0;
}
