/*****************************************************************************\
 *  topopack.h - public interface of libtopopack, the topology-aware
 *  placement engine behind the topopack Slurm plugins.
 *
 *  The library knows nothing of Slurm: it reads Slurm-style configuration
 *  files, keeps allocation state and answers placement questions, so every
 *  decision it makes can be tested without a cluster.
 *
 *  Conventions: functions return 0 (or a valid pointer) on success and -1
 *  (or NULL) on failure; on failure nothing is changed and, where an error
 *  buffer is passed, it says what went wrong (with file:line for input
 *  errors). Destructors accept NULL.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_H
#define _TOPOPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Human-readable failure description, filled by the function that fails. */
typedef struct {
	char text[256];
} tp_error_t;

/*
 * Placement levels, bottom up. A "block" is a node, an NVLink domain piece
 * (the nodes of one NVLink domain under one leaf), a leaf switch, or a group
 * of leaves joined by switches of level 1, 2, ... (Slurm's switch levels).
 */
#define TP_LVL_NODE   0
#define TP_LVL_DOMAIN 1
#define TP_LVL_LEAF   2
#define TP_LVL_SWITCH 3 /* switch level 1 (spine group); level k is 2+k */
#define TP_MAX_LEVELS 8 /* node, domain, leaf + up to 5 switch levels */

/* Hop counts: links traversed between two GPUs. */
#define TP_HOPS_UNREACHABLE -1

/*****************************************************************************\
 *  Fabric model (immutable once built)
\*****************************************************************************/

typedef struct tp_fabric tp_fabric_t;

/*
 * Read a Slurm topology.conf and, when topopack_conf is not NULL, a
 * topopack.conf that adds GPUs, NVLink domains, NICs and link speeds.
 * RET a new fabric, or NULL with err naming file, line and problem (or
 * "out of memory", errno ENOMEM); nothing is half-loaded.
 */
extern tp_fabric_t *tp_fabric_load(const char *topology_conf,
				   const char *topopack_conf, tp_error_t *err);

/*
 * What the resource manager knows of each node's GPUs (Slurm: the node's
 * configured gres/gpu, from slurm.conf and gres.conf). It is the truth:
 * where topopack.conf says otherwise, the inventory's count and type are
 * used and the difference is told, once per node and load.
 */
typedef struct {
	const char *name;
	int gpus;
	const char *gpu_type;	/* NULL: untyped, or of several types */
} tp_node_gpus_t;

typedef struct {
	const tp_node_gpus_t *node;
	int count;
	/* Called with one line for each node whose GPUs in topopack.conf
	 * differ from the inventory's; may be NULL. */
	void (*differs)(void *arg, const char *text);
	void *arg;
} tp_inventory_t;

/*
 * tp_fabric_load(), then every node the inventory names gets its GPU
 * count and type from it. Nodes the inventory does not name keep what
 * topopack.conf says (none without it); inventory nodes the fabric does
 * not hold are ignored. inventory may be NULL.
 */
extern tp_fabric_t *tp_fabric_load_inventory(const char *topology_conf,
					     const char *topopack_conf,
					     const tp_inventory_t *inventory,
					     tp_error_t *err);

/*
 * Give a loaded fabric the inventory's GPU counts and types, as
 * tp_fabric_load_inventory() does, starting again from what topopack.conf
 * says (so a second call with another inventory gives what a fresh load
 * would). States made on the fabric before are stale afterwards. On a
 * shared fabric (tp_fabric_hold()), only the one that places jobs on it
 * may call this, while nothing places on it (select/topopack: at each
 * reconfiguration, under its own lock).
 * RET 0, or -1 with err (a count out of range: nothing changed; ENOMEM).
 */
extern int tp_fabric_set_inventory(tp_fabric_t *fabric,
				   const tp_inventory_t *inventory,
				   tp_error_t *err);

/*
 * Generated fat tree for benchmarks and tests.
 * IN levels - switch levels above the leaves (1: leaf+spine, 2: +pod/core)
 * IN leaves - number of leaf switches
 * IN nodes_per_leaf, gpus_per_node
 * IN leaves_per_pod - leaves under one level-1 group (0: all in one)
 * IN nvl_nodes - nodes per NVLink domain (1: each node is its own domain;
 *	domains are cut from consecutive nodes and never cross a leaf)
 */
