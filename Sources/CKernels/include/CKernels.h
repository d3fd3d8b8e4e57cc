#ifndef YUNHE_CKERNELS_H
#define YUNHE_CKERNELS_H

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

#endif
