/*****************************************************************************\
 *  metrics_best.c - the best predicted all-reduce bandwidth any placement
 *  of a shape can get on the empty fabric: what a placement's efficiency
 *  is measured against.
 *
 *  A placement's bandwidth is the smallest of its terms (metrics.c): the
 *  NVLink speed of its domains, the NIC share of its nodes, the uplink
 *  share of its blocking leaves. So the best of a shape is one of the
 *  values those terms can take, and the question "can some placement
 *  reach B?" gets easier as B falls. The candidate values are sorted and
 *  the largest reachable one found by bisection. A placement reaches B
 *  when either
 *   - it lies in one NVLink domain whose speed is >= B (NICs are not
 *     used), or
 *   - it spans domains, every node's NIC share is >= B, and every domain
 *     holding 2 or more of its GPUs has NVLink >= B (a domain slower
 *     than B may hold one GPU of it: one node, one GPU);
 *  and, when it spans leaves, each blocking leaf it uses holds enough of
 *  its GPUs for the uplink share to be >= B.
 *  The leaves are then filled by a reachability walk over how many nodes
 *  of each GPU count are placed so far: exact, and cheap for the shapes
 *  jobs have (one or two GPU counts). Two relaxations let through
 *  placements the model would rate below B, so the best found is never
 *  below the true best (efficiency stays <= 1) but may be above it:
 *   - where the walk would be too long (hundreds of nodes, above all of
 *     several GPU counts, on hundreds of leaves), the uplink condition is
 *     dropped: every leaf's usable nodes form one pool;
 *   - a domain slower than B spread over several leaves may hold one GPU
 *     in each of them, not one in all.
 *
 *  Results are kept per shape in the fabric, which never changes.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_private.h"

/* Longest reachability walk, in state x choice steps, before the uplink
 * condition is dropped. */
#define WALK_BUDGET 20000000.0

/* Shapes kept per fabric; the oldest is replaced when full. */
#define CACHE_SIZE 64

typedef struct {
	int n;			/* nodes */
	int *gpus;		/* per node, descending */
	double gbps;
} _entry_t;

struct tp_best_cache {
	_entry_t e[CACHE_SIZE];
	int used;
	int next;		/* replaced next when full */
};

/* One lock for every fabric's cache: lookups are short and the search
 * runs outside it. */
static pthread_mutex_t _lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct {
	const tp_fabric_t *f;
	int n;			/* nodes */
	int gpus;		/* all GPUs */
	int rings;		/* most GPUs on one node */
	int nsize;		/* distinct GPU counts */
	int *size;		/* GPU counts, descending */
	int *count;		/* nodes of each */
	int *radix;		/* state = sum(placed[k] * radix[k]) */
	int nstates;		/* prod(count[k] + 1), or -1 when too many */
	int *cap;		/* scratch: a leaf's usable nodes' GPUs */
	int *piece;		/* scratch: slow domains seen in a leaf */
	int *pool;		/* scratch: usable nodes of all leaves */
	int *leaf;		/* scratch: leaf switches to fill */
	int *choice;		/* scratch: states one leaf can take */
	uint8_t *reach, *next;	/* scratch: states reached */
} _shape_t;

static int _int_desc(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return (x < y) - (x > y);
}

static int _double_desc(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return (x < y) - (x > y);
}

/* RET true when the nodes of state st fit, largest first, on the nodes
 * whose GPU counts are cap[0..ncap) (descending). */
static bool _fits(const _shape_t *sh, int st, const int *cap, int ncap)
{
	int c = 0;

	for (int k = 0; k < sh->nsize; k++) {
		int placed = (st / sh->radix[k]) % (sh->count[k] + 1);

		for (int i = 0; i < placed; i++, c++)
			if (c >= ncap || cap[c] < sh->size[k])
				return false;
	}
	return true;
}

/* RET true when every node of the shape fits, largest first, on the
 * nodes whose GPU counts are cap[0..ncap) (descending). */
static bool _fits_all(const _shape_t *sh, const int *cap, int ncap)
{
	int c = 0;

	for (int k = 0; k < sh->nsize; k++)
		for (int i = 0; i < sh->count[k]; i++, c++)
			if (c >= ncap || cap[c] < sh->size[k])
				return false;
	return true;
}

