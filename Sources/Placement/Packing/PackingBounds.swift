import Foundation

/// Lower bounds on the number of bins.
///
/// - `l1`: max over dimensions k of ⌈Σ_i s_ik / C_k⌉.
/// - `l2`: Martello and Toth's L2 applied to each dimension separately (valid for vectors,
///   since dropping the other dimensions relaxes the problem), the maximum over dimensions; in
///   one dimension this is the classical L2 ≥ L1.
///
/// - `dff`: bounds from dual feasible functions (Fekete and Schepers' u^(k), Carlier, Clautiaux
///   and Moukrim's f_CCM^(λ), each after the threshold function U^(ε)), per dimension, for
///   instances whose sizes and capacities are whole numbers; exact integer arithmetic.
///
/// Ceilings tolerate a relative rounding error of 1e-9 (a sum of 3.000000000001 bins counts 3).
public enum PackingBounds {
  /// The number of bins the sizes alone require in the tightest dimension.
  public static func l1(_ instance: PackingInstance) -> Int {
    let d = instance.dimensions
    var sums = [Double](repeating: 0, count: d)
    instance.items.withUnsafeBufferPointer { s in
      for i in 0..<instance.count { for k in 0..<d { sums[k] += s[i * d + k] } }
    }
    var bound = 1
    for k in 0..<d { bound = Swift.max(bound, ceiling(sums[k] / instance.capacity[k])) }
    return bound
  }

  /// Martello–Toth L2, maximum over dimensions; ≥ `l1`. O(d · n log n).
  public static func l2(_ instance: PackingInstance) -> Int {
    var bound = l1(instance)
    for k in 0..<instance.dimensions {
      let sizes = (0..<instance.count).map { instance.size($0, k) }
      bound = Swift.max(bound, martelloTothL2(sizes: sizes, capacity: instance.capacity[k]))
    }
    return bound
  }

  /// The best bound this module computes: max(`l2`, `dff`). (The local search may prove a
  /// stronger one, the column-generation bound, for one-dimensional instances.)
  public static func best(_ instance: PackingInstance) -> Int { Swift.max(l2(instance), dff(instance)) }

  /// The dual-feasible-function bound, maximum over dimensions (0 when a size or capacity is
  /// not a whole number below 2^31). O(d · e · (K + Λ) · t) for t distinct sizes and e ≤ t
  /// thresholds, with K = 16 and Λ = 30 functions per threshold.
  public static func dff(_ instance: PackingInstance) -> Int {
    var bound = 0
    for k in 0..<instance.dimensions {
      let c = instance.capacity[k]
      guard c == c.rounded(.down), c < 2_147_483_648 else { continue }
      var counts: [Int: Int] = [:]
      var whole = true
      for i in 0..<instance.count {
        let s = instance.size(i, k)
        guard s == s.rounded(.down) else {
          whole = false
          break
        }
        if s > 0 { counts[Int(s), default: 0] += 1 }
      }
      guard whole else { continue }
      let sizes = counts.keys.sorted()
      bound = Swift.max(
        bound, dualFeasibleBound(sizes: sizes, counts: sizes.map { counts[$0]! }, capacity: Int(c)))
    }
    return bound
  }

  /// The dual-feasible-function bound for integer `sizes` (distinct, ascending) with
  /// multiplicities `counts` and capacity `c`: the maximum over thresholds ε ∈ {0} ∪ {sizes ≤
  /// c/2} of ⌈Σ f(U^(ε)(s)) / f(c)⌉ for f = u^(k), k = 1…16, and f = f_CCM^(λ), λ = 1…30.
  /// U^(ε) maps sizes above c − ε to c and sizes below ε to 0.
  public static func dualFeasibleBound(sizes: [Int], counts: [Int], capacity c: Int) -> Int {
    var best = 0
    var thresholds = [0]
    for s in sizes where 2 * s <= c { thresholds.append(s) }
    // At most about 2·10^7 steps: keep evenly spaced thresholds when there are many sizes.
    let affordable = Swift.max(1, 20_000_000 / (46 * Swift.max(1, sizes.count)))
    if thresholds.count > affordable {
      let step = Double(thresholds.count) / Double(affordable)
      thresholds = (0..<affordable).map { thresholds[Int(Double($0) * step)] }
    }
    for e in thresholds {
      var full = 0
      var kept: [(size: Int, count: Int)] = []
      for (s, m) in zip(sizes, counts) {
        if s > c - e { full += m } else if s >= e { kept.append((s, m)) }
      }
      // u^(k)(x) = x when (k + 1) x / c is whole, else ⌊(k + 1) x / c⌋ / k; sum = a / k + b / c.
      for k in 1...16 {
        var a = full * k
        var b = 0
        for (s, m) in kept {
          if ((k + 1) * s) % c == 0 { b += s * m } else { a += ((k + 1) * s) / c * m }
        }
        let den = k * c
        best = Swift.max(best, (a * c + b * k + den - 1) / den)
      }
      // f_CCM^(λ)(x) = 2⌊λx/c⌋ below c/2, λ at c/2, 2λ − 2⌊λ(c − x)/c⌋ above; f(c) = 2λ.
      for l in 1...30 {
        var sum = full * 2 * l
        for (s, m) in kept {
          if 2 * s < c {
            sum += 2 * ((l * s) / c) * m
          } else if 2 * s == c {
            sum += l * m
          } else {
            sum += (2 * l - 2 * ((l * (c - s)) / c)) * m
          }
        }
        best = Swift.max(best, (sum + 2 * l - 1) / (2 * l))
      }
    }
    return best
  }