typedef struct {
	int levels;
	int leaves;
	int nodes_per_leaf;
	int gpus_per_node;
	int leaves_per_pod;
	int nvl_nodes;
	int uplinks_per_leaf;	/* 0: non-blocking (= GPUs under the leaf) */
	double nic_gbps;	/* per NIC, default 400 */
	double uplink_gbps;	/* per uplink, default 400 */
	double nvlink_gbps;	/* per GPU inside a domain, default 3600 */
} tp_gen_t;

extern tp_fabric_t *tp_fabric_generate(const tp_gen_t *gen, tp_error_t *err);

extern void tp_fabric_free(tp_fabric_t *fabric);

extern int tp_fabric_node_count(const tp_fabric_t *fabric);
extern int tp_fabric_gpu_count(const tp_fabric_t *fabric);
extern int tp_fabric_leaf_count(const tp_fabric_t *fabric);
extern int tp_fabric_domain_count(const tp_fabric_t *fabric);
/* Number of placement levels in use (3 + switch levels). */
extern int tp_fabric_level_count(const tp_fabric_t *fabric);

/* RET index of the node with that name, or -1. Index order is the order of
 * first appearance in topology.conf. */
extern int tp_fabric_node_index(const tp_fabric_t *fabric, const char *name);
extern const char *tp_fabric_node_name(const tp_fabric_t *fabric, int node);
extern int tp_fabric_node_gpus(const tp_fabric_t *fabric, int node);
/* RET name of the node's leaf switch / NVLink domain. */
extern const char *tp_fabric_node_leaf(const tp_fabric_t *fabric, int node);
extern const char *tp_fabric_node_domain(const tp_fabric_t *fabric, int node);
/* RET whether the node is a spare: one of the last Spares= nodes of its
 * leaf switch or NVLink domain (topopack.conf(5)), kept for jobs
 * recovering from a node failure and for preemptable work. */
extern bool tp_fabric_node_spare(const tp_fabric_t *fabric, int node);
/* RET the number of spare nodes in the fabric. */
extern int tp_fabric_spare_count(const tp_fabric_t *fabric);
/* RET whether jobs of the partition recover from a node failure unless
 * they say otherwise (topopack.conf "PartitionName=P Recover=yes"). */
extern bool tp_fabric_partition_recovers(const tp_fabric_t *fabric,
					 const char *partition);

/* RET links traversed between GPUs of nodes a and b: 0 same node, 2 same
 * leaf, 2(k+1) when the lowest common switch is of level k, or
 * TP_HOPS_UNREACHABLE when no switch joins them. */
extern int tp_fabric_hops(const tp_fabric_t *fabric, int a, int b);

/*
 * The switches, as topology.conf describes them (indices in the order of
 * their SwitchName lines), for a resource manager's own switch table.
 */
typedef struct {
	const char *name;
	int level;		/* 0: leaf, as Slurm numbers switch levels */
	const int *switches;	/* child switch indices (level > 0) */
	int nswitches;
	const int *nodes;	/* node indices (leaves) */
	int nnodes;
	const char *members;	/* Nodes= or Switches= as written, or NULL
				 * (a generated fabric) */
	const char *link_speed;	/* LinkSpeed= as written, or NULL */
	const char *file;	/* where its line is, or NULL */
	int line;
} tp_switch_info_t;

extern int tp_fabric_switch_count(const tp_fabric_t *fabric);
/* RET 0 with *info filled (pointers into the fabric), -1 for no such
 * switch. */
extern int tp_fabric_switch(const tp_fabric_t *fabric, int sw,
			    tp_switch_info_t *info);

/* The NVLink domains: those topopack.conf declares, then one per node
 * that is in none (its own NVSwitch board: implicit). */
typedef struct {
	const char *name;
	const int *nodes;	/* node indices */
	int nnodes;
	double nvlink_gbps;	/* per GPU */
	bool implicit;
} tp_domain_info_t;

/* RET 0 with *info filled (pointers into the fabric), -1 for no such
 * domain (0 <= domain < tp_fabric_domain_count()). */
extern int tp_fabric_domain(const tp_fabric_t *fabric, int domain,
			    tp_domain_info_t *info);

