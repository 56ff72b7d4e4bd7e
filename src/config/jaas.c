/* config/jaas.c -- a reader of JAAS login configuration files (see jaas.h): a small lexer
 * (words, quoted strings, { } ; =, three comment styles) and a parser that walks every section
 * and keeps what the realm's section says.
 * May use: util/. Threads: any; no state between calls. */
#include "config/jaas.h"

#include "util/buf.h"
#include "util/mem.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MODULE_CLASS "PropertyFileLoginModule"

typedef enum tok_kind { TOK_EOF, TOK_WORD, TOK_STRING, TOK_PUNCT, TOK_ERROR } tok_kind_t;

typedef struct lexer {
    const char *s;
    size_t n, i;
    size_t line;
    tok_kind_t kind;
    char punct;
    kr_buf_t text; /* the current word or string */
} lexer_t;

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

static bool is_word_char(char c)
{
    return !is_blank(c) && !strchr("{};=\"'", c) && c != '\0';
}

/* Skips blanks and comments. @return false on an unterminated block comment. */
static bool skip_space(lexer_t *lx)
{
    while (lx->i < lx->n) {
        char c = lx->s[lx->i];
        char d = lx->i + 1 < lx->n ? lx->s[lx->i + 1] : '\0';
        if (c == '\n')
            lx->line++;
        if (is_blank(c)) {
            lx->i++;
        } else if (c == '#' || (c == '/' && d == '/')) {
            while (lx->i < lx->n && lx->s[lx->i] != '\n')
                lx->i++;
        } else if (c == '/' && d == '*') {
            lx->i += 2;
            while (lx->i + 1 < lx->n && !(lx->s[lx->i] == '*' && lx->s[lx->i + 1] == '/'))
                lx->line += lx->s[lx->i++] == '\n';
            if (lx->i + 1 >= lx->n)
                return false;
            lx->i += 2;
        } else {
            break;
        }
    }
    return true;
}

static void lex_string(lexer_t *lx, char quote)
{
    lx->i++;
    while (lx->i < lx->n && lx->s[lx->i] != quote) {
        char c = lx->s[lx->i++];
        if (c == '\\' && lx->i < lx->n)
            c = lx->s[lx->i++];
        if (c == '\n')
            lx->line++;
        if (c == '\0' || kr_buf_putc(&lx->text, c) != 0) {
            lx->kind = TOK_ERROR;
            return;
        }
    }
    if (lx->i >= lx->n) {
        lx->kind = TOK_ERROR;
        return;
    }
    lx->i++;
    lx->kind = TOK_STRING;
}

static tok_kind_t next(lexer_t *lx)
{
    kr_buf_reset(&lx->text);
    if (!skip_space(lx))
        return lx->kind = TOK_ERROR;
    if (lx->i >= lx->n)
        return lx->kind = TOK_EOF;
    char c = lx->s[lx->i];
    if (strchr("{};=", c)) {
        lx->punct = c;
        lx->i++;
        return lx->kind = TOK_PUNCT;
    }
    if (c == '"' || c == '\'') {
        lex_string(lx, c);
        return lx->kind;
    }
    size_t start = lx->i;
    while (lx->i < lx->n && is_word_char(lx->s[lx->i]))
        lx->i++;
    if (lx->i == start || kr_buf_append(&lx->text, lx->s + start, lx->i - start) != 0)
        return lx->kind = TOK_ERROR;
    return lx->kind = TOK_WORD;
}

/* The current word or string ("" for an empty string token). */
static const char *tok_text(const lexer_t *lx)
{
    return lx->text.data ? lx->text.data : "";
}

static bool is_punct(const lexer_t *lx, char c)
{
    return lx->kind == TOK_PUNCT && lx->punct == c;
}

static int syntax(lexer_t *lx, const char *want, kr_err_t *err)
{
    if (lx->kind == TOK_ERROR)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "JAAS configuration, line %zu: unterminated string or comment, or a "
                          "token too long",
                          lx->line);
    return kr_err_set(err, KR_ERR_UNPROCESSABLE, "JAAS configuration, line %zu: %s expected",
                      lx->line, want);
}

/* What the realm's section holds. */
typedef struct found {
    bool section;
    size_t modules;
    bool property_module;
    bool has_file;
    char *file, *module; /* owned */
} found_t;

static bool is_module_class(const char *cls)
{
    size_t n = strlen(cls), m = strlen(MODULE_CLASS);
    return n >= m && strcmp(cls + n - m, MODULE_CLASS) == 0 && (n == m || cls[n - m - 1] == '.');
}

static bool is_flag(const char *s)
{
    return strcasecmp(s, "required") == 0 || strcasecmp(s, "requisite") == 0 ||
           strcasecmp(s, "sufficient") == 0 || strcasecmp(s, "optional") == 0;
}

/* One `class flag opt=value ... ;` entry; mine: it belongs to the realm's section. */
static int parse_entry(lexer_t *lx, bool mine, found_t *f, kr_err_t *err)
{
    if (lx->kind != TOK_WORD)
        return syntax(lx, "a login module class", err);
    if (mine && f->modules++ == 0) {
        f->property_module = is_module_class(tok_text(lx));
        f->module = xstrdup(tok_text(lx));
    }
    if (next(lx) != TOK_WORD || !is_flag(tok_text(lx)))
        return syntax(lx, "a control flag (required, requisite, sufficient or optional)", err);
    next(lx);
    while (!is_punct(lx, ';')) {
        if (lx->kind != TOK_WORD)
            return syntax(lx, "an option name or ';'", err);
        bool is_file = strcmp(tok_text(lx), "file") == 0;
        if (next(lx) != TOK_PUNCT || !is_punct(lx, '='))
            return syntax(lx, "'='", err);
        if (next(lx) != TOK_WORD && lx->kind != TOK_STRING)
            return syntax(lx, "an option value", err);
        if (mine && f->modules == 1 && is_file) {
            xfree(f->file);
            f->file = xstrdup(tok_text(lx));
            f->has_file = true;
        }
        next(lx);
    }
    next(lx);
    return 0;
}

