/*****************************************************************************\
 *  place_slurm_tree.c - a model of the nodes stock Slurm 22.05 gives a GPU
 *  job with SelectType=select/cons_tres and TopologyPlugin=topology/tree.
 *
 *  The reference point for every benchmark: it should pick what a real
 *  22.05.8 slurmctld picks, quirks included. Function names below are
 *  those of the Slurm sources the behaviour was read from (cons_tres's
 *  job_test.c unless another file is named); the code is written afresh.
 *
 *  1. Which nodes may be used (can_job_run_on_node, the gres_sched and
 *     gres_select_filter code, _select_cores): tp_node_eligible(). A node
 *     needs gpus_per_node free GPUs of the asked type, or at least one for
 *     --gpus; --exclusive needs a node without jobs.
 *  2. Node weights (can_job_run_on_node, _set_sched_weight in
 *     node_scheduler.c): configured weights are uniform, but cons_tres
 *     writes the low byte of each node's scheduling weight as 0xff minus
 *     the GPUs it counts as near: min(free, N) for --gres=gpu:N (the same
 *     on every usable node), min(free, total) for --gpus=total, every free
 *     GPU for --exclusive, none for a job without GPUs. So --gpus jobs
 *     see weight groups, most free GPUs first.
 *  3. Node counts (get_node_cnts in node_scheduler.c, gres.c's job
 *     validation): the per-node form is -N n (min = max = wanted = n); the
 *     total form has min = max(nodes, 1), max = max_nodes capped at the
 *     GPU count (no limit when 0), and wanted = max when a max was given,
 *     else min. No --ntasks, so choose_nodes() does not cut max to it.
 *  4. The pick (_eval_nodes_topo), see _attempt():
 *     a. the top switch: each switch, in table order, with enough usable
 *        nodes (_enough_nodes) replaces the current one when its level is
 *        not lower and its lightest node is not heavier;
 *     b. weight groups under it, lightest first, until they hold enough
 *        nodes and GPUs; every node of the groups before the last one is
 *        forced into the allocation, and the switches holding them become
 *        "required";
 *     c. required leaves give more nodes first, in index order;
 *     d. then leaves one at a time (_topo_choose_best_switch): a leaf
 *        closer (switches_dist summed over the leaves and required
 *        switches so far) wins only if it also compares no worse, at equal
 *        distance only if it compares better (_topo_compare_switches: a
 *        leaf that holds the remaining nodes beats one that does not, the
 *        smaller of two that do wins; when neither does, their parents are
 *        compared the same way; then the one with more nodes, then the
 *        lower level). Inside a leaf, nodes in index order. Counts are
 *        nodes: a --gpus job stops once the nodes taken hold enough free
 *        GPUs. Counts of switches above the leaves are never lowered as
 *        leaves are used up.
 *  5. choose_nodes(): when the pick fails, nodes with few resources are
 *     dropped, one size at a time, and the pick retried.
 *  6. Afterwards: more nodes than the job's maximum (_pick_best_nodes in
 *     node_scheduler.c) or more leaves than --switches (end of
 *     _eval_nodes_topo, best_switch in cons_common's _job_test) keep the
 *     job pending: EAGAIN.
 *  7. GPUs per node: gpus_per_node; every GPU with --exclusive
 *     (gres_ctld_job_alloc_whole_node in gres_ctld.c); for --gpus, the
 *     chosen nodes in index order each get min(free, what is left less one
 *     per node after it) (gres_select_filter_select_and_set, _get_job_cnt
 *     and _set_job_bits1 in cons_common's gres_select_filter.c).
 *
 *  Not modelled, assumed away: CPUs and memory never limit a node (and
 *  every usable node has the same free CPU count, which step 5 needs), no
 *  --cpus-per-gpu / --mem-per-gpu / --ntasks, no -w required nodes, GPUs
 *  not bound to sockets (no Cores= in gres.conf) and no NVLink link matrix,
 *  no LLN / spread / pack_serial_at_end / contiguous / dragonfly, the
 *  --switches wait never runs out.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place_private.h"

#define _INF UINT32_MAX		/* unreachable, as Slurm's INFINITE */
#define _NODE_CAP 500000	/* Slurm's cap on a job's node count */
#define _NO_KEY 0x100		/* above every weight byte */