/*
 * The fabric of this process. In a daemon that loads several plugins
 * (slurmctld: the topology and the select plugin), the one that reads the
 * configuration publishes the fabric, and the others take it instead of
 * reading the files again. Thread-safe.
 *
 * tp_fabric_publish - make fabric the current one (the registry owns it;
 *	NULL: none). The one it replaces is freed once nobody holds it.
 *	RET the new generation number (it grows with every publication).
 * tp_fabric_hold - RET the current fabric, held until tp_fabric_put(),
 *	or NULL; *generation (may be NULL) gets its generation.
 * tp_fabric_put - let go of a fabric tp_fabric_hold() returned.
 */
extern unsigned long tp_fabric_publish(tp_fabric_t *fabric);
extern tp_fabric_t *tp_fabric_hold(unsigned long *generation);
extern void tp_fabric_put(tp_fabric_t *fabric);

/*****************************************************************************\
 *  Hostlists, as Slurm writes them ("gpu[001-004,007]")
\*****************************************************************************/

/* Most names one expression may produce. */
#define TP_HOSTLIST_MAX 1000000

/*
 * Expand a hostlist expression.
 * IN expr - the expression
 * OUT names - on success, a malloc'd array of malloc'd names in expression
 *	order; free with tp_hostlist_free(). Untouched on failure.
 * OUT err - on failure, the problem without file or line (callers add
 *	them), e.g. "reversed range '5-3' in 'a[5-3]'"; may be NULL
 * RET number of names (at least 1), or -1 with errno EINVAL for a bad
 *	expression (unbalanced brackets, empty, reversed or non-numeric
 *	range, no name at all, more than TP_HOSTLIST_MAX names) or ENOMEM.
 */
extern int tp_hostlist_expand(const char *expr, char ***names,
			      tp_error_t *err);

/*
 * Free an array returned by tp_hostlist_expand().
 * IN names - the array (NULL is accepted)
 * IN n - its length
 */
extern void tp_hostlist_free(char **names, int n);

/*
 * Compress names into a hostlist expression, Slurm style
 * ("gpu[001-004,007],login1"). Order is kept: runs of consecutive names
 * with the same prefix and the same numeric-suffix width (or no zero
 * padding on either side, as Slurm treats 9 and 10) share one bracket, so
 * expanding the result gives back the same names in the same order.
 * Names are taken as they are: they should contain no comma, blank or
 * bracket.
 * IN names - the names
 * IN n - how many (0 gives "")
 * RET a malloc'd string, or NULL with errno (EINVAL, ENOMEM)
 */
extern char *tp_hostlist_compress(char *const *names, int n);

/*****************************************************************************\
 *  Allocation state
\*****************************************************************************/

typedef struct tp_state tp_state_t;

#define TP_NODE_UP       0
#define TP_NODE_DOWN     1 /* not usable: down, drained, failing */
#define TP_NODE_RESERVED 2 /* usable only by requests that say so */

/* RET a state with every node up and idle, or NULL (ENOMEM). */
extern tp_state_t *tp_state_new(const tp_fabric_t *fabric);
extern void tp_state_free(tp_state_t *state);
extern tp_state_t *tp_state_copy(const tp_state_t *state);

extern int tp_state_set_avail(tp_state_t *state, int node, int avail);
extern int tp_state_node_avail(const tp_state_t *state, int node);
extern int tp_state_node_free_gpus(const tp_state_t *state, int node);
/* RET number of allocations holding resources on the node. */
extern int tp_state_node_users(const tp_state_t *state, int node);

/* Take/return gpus on a node for one allocation. exclusive takes the whole
 * node. RET -1 (EINVAL) when more is asked than is free. */
extern int tp_state_alloc(tp_state_t *state, int node, int gpus,
			  bool exclusive);
extern int tp_state_release(tp_state_t *state, int node, int gpus,
			    bool exclusive);

/* Set a node's usage as a whole, as a resource manager counts it: GPUs in
 * use, allocations holding it, one of them exclusive. Availability is not
 * changed. RET -1 (EINVAL) when the counts do not fit the node (more GPUs
 * than it has, or GPUs or exclusivity with no user). */
extern int tp_state_set_usage(tp_state_t *state, int node, int used_gpus,
			      int users, bool exclusive);

