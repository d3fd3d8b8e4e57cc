#ifndef YUNHE_CKERNELS_H
#define YUNHE_CKERNELS_H

#include <stdint.h>

/// R² of every column of `data` (n columns of m values, column-major) regressed with an
/// intercept on the other columns in their order, into `result` (n values); returns 0 when one
/// of the regressions is singular, 1 otherwise. `workspace` holds (2n + 1)·m + m + 3n doubles.
/// The shared-prefix Householder kernel of `OLS.allRSquared` (see there), operation for
/// operation, so every value has the bits of the one-regression-at-a-time reference; compiled
/// twice (baseline x86-64 and AVX2, chosen at start-up by the processor), with no fused
/// multiply-add in either.
int yunhe_all_r_squared(const double *data, long n, long m, double *workspace, double *result);

/// `yunhe_all_r_squared` built for baseline x86-64 whatever the processor (tests compare it with
/// the reference too, so both builds are checked on a machine with AVX2).
int yunhe_all_r_squared_baseline(const double *data, long n, long m, double *workspace, double *result);

/// One indexed host in its best-fit leaf's contiguous run of slots (Swift's `FitSlot`): copies of
/// the host's planning state that best fit reads, so a leaf is scanned without chasing host ids.
typedef struct yunhe_fit_slot {
  /// Planned MIPS.
  double planned;
  /// Current power (W).
  double current;
  /// Free MIPS.
  double free;
  /// LR overload score (see `Engine.fitScore`), −∞ when the test cannot be skipped.
  double score;
  /// `a·planned − current` with the slope a of the leaf's own piece: a leaf's slots are kept in
  /// increasing key order, so a scan can stop at the first key whose bound exceeds the best.
  double key;
  int32_t host;
} yunhe_fit_slot;

/// Best fit's scan of one leaf: the `n` slots from `slots` (in increasing key order) for a request
/// of `request` MIPS on hosts of `capacity` MIPS with the power table, slopes and tenths
/// `table`, `slopes`, `tenths` (11 values each). Folds every slot into the least (exact increase,
/// host) in `best_increase`/`best_host`, stopping at the first slot whose key + `floor` exceeds
/// the best increase; slots whose score is not below `limit`, with less free MIPS than the
/// request or a utilisation above 1 are skipped. The operations of `Engine.power` and the
/// comparison of `Engine.findHostByScan`, bit for bit.
void yunhe_fit_scan(const yunhe_fit_slot *slots, long n, double request, double capacity, double floor,
                    double limit, const double *table, const double *slopes, const double *tenths,
                    double *best_increase, long *best_host);

#endif
