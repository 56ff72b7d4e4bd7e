/* format/json_valid.c -- the boolean strict JSON validator (see json_valid.h).
 *
 * DESIGN. Consumers of format json check every record's key and value before embedding it, so
 * this runs once per consumed byte. It is fmt_json_check()'s grammar written for speed: one
 * loop over the text as a state machine (value, key, after a value, close), no recursion (the
 * kinds of the open containers are a bit stack, the innermost one in a register), no
 * allocation, no error text. The short names, strings and numbers of a record end where bit
 * masks of a 64-byte window made ahead of time say (see "the window"); long strings go on with
 * format/simd.h's AVX2 scan; escapes and UTF-8 are checked byte by byte only where the scans
 * stop. The last bytes of a text use 16-byte SSE2 steps; a build without SSE2
 * (FMT_JSON_VALID_SCALAR, or another CPU) has no window and scans with format/simd.h's
 * portable code.
 * Pure; threads: any. */
#include "format/json_valid.h"

#include "format/json_scan.h"
#include "format/simd.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && !defined(FMT_JSON_VALID_SCALAR)
#define HAVE_SSE2 1
#include <emmintrin.h>
#else
#define HAVE_SSE2 0
#endif

typedef const unsigned char *pos_t;

/* Byte classes. */
enum {
    C_WS = 1,    /* JSON whitespace */
    C_DIGIT = 2, /* 0-9 */
    C_ESC = 4,   /* the character after '\\' of a one-character escape */
    C_PLAIN = 8, /* string content as it is: 0x20-0x7f but '"' and '\\' */
};

/* Short names for the table, which lists bytes 0x00-0x7f by rows of 16 (0x80-0xff: none). */
#define W_ C_WS
#define P_ C_PLAIN
#define WP (C_WS | C_PLAIN)
#define DP (C_DIGIT | C_PLAIN)
#define E_ C_ESC
#define EP (C_ESC | C_PLAIN)

static const unsigned char cls[256] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  W_, W_, 0,  0,  W_, 0,  0,  /* 0x00 */
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x10 */
    WP, P_, E_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, EP, /* 0x20 space ! " ... / */
    DP, DP, DP, DP, DP, DP, DP, DP, DP, DP, P_, P_, P_, P_, P_, P_, /* 0x30 0-9:;<=>? */
    P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, /* 0x40 @A-O */
    P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, E_, P_, P_, P_, /* 0x50 P-Z [ \\ ] ^ _ */
    P_, P_, EP, P_, P_, P_, EP, P_, P_, P_, P_, P_, P_, P_, EP, P_, /* 0x60 `a-o: b f n */
    P_, P_, EP, P_, EP, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, /* 0x70 p-DEL: r t */
};

#undef W_
#undef P_
#undef WP
#undef DP
#undef E_
#undef EP

/* A hex digit's value plus one; 0 for other bytes. */
static const unsigned char hex1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static inline bool is(unsigned char c, int cl)
{
    return (cls[c] & cl) != 0;
}

/* Compact JSON has no whitespace: one compare tells, before a look in the table. */
static inline pos_t skip_ws(pos_t p, pos_t end)
{
    while (p < end && *p <= ' ' && is(*p, C_WS))
        p++;
    return p;
}

/* --- strings ----------------------------------------------------------------------------- */

/* @return the first byte in [p, end) that is not plain string content, or end. */
static inline pos_t scan_plain(pos_t p, pos_t end)
{
#if HAVE_SSE2
    if (end - p >= 16) {
        /* One step takes a short string whole; a longer one goes on 32 bytes a step. */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed: bytes >= 0x80 are negative, so "less than 0x20" takes them too */
        __m128i special = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
        unsigned mask = (unsigned)_mm_movemask_epi8(special);
        if (mask)
            return p + __builtin_ctz(mask);
        return (pos_t)fmt_simd_scan_plain((const char *)p + 16, (const char *)end);
    }
    while (p < end && is(*p, C_PLAIN))
        p++;
    return p;
#else
    return (pos_t)fmt_simd_scan_plain((const char *)p, (const char *)end);
#endif
}