  /// Martello and Toth's L2 for one dimension: the maximum over 0 ≤ α ≤ C/2 of
  /// |J1| + |J2| + max(0, ⌈(Σ J3 − (|J2| C − Σ J2)) / C⌉), with J1 = {s > C − α},
  /// J2 = {C/2 < s ≤ C − α}, J3 = {α ≤ s ≤ C/2}. Only α = 0 and the item sizes ≤ C/2 need
  /// trying. O(n log n).
  public static func martelloTothL2(sizes: [Double], capacity c: Double) -> Int {
    guard !sizes.isEmpty else { return 0 }
    let w = sizes.sorted()  // ascending
    let n = w.count
    var prefix = [Double](repeating: 0, count: n + 1)
    for i in 0..<n { prefix[i + 1] = prefix[i] + w[i] }
    // Index of the first size > c/2, and of the first size > x, by binary search.
    func firstAbove(_ x: Double) -> Int {
      var low = 0
      var high = n
      while low < high {
        let mid = (low + high) / 2
        if w[mid] > x { high = mid } else { low = mid + 1 }
      }
      return low
    }
    func firstAtLeast(_ x: Double) -> Int {
      var low = 0
      var high = n
      while low < high {
        let mid = (low + high) / 2
        if w[mid] >= x { high = mid } else { low = mid + 1 }
      }
      return low
    }
    let half = firstAbove(c / 2)  // items [half, n) are > c/2
    var best = 0
    var alphas: [Double] = [0]
    var previous = -1.0
    for x in w[..<half] where x != previous {
      alphas.append(x)
      previous = x
    }
    for alpha in alphas {
      let j1Start = firstAbove(c - alpha)  // J1 = [j1Start, n)
      let j1 = n - j1Start
      let j2 = j1Start - half
      let sumJ2 = prefix[j1Start] - prefix[half]
      let j3Start = firstAtLeast(alpha)
      let sumJ3 = prefix[half] - prefix[j3Start]
      let free = Double(j2) * c - sumJ2
      let extra = Swift.max(0, ceiling((sumJ3 - free) / c))
      best = Swift.max(best, j1 + j2 + extra)
    }
    return best
  }

  /// ⌈x⌉ tolerating a relative error of 1e-9.
  static func ceiling(_ x: Double) -> Int {
    let r = (x - 1e-9 * Swift.max(1, abs(x))).rounded(.up)
    return Int(Swift.max(0, r))
  }
}

/// What the independent feasibility check found wrong with a packing.
public struct PackingCheckFailure: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong, in words.
  public var message: String
  /// Creates a failure.
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The independent feasibility checker: recomputes every bin's load from scratch, sharing no
/// code with the packers beyond the tolerance rule (a load may exceed capacity by at most
/// capacity × 1e-9 in any dimension).
public enum PackingChecker {
  /// Checks that `bins` lists every item of `instance` exactly once, that no bin is empty and
  /// that no bin is over capacity in any dimension.
  public static func check(bins: [[Int]], of instance: PackingInstance) -> PackingCheckFailure? {
    let n = instance.count
    let d = instance.dimensions
    var seen = [Bool](repeating: false, count: n)
    for (b, bin) in bins.enumerated() {
      if bin.isEmpty { return PackingCheckFailure("bin \(b) is empty") }
      var load = [Double](repeating: 0, count: d)
      for item in bin {
        guard (0..<n).contains(item) else {
          return PackingCheckFailure("bin \(b) holds unknown item \(item)")
        }
        if seen[item] { return PackingCheckFailure("item \(item) is packed twice") }
        seen[item] = true
        for k in 0..<d { load[k] += instance.items[item * d + k] }
      }
      for k in 0..<d where !(load[k] <= instance.capacity[k] * (1 + 1e-9)) {
        return PackingCheckFailure(
          "bin \(b) is over capacity in dimension \(k + 1): load \(load[k]) > \(instance.capacity[k])")
      }
    }
    if let missing = seen.firstIndex(of: false) {
      return PackingCheckFailure("item \(missing) is not packed")
    }
    return nil
  }

  /// Checks a bin-of-item assignment: one bin in 0..<binCount per item (so every item is
  /// packed exactly once), no empty bin, no bin over capacity. O(n · d + bins · d).
  public static func check(_ packing: Packing, of instance: PackingInstance) -> PackingCheckFailure? {
    let n = instance.count
    let d = instance.dimensions
    guard packing.binOfItem.count == n else {
      return PackingCheckFailure("\(packing.binOfItem.count) assignments for \(n) items")
    }
    guard packing.binCount >= 0 else { return PackingCheckFailure("negative bin count") }
    var load = [Double](repeating: 0, count: packing.binCount * d)
    var used = [Bool](repeating: false, count: packing.binCount)
    for (item, bin) in packing.binOfItem.enumerated() {
      guard bin >= 0, Int(bin) < packing.binCount else {
        return PackingCheckFailure("item \(item) is in bin \(bin), outside 0..<\(packing.binCount)")
      }
      let b = Int(bin)
      used[b] = true
      for k in 0..<d { load[b * d + k] += instance.items[item * d + k] }
    }
    if let empty = used.firstIndex(of: false) { return PackingCheckFailure("bin \(empty) is empty") }
    for b in 0..<packing.binCount {
      for k in 0..<d where !(load[b * d + k] <= instance.capacity[k] * (1 + 1e-9)) {
        return PackingCheckFailure(
          "bin \(b) is over capacity in dimension \(k + 1): load \(load[b * d + k]) > \(instance.capacity[k])"
        )
      }
    }
    return nil
  }
}
