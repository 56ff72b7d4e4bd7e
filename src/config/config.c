/* config/config.c -- builds krest_config_t from defaults, a properties file, the environment and
 * --key=value flags. Every source first lands in one ordered key -> value list (later sources
 * replace earlier values), then each final value is validated through the key table below, so
 * a bad value in the file that a flag overrides is no error. Values of known and pass-through
 * keys are trimmed, as Kafka's ConfigDef does.
 * May use: util/. Threads: start-up only. */
#include "config/config.h"

#include "config/config_int.h"
#include "config/properties.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef KREST_VERSION
#define KREST_VERSION "unknown"
#endif

/* Where a setting came from: unknown keys from the environment are only logged at debug. */
typedef enum src { SRC_FILE, SRC_ENV, SRC_FLAG } src_t;

/* The settings of every source, in first-set order, later values replacing earlier ones. */
typedef struct settings {
    config_kv_t *kv;
    src_t *src;
    size_t n;
} settings_t;

/* Sets key to value in kv[0..n), replacing an existing value in place.
 * Returns the index of the key. */
static size_t kv_put(config_kv_t **kv, size_t *n, const char *key, const char *value)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*kv)[i].key, key) == 0) {
            xfree((*kv)[i].value);
            (*kv)[i].value = xstrdup(value);
            return i;
        }
    }
    *kv = xrealloc(*kv, (*n + 1) * sizeof(**kv));
    (*kv)[*n].key = xstrdup(key);
    (*kv)[*n].value = xstrdup(value);
    return (*n)++;
}

void config_kv_free(config_kv_t *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xfree(kv[i].key);
        xfree(kv[i].value);
    }
    xfree(kv);
}

static void settings_put(settings_t *s, const char *key, const char *value, src_t src)
{
    size_t n = s->n;
    size_t i = kv_put(&s->kv, &s->n, key, value);
    if (s->n != n)
        s->src = xrealloc(s->src, s->n * sizeof(*s->src));
    s->src[i] = src;
}

static void settings_free(settings_t *s)
{
    config_kv_free(s->kv, s->n);
    xfree(s->src);
}

static int bad_value(kr_err_t *err, const key_def_t *d, const char *v, const char *why)
{
    char buf[72];
    return kr_err_set(
        err, KR_ERR_UNPROCESSABLE, "invalid value '%s' for configuration key '%s': %s",
        config_key_is_secret(d->name) ? "(secret)" : config_shown(v, buf), d->name, why);
}

/* A copy of s without leading and trailing whitespace. */
static char *trim_dup(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || (*s >= '\t' && *s <= '\r'))) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
        n--;
    return xstrndup(s, n);
}

/* Returns the next non-empty, trimmed item of the comma list v from *pos (owned), or NULL. */
static char *next_item(const char *v, size_t *pos)
{
    while (v[*pos]) {
        const char *s = v + *pos;
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        *pos += n + (comma ? 1 : 0);
        char *item = trim_dup(s, n);
        if (item[0])
            return item;
        xfree(item);
    }
    return NULL;
}

