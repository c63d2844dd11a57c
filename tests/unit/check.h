/* A minimal unit-test harness: each tests/unit/test_*.c is one executable registered with ctest.
 *
 *   static void test_buf_grows_past_initial_capacity(void) { ... CHECK(x == 1); ... }
 *   int main(void) { RUN(test_buf_grows_past_initial_capacity); return check_summary(); }
 *
 * A failed CHECK reports file, line and expression and marks the current test failed; the test
 * goes on so one run shows every failure. */
#ifndef WB_TEST_CHECK_H
#define WB_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_tests;
static const char *check_current;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, check_current,    \
                    #cond);                                                                        \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr, "%s:%d: %s: CHECK_EQ(%s, %s) failed: %lld != %lld\n", __FILE__,        \
                    __LINE__, check_current, #a, #b, check_a_, check_b_);                          \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_MEM(a, b, n)                                                                         \
    do {                                                                                           \
        if (memcmp((a), (b), (n)) != 0) {                                                          \
            fprintf(stderr, "%s:%d: %s: CHECK_MEM(%s, %s, %s) failed\n", __FILE__, __LINE__,       \
                    check_current, #a, #b, #n);                                                    \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                           \
            fprintf(stderr, "%s:%d: %s: CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"\n", __FILE__,   \
                    __LINE__, check_current, #a, #b, check_a_ ? check_a_ : "(null)",               \
                    check_b_ ? check_b_ : "(null)");                                               \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int check_before_ = check_failures;                                                        \
        check_current = #fn;                                                                       \
        check_tests++;                                                                             \
        fn();                                                                                      \
        fprintf(stderr, "%s %s\n", check_failures == check_before_ ? "ok  " : "FAIL", #fn);        \
    } while (0)

static inline int check_summary(void) {
    fprintf(stderr, "%d tests, %d failed checks\n", check_tests, check_failures);
    return check_failures ? 1 : 0;
}

/* Decodes a hex literal into a static-duration buffer owned by the caller. Returns its length. */
static inline size_t check_unhex(uint8_t *out, size_t cap, const char *hex) {
    size_t n = 0;
    for (; hex[0] && hex[1] && n < cap; hex += 2) {
        unsigned v;
        if (sscanf(hex, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

#endif
