/*
** mem.h -- the one allocation choke point.
**
** Every allocation in the library goes through these functions, so that the
** tests can make the Nth allocation fail (mem_fail_after) and walk the
** out-of-memory paths.  They behave like malloc/calloc/realloc/free/strdup.
*/
#ifndef ND_UTIL_MEM_H
#define ND_UTIL_MEM_H
#include <stddef.h>

void *mem_alloc(size_t n);
void *mem_calloc(size_t count, size_t size); /* checks count*size for overflow */
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

/* Make room for element n of the array *pp (elements of `elem` bytes,
** capacity *cap), doubling the capacity until it exceeds n.
** `pp` is the address of the array pointer (T **).  Returns 0, or -1 when
** memory ran out (the array is unchanged). */
int mem_grow(void *pp, size_t *cap, size_t n, size_t elem);

/* Test hook: after `n` more successful allocations, every allocation fails.
** A negative n turns failure injection off (the default). */
void mem_fail_after(long n);

#endif
