/* Memory helpers for secrets: zeroing that the compiler may not optimise away. */
#ifndef WB_CORE_MEM_H
#define WB_CORE_MEM_H

#include <stddef.h>

/* Overwrites n bytes at p with zeros; never elided by the optimiser. */
void wb_zero(void *p, size_t n);
/* Zeroes n bytes at p, then frees p. p may be NULL. */
void wb_free_secret(void *p, size_t n);
/* Constant-time comparison: 0 when equal, non-zero otherwise. Use for MACs and tags. */
int wb_memneq(const void *a, const void *b, size_t n);

#endif
