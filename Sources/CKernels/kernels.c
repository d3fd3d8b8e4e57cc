// MC's regression kernel in C: the same operations, in the same order, as the reference
// (OLS.rSquared in Optimizer.swift), so the results are bit-identical; C because Swift cannot
// compile one function for AVX2 and pick it at run time (`target_clones`).
#include "CKernels.h"
#include <math.h>

// No fused multiply-add: every product is rounded before it is added, as in the reference.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

typedef double v4d __attribute__((vector_size(32)));
typedef double v2d __attribute__((vector_size(16)));
// Unaligned views of double arrays (read and written in place; no vector crosses a call, so the
// baseline build never passes one in registers it lacks).
typedef double v4du __attribute__((vector_size(32), aligned(8), may_alias));
typedef double v2du __attribute__((vector_size(16), aligned(8), may_alias));
#define AT4(p) (*(v4du *)(p))
#define AT2(p) (*(v2du *)(p))
#define CAT4(p) (*(const v4du *)(p))

/// Householder pivot at `step` of the column at `column` (row r at column[r * stride]): returns
/// a (0 when the column is null below the diagonal) and reduces the column's `step` entry by it.
static inline double pivot(double *column, long stride, long step, long m) {
  double *top = column + step * stride;
  double norm = 0.0;
  const double *p = top;
  for (long r = step; r < m; r++) {
    double x = *p;
    norm += x * x;
    p += stride;
  }
  double a = *top > 0 ? -sqrt(norm) : sqrt(norm);
  if (a != 0) *top -= a;
  return a;
}

/// Householder step `step` with pivot column `pivot` (row r at pivot[r * pivotStride], already
/// reduced) applied to columns first..<end of the row-major matrix `base` (row r, column j at
/// base[r * width + j]), rows step..<m: alpha = −Σ column·pivot / denominator (summed in row
/// order), then column −= alpha·pivot; four columns, then two, then one at a time, each lane
/// doing its own column's operations in order.
static inline void reflect(double *base, long width, long first, long end, const double *pivot,
                           long pivotStride, long step, long m, double denominator) {
  long j = first;
  for (; j + 4 <= end; j += 4) {
    double *top = base + step * width + j;
    v4d alpha = {0, 0, 0, 0};
    double *q = top;
    const double *p = pivot + step * pivotStride;
    for (long r = step; r < m; r++) {
      v4d s = {*p, *p, *p, *p};
      alpha = alpha - AT4(q) * s;
      q += width;
      p += pivotStride;
    }
    v4d d = {denominator, denominator, denominator, denominator};
    alpha = alpha / d;
    q = top;
    p = pivot + step * pivotStride;
    for (long r = step; r < m; r++) {
      v4d s = {*p, *p, *p, *p};
      AT4(q) = AT4(q) - alpha * s;
      q += width;
      p += pivotStride;
    }
  }
  if (j + 2 <= end) {
    double *top = base + step * width + j;
    v2d alpha = {0, 0};
    double *q = top;
    const double *p = pivot + step * pivotStride;
    for (long r = step; r < m; r++) {
      v2d s = {*p, *p};
      alpha = alpha - AT2(q) * s;
      q += width;
      p += pivotStride;
    }
    v2d d = {denominator, denominator};
    alpha = alpha / d;
    q = top;
    p = pivot + step * pivotStride;
    for (long r = step; r < m; r++) {
      v2d s = {*p, *p};
      AT2(q) = AT2(q) - alpha * s;
      q += width;
      p += pivotStride;
    }
    j += 2;
  }
  if (j < end) {
    double *top = base + step * width + j;
    double alpha = 0;
    double *q = top;
    const double *p = pivot + step * pivotStride;
    for (long r = step; r < m; r++) {
      alpha -= *q * *p;
      q += width;
      p += pivotStride;
    }
    alpha /= denominator;
    q = top;
    p = pivot + step * pivotStride;
    for (long r = step; r < m; r++) {
      *q -= alpha * *p;
      q += width;
      p += pivotStride;
    }
  }
}

/// Second central moment, computed incrementally as commons-math does.
static inline double second_moment(const double *y, long m) {
  double m1 = 0, m2 = 0, count = 0;
  for (long r = 0; r < m; r++) {
    double value = y[r];
    count += 1;
    double dev = value - m1;
    double nDev = dev / count;
    m1 += nDev;
    m2 += (count - 1) * dev * nDev;
  }
  return m2;
}