/* @return the value of the 4 hex digits at p, or -1. */
static int hex4(pos_t p, pos_t end)
{
    if (end - p < 4)
        return -1;
    unsigned a = hex1[p[0]], b = hex1[p[1]], c = hex1[p[2]], d = hex1[p[3]];
    if (!a || !b || !c || !d)
        return -1;
    return (int)((a - 1) << 12 | (b - 1) << 8 | (c - 1) << 4 | (d - 1));
}

/* An escape (p just after its '\\'): one character, or \uXXXX where a high surrogate must be
 * followed by a \u low one and a low one never stands alone. @return after it, or NULL. */
static pos_t escape(pos_t p, pos_t end)
{
    if (p >= end)
        return NULL;
    if (is(*p, C_ESC))
        return p + 1;
    if (*p != 'u')
        return NULL;
    int cp = hex4(p + 1, end);
    p += 5;
    if (cp < 0xd800 || cp > 0xdfff)
        return cp < 0 ? NULL : p;
    if (cp >= 0xdc00 || end - p < 6 || p[0] != '\\' || p[1] != 'u')
        return NULL;
    int lo = hex4(p + 2, end);
    return lo >= 0xdc00 && lo <= 0xdfff ? p + 6 : NULL;
}

static inline bool cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* One UTF-8 sequence (p at its lead byte, >= 0x80): shortest form, no surrogates, at most
 * U+10FFFF (RFC 3629's table of well-formed sequences). @return after it, or NULL. */
static pos_t utf8_seq(pos_t p, pos_t end)
{
    unsigned c = p[0];
    size_t avail = (size_t)(end - p);
    if (c < 0xc2 || c > 0xf4)
        return NULL;
    if (c < 0xe0)
        return avail >= 2 && cont(p[1]) ? p + 2 : NULL;
    /* the second byte's range narrows for E0 (no overlong), ED (no surrogates), F0 (no
     * overlong) and F4 (not past U+10FFFF) */
    unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    size_t n = c < 0xf0 ? 3 : 4;
    if (avail < n || p[1] < lo || p[1] > hi || !cont(p[2]) || (n == 4 && !cont(p[3])))
        return NULL;
    return p + n;
}

/* The rest of a string from p, a byte that scan_plain() stopped at (a quote, a backslash, a
 * control character or a non-ASCII byte, or end). @return after its closing quote, or NULL. */
static __attribute__((noinline)) pos_t string_rest(pos_t p, pos_t end)
{
    for (;;) {
        if (p >= end)
            return NULL;
        unsigned char c = *p;
        if (c == '"')
            return p + 1;
        if (c == '\\') {
            p = escape(p + 1, end);
            if (!p)
                return NULL;
        } else if (c >= 0x80) {
            do {
                p = utf8_seq(p, end);
                if (!p)
                    return NULL;
            } while (p < end && *p >= 0x80);
        } else {
            return NULL; /* a control character */
        }
        p = scan_plain(p, end);
    }
}

/* A string (p just after its opening quote). @return after its closing quote, or NULL. */
static inline pos_t string_end(pos_t p, pos_t end)
{
    return string_rest(scan_plain(p, end), end);
}

/* --- numbers and literals ---------------------------------------------------------------- */

/* @return the first byte from p on that is not a digit, or end. */
static inline pos_t digits(pos_t p, pos_t end)
{
#if HAVE_SSE2
    /* Numbers in records are short and of varied lengths: a mask of the digits in one step
     * costs no mispredicted loop exit. */
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed compares: bytes >= 0x80 are negative, so never digits */
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        unsigned other = ~(unsigned)_mm_movemask_epi8(digit) & 0xffff;
        if (other)
            return p + __builtin_ctz(other);
        p += 16;
    }
#endif
    while (p < end && is(*p, C_DIGIT))
        p++;
    return p;
}

/* The fraction and exponent of a number (p after its integer part, at '.', 'e' or 'E').
 * @return after them, or NULL. */