/* Free GPUs in the block containing node at a level (for tools and tests). */
extern int tp_state_block_free_gpus(const tp_state_t *state, int node,
				    int level);

/*****************************************************************************\
 *  Live state: what a daemon keeps between placement calls
 *
 *  A resource manager owns the truth about usage; rebuilding a state from
 *  it for every placement costs a scan of the cluster. A live state is
 *  built once and told which nodes changed (a job started, ended, was
 *  suspended or resized there): only those are read again, through the
 *  caller's reader, before the next placement. The nodes a call may use
 *  are given as changes too, so that a placement sees withheld nodes as
 *  down and keeps the fast paths that a per-node mask would disable.
\*****************************************************************************/

/* A node's usage as the resource manager counts it. */
typedef struct {
	int used_gpus;		/* GPUs allocated (at most the node's) */
	int users;		/* jobs holding resources on it */
	bool exclusive;		/* one of them holds it whole */
	bool absent;		/* the manager does not know the node */
} tp_usage_t;

/* Read node's usage. RET 0, or -1 when it cannot be read (the node is
 * then taken as absent). */
typedef int (*tp_usage_read_t)(void *arg, int node, tp_usage_t *out);

typedef struct tp_live tp_live_t;

/* RET a live state with every node to be read at the first sync and
 * offered, or NULL (ENOMEM). */
extern tp_live_t *tp_live_new(const tp_fabric_t *fabric);
extern void tp_live_free(tp_live_t *live);

/* Read node (or every node) again at the next sync. */
extern void tp_live_touch(tp_live_t *live, int node);
extern void tp_live_touch_all(tp_live_t *live);

/* Offer the node to the next placements, or withhold it. O(levels) when
 * it changes, nothing when it does not. RET -1 (EINVAL) for a bad node. */
extern int tp_live_offer(tp_live_t *live, int node, bool offered);

/*
 * Read the touched nodes and bring the state up to date.
 * RET the number of nodes read, or -1 with err when a reading does not
 * fit its node (that node is then taken as fully used, so that no
 * placement lands on counts that cannot be right).
 */
extern int tp_live_sync(tp_live_t *live, tp_usage_read_t read, void *arg,
			tp_error_t *err);

/* The state placements run on (valid after a sync). */
extern const tp_state_t *tp_live_state(const tp_live_t *live);

/*
 * Compare every node of the state with a fresh reading (a recount), for
 * debugging the events that drive tp_live_touch().
 * RET the number of nodes that differ; err names the first.
 */
extern int tp_live_check(const tp_live_t *live, tp_usage_read_t read,
			 void *arg, tp_error_t *err);

/*****************************************************************************\
 *  Placement
\*****************************************************************************/

/*
 * A request. Either nodes x gpus_per_node (total_gpus == 0), or total_gpus
 * spread over min_nodes..max_nodes nodes (gpus_per_node ignored).
 */
typedef struct {
	int nodes;		/* node count (per-node form); min for total */
	int max_nodes;		/* total form: 0 = no limit */
	int gpus_per_node;	/* per-node form; 0 = no GPU needed */
	int total_gpus;		/* > 0 selects the total form */
	int max_leaves;		/* like --switches; 0 = no limit */
	bool exclusive;		/* whole nodes, no sharing */
	bool use_reserved;	/* may use TP_NODE_RESERVED nodes */
	const char *gpu_type;	/* NULL = any */
	const uint8_t *usable;	/* optional per-node mask (1 = may use) */
} tp_request_t;

/* Lexicographic quality of a placement; lower is better. */
typedef struct {
	int top_level;			/* highest level crossed */
	int blocks[TP_MAX_LEVELS];	/* blocks used at each level */
} tp_score_t;

typedef struct {
	int count;	/* nodes chosen */
	int *node;	/* node indices, in placement order */
	int *gpus;	/* GPUs taken on each */
	tp_score_t score;
} tp_placement_t;

typedef enum {
	TP_POLICY_TOPOPACK = 0,	/* optimal compactness, then best fit */
	TP_POLICY_SLURM_TREE,	/* model of Slurm 22.05 cons_tres + tree */
	TP_POLICY_FIRST_FIT,	/* first nodes in index order */
} tp_policy_t;