typedef struct {
	const tp_state_t *s;
	const tp_fabric_t *f;
	const tp_request_t *req;
	int nsw;

	/* The request as Slurm sees it (step 3) */
	bool gres;		/* the job asks for GPUs */
	bool per_job;		/* --gpus: a total for the whole job */
	int total;		/* GPUs wanted, total form */
	int min_nodes;
	int max_nodes;
	int req_nodes;		/* the count Slurm aims at */

	/* The switch table as topology/tree builds it */
	int *parent;		/* last switch listing it; 0 when none */
	int *desc_off;		/* leaves under switch s (s itself for a */
	int *desc;		/* leaf): desc[desc_off[s] .. desc_off[s+1]) */
	int *adj_off;		/* links of the switch graph, both ways */
	int *adj;
	int *lnode_off;		/* nodes of leaf l in index order: */
	int *lnode;		/* lnode[lnode_off[l] .. lnode_off[l+1]) */

	/* Per node */
	int *free;		/* free GPUs */
	uint8_t *pool;		/* usable and not dropped (step 5) */
	int *key;		/* weight byte (step 2) */

	/* Scratch of one attempt */
	uint8_t *best;		/* nodes of the weight groups used */
	uint8_t *taken;		/* nodes in the allocation */
	uint8_t *in_top;	/* per switch: a leaf under the top switch */
	uint8_t *mark;		/* per switch: leaf holding forced nodes */
	uint8_t *required;	/* per switch */
	int *lcnt;		/* per switch (leaves): nodes counted */
	int *lkey;		/* per switch (leaves): lightest weight */
	int *cnt;		/* per switch: nodes counted under it */
	uint32_t *dist;		/* per switch: summed distances */
	uint32_t *hop;		/* per switch: BFS distance */
	int *queue;		/* BFS queue */
	int rem;		/* nodes still wanted */
	int max_left;		/* nodes still allowed */
	long got;		/* free GPUs on the nodes taken */
	int *pick;		/* nodes in the order taken */
	int npick;
	char why[160];		/* why the last attempt failed */
} _model_t;

static void *_zalloc(size_t n, size_t size)
{
	void *p = calloc(n + 1, size);

	if (!p)
		abort();
	return p;
}