/* Parses a decimal integer. Returns 0, -1 for garbage, -2 for overflow. */
static int parse_i64(const char *s, int64_t *out)
{
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return -1;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int set_int(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    int64_t x = 0;
    int rc = parse_i64(v, &x);
    if (rc == -1)
        return bad_value(err, d, v, "expected an integer");
    if (rc == -2 || x < d->min || x > d->max) {
        char why[96];
        if (d->max == NOMAX)
            snprintf(why, sizeof(why), "expected an integer >= %" PRId64, d->min);
        else
            snprintf(why, sizeof(why), "expected an integer from %" PRId64 " to %" PRId64, d->min,
                     d->max);
        return bad_value(err, d, v, why);
    }
    void *field = (char *)cfg + d->off;
    if (d->type == T_INT)
        *(int *)field = (int)x;
    else
        *(int64_t *)field = x;
    return 0;
}

static int set_bool(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    int *field = (int *)((char *)cfg + d->off);
    if (strcasecmp(v, "true") == 0)
        *field = 1;
    else if (strcasecmp(v, "false") == 0)
        *field = 0;
    else
        return bad_value(err, d, v, "expected true or false");
    return 0;
}

static int set_log_level(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    kr_log_level_t level = KR_LOG_INFO;
    if (kr_log_parse_level(v, &level) != 0)
        return bad_value(err, d, v, "expected error, warn, info or debug");
    *(int *)((char *)cfg + d->off) = (int)level;
    return 0;
}

static int set_auto_create(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    int *field = (int *)((char *)cfg + d->off);
    if (strcasecmp(v, "broker") == 0)
        *field = CONFIG_AUTO_CREATE_BROKER;
    else if (strcasecmp(v, "true") == 0)
        *field = CONFIG_AUTO_CREATE_TRUE;
    else if (strcasecmp(v, "false") == 0)
        *field = CONFIG_AUTO_CREATE_FALSE;
    else
        return bad_value(err, d, v, "expected broker, true or false");
    return 0;
}

static int set_log_format(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    int *field = (int *)((char *)cfg + d->off);
    if (strcasecmp(v, "text") == 0)
        *field = CONFIG_ACCESS_LOG_TEXT;
    else if (strcasecmp(v, "json") == 0)
        *field = CONFIG_ACCESS_LOG_JSON;
    else
        return bad_value(err, d, v, "expected text or json");
    return 0;
}

/* Stores a string field; T_LIST and T_URLS values are normalised to "a,b" first. */
static int set_str(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    char *value = NULL;
    if (d->type == T_STR) {
        if (d->min > 0 && !v[0])
            return bad_value(err, d, v, "must not be empty");
        value = xstrdup(v);
    } else {
        kr_buf_t b;
        kr_buf_init(&b, 0);
        kr_buf_append(&b, "", 0);
        size_t pos = 0;
        for (char *item = next_item(v, &pos); item; item = next_item(v, &pos)) {
            kr_buf_printf(&b, "%s%s", b.len ? "," : "", item);
            xfree(item);
        }
        size_t len = 0;
        value = kr_buf_steal(&b, &len);
        if (d->min > 0 && len == 0) {
            xfree(value);
            return bad_value(err, d, v, "expected a non-empty comma-separated list");
        }
    }
    char **field = (char **)((char *)cfg + d->off);
    xfree(*field);
    *field = value;
    return 0;
}

/* Parses the listener list v; T_LISTENERS stores the array, T_URLS only validates. */
static int set_listeners(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err)
{
    config_listener_t *ls = NULL;
    size_t n = 0;
    size_t pos = 0;
    for (char *item = next_item(v, &pos); item; item = next_item(v, &pos)) {
        config_listener_t l = {.host = NULL};
        const char *why = config_listener_parse_why(item, strlen(item), &l);
        if (why) {
            bad_value(err, d, item, why);
            xfree(item);
            config_listeners_free(ls, n);
            return -1;
        }
        xfree(item);
        ls = xrealloc(ls, (n + 1) * sizeof(*ls));
        ls[n++] = l;
    }
    if (d->type == T_URLS) {
        config_listeners_free(ls, n);
        return set_str(cfg, d, v, err);
    }
    config_listener_t **field = (config_listener_t **)((char *)cfg + d->off);
    size_t *count = (size_t *)((char *)cfg + d->off_n);
    config_listeners_free(*field, *count);
    *field = ls;
    *count = n;
    return 0;
}

typedef int (*setter_fn)(krest_config_t *cfg, const key_def_t *d, const char *v, kr_err_t *err);

/* Validates and stores one value (trimmed first, as Kafka's ConfigDef does). */
static int set_value(krest_config_t *cfg, const key_def_t *d, const char *raw, kr_err_t *err)
{
    static const setter_fn setters[] = {[T_I64] = set_int,
                                        [T_INT] = set_int,
                                        [T_BOOL] = set_bool,
                                        [T_STR] = set_str,
                                        [T_LIST] = set_str,
                                        [T_URLS] = set_listeners,
                                        [T_LISTENERS] = set_listeners,
                                        [T_LOG_LEVEL] = set_log_level,
                                        [T_AUTO_CREATE] = set_auto_create,
                                        [T_LOG_FORMAT] = set_log_format};
    char *v = trim_dup(raw, strlen(raw));
    int rc = setters[d->type](cfg, d, v, err);
    xfree(v);
    return rc;
}

static const key_def_t *find_key(const char *name)
{
    for (size_t i = 0; i < config_n_keys; i++) {
        if (strcmp(config_keys[i].name, name) == 0)
            return &config_keys[i];
    }
    return NULL;
}

static int is_ignored(const char *key)
{
    for (size_t i = 0; i < config_n_ignored_keys; i++) {
        const char *k = config_ignored_keys[i];
        size_t n = strlen(k);
        if (k[n - 1] == '*' ? strncmp(key, k, n - 1) == 0 : strcmp(key, k) == 0)
            return 1;
    }
    return 0;
}

static int is_passthrough(const char *key)
{
    for (size_t i = 0; i < config_n_passthrough_prefixes; i++) {
        size_t n = strlen(config_passthrough_prefixes[i]);
        if (strncmp(key, config_passthrough_prefixes[i], n) == 0 && key[n])
            return 1;
    }
    return 0;
}

/* Applies one final setting: a known key, an ignored one, a pass-through one or an unknown. */
static int apply_setting(krest_config_t *cfg, const char *key, const char *value, src_t src,
                         kr_err_t *err)
{
    const key_def_t *d = find_key(key);
    if (d)
        return set_value(cfg, d, value, err);
    if (is_ignored(key)) {
        log_debug("configuration key '%s' has no effect in krest", key);
        return 0;
    }
    if (is_passthrough(key)) {
        char *v = trim_dup(value, strlen(value));
        kv_put(&cfg->passthrough, &cfg->n_passthrough, key, v);
        xfree(v);
        return 0;
    }
    char buf[72];
    if (src == SRC_ENV)
        log_debug("unknown configuration key '%s' from the environment ignored",
                  config_shown(key, buf));
    else
        log_warn("unknown configuration key '%s' ignored", config_shown(key, buf));
    return 0;
}

static krest_config_t *new_with_defaults(void)
{
    krest_config_t *cfg = xcalloc(1, sizeof(*cfg));
    for (size_t i = 0; i < config_n_keys; i++) {
        kr_err_t err;
        if (set_value(cfg, &config_keys[i], config_keys[i].def, &err) != 0) {
            log_error("bad built-in default: %s", err.msg);
            abort();
        }
    }
    return cfg;
}

void config_free(krest_config_t *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < config_n_keys; i++) {
        const key_def_t *d = &config_keys[i];
        void *field = (char *)cfg + d->off;
        if (d->type == T_STR || d->type == T_LIST || d->type == T_URLS)
            xfree(*(char **)field);
        else if (d->type == T_LISTENERS)
            config_listeners_free(*(config_listener_t **)field,
                                  *(size_t *)((char *)cfg + d->off_n));
    }
    config_kv_free(cfg->passthrough, cfg->n_passthrough);
    xfree(cfg);
}