extern const char *tp_policy_name(tp_policy_t policy);
/* RET policy for "topopack", "slurm-tree" or "first-fit", or -1. */
extern int tp_policy_parse(const char *name);

/*
 * Choose nodes for a request in the given state (which is not changed).
 * OUT out - filled on success; free with tp_placement_clear().
 * RET 0, or -1 with err set when the request cannot be placed now
 * (errno EAGAIN) or is malformed (EINVAL).
 */
extern int tp_place(const tp_state_t *state, tp_policy_t policy,
		    const tp_request_t *req, tp_placement_t *out,
		    tp_error_t *err);

/* Commit / undo a placement on the state. */
extern int tp_state_apply(tp_state_t *state, const tp_placement_t *p,
			  bool exclusive);
extern int tp_state_unapply(tp_state_t *state, const tp_placement_t *p,
			    bool exclusive);

extern void tp_placement_clear(tp_placement_t *p);

/* RET <0, 0, >0 as a is better than, equal to, worse than b. */
extern int tp_score_cmp(const tp_score_t *a, const tp_score_t *b);

/*****************************************************************************\
 *  Metrics of a placement
\*****************************************************************************/

/*
 * Locality and predicted collective speed of a placement. The model is
 * described in topopack(7), PLACEMENT QUALITY.
 */
typedef struct {
	int nodes;
	int gpus;
	int leaves;		/* leaf switches spanned */
	int domains;		/* NVLink domains spanned */
	int max_hops;		/* worst pair of GPUs */
	double mean_hops;	/* over all pairs of GPUs */
	double busbw_gbs;	/* predicted ring all-reduce bus bandwidth
				 * per GPU, GB/s (gigabytes per second);
				 * 0 for fewer than 2 GPUs */
	double efficiency;	/* busbw over the best any placement of
				 * the same shape gets on the empty
				 * fabric, in [0, 1]; 1 for fewer than 2
				 * GPUs */
} tp_metrics_t;

/*
 * Measure a placement.
 * IN state - allocation state; only its fabric is read: the figures do
 *	not depend on what else runs
 * IN p - the placement (nodes of the state's fabric)
 * OUT out - the figures; zeroed on failure. efficiency compares with the
 *	same shape: as many nodes, holding the same GPU counts (a node
 *	without GPUs is left out of the shape), on any nodes of the fabric,
 *	every node up and idle. That best is searched for once per shape and
 *	kept in the fabric (thread-safe). It is exact, except where the
 *	search would take too long (shapes of hundreds of nodes, above all
 *	with several GPU counts, on hundreds of leaves) and with NVLink
 *	domains slower than the NICs whose nodes hang under several leaves:
 *	there it may be set too high, and efficiency, still <= 1, may read
 *	below 1 for the best placement.
 * RET 0, or -1 with errno EINVAL (p is NULL or its count negative) or
 *	ENOMEM
 */
extern int tp_metrics(const tp_state_t *state, const tp_placement_t *p,
		      tp_metrics_t *out);

/*****************************************************************************\
 *  Preemption planning
\*****************************************************************************/

/*
 * A job that saves a checkpoint every N seconds says so with this job
 * control variable (set by the SPANK option --topopack-checkpoint=N): a
 * preemption then loses only the time since its last checkpoint.
 */
#define TP_CHECKPOINT_ENV "TOPOPACK_CHECKPOINT_SECONDS"

/*
 * A job that asks to be recovered in place when one of its nodes fails
 * (SPANK option --topopack-recover) has this job control variable set to
 * "1": select/topopack then keeps its surviving nodes while it is
 * requeued and places it back on them.
 */
#define TP_RECOVER_ENV "TOPOPACK_RECOVER"

/* The longest checkpoint interval a job may declare: a year. */
#define TP_CHECKPOINT_MAX (366L * 24 * 3600)

/*
 * Read a checkpoint interval: whole decimal seconds, 1..TP_CHECKPOINT_MAX,
 * nothing else (no sign, blank, fraction, exponent, "nan" or "inf").
 * RET the seconds, or -1 with errno EINVAL (not a number of that form)
 * or ERANGE (0 or above the maximum).
 */
extern long tp_checkpoint_parse(const char *text);

/* Work a job loses when stopped after running run_seconds, checkpointing
 * every interval seconds (0: never). */
extern double tp_lost_seconds(double run_seconds, double interval);

