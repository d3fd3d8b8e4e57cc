#ifndef YUNHE_CGSL_SHIM_H
#define YUNHE_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_math.h>

/* Swift 6 rejects direct use of mutable C globals such as gsl_rng_mt19937,
   so the generator types are exposed through inline accessors. */
static inline const gsl_rng_type *yunhe_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *yunhe_rng_ranlxd2(void) { return gsl_rng_ranlxd2; }
static inline const gsl_rng_type *yunhe_rng_taus2(void) { return gsl_rng_taus2; }

/* Turns GSL's abort-on-error handler off; callers check return codes instead. */
static inline void yunhe_gsl_errors_off(void) { (void)gsl_set_error_handler_off(); }

#endif