static int _state_gpus(const _shape_t *sh, int st)
{
	int g = 0;

	for (int k = 0; k < sh->nsize; k++)
		g += (st / sh->radix[k]) % (sh->count[k] + 1) * sh->size[k];
	return g;
}

/* RET the fewest of the job's GPUs under leaf s that give each ring >= b
 * through its uplinks: 1 for a non-blocking leaf, gpus + 1 for none. */
static int _least_gpus(const _shape_t *sh, const tp_switch_t *s, double b)
{
	for (int g = 1; g <= sh->gpus; g++) {
		double bw = tp_uplink_ring_gbps(sh->f, s, g, sh->rings);

		if (bw < 0 || bw >= b)
			return g;
	}
	return sh->gpus + 1;
}

/*
 * The GPU counts of the nodes of leaf s a placement reaching b may use,
 * descending. Single-domain mode (domain >= 0): that domain's nodes.
 * Otherwise the nodes whose NIC share is >= b; a domain slower than b
 * gives one node of one GPU per leaf.
 */
static int _leaf_caps(_shape_t *sh, const tp_switch_t *s, int domain,
		      double b)
{
	const tp_fabric_t *f = sh->f;
	int ncap = 0, npiece = 0;

	for (int i = 0; i < s->nnodes; i++) {
		const tp_node_t *n = &f->nodes[s->nodes[i]];
		bool seen = false;

		if (n->gpus <= 0)
			continue;
		if (domain >= 0) {
			if (n->domain == domain)
				sh->cap[ncap++] = n->gpus;
			continue;
		}
		if (tp_nic_per_gpu(n) < b)
			continue;
		if (f->domains[n->domain].nvlink_gbps >= b) {
			sh->cap[ncap++] = n->gpus;
			continue;
		}
		for (int j = 0; j < npiece && !seen; j++)
			seen = sh->piece[j] == n->domain;
		if (!seen) {
			sh->piece[npiece++] = n->domain;
			sh->cap[ncap++] = 1;
		}
	}
	qsort(sh->cap, ncap, sizeof(int), _int_desc);
	return ncap;
}

/* RET true when the whole shape fits on the usable nodes of leaf
 * switches sh->leaf[0..nleaf), with each blocking leaf that is used
 * holding enough GPUs when more than one leaf is used. */
static bool _leaves_reach(_shape_t *sh, int nleaf, int domain, double b)
{
	const tp_fabric_t *f = sh->f;
	int full = sh->nstates - 1, all = 0;
	double steps = 0;
	bool walk = sh->nstates > 0;

	if (walk) {
		memset(sh->reach, 0, sh->nstates);
		sh->reach[0] = 1;
	}
	for (int w = 0; w < nleaf; w++) {
		const tp_switch_t *s = &f->switches[sh->leaf[w]];
		int ncap, least, nchoice = 0;

		ncap = _leaf_caps(sh, s, domain, b);
		if (!ncap)
			continue;
		if (_fits_all(sh, sh->cap, ncap))
			return true;	/* one leaf: no uplink in the way */
		/* Relaxed: all leaves' usable nodes as one pool. */
		for (int i = 0; i < ncap; i++)
			sh->pool[all++] = sh->cap[i];
		if (!walk)
			continue;
		least = _least_gpus(sh, s, b);
		for (int st = 1; st < sh->nstates; st++)
			if (_state_gpus(sh, st) >= least &&
			    _fits(sh, st, sh->cap, ncap))
				sh->choice[nchoice++] = st;
		steps += (double) sh->nstates * nchoice;
		if (steps > WALK_BUDGET) {
			walk = false;
			continue;
		}
		memcpy(sh->next, sh->reach, sh->nstates);
		for (int st = 0; st < sh->nstates; st++) {
			if (!sh->reach[st])
				continue;
			for (int c = 0; c < nchoice; c++) {
				int to = st, ok = 1;

				for (int k = 0; k < sh->nsize && ok; k++) {
					int r = sh->radix[k], m = sh->count[k];
					int a = (st / r) % (m + 1);
					int t = (sh->choice[c] / r) % (m + 1);

					ok = a + t <= m;
				}
				if (!ok)
					continue;
				to += sh->choice[c];
				sh->next[to] = 1;
			}
		}
		memcpy(sh->reach, sh->next, sh->nstates);
	}
	if (walk)
		return sh->reach[full];
	qsort(sh->pool, all, sizeof(int), _int_desc);
	return _fits_all(sh, sh->pool, all);
}