static pos_t number_tail(pos_t p, pos_t end)
{
    if (*p == '.') {
        pos_t q = digits(p + 1, end);
        if (q == p + 1)
            return NULL;
        p = q;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        pos_t q = digits(p, end);
        if (q == p)
            return NULL;
        p = q;
    }
    return p;
}

/* true, false or null (p at its first byte). @return after it, or NULL. */
static inline pos_t literal(pos_t p, pos_t end)
{
    /* memcmp() of a constant size is one compare */
    if (end - p >= 4 && (memcmp(p, "true", 4) == 0 || memcmp(p, "null", 4) == 0))
        return p + 4;
    if (end - p >= 5 && memcmp(p, "false", 5) == 0)
        return p + 5;
    return NULL;
}

/* --- the window -------------------------------------------------------------------------- */

/* Finding where a short string or number ends costs a load, compares, a movemask and a count
 * one after the other, and the next token cannot start before: a record of short tokens is
 * bound by that chain, not by the work. So the text is also seen through a window of 64 bytes
 * whose bit masks are made ahead of time (each window starts where the last one ended, not
 * where p is, so its loads need not wait for p): the end of a token is then a shift and a
 * count. Tokens that leave the window move it on; the last 64 to 127 bytes of the text, and a
 * text without SSE2, are read by the functions above. The window lives in registers only if all
 * of this is inlined into fmt_json_valid(), hence INLINE. */
#define INLINE static inline __attribute__((always_inline))

typedef struct win {
    pos_t w;           /* the window is [w, w + 64); NULL: none */
    pos_t lim;         /* w + 64; without a window, a place p has passed already */
    uint64_t special;  /* bytes that end plain string content: '"', '\\', < 0x20, >= 0x80 */
    uint64_t quote;    /* '"' */
    uint64_t nondigit; /* not 0-9 */
} win_t;

INLINE void win_load(win_t *wn, pos_t w)
{
    wn->w = w;
    wn->lim = w + 64;
#if HAVE_SSE2
    uint64_t special = 0, quote = 0, digit = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(w + 16 * k));
        __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
        __m128i sp = _mm_or_si128(_mm_or_si128(q, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
        __m128i d = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        quote |= (uint64_t)(unsigned)_mm_movemask_epi8(q) << (16 * k);
        special |= (uint64_t)(unsigned)_mm_movemask_epi8(sp) << (16 * k);
        digit |= (uint64_t)(unsigned)_mm_movemask_epi8(d) << (16 * k);
    }
    wn->special = special;
    wn->quote = quote;
    wn->nondigit = ~digit;
#endif
}

/* Whether the window holds p, moving it on when p has left it. @return false when there is no
 * window (then for good: fewer than 64 bytes from the next window's start to the end). */
INLINE bool win_cover(win_t *wn, pos_t p, pos_t end)
{
    if (p < wn->lim)
        return true;
    if (!wn->w)
        return false;
    /* the next window, or one at p when p went past it (a long string) */
    pos_t w = p - wn->w < 128 ? wn->w + 64 : p;
    if (end - w < 64) {
        wn->w = NULL;
        wn->lim = p; /* p never goes back */
        return false;
    }
    win_load(wn, w);
    return true;
}

INLINE void win_init(win_t *wn, pos_t text, pos_t end)
{
    *wn = (win_t){.w = NULL, .lim = text};
    if (HAVE_SSE2 && end - text >= 64)
        win_load(wn, text);
}

/* As string_end(). */
INLINE pos_t win_string(win_t *wn, pos_t p, pos_t end)
{
    if (win_cover(wn, p, end)) {
        unsigned i = (unsigned)(p - wn->w);
        uint64_t m = wn->special >> i;
        if (m) {
            unsigned j = (unsigned)__builtin_ctzll(m);
            if (wn->quote >> (i + j) & 1)
                return p + j + 1;
            return string_rest(p + j, end);
        }
        /* a long string: on with format/simd.h's AVX2 scan, faster than windows */
        p = wn->w + 64;
    }
    return string_end(p, end);
}

/* An object member's name and its ':' (p just after the name's opening quote). @return after
 * the ':', or NULL. */
