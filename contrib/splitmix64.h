/*****************************************************************************\
 *  splitmix64.h - the pseudo-random numbers of the tools and unit tests:
 *  Steele, Lea and Flood's splitmix64, a 64-bit state advanced by a fixed
 *  odd step and mixed on the way out.
 *
 *  A header of its own rather than a libtopopack function: the benchmarks
 *  and the tests need the same numbers from the same seed on every
 *  machine (rand() differs between C libraries), and the library itself
 *  draws no random numbers. Each user keeps its own state and its own way
 *  of cutting a number down to a range, so that the streams they had stay
 *  as they were.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SPLITMIX64_H
#define _TOPOPACK_SPLITMIX64_H

#include <stdint.h>

/* Advance *state. RET the next number of its stream. */
static inline uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif /* _TOPOPACK_SPLITMIX64_H */