/* RET true when some placement of the shape on the empty fabric has a
 * predicted bandwidth >= b. */
static bool _reaches(_shape_t *sh, double b)
{
	const tp_fabric_t *f = sh->f;
	int nleaf = 0;

	for (int d = 0; d < f->ndomains; d++) {
		const tp_domain_t *dom = &f->domains[d];

		if (dom->nnodes < sh->n || dom->nvlink_gbps < b)
			continue;
		nleaf = 0;
		for (int i = 0; i < dom->nnodes; i++) {
			int leaf = f->nodes[dom->nodes[i]].leaf, seen = 0;

			for (int j = 0; j < nleaf && !seen; j++)
				seen = sh->leaf[j] == leaf;
			if (!seen)
				sh->leaf[nleaf++] = leaf;
		}
		if (_leaves_reach(sh, nleaf, d, b))
			return true;
	}
	nleaf = 0;
	for (int w = 0; w < f->nswitches; w++)
		if (!f->switches[w].level && f->switches[w].nnodes)
			sh->leaf[nleaf++] = w;
	return _leaves_reach(sh, nleaf, -1, b);
}

/* RET the values a placement's bandwidth can take (descending, with
 * repeats), their count in *n, or NULL (ENOMEM). */
static double *_candidates(const _shape_t *sh, int *n)
{
	const tp_fabric_t *f = sh->f;
	size_t max = (size_t) f->ndomains + f->nnodes + 1;
	double *v;
	int k = 0;

	for (int w = 0; w < f->nswitches; w++)
		if (!f->switches[w].level && f->switches[w].uplinks > 0)
			max += sh->gpus;
	if (!(v = malloc(sizeof(double) * max)))
		return NULL;
	for (int d = 0; d < f->ndomains; d++)
		v[k++] = f->domains[d].nvlink_gbps;
	for (int i = 0; i < f->nnodes; i++)
		v[k++] = tp_nic_per_gpu(&f->nodes[i]);
	for (int w = 0; w < f->nswitches; w++) {
		const tp_switch_t *s = &f->switches[w];

		if (s->level || s->uplinks <= 0)
			continue;
		for (int g = 1; g <= sh->gpus; g++) {
			double bw = tp_uplink_ring_gbps(f, s, g, sh->rings);

			if (bw >= 0)
				v[k++] = bw;
		}
	}
	qsort(v, k, sizeof(double), _double_desc);
	*n = k;
	return v;
}

static void _shape_clear(_shape_t *sh)
{
	free(sh->size);
	free(sh->count);
	free(sh->radix);
	free(sh->cap);
	free(sh->piece);
	free(sh->pool);
	free(sh->leaf);
	free(sh->choice);
	free(sh->reach);
	free(sh->next);
}

