/* format/simd.h -- what format/ uses of the CPU's vector units: whether AVX2 code may run
 * (asked once), and the scan for the end of plain JSON string content that string scanners
 * share. Callers keep a scalar path; the vector code is chosen at run time.
 * May use: nothing. Pure. Threads: any. */
#ifndef KR_FORMAT_SIMD_H
#define KR_FORMAT_SIMD_H

#include <stdbool.h>

/** @return whether this CPU runs AVX2 code (and fmt_simd_enable() has not turned it off). */
bool fmt_simd_avx2(void);

/** Turns the AVX2 paths on (where the CPU has AVX2; the default) or off, for tests that
 * compare them with the scalar code. */
void fmt_simd_enable(bool on);

/** @return the first byte in [p, end) that plain JSON string content cannot hold as it is:
 * '"', '\\', a control character (< 0x20) or a byte of a UTF-8 sequence (>= 0x80); end when
 * there is none. */
const char *fmt_simd_scan_plain(const char *p, const char *end);

#endif