INLINE pos_t win_name(win_t *wn, pos_t p, pos_t end)
{
    p = win_string(wn, p, end);
    if (!p)
        return NULL;
    if (p < end && *p == ':')
        return p + 1;
    p = skip_ws(p, end);
    return p < end && *p == ':' ? p + 1 : NULL;
}

/* As digits(). */
INLINE pos_t win_digits(win_t *wn, pos_t p, pos_t end)
{
    while (win_cover(wn, p, end)) {
        unsigned i = (unsigned)(p - wn->w);
        uint64_t m = wn->nondigit >> i;
        if (m)
            return p + __builtin_ctzll(m);
        p = wn->w + 64;
    }
    return digits(p, end);
}

/* A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (p at its first byte, in the
 * text). A digit after a leading 0 ends the number, so "01" fails as the data after "0".
 * @return after it, or NULL. */
INLINE pos_t win_number(win_t *wn, pos_t p, pos_t end)
{
    if (*p == '-')
        p++;
    pos_t q = win_digits(wn, p, end);
    if (q == p)
        return NULL;
    if (*p == '0')
        q = p + 1;
    if (q < end && (*q == '.' || *q == 'e' || *q == 'E'))
        return number_tail(q, end);
    return q;
}

/* --- values ------------------------------------------------------------------------------ */

/* The kinds of the open containers are a bit stack, one bit per depth (1: object), where the
 * recursion of fmt_jscan_value() keeps them on its call stack. */
typedef uint64_t kinds_t[FMT_JSON_CHECK_MAX_DEPTH / 64];

static inline void kind_set(kinds_t kinds, int d, bool object)
{
    uint64_t bit = 1ull << (d & 63);
    kinds[d >> 6] = object ? kinds[d >> 6] | bit : kinds[d >> 6] & ~bit;
}

static inline bool kind_is_object(const kinds_t kinds, int d)
{
    return kinds[d >> 6] >> (d & 63) & 1;
}

/* A state machine, not a recursive descent: each label is a state (a value is expected, an
 * object's key is expected, a value just ended), and a goto is a transition. It is one
 * function so that p, end and the innermost container's kind stay in registers. */
bool fmt_json_valid(const char *text, size_t len)
{
    if (len == 0)
        return false;
    pos_t p = (pos_t)text, end = p + len;
    int depth = 0;       /* containers open */
    bool object = false; /* the innermost one is an object */
    kinds_t kinds = {0};
    win_t wn;
    win_init(&wn, p, end);

value: /* a value at p, or whitespace before it */
    if (p >= end)
        return false;
    switch (*p) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
        p = skip_ws(p, end);
        goto value;
    case '{':
    case '[':
        if (depth == FMT_JSON_CHECK_MAX_DEPTH)
            return false;
        object = *p == '{';
        kind_set(kinds, depth++, object);
        p = skip_ws(p + 1, end);
        if (p < end && *p == (object ? '}' : ']'))
            goto close;
        if (object)
            goto key;
        goto value;
    case '"':
        p = win_string(&wn, p + 1, end);
        break;
    case 't':
    case 'f':
    case 'n':
        p = literal(p, end);
        break;
    default:
        p = win_number(&wn, p, end);
        break;
    }
    if (!p)
        return false;

after: /* a value ended at p; compact JSON goes on with ',' at once */
    if (depth == 0)
        return skip_ws(p, end) == end;
    if (p < end && *p == ',')
        goto comma;
    p = skip_ws(p, end);
    if (p >= end)
        return false;
    if (*p == ',')
        goto comma;
    if (*p != (object ? '}' : ']'))
        return false;

close: /* p at the innermost container's closing bracket */
    p++;
    depth--;
    object = depth > 0 && kind_is_object(kinds, depth - 1);
    goto after;

comma:
    p++;
    if (!object)
        goto value;

key: /* an object member's name at p, or whitespace before it */
    if (p >= end || *p != '"') {
        p = skip_ws(p, end);
        if (p >= end || *p != '"')
            return false;
    }
    p = win_name(&wn, p + 1, end);
    if (!p)
        return false;
    goto value;
}