/* Maps an environment variable name (after its prefix) to a key: lower case, then "___" -> "-",
 * "__" -> "_", "_" -> "." (longest first, left to right, as Confluent's images do). */
static char *env_to_key(const char *name, size_t len)
{
    kr_buf_t b;
    kr_buf_init(&b, 0);
    kr_buf_append(&b, "", 0);
    for (size_t i = 0; i < len;) {
        if (name[i] != '_') {
            char c = name[i++];
            kr_buf_putc(&b, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
            continue;
        }
        size_t run = 1;
        while (run < 3 && i + run < len && name[i + run] == '_')
            run++;
        kr_buf_putc(&b, run == 3 ? '-' : run == 2 ? '_' : '.');
        i += run;
    }
    size_t n = 0;
    return kr_buf_steal(&b, &n);
}

static void add_env(settings_t *s, char **envp, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; envp && envp[i]; i++) {
        const char *e = envp[i];
        const char *eq = strchr(e, '=');
        if (!eq || strncmp(e, prefix, plen) != 0 || eq < e + plen)
            continue;
        char *key = env_to_key(e + plen, (size_t)(eq - e) - plen);
        if (key[0])
            settings_put(s, key, eq + 1, SRC_ENV);
        xfree(key);
    }
}

static int add_file_pair(void *ctx, const char *key, const char *value, size_t line, kr_err_t *err)
{
    (void)line;
    (void)err;
    settings_put(ctx, key, value, SRC_FILE);
    return 0;
}

