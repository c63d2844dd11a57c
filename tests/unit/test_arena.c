/* Unit tests for host/core/arena: alignment, growth, large allocations, reset reuse. */
#include "check.h"
#include "core/arena.h"

static void test_arena_allocations_are_aligned_and_distinct(void) {
    wb_arena a;
    wb_arena_init(&a, 64);
    char *prev = NULL;
    for (size_t n = 0; n < 200; n++) {
        char *p = wb_arena_alloc(&a, n);
        CHECK(p != NULL);
        CHECK_EQ((uintptr_t)p % WB_ARENA_ALIGN, 0);
        CHECK(p != prev);
        memset(p, 0xab, n);
        prev = p;
    }
    CHECK_EQ(a.err, 0);
    wb_arena_free(&a);
}

static void test_arena_large_allocation_keeps_current_block(void) {
    wb_arena a;
    wb_arena_init(&a, 1024);
    char *small = wb_arena_alloc(&a, 16);
    uint8_t *before = a.ptr;
    char *big = wb_arena_alloc(&a, 100000);
    CHECK(small && big);
    CHECK(a.ptr == before); /* the big block sits behind the current one */
    memset(big, 1, 100000);
    CHECK(wb_arena_capacity(&a) >= 101024);
    wb_arena_free(&a);
}

static void test_arena_reset_reuses_the_largest_block(void) {
    wb_arena a;
    wb_arena_init(&a, 128);
    for (int i = 0; i < 1000; i++)
        CHECK(wb_arena_alloc(&a, 40) != NULL);
    size_t cap = wb_arena_capacity(&a);
    wb_arena_reset(&a);
    size_t kept = wb_arena_capacity(&a);
    CHECK(kept > 0 && kept <= cap);
    uint8_t *start = a.ptr;
    CHECK(wb_arena_alloc(&a, 40) == (void *)start);
    wb_arena_free(&a);
    CHECK_EQ(wb_arena_capacity(&a), 0);
}

static void test_arena_string_helpers_copy_and_terminate(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    char *s = wb_arena_strndup(&a, "hello world", 5);
    CHECK_STR(s, "hello");
    CHECK_STR(wb_arena_strdup(&a, "x"), "x");
    CHECK(wb_arena_strdup(&a, NULL) == NULL);
    CHECK_STR(wb_arena_printf(&a, "%d-%s", 42, "y"), "42-y");
    uint8_t *z = wb_arena_zalloc(&a, 32);
    int zero = 1;
    for (int i = 0; i < 32; i++)
        zero &= z[i] == 0;
    CHECK(zero);
    CHECK(wb_arena_alloc(&a, 0) != wb_arena_alloc(&a, 0));
    wb_arena_free(&a);
}

static void test_arena_refuses_impossible_sizes(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    CHECK(wb_arena_alloc(&a, SIZE_MAX - 3) == NULL);
    CHECK_EQ(a.err, WB_ENOMEM);
    wb_arena_reset(&a);
    CHECK_EQ(a.err, 0);
    wb_arena_free(&a);
}

int main(void) {
    RUN(test_arena_allocations_are_aligned_and_distinct);
    RUN(test_arena_large_allocation_keeps_current_block);
    RUN(test_arena_reset_reuses_the_largest_block);
    RUN(test_arena_string_helpers_copy_and_terminate);
    RUN(test_arena_refuses_impossible_sizes);
    return check_summary();
}
