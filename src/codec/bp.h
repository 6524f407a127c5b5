/*
** bp.h -- bit-packed blocks of 128 integers.
**
** A block of BP_N (128) values of width b bits (0..32) takes 16*b bytes in
** the "vertical" layout of SIMD-BP128 (Lemire & Boytsov, "Decoding
** billions of integers per second through vectorization", 2015): the bytes
** are b little-endian words of four 32-bit lanes; value i lives in lane
** i % 4, and the values of a lane follow one another from the low bits
** up, value i's bits starting at bit (i / 4) * b of that lane's stream of
** words (a value may straddle two words).  Four neighbouring values are so
** decoded at once by one shift, an OR and a mask of 128-bit registers,
** and come out in order.
**
** Decoding needs exactly 16*b bytes at `in` (nothing past them is read);
** SSE2 is used where there is one (every x86-64), a scalar loop reading
** the same layout elsewhere.
*/
#ifndef ND_CODEC_BP_H
#define ND_CODEC_BP_H
#include <stddef.h>
#include <stdint.h>

#define BP_N 128

/* Bits needed by the largest of v[0..n). */
unsigned bp_width(const uint32_t *v, size_t n);
/* Pack in[0..128), each below 2^b, into out[0..16*b). */
void bp_pack(const uint32_t *in, unsigned b, uint8_t *out);
/* Unpack 128 values of width b from in[0..16*b). */
void bp_unpack(const uint8_t *in, unsigned b, uint32_t *out);
/* Turn 128 gaps into the increasing values they separate, in place:
** v[i] = prev + (i + 1) + v[0] + ... + v[i] (modulo 2^32; the gaps were
** value - previous value - 1, starting from prev). */
void bp_prefix(uint32_t *v, uint32_t prev);

/*
** Patched frame of reference (PFOR): 128 values as
**
**   u8 b, u8 nex, 16*b bytes of bit-packed low bits (above),
**   nex exceptions: u8 index, uvarint of the value's bits above the b low ones
**
** b is chosen to make the whole smallest with at most BP_MAX_EXC
** exceptions, so that one large value (a long gap, a frequent word in one
** document) does not widen the other 127.  At most BP_PFOR_MAX bytes.
*/
#define BP_MAX_EXC 16
#define BP_PFOR_MAX (2 + 16 * 32 + BP_MAX_EXC * 6)
struct buf;
/* Append v[0..128) to out; 0 or -1 (out of memory). */
int bp_pfor_put(struct buf *out, const uint32_t *v);
/* Decode 128 values from in (not reading at or past end), and in *width
** (unless NULL) a number of bits that holds every one of them; returns the end of what
** was read, or NULL if the bytes are damaged (out then holds garbage, but
** nothing outside it or in..end was touched). */
const uint8_t *bp_pfor_get(const uint8_t *in, const uint8_t *end, uint32_t *out, unsigned *width);
/* The end of the run at in without decoding it, or NULL if damaged. */
const uint8_t *bp_pfor_skip(const uint8_t *in, const uint8_t *end);

#endif
