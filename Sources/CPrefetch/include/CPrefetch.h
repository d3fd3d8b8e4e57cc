#ifndef YUNHE_CPREFETCH_H
#define YUNHE_CPREFETCH_H

/// Asks the processor to bring the cache line holding `address` closer (a hint: no fault, no
/// effect on results). Swift has no prefetch of its own; the dynamic engine uses this to start
/// the cache misses of the next VMs' histories while best fit searches for the current one.
static inline void yunhe_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