static int parse_section(lexer_t *lx, const char *realm, found_t *f, kr_err_t *err)
{
    if (lx->kind != TOK_WORD && lx->kind != TOK_STRING)
        return syntax(lx, "a section name", err);
    bool mine = strcmp(tok_text(lx), realm) == 0;
    f->section |= mine;
    if (next(lx) != TOK_PUNCT || !is_punct(lx, '{'))
        return syntax(lx, "'{'", err);
    next(lx);
    while (!is_punct(lx, '}')) {
        if (lx->kind == TOK_EOF || lx->kind == TOK_ERROR)
            return syntax(lx, "'}'", err);
        if (parse_entry(lx, mine, f, err) != 0)
            return -1;
    }
    if (next(lx) != TOK_PUNCT || !is_punct(lx, ';'))
        return syntax(lx, "';' after '}'", err);
    next(lx);
    return 0;
}

/* The realm's section as krest can use it. */
static int check_found(const found_t *f, const char *realm, char *file, size_t size, kr_err_t *err)
{
    if (!f->section)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "JAAS configuration has no section '%s' (authentication.realm)", realm);
    if (f->modules != 1)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "JAAS section '%s' has %zu login modules; krest reads exactly one, "
                          "PropertyFileLoginModule",
                          realm, f->modules);
    if (!f->property_module)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "JAAS section '%s': login module '%s' is not supported; krest reads "
                          "Jetty's PropertyFileLoginModule (a password file) only",
                          realm, f->module);
    if (!f->has_file || !*f->file)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE,
                          "JAAS section '%s': PropertyFileLoginModule needs file=\"<path>\"",
                          realm);
    if (strlen(f->file) >= size)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "JAAS section '%s': file path too long",
                          realm);
    memcpy(file, f->file, strlen(f->file) + 1);
    return 0;
}

int config_jaas_parse(const char *text, size_t len, const char *realm, char *file, size_t size,
                      kr_err_t *err)
{
    lexer_t lx = {.s = text, .n = len, .line = 1};
    kr_buf_init(&lx.text, 4096);
    found_t f = {0};
    int rc = 0;
    next(&lx);
    while (rc == 0 && lx.kind != TOK_EOF) {
        if (lx.kind == TOK_ERROR)
            rc = kr_err_set(err, KR_ERR_UNPROCESSABLE,
                            "JAAS configuration, line %zu: unterminated string or comment, or a "
                            "token too long",
                            lx.line);
        else
            rc = parse_section(&lx, realm, &f, err);
    }
    if (rc == 0)
        rc = check_found(&f, realm, file, size, err);
    xfree(f.file);
    xfree(f.module);
    kr_buf_deinit(&lx.text);
    return rc;
}

static int read_all(const char *path, kr_buf_t *b, kr_err_t *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return kr_err_set(err, KR_ERR_UNPROCESSABLE, "cannot read JAAS file '%s': %s", path,
                          strerror(errno));
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (kr_buf_append(b, chunk, n) != 0)
            rc = kr_err_set(err, KR_ERR_UNPROCESSABLE, "JAAS file '%s' is larger than %u bytes",
                            path, CONFIG_JAAS_MAX_FILE);
    }
    if (rc == 0 && ferror(fp))
        rc = kr_err_set(err, KR_ERR_UNPROCESSABLE, "cannot read JAAS file '%s'", path);
    fclose(fp);
    return rc;
}

int config_jaas_load(const char *path, const char *realm, char *file, size_t size, kr_err_t *err)
{
    kr_buf_t b;
    kr_buf_init(&b, CONFIG_JAAS_MAX_FILE);
    int rc = read_all(path, &b, err);
    if (rc == 0 && config_jaas_parse(b.data ? b.data : "", b.len, realm, file, size, err) != 0) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        rc = kr_err_set(err, err->code, "%s: %s", path, msg);
    }
    kr_buf_deinit(&b);
    return rc;
}

/* The next word of opts from *p, unquoted, into w. @return false at the end. */
static bool next_word(const char **p, kr_buf_t *w)
{
    const char *s = *p;
    while (*s && is_blank(*s))
        s++;
    if (!*s)
        return false;
    kr_buf_reset(w);
    char quote = 0;
    for (; *s && (quote || !is_blank(*s)); s++) {
        if (!quote && (*s == '"' || *s == '\''))
            quote = *s;
        else if (quote && *s == quote)
            quote = 0;
        else
            kr_buf_putc(w, *s);
    }
    *p = s;
    return true;
}

const char *config_jaas_from_opts(const char *opts, char *out, size_t size)
{
    static const char flag[] = "-Djava.security.auth.login.config=";
    if (!opts || size == 0)
        return NULL;
    kr_buf_t w;
    kr_buf_init(&w, 0);
    const char *found = NULL;
    const char *p = opts;
    while (next_word(&p, &w)) {
        if (!w.data || strncmp(w.data, flag, sizeof(flag) - 1) != 0)
            continue;
        const char *v = w.data + sizeof(flag) - 1;
        if (*v == '=')
            v++; /* "==path": this file only, instead of adding to the JVM's own */
        snprintf(out, size, "%s", v);
        found = out;
    }
    kr_buf_deinit(&w);
    return found && *found ? found : NULL;
}
