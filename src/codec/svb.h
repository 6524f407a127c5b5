/*
** svb.h -- Stream VByte decoding (Lemire, Kurz & Rupp 2018), by hand.
**
** Postings are encoded with libstreamvbyte, whose format this reads: the
** control bytes (two bits a value: its length in bytes minus one, four
** values a byte, first value in the low bits), then the values' bytes,
** little-endian.  Debian builds libstreamvbyte for the baseline x86-64,
** without its SSSE3 decoder, and its scalar loop was 70% of the
** instructions of an AND query (docs/benchmarks.md).  These decode four
** values at a time with one byte shuffle where the processor has SSSE3,
** and fall back to the library elsewhere.
**
** They check the data against the end they are given as they go, and may
** read up to 16 bytes past it: callers keep that inside their buffer
** (postings.h, PL_PAD).
*/
#ifndef ND_CODEC_SVB_H
#define ND_CODEC_SVB_H
#include <stddef.h>
#include <stdint.h>

/* Bytes (control + data) of n values whose control bytes start at p, or
** SIZE_MAX if they would pass `end`. */
size_t svb_bytes(const uint8_t *p, const uint8_t *end, uint32_t n);
/* Decode n values from in to out; returns the bytes read (control +
** data), or SIZE_MAX (out partly written) if they would pass `end`. */
size_t svb_decode(const uint8_t *in, const uint8_t *end, uint32_t *out, uint32_t n);
/* The same for deltas: out[i] = prev + in[0] + ... + in[i]. */
size_t svb_delta_decode(const uint8_t *in, const uint8_t *end, uint32_t *out, uint32_t n, uint32_t prev);

#endif