/* The key of a command-line argument "[-...]key=value" (in buf), or "" without '='. */
static const char *arg_key(const char *a, char buf[72])
{
    while (*a == '-')
        a++;
    const char *eq = strchr(a, '=');
    snprintf(buf, 72, "%.*s", eq ? (int)(eq - a) : 0, a);
    return buf;
}

/* Whether a, not a well-formed --key=value, carries a secret value that an error message quoting
 * the argument would show. */
static bool arg_holds_secret(const char *a)
{
    char buf[72];
    if (strncmp(a, "--", 2) == 0 || !strchr(a, '=') || strchr(arg_key(a, buf), '/'))
        return false; /* well formed, no value, or a file's path */
    return config_key_is_secret(buf);
}

/* Checks argv's shape: at most one positional argument (the file), flags as --key=value. */
static int scan_args(int argc, char **argv, const char **file, kr_err_t *err)
{
    char buf[72];
    char buf2[72];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (arg_holds_secret(a))
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "the argument for the secret key %s must be written --key=value",
                              config_shown(arg_key(a, buf2), buf));
        if (strncmp(a, "--", 2) == 0) {
            const char *eq = strchr(a, '=');
            if (!eq)
                return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                                  "option '%s' must be written --key=value "
                                  "(--key value is not supported)",
                                  config_shown(a, buf));
            if (eq == a + 2)
                return kr_err_set(err, KR_ERR_UNPROCESSABLE, "option '%s' has an empty key",
                                  config_shown(a, buf));
        } else if (a[0] == '-' && a[1]) {
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "unknown option '%s' (use --key=value, --help or --version)",
                              config_shown(a, buf));
        } else if (*file) {
            return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                              "unexpected argument '%s': the properties file is already '%s'",
                              config_shown(a, buf), config_shown(*file, buf2));
        } else {
            *file = a;
        }
    }
    return 0;
}

static void add_flags(settings_t *s, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0)
            continue;
        const char *eq = strchr(a, '=');
        char *key = xstrndup(a + 2, (size_t)(eq - a - 2));
        settings_put(s, key, eq + 1, SRC_FLAG);
        xfree(key);
    }
}

/* Handles --help and --version. Returns 1 when one was printed. */
static int print_info(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            config_print_help(stdout);
            return 1;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("krest %s\n", KREST_VERSION);
            return 1;
        }
    }
    return 0;
}

static int collect(int argc, char **argv, char **envp, settings_t *s, kr_err_t *err)
{
    const char *file = NULL;
    if (scan_args(argc, argv, &file, err) != 0)
        return -1;
    if (file && config_props_load_file(file, add_file_pair, s, err) != 0)
        return -1;
    if (file)
        config_warn_readable_secrets(file);
    config_warn_secret_flags(argc, argv);
    add_env(s, envp, "KAFKA_REST_");
    add_env(s, envp, "KREST_"); /* after KAFKA_REST_, so that it wins */
    add_flags(s, argc, argv);
    return 0;
}

