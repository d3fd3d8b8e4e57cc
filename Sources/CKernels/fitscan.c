// Best fit's leaf scan (`Engine.fitSearch` in BestFit.swift) in C: the same operations, in the
// same order, as `Engine.power` (CloudSim's SPECpower interpolation) and the (exact increase, id)
// comparison, so the chosen host and its increase are bit-identical. C because clang keeps the
// loop's best pair in registers and selects it without branches, where the Swift loop spilled it
// and branched on every tie (ties are frequent and their order by id is random): the scan takes
// 27 % fewer cycles (rdtsc, 30 k VMs).
#include "CKernels.h"
#include <math.h>

// No fused multiply-add: every product is rounded before it is added, as in the Swift code.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

_Static_assert(sizeof(yunhe_fit_slot) == 48, "a FitSlot is 48 bytes");

/// `Engine.powerNearPoint`: the power at a utilisation u within 10⁻⁶ of a tenth (rare), a
/// table value when u is a tenth (`Engine.isMultipleOfTenth`), else the interpolation.
static double near_point_power(const double *table, const double *slopes, const double *tenths, double u) {
  double scaled = u * 10;
  long lower = (long)scaled;
  double fraction = scaled - (double)lower;
  int multiple;
  if (u >= 0 && u <= 2) {
    double k = round(u / 0.1);
    multiple = fma(k, 0.1, -u) == 0;
  } else {
    multiple = fmod(u, 0.1) == 0;
  }
  if (multiple) return table[(long)scaled];
  double p1 = table[lower];
  if (!(fraction > 0)) return p1;
  return p1 + slopes[lower] * (u - tenths[lower]) * 100;
}

void yunhe_fit_scan(const yunhe_fit_slot *slots, long n, double request, double capacity, double floor,
                    double limit, const double *table, const double *slopes, const double *tenths,
                    double *best_increase, long *best_host) {
  double best = *best_increase;
  long best_h = *best_host;
  for (long i = 0; i < n; i++) {
    const yunhe_fit_slot *s = slots + i;
    // Keys ascend: no later slot can do better than the best so far.
    if (s->key + floor > best) break;
    if (!(s->score < limit && s->free >= request)) continue;
    double u = (s->planned + request) / capacity;
    if (!(u <= 1)) continue;
    double scaled = u * 10;
    long lower = (long)scaled;
    double fraction = scaled - (double)lower;
    double power;
    if (__builtin_expect(fraction < 1e-6 || fraction > 1 - 1e-6, 0)) {
      power = near_point_power(table, slopes, tenths, u);
    } else {
      power = table[lower] + slopes[lower] * (u - tenths[lower]) * 100;
    }
    double e = power - s->current;
    long h = s->host;
    int better = (e < best) | ((e == best) & (h < best_h));
    best = better ? e : best;
    best_h = better ? h : best_h;
  }
  *best_increase = best;
  *best_host = best_h;
}
