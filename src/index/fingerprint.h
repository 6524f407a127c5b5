/*
** fingerprint.h -- compact fingerprints of an article's text: MinHash for
** near-duplicates (wire copies), SimHash for "about the same thing".
**
** Words are the analyser's terms of the body (folded and stemmed; the
** extra whole-word token of a hyphenated compound left out), or of the
** title when the body has none.  A *shingle* is 5 consecutive words (an
** article of fewer words has one: all of them).
**
** MinHash (Broder 1997) by one permutation (Li, Owen & Zhang 2012): each
** shingle's 64-bit hash x falls in bin x >> 58 (64 bins) and each bin
** keeps the smallest low 32 bits of the hashes in it; an empty bin (an
** article of few shingles) takes the next filled bin's value to its right,
** shifted by the distance (densification by rotation, Shrivastava & Li
** 2014).  The signature keeps the low 16 bits of each ("b-bit MinHash",
** Li & Koenig 2010: two different minima agree in 16 bits with
** probability 2^-16).  Two articles' bins agree with probability about
** their Jaccard similarity J, so the fraction of the 64 slots two
** signatures share estimates it (standard error sqrt(J(1-J)/64): 0.05 at
** J = 0.8).  One hash per shingle instead of 64 makes it a small part of
** adding an article.  An article without a word has no signature (all
** slots 0xffff) and is nobody's near-duplicate.
**
** LSH banding (Indyk & Motwani 1998; Leskovec et al., Mining of Massive
** Datasets ch. 3): the 64 slots make FP_BANDS = 16 bands of 4; two
** articles are candidates when one band agrees exactly.  The chance that
** a pair of Jaccard s becomes a candidate is 1 - (1 - s^4)^16: 0.9998 at
** 0.8, 0.89 at 0.6, 0.34 at 0.4; candidates are then judged on the whole
** signature.  Finding an article's near-duplicates looks up 16 band keys:
** it never compares it with every article.
**
** SimHash (Charikar 2002): 64 bits, each the sign of a sum over the
** article's distinct words of four bytes or more (a crude content-word
** filter that holds across alphabetic languages) of +/-1 by that bit of
** the word's hash, weighted 1 + floor(log2(count)).  The number of equal bits
** estimates the angle between the two word-count vectors.
*/
#ifndef ND_INDEX_FINGERPRINT_H
#define ND_INDEX_FINGERPRINT_H
#include <stddef.h>
#include <stdint.h>

#define FP_K 64
#define FP_BANDS 16
#define FP_ROWS (FP_K / FP_BANDS)
#define FP_SHINGLE 5
#define FP_NONE 0xffffu

/* The signature of the words whose 64-bit hashes are w[0..n). */
void fp_minhash(const uint64_t *w, size_t n, uint16_t sig[FP_K]);
/* 1 if the signature is of an article without words. */
int fp_empty(const uint16_t sig[FP_K]);
/* Slots the two signatures share (0..FP_K); 0 if either is empty. */
unsigned fp_agree(const uint16_t a[FP_K], const uint16_t b[FP_K]);
/* The 16 band keys of a signature: a hash of the band's number and its 4
** slots.  Not meaningful for an empty signature. */
void fp_bands(const uint16_t sig[FP_K], uint32_t key[FP_BANDS]);

/* The distinct shingles of the words w[0..n): their 64-bit hashes (as
** fp_minhash hashes them), sorted, into *out (mem_alloc'ed; *m of them).
** 0 or -1 (out of memory). */
int fp_shingle_set(const uint64_t *w, size_t n, uint64_t **out, size_t *m);
/* The Jaccard similarity of two sorted sets (0 when both are empty). */
double fp_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* SimHash accumulation: fp_simhash_add() for each distinct word (its
** hash and count), then fp_simhash_end(). */
typedef struct fp_simhash {
  int32_t v[64];
} fp_simhash;
void fp_simhash_init(fp_simhash *s);
void fp_simhash_add(fp_simhash *s, uint64_t word_hash, uint32_t count);
uint64_t fp_simhash_end(const fp_simhash *s);
/* Equal bits of two SimHashes, 0..64. */
static inline unsigned fp_simhash_agree(uint64_t a, uint64_t b) { return 64u - (unsigned)__builtin_popcountll(a ^ b); }

#endif
