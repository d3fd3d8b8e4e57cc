// SimCore: the domain-free discrete-event kernel (see README.md, section Architecture).
//
// - `SimTime` / `SimDuration`: integer-millisecond clock and spans.
// - `EventQueue`: deterministic (time, priority, FIFO) priority queue with O(1) cancellation.
// - `Simulator`: single-threaded run loop over closures, with periodic sampling via `every`.
//
// It knows nothing about hosts, VMs or placement; those live in the modules above it.