static void _why(_model_t *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void _why(_model_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
}


/*****************************************************************************\
 *  The switch table (topology_tree.c)
\*****************************************************************************/

/*
 * Leaves under every switch, each once even when switches share children
 * (several spines listing the same leaves): Slurm ORs node bitmaps.
 */
static void _build_desc(_model_t *m)
{
	const tp_fabric_t *f = m->f;
	int *stamp = _zalloc(m->nsw, sizeof(int));
	int *stack = _zalloc(m->nsw, sizeof(int));
	int cap = 4 * m->nsw, n = 0;

	m->desc_off = _zalloc(m->nsw + 1, sizeof(int));
	m->desc = _zalloc(cap, sizeof(int));
	for (int s = 0; s < m->nsw; s++) {
		int top = 0;

		m->desc_off[s] = n;
		stamp[s] = s + 1;
		stack[top++] = s;
		while (top) {
			const tp_switch_t *x = &f->switches[stack[--top]];

			if (x->level == 0) {
				if (n == cap) {
					cap *= 2;
					m->desc = realloc(m->desc,
							  sizeof(int) * cap);
					if (!m->desc)
						abort();
				}
				m->desc[n++] = x - f->switches;
				continue;
			}
			for (int j = 0; j < x->nchildren; j++) {
				int c = x->children[j];

				if (stamp[c] == s + 1)
					continue;
				stamp[c] = s + 1;
				stack[top++] = c;
			}
		}
	}
	m->desc_off[m->nsw] = n;
	free(stamp);
	free(stack);
}

/*
 * Parents as _find_child_switches() sets them: walking the table in order,
 * each switch that lists children becomes their parent, so the last one
 * listing a switch wins. Switches nobody lists keep 0 (the table is
 * zero-filled), not themselves; _compare() depends on that.
 * Links go both ways, each of length 1, as switches_dist is built from.
 */
static void _build_links(_model_t *m)
{
	const tp_fabric_t *f = m->f;
	int nlinks = 0, *fill;

	m->parent = _zalloc(m->nsw, sizeof(int));
	m->adj_off = _zalloc(m->nsw + 1, sizeof(int));
	for (int s = 0; s < m->nsw; s++) {
		const tp_switch_t *x = &f->switches[s];

		if (x->level == 0)
			continue;
		for (int j = 0; j < x->nchildren; j++) {
			m->parent[x->children[j]] = s;
			m->adj_off[s]++;
			m->adj_off[x->children[j]]++;
			nlinks += 2;
		}
	}
	for (int s = 0, sum = 0; s <= m->nsw; s++) {
		int d = s < m->nsw ? m->adj_off[s] : 0;

		m->adj_off[s] = sum;
		sum += d;
	}
	m->adj = _zalloc(nlinks, sizeof(int));
	fill = _zalloc(m->nsw, sizeof(int));
	for (int s = 0; s < m->nsw; s++) {
		const tp_switch_t *x = &f->switches[s];

		if (x->level == 0)
			continue;
		for (int j = 0; j < x->nchildren; j++) {
			int c = x->children[j];

			m->adj[m->adj_off[s] + fill[s]++] = c;
			m->adj[m->adj_off[c] + fill[c]++] = s;
		}
	}
	free(fill);
}

/* Nodes of each leaf in index order (Slurm walks leaf bitmaps). */
static void _build_leaf_nodes(_model_t *m)
{
	const tp_fabric_t *f = m->f;
	int *fill = _zalloc(m->nsw, sizeof(int));

	m->lnode_off = _zalloc(m->nsw + 1, sizeof(int));
	m->lnode = _zalloc(f->nnodes, sizeof(int));
	for (int n = 0; n < f->nnodes; n++)
		m->lnode_off[f->nodes[n].leaf + 1]++;
	for (int s = 0; s < m->nsw; s++)
		m->lnode_off[s + 1] += m->lnode_off[s];
	for (int n = 0; n < f->nnodes; n++) {
		int l = f->nodes[n].leaf;

		m->lnode[m->lnode_off[l] + fill[l]++] = n;
	}
	free(fill);
}

/* Add the distances from switch from to every switch (_topo_add_dist). */
static void _add_dist(_model_t *m, int from)
{
	int head = 0, tail = 0;

	for (int s = 0; s < m->nsw; s++)
		m->hop[s] = _INF;
	m->hop[from] = 0;
	m->queue[tail++] = from;
	while (head < tail) {
		int x = m->queue[head++];

		for (int j = m->adj_off[x]; j < m->adj_off[x + 1]; j++) {
			int y = m->adj[j];

			if (m->hop[y] != _INF)
				continue;
			m->hop[y] = m->hop[x] + 1;
			m->queue[tail++] = y;
		}
	}
	for (int s = 0; s < m->nsw; s++) {
		if (m->hop[s] == _INF || m->dist[s] == _INF)
			m->dist[s] = _INF;
		else
			m->dist[s] += m->hop[s];
	}
}

/*****************************************************************************\
 *  The pick (_eval_nodes_topo and helpers)
\*****************************************************************************/

/*
 * Whether avail nodes are enough when rem are still wanted (_enough_nodes):
 * with a node range, wanting more than the minimum lowers the bar by the
 * difference, down to nothing.
 */
static bool _enough(const _model_t *m, int avail)
{
	int need = m->rem;

	if (m->req_nodes > m->min_nodes)
		need += m->min_nodes - m->req_nodes;
	return avail >= need;
}

static bool _done(const _model_t *m)
{
	return m->rem <= 0 && (!m->per_job || m->got >= m->total);
}

/* Put node n in the allocation; count it only while counting is on. */
static void _take(_model_t *m, int n, bool count)
{
	m->taken[n] = 1;
	m->pick[m->npick++] = n;
	if (!count)
		return;
	m->rem--;
	m->max_left--;
	m->got += m->free[n];
}

/* Sum of cnt over the leaves under s: usable nodes under s. */
static int _sum_leaves(const _model_t *m, int s, const int *per_leaf)
{
	int n = 0;

	for (int j = m->desc_off[s]; j < m->desc_off[s + 1]; j++)
		n += per_leaf[m->desc[j]];
	return n;
}

/*
 * Compare switches i and j for the rem nodes still wanted
 * (_topo_compare_switches). RET > 0 when i is better, < 0 when j is, 0
 * when neither. When neither holds rem, both climb to their parents while
 * at least one has a parent other than itself and the parents differ.
 * With the 0 parent of unlisted switches an unbalanced tree can make
 * Slurm's climb cycle; the cycle ends once a switch on it holds rem nodes
 * (the top switch does) and is cut here after 2 * switches steps.
 */
static int _compare(const _model_t *m, int i, int j)
{
	const tp_switch_t *sw = m->f->switches;
	const int *cnt = m->cnt;

	for (int step = 0; step <= 2 * m->nsw; step++) {
		bool i_fits = cnt[i] >= m->rem, j_fits = cnt[j] >= m->rem;

		if (i_fits && j_fits) {
			if (cnt[i] != cnt[j])
				return cnt[i] < cnt[j] ? 1 : -1;
			break;
		}
		if (i_fits != j_fits)
			return i_fits ? 1 : -1;
		if ((m->parent[i] == i && m->parent[j] == j) ||
		    m->parent[i] == m->parent[j])
			break;
		i = m->parent[i];
		j = m->parent[j];
	}
	if (cnt[i] != cnt[j])
		return cnt[i] > cnt[j] ? 1 : -1;
	if (sw[i].level != sw[j].level)
		return sw[i].level < sw[j].level ? 1 : -1;
	return 0;
}

/* Consider leaf s against the best so far (_topo_choose_best_switch). */
static void _consider(const _model_t *m, int s, int *best)
{
	int cmp;

	if (!m->cnt[s] || m->dist[s] == _INF)
		return;
	if (*best < 0) {
		*best = s;
		return;
	}
	cmp = _compare(m, s, *best);
	if ((m->dist[s] < m->dist[*best] && cmp >= 0) ||
	    (m->dist[s] == m->dist[*best] && cmp > 0))
		*best = s;
}

/* The top switch (step 4a). RET its index or -1. */
static int _top_switch(_model_t *m)
{
	const tp_switch_t *sw = m->f->switches;
	int top = -1, top_key = _NO_KEY;

	for (int l = 0; l < m->nsw; l++) {
		m->lcnt[l] = 0;
		m->lkey[l] = _NO_KEY;
	}
	for (int n = 0; n < m->f->nnodes; n++) {
		int l = m->f->nodes[n].leaf;

		if (!m->pool[n])
			continue;
		m->lcnt[l]++;
		if (m->key[n] < m->lkey[l])
			m->lkey[l] = m->key[n];
	}
	for (int s = 0; s < m->nsw; s++) {
		int c = _sum_leaves(m, s, m->lcnt), k = _NO_KEY;

		/* A bar lowered to nothing still needs one node to match a
		 * weight group. */
		if (!_enough(m, c) || !c)
			continue;
		for (int j = m->desc_off[s]; j < m->desc_off[s + 1]; j++)
			if (m->lkey[m->desc[j]] < k)
				k = m->lkey[m->desc[j]];
		if (top < 0 || (sw[s].level >= sw[top].level && k <= top_key)) {
			top = s;
			top_key = k;
		}
	}
	return top;
}

/*
 * Weight groups under the top switch, lightest first, until the nodes
 * gathered are enough (step 4b). Sets m->best.
 * OUT last_key - weight byte of the last group taken; nodes of lighter
 *	groups are forced into the allocation.
 * RET true when enough was found.
 */
static bool _gather(_model_t *m, int *last_key)
{
	const tp_fabric_t *f = m->f;
	bool present[_NO_KEY] = { false };
	long gpus = 0;
	int nodes = 0;

	for (int n = 0; n < f->nnodes; n++)
		if (m->pool[n])
			present[m->key[n]] = true;
	for (int k = 0; k < _NO_KEY; k++) {
		if (!present[k])
			continue;
		*last_key = k;
		for (int n = 0; n < f->nnodes; n++) {
			if (!m->pool[n] || m->key[n] != k ||
			    !m->in_top[f->nodes[n].leaf])
				continue;
			m->best[n] = 1;
			nodes++;
			gpus += m->free[n];
		}
		if (_enough(m, nodes) && (!m->per_job || gpus >= m->total))
			return true;
	}
	return false;
}

/*
 * One run of _eval_nodes_topo over the nodes in m->pool.
 * RET 0 with m->pick / m->npick set, or -1 with m->why set.
 */
static int _attempt(_model_t *m)
{
	const tp_fabric_t *f = m->f;
	const tp_switch_t *sw = f->switches;
	int top, last_key = 0, npool = 0, prev;
	bool forced = false;

	m->rem = m->min_nodes;		/* = Slurm's rem_nodes, see step 3 */
	m->max_left = m->max_nodes;
	m->got = 0;
	m->npick = 0;
	memset(m->best, 0, f->nnodes);
	memset(m->taken, 0, f->nnodes);
	memset(m->in_top, 0, m->nsw);
	memset(m->mark, 0, m->nsw);
	memset(m->required, 0, m->nsw);
	for (int n = 0; n < f->nnodes; n++)
		npool += m->pool[n];
	if (npool < m->min_nodes) {
		_why(m, "%d usable nodes, %d needed", npool, m->min_nodes);
		return -1;
	}

	if ((top = _top_switch(m)) < 0) {
		_why(m, "no switch reaches enough usable nodes");
		return -1;
	}
	for (int j = m->desc_off[top]; j < m->desc_off[top + 1]; j++)
		m->in_top[m->desc[j]] = 1;

	if (!_gather(m, &last_key)) {
		_why(m, "not enough usable nodes or GPUs under switch %s",
		     sw[top].name);
		return -1;
	}

	/* Nodes of the lighter groups go in first, counted while the
	 * maximum allows; the switches above them become required. */
	for (int n = 0; n < f->nnodes; n++) {
		if (!m->best[n] || m->key[n] >= last_key)
			continue;
		_take(m, n, m->max_left > 0);
		m->mark[f->nodes[n].leaf] = 1;
		forced = true;
	}
	if (forced) {
		for (int s = 0; s < m->nsw; s++)
			for (int j = m->desc_off[s];
			     j < m->desc_off[s + 1] && !m->required[s]; j++)
				m->required[s] = m->mark[m->desc[j]];
		if (_done(m))
			return 0;
		if (m->max_left <= 0) {
			_why(m, "forced nodes reach the node maximum");
			return -1;
		}
	}

	/* From here on only the gathered nodes count, below any switch. */
	for (int l = 0; l < m->nsw; l++)
		m->lcnt[l] = 0;
	for (int n = 0; n < f->nnodes; n++)
		m->lcnt[f->nodes[n].leaf] += m->best[n];
	for (int s = 0; s < m->nsw; s++)
		m->cnt[s] = _sum_leaves(m, s, m->lcnt);

	/* Step 4c: more from the leaves of forced nodes, without a check of
	 * the node maximum (Slurm has none there). */
	for (int s = 0; forced && s < m->nsw; s++) {
		if (!m->required[s] || sw[s].level != 0)
			continue;
		for (int j = m->lnode_off[s]; j < m->lnode_off[s + 1]; j++) {
			int n = m->lnode[j];

			if (!m->best[n] || m->taken[n])
				continue;
			_take(m, n, true);
			if (_done(m))
				return 0;
		}
	}

	/* Step 4d: leaf by leaf until done or nothing more comes in. */
	for (int s = 0; s < m->nsw; s++)
		m->dist[s] = 0;
	for (int s = 0; s < m->nsw; s++)
		if (m->required[s])
			_add_dist(m, s);
	prev = m->rem + 1;
	while (prev != m->rem) {
		int leaf = -1;

		prev = m->rem;
		for (int s = 0; s < m->nsw; s++)
			if (sw[s].level == 0 && !m->required[s])
				_consider(m, s, &leaf);
		if (leaf < 0)
			break;
		_add_dist(m, leaf);
		for (int j = m->lnode_off[leaf];
		     j < m->lnode_off[leaf + 1] && m->max_left > 0; j++) {
			int n = m->lnode[j];

			if (!m->best[n] || m->taken[n])
				continue;
			_take(m, n, true);
			if (_done(m))
				return 0;
		}
		m->cnt[leaf] = 0;
	}
	if (_done(m))
		return 0;
	_why(m, "leaves under switch %s ran out before the request was met",
	     sw[top].name);
	return -1;
}

/*
 * choose_nodes(): run the pick; when it fails and more than the minimum of
 * nodes are usable, drop usable nodes with at most 1, 2, ... free GPUs
 * (in index order, never below the minimum) and retry after each size
 * that dropped something. Slurm sizes nodes by free CPUs plus free GPUs;
 * with equal free CPUs everywhere that is the free GPU count. A job
 * without GPUs sizes every node alike: no retry can change anything.
 */
static int _choose(_model_t *m)
{
	const tp_fabric_t *f = m->f;
	int npool = 0, most = 0;
	char first_why[sizeof(m->why)];

	if (_attempt(m) == 0)
		return 0;
	memcpy(first_why, m->why, sizeof(first_why));
	for (int n = 0; n < f->nnodes; n++) {
		if (!m->pool[n])
			continue;
		npool++;
		if (m->free[n] > most)
			most = m->free[n];
	}
	if (!m->gres || npool <= m->min_nodes)
		return -1;
	for (int size = 1; size < most; size++) {
		bool dropped = false;

		for (int n = 0; n < f->nnodes && npool > m->min_nodes; n++) {
			if (!m->pool[n] || m->free[n] > size)
				continue;
			m->pool[n] = 0;
			npool--;
			dropped = true;
		}
		if (!dropped)
			continue;
		if (_attempt(m) == 0)
			return 0;
		if (npool <= m->min_nodes)
			break;
	}
	memcpy(m->why, first_why, sizeof(first_why));	/* the telling one */
	return -1;
}

/*****************************************************************************\
 *  Entry point
\*****************************************************************************/

static void _model_free(_model_t *m)
{
	free(m->parent);
	free(m->desc_off);
	free(m->desc);
	free(m->adj_off);
	free(m->adj);
	free(m->lnode_off);
	free(m->lnode);
	free(m->free);
	free(m->pool);
	free(m->key);
	free(m->best);
	free(m->taken);
	free(m->in_top);
	free(m->mark);
	free(m->required);
	free(m->lcnt);
	free(m->lkey);
	free(m->cnt);
	free(m->dist);
	free(m->hop);
	free(m->queue);
	free(m->pick);
}

/* Steps 1 to 3: the request as Slurm sees it, usable nodes, weights. */
static void _model_init(_model_t *m, const tp_state_t *s,
			const tp_request_t *r)
{
	const tp_fabric_t *f = s->fabric;
	int nn = f->nnodes;

	memset(m, 0, sizeof(*m));
	m->s = s;
	m->f = f;
	m->req = r;
	m->nsw = f->nswitches;
	m->per_job = r->total_gpus > 0;
	m->gres = m->per_job || r->gpus_per_node > 0;
	if (m->per_job) {
		m->total = r->total_gpus;
		m->min_nodes = r->nodes > 0 ? r->nodes : 1;
		if (r->max_nodes) {
			m->max_nodes = r->max_nodes < r->total_gpus ?
				r->max_nodes : r->total_gpus;
			m->req_nodes = m->max_nodes;
		} else {
			m->max_nodes = _NODE_CAP;
			m->req_nodes = m->min_nodes;
		}
	} else {
		m->min_nodes = m->max_nodes = m->req_nodes = r->nodes;
	}

	_build_desc(m);
	_build_links(m);
	_build_leaf_nodes(m);

	m->free = _zalloc(nn, sizeof(int));
	m->pool = _zalloc(nn, 1);
	m->key = _zalloc(nn, sizeof(int));
	for (int n = 0; n < nn; n++) {
		int take, near;

		m->free[n] = s->free_gpus[n];
		if (!tp_node_eligible(s, r, n, &take))
			continue;
		m->pool[n] = 1;
		if (m->gres && r->exclusive)
			near = m->free[n];
		else if (m->per_job)
			near = m->free[n] < m->total ? m->free[n] : m->total;
		else
			near = r->gpus_per_node;	/* 0: no GPU asked */
		m->key[n] = 0xff - (near < 0xff ? near : 0xff);
	}

	m->best = _zalloc(nn, 1);
	m->taken = _zalloc(nn, 1);
	m->pick = _zalloc(nn, sizeof(int));
	m->in_top = _zalloc(m->nsw, 1);
	m->mark = _zalloc(m->nsw, 1);
	m->required = _zalloc(m->nsw, 1);
	m->lcnt = _zalloc(m->nsw, sizeof(int));
	m->lkey = _zalloc(m->nsw, sizeof(int));
	m->cnt = _zalloc(m->nsw, sizeof(int));
	m->dist = _zalloc(m->nsw, sizeof(uint32_t));
	m->hop = _zalloc(m->nsw, sizeof(uint32_t));
	m->queue = _zalloc(m->nsw, sizeof(int));
}

/* Leaf switches the picked nodes span. */
static int _leaves_used(const _model_t *m)
{
	uint8_t *seen = _zalloc(m->nsw, 1);
	int n = 0;

	for (int i = 0; i < m->npick; i++) {
		int l = m->f->nodes[m->pick[i]].leaf;

		n += !seen[l];
		seen[l] = 1;
	}
	free(seen);
	return n;
}

/* Step 7: GPUs each picked node gets, in pick order. */
static void _split(const _model_t *m, int *gpus)
{
	const tp_fabric_t *f = m->f;
	int *at = _zalloc(f->nnodes, sizeof(int));
	long left = m->total;
	int after = m->npick;

	for (int i = 0; i < m->npick; i++)
		at[m->pick[i]] = i + 1;
	for (int n = 0; n < f->nnodes; n++) {
		long give;
		int i = at[n] - 1;

		if (i < 0)
			continue;
		after--;
		if (m->req->exclusive) {
			gpus[i] = f->nodes[n].gpus;
			continue;
		}
		if (!m->per_job) {
			gpus[i] = m->req->gpus_per_node;
			continue;
		}
		/* One GPU kept back for each node after this one; never
		 * below 1 here, as Slurm picks at most total_gpus nodes. */
		give = left - after;
		if (give > m->free[n])
			give = m->free[n];
		if (give < 0)
			give = 0;
		gpus[i] = give;
		left -= give;
	}
	free(at);
}

extern int tp_place_slurm_tree(const tp_state_t *s, const tp_request_t *req,
			       tp_placement_t *out, tp_error_t *err)
{
	_model_t m;
	int rc = -1, leaves;

	if (!s || !req || !out)
		return tp_place_fail(err, "slurm-tree", EINVAL, "missing state, request or output");
	_model_init(&m, s, req);

	if (_choose(&m)) {
		rc = tp_place_fail(err, "slurm-tree", EAGAIN, "%s", m.why);
		goto fini;
	}
	leaves = _leaves_used(&m);
	if (req->max_leaves && leaves > req->max_leaves) {
		rc = tp_place_fail(err, "slurm-tree", EAGAIN, "pick spans %d leaf switches, --switches allows %d",
			   leaves, req->max_leaves);
		goto fini;
	}
	if (m.npick > m.max_nodes) {
		rc = tp_place_fail(err, "slurm-tree", EAGAIN, "pick holds %d nodes, the job allows %d",
			   m.npick, m.max_nodes);
		goto fini;
	}

	memset(out, 0, sizeof(*out));
	out->count = m.npick;
	out->node = malloc(sizeof(int) * m.npick);
	out->gpus = malloc(sizeof(int) * m.npick);
	if (!out->node || !out->gpus) {
		free(out->node);
		free(out->gpus);
		memset(out, 0, sizeof(*out));
		rc = tp_place_fail(err, "slurm-tree", ENOMEM, "out of memory");
		goto fini;
	}
	memcpy(out->node, m.pick, sizeof(int) * m.npick);
	_split(&m, out->gpus);
	rc = 0;
fini:
	_model_free(&m);
	return rc;
}