/* A running job that could be preempted for the request. */
typedef struct {
	uint32_t id;		/* the caller's job id */
	int nnodes;
	const int *node;	/* nodes it holds */
	const int *gpus;	/* GPUs it holds on each */
	bool exclusive;		/* holds its nodes whole */
	uint32_t priority;	/* higher: preempted later */
	double run_seconds;	/* work lost if preempted: time since its
				 * start or last checkpoint */
	bool preemptable;	/* false: may not be preempted */
} tp_victim_t;

typedef struct {
	int count;		/* jobs to preempt */
	uint32_t *id;		/* their ids */
	double lost_gpu_seconds;	/* sum of GPUs x run_seconds */
	tp_placement_t placement;	/* where the request then goes */
	bool cut;		/* the time budget ran out first: the plan is
				 * as compact as any, but may lose more work
				 * than the best */
} tp_preempt_plan_t;

/* The time budget of tp_preempt_plan(), in seconds: slurmctld holds its
 * locks while the plan is made. */
#define TP_PREEMPT_BUDGET 0.040

/*
 * Choose which running jobs to preempt so that the request gets the most
 * compact placement any choice can give (the order of tp_place()), then
 * loses the least work (GPU-seconds), then preempts the fewest jobs, then
 * spares the higher priorities. The state s holds the victims' GPUs.
 * A plan with no victim is returned when preempting cannot do better
 * than placing now.
 * IN budget_seconds - time for the search, from the call: once it has
 *	run out, the cheapest plan found by then is returned with plan->cut
 *	set (with 0, the most compact placement with the cheapest jobs on
 *	each of its nodes); negative or NaN: no limit
 * OUT plan - free with tp_preempt_plan_clear()
 * RET 0, or -1 with err (errno EAGAIN: no plan places the request,
 *	EINVAL: the jobs do not match the state, ENOMEM: out of memory)
 */
extern int tp_preempt_plan_within(const tp_state_t *s,
				  const tp_request_t *req,
				  const tp_victim_t *victims, int nvictims,
				  double budget_seconds,
				  tp_preempt_plan_t *plan, tp_error_t *err);

/* tp_preempt_plan_within() with the budget TP_PREEMPT_BUDGET. */
extern int tp_preempt_plan(const tp_state_t *s, const tp_request_t *req,
			   const tp_victim_t *victims, int nvictims,
			   tp_preempt_plan_t *plan, tp_error_t *err);
extern void tp_preempt_plan_clear(tp_preempt_plan_t *plan);

/*
 * Preemptions carried out, as slurmctld counts them in its
 * StateSaveLocation (TP_PREEMPT_TALLY_FILE) across restarts, for
 * topopack-status to export. The file is text:
 *
 *   topopack_preempt_state 1
 *   preemptions N
 *   preempted_jobs N
 *   lost_gpu_seconds N
 */
#define TP_PREEMPT_TALLY_FILE "topopack_preempt_state"

typedef struct {
	uint64_t preemptions;	/* plans carried out */
	uint64_t preempted_jobs;	/* jobs those plans preempted */
	uint64_t lost_gpu_seconds;	/* their lost work, each plan's
					 * rounded to whole GPU-seconds as
					 * slurmctld logs it */
} tp_preempt_tally_t;

/*
 * Read a tally file.
 * OUT t - the counts; all 0 when the file does not exist (nothing has
 *	been preempted yet)
 * RET 0, or -1 with err ("path:line: problem", or the system error) and
 *	errno; t is then unchanged
 */
extern int tp_preempt_tally_read(const char *path, tp_preempt_tally_t *t,
				 tp_error_t *err);

/*
 * Write a tally file atomically: a temporary file beside it, flushed to
 * disk, then renamed over it, so a reader or a crash sees the old counts
 * or the new ones, never part of a file.
 * RET 0, or -1 with err and errno; the old file is then unchanged
 */
extern int tp_preempt_tally_write(const char *path,
				  const tp_preempt_tally_t *t,
				  tp_error_t *err);

/* Add one carried-out plan of jobs victims losing lost_gpu_seconds. */
extern void tp_preempt_tally_add(tp_preempt_tally_t *t, int jobs,
				 double lost_gpu_seconds);

#endif /* _TOPOPACK_H */