/* Fill sh from sorted (descending) GPU counts. RET 0 or -1 (ENOMEM). */
static int _shape_init(_shape_t *sh, const tp_fabric_t *f, const int *gpus,
		       int n)
{
	double states = 1;

	memset(sh, 0, sizeof(*sh));
	sh->f = f;
	sh->n = n;
	sh->rings = gpus[0];
	sh->size = malloc(sizeof(int) * n);
	sh->count = malloc(sizeof(int) * n);
	sh->radix = malloc(sizeof(int) * n);
	sh->cap = malloc(sizeof(int) * (f->nnodes + 1));
	sh->piece = malloc(sizeof(int) * (f->nnodes + 1));
	sh->pool = malloc(sizeof(int) * (f->nnodes + 1));
	sh->leaf = malloc(sizeof(int) * (f->nswitches + 1));
	if (!sh->size || !sh->count || !sh->radix || !sh->cap ||
	    !sh->piece || !sh->pool || !sh->leaf)
		return -1;
	for (int i = 0; i < n; i++) {
		sh->gpus += gpus[i];
		if (sh->nsize && sh->size[sh->nsize - 1] == gpus[i]) {
			sh->count[sh->nsize - 1]++;
			continue;
		}
		sh->size[sh->nsize] = gpus[i];
		sh->count[sh->nsize++] = 1;
	}
	for (int k = 0; k < sh->nsize && states <= WALK_BUDGET; k++)
		states *= sh->count[k] + 1;
	if (states * states > WALK_BUDGET) {
		sh->nstates = -1;	/* relaxed from the start */
		return 0;
	}
	sh->nstates = (int) states;
	sh->radix[0] = 1;
	for (int k = 1; k < sh->nsize; k++)
		sh->radix[k] = sh->radix[k - 1] * (sh->count[k - 1] + 1);
	sh->choice = malloc(sizeof(int) * sh->nstates);
	sh->reach = malloc(sh->nstates);
	sh->next = malloc(sh->nstates);
	if (!sh->choice || !sh->reach || !sh->next)
		return -1;
	return 0;
}

/* RET the best bandwidth of a shape (descending GPU counts), computed. */
static double _search(const tp_fabric_t *f, const int *gpus, int n)
{
	_shape_t sh;
	double *v = NULL, best = -1;
	int nv = 0, lo, hi;

	if (_shape_init(&sh, f, gpus, n) || !(v = _candidates(&sh, &nv)))
		goto fini;
	/* v[lo] is reached, v[hi] is not (or is past the end). */
	best = 0;
	if (!nv || !_reaches(&sh, v[nv - 1]))
		goto fini;
	lo = nv - 1;
	hi = -1;
	while (lo - hi > 1) {
		int mid = hi + (lo - hi) / 2;

		if (_reaches(&sh, v[mid]))
			lo = mid;
		else
			hi = mid;
	}
	best = v[lo];
fini:
	if (best < 0)
		errno = ENOMEM;
	free(v);
	_shape_clear(&sh);
	return best;
}

static bool _same(const _entry_t *e, const int *gpus, int n)
{
	return e->n == n && !memcmp(e->gpus, gpus, sizeof(int) * n);
}

extern double tp_best_busbw_gbps(const tp_fabric_t *f, const int *gpus,
				 int n)
{
	tp_fabric_t *mf = (tp_fabric_t *) f;	/* only its cache changes */
	struct tp_best_cache *c;
	int *key, total = 0;
	double best = -1;

	if (!(key = malloc(sizeof(int) * n)))
		return -1;
	for (int i = 0; i < n; i++)
		total += (key[i] = gpus[i]);
	if (total < 2) {
		free(key);
		return 0;
	}
	qsort(key, n, sizeof(int), _int_desc);

	pthread_mutex_lock(&_lock);
	if ((c = f->best_cache))
		for (int i = 0; i < c->used && best < 0; i++)
			if (_same(&c->e[i], key, n))
				best = c->e[i].gbps;
	pthread_mutex_unlock(&_lock);
	if (best >= 0) {
		free(key);
		return best;
	}

	if ((best = _search(f, key, n)) < 0) {
		free(key);
		return -1;
	}

	/* Keep it; out of memory for the cache, the answer still stands. */
	pthread_mutex_lock(&_lock);
	if (!mf->best_cache)
		mf->best_cache = calloc(1, sizeof(*mf->best_cache));
	if ((c = mf->best_cache)) {
		_entry_t *e;
		bool dup = false;

		for (int i = 0; i < c->used && !dup; i++)
			dup = _same(&c->e[i], key, n);
		if (dup) {
			free(key);
		} else {
			if (c->used < CACHE_SIZE) {
				e = &c->e[c->used++];
			} else {
				e = &c->e[c->next];
				c->next = (c->next + 1) % CACHE_SIZE;
				free(e->gpus);
			}
			*e = (_entry_t) { .n = n, .gpus = key, .gbps = best };
		}
	} else {
		free(key);
	}
	pthread_mutex_unlock(&_lock);
	return best;
}

extern void tp_best_cache_free(struct tp_best_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->used; i++)
		free(c->e[i].gpus);
	free(c);
}