int config_load(int argc, char **argv, char **envp, krest_config_t **out, kr_err_t *err)
{
    *out = NULL;
    if (print_info(argc, argv))
        return 1;
    settings_t s = {.kv = NULL};
    krest_config_t *cfg = NULL;
    int rc = -1;
    if (collect(argc, argv, envp, &s, err) != 0)
        goto out;
    cfg = new_with_defaults();
    for (size_t i = 0; i < s.n; i++) {
        if (apply_setting(cfg, s.kv[i].key, s.kv[i].value, s.src[i], err) != 0)
            goto out;
    }
    if (cfg->n_listeners == 0) {
        cfg->listeners = xcalloc(1, sizeof(*cfg->listeners));
        snprintf(cfg->listeners[0].scheme, sizeof(cfg->listeners[0].scheme), "http");
        cfg->listeners[0].host = xstrdup("0.0.0.0");
        cfg->listeners[0].port = cfg->port;
        cfg->n_listeners = 1;
    }
    *out = cfg;
    cfg = NULL;
    rc = 0;
out:
    config_free(cfg);
    settings_free(&s);
    return rc;
}

/* Appends the pass-through keys starting with prefix to kv, prefix stripped, later wins. */
static void collect_prefixed(const krest_config_t *cfg, const char *prefix, config_kv_t **kv,
                             size_t *n)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < cfg->n_passthrough; i++) {
        const config_kv_t *p = &cfg->passthrough[i];
        if (strncmp(p->key, prefix, plen) == 0)
            kv_put(kv, n, p->key + plen, p->value);
    }
}

size_t config_kafka_props(const krest_config_t *cfg, const char *kind, config_kv_t **out)
{
    *out = NULL;
    if (!kind || (strcmp(kind, "producer") != 0 && strcmp(kind, "consumer") != 0 &&
                  strcmp(kind, "admin") != 0))
        return 0;
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "%s.", kind);
    size_t n = 0;
    collect_prefixed(cfg, "client.", out, &n);
    collect_prefixed(cfg, prefix, out, &n);
    return n;
}

static void print_notes(FILE *out)
{
    fprintf(out, "\nAccepted for compatibility, no effect in krest:\n ");
    size_t col = 1;
    for (size_t i = 0; i < config_n_ignored_keys; i++) {
        if (col > 1 && col + strlen(config_ignored_keys[i]) > 90) {
            fprintf(out, "\n ");
            col = 1;
        }
        col += (size_t)fprintf(out, " %s%s", config_ignored_keys[i],
                               i + 1 < config_n_ignored_keys ? "," : "\n");
    }
    fprintf(out,
            "\nPass-through (any other key with these prefixes):\n"
            "  client.*            every Kafka client (producer, consumers, admin), prefix "
            "stripped\n"
            "  producer.*          the producer, after client.* (e.g. producer.linger.ms)\n"
            "  consumer.*          consumer instances, after client.*\n"
            "  admin.*             the admin client, after client.*\n"
            "  schema.registry.*   the Schema Registry client\n"
            "  The proxy keys above (consumer.request.*, client.timeout.ms, ...) are never "
            "passed on.\n"
            "\nSources, later wins: defaults < properties file < environment < --key=value.\n"
            "Environment: KAFKA_REST_<KEY> or KREST_<KEY> (KREST_ wins); <KEY> is lower-cased "
            "and\n"
            "  '___' -> '-', '__' -> '_', '_' -> '.': KAFKA_REST_BOOTSTRAP_SERVERS=b:9092 sets "
            "bootstrap.servers.\n");
}

void config_print_help(FILE *out)
{
    fprintf(out, "Usage: krest [file.properties] [--key=value ...]\n"
                 "       krest --help | --version\n");
    for (int g = 0; g < G_COUNT; g++) {
        fprintf(out, "\n%s:\n", config_group_titles[g]);
        for (size_t i = 0; i < config_n_keys; i++) {
            const key_def_t *d = &config_keys[i];
            if (d->group == (key_group_t)g)
                fprintf(out, "  %s = %s\n      %s\n", d->name, d->def[0] ? d->def : "\"\"",
                        d->desc);
        }
    }
    print_notes(out);
}