static inline __attribute__((always_inline)) int all_r_squared(const double *data, long n, long m,
                                                               double *workspace, double *result) {
  double *prefix = workspace;  // m rows of n: d_j reduced by the shared pivots
  long width = n + 1;          // the tail's rows: one regression's later columns, and y
  double *tail = workspace + m * n;
  double *ones = tail + m * width;
  double *rDiag = ones + m;
  double *beta = rDiag + n;
  double *prefixDiag = beta + n;
  for (long j = 0; j < n; j++) {
    const double *from = data + j * m;
    double *to = prefix + j;
    for (long r = 0; r < m; r++) {
      *to = *from;
      from += 1;
      to += n;
    }
  }
  for (long r = 0; r < m; r++) ones[r] = 1;
  double a0 = pivot(ones, 1, 0, m);
  if (a0 == 0) return 0;
  prefixDiag[0] = a0;
  reflect(prefix, n, 0, n, ones, 1, 0, m, a0 * ones[0]);
  for (long k = 0; k < n; k++) {
    // Regression k: y = d_k (prefix column k), later columns d_{k+1}… at positions k+1….
    const double *from = prefix;
    double *to = tail;
    for (long r = 0; r < m; r++) {
      for (long j = k + 1; j < n; j++) to[j] = from[j];
      to[n] = from[k];
      from += n;
      to += width;
    }
    for (long s = 0; s <= k; s++) rDiag[s] = prefixDiag[s];
    for (long s = k + 1; s < n; s++) {
      double *ps = tail + s;
      double a = pivot(ps, width, s, m);
      if (a == 0) return 0;
      rDiag[s] = a;
      reflect(tail, width, s + 1, n + 1, ps, width, s, m, a * ps[s * width]);
    }
    double *yy = tail + n;  // y, stride width
    for (long row = n - 1; row >= 0; row--) {
      double *yAtRow = yy + row * width;
      *yAtRow /= rDiag[row];
      double yRow = *yAtRow;
      beta[row] = yRow;
      if (row == 0) break;
      const double *q;
      long qs;
      if (row <= k) {
        q = prefix + (row - 1);
        qs = n;
      } else {
        q = tail + row;
        qs = width;
      }
      double *yi = yy;
      for (long i = 0; i < row; i++) {
        *yi -= yRow * *q;
        yi += width;
        q += qs;
      }
    }
    const double *y = data + k * m;
    double ssr = 0;
    long r = 0;
    // fitted = Σ_c column_c[r]·β_c in position order, four rows at a time (each lane its row's
    // own sum in that order), then e² added row by row.
    for (; r + 4 <= m; r += 4) {
      v4d fitted = {0, 0, 0, 0};
      double b0 = 1 * beta[0];
      v4d s0 = {b0, b0, b0, b0};
      fitted = fitted + s0;
      const double *x = data + r;
      for (long c = 1; c < k + 1; c++) {
        v4d s = {beta[c], beta[c], beta[c], beta[c]};
        fitted = fitted + CAT4(x) * s;
        x += m;
      }
      x += m;
      for (long c = k + 1; c < n; c++) {
        v4d s = {beta[c], beta[c], beta[c], beta[c]};
        fitted = fitted + CAT4(x) * s;
        x += m;
      }
      v4d e = CAT4(y + r) - fitted;
      v4d e2 = e * e;
      ssr += e2[0];
      ssr += e2[1];
      ssr += e2[2];
      ssr += e2[3];
    }
    for (; r < m; r++) {
      double fitted = 0;
      fitted += 1 * beta[0];
      const double *x = data + r;
      for (long c = 1; c < k + 1; c++) {
        fitted += *x * beta[c];
        x += m;
      }
      x += m;
      for (long c = k + 1; c < n; c++) {
        fitted += *x * beta[c];
        x += m;
      }
      double e = y[r] - fitted;
      ssr += e * e;
    }
    result[k] = 1 - ssr / second_moment(y, m);
    // Advance the shared prefix: d_k becomes the pivot of step k + 1.
    if (k + 1 < n) {
      double *pk = prefix + k;
      double a = pivot(pk, n, k + 1, m);
      if (a == 0) return 0;
      prefixDiag[k + 1] = a;
      reflect(prefix, n, k + 1, n, pk, n, k + 1, m, a * pk[(k + 1) * n]);
    }
  }
  return 1;
}

// The kernel for the processor at hand: an AVX2 build where the processor has AVX2, the baseline
// build elsewhere (the loader resolves it once, through an ifunc). Other architectures get one
// build, and so do sanitizer builds: an ifunc resolver runs before the sanitizer's runtime is
// set up, and an instrumented one crashes the program at start.
#if !defined(__has_feature)
#define __has_feature(x) 0
#endif
#if defined(__x86_64__) && !__has_feature(thread_sanitizer) && !__has_feature(address_sanitizer)
__attribute__((target_clones("avx2", "default")))
#endif
int yunhe_all_r_squared(const double *data, long n, long m, double *workspace, double *result) {
  return all_r_squared(data, n, m, workspace, result);
}

int yunhe_all_r_squared_baseline(const double *data, long n, long m, double *workspace, double *result) {
  return all_r_squared(data, n, m, workspace, result);
}
