// Placement module: VM placement policies for pool hosts.
//
// A policy is a pure function of a read-only `ClusterSnapshot` and a `PlacementRequest` that
// returns a `PlacementDecision` (place / open a host / reject / defer). Policies are looked up by
// name in a `PlacementRegistry` so that a scenario can choose one; `BatchPlacer` drives a policy
// over a batch of requests (one migration wave).
//
// Determinism rules for every policy in this module:
// - hosts are scanned in increasing `HostState.index` order and ties go to the lowest index;
// - orderings are total (input-order invariant) and never depend on Dictionary/Set iteration.
