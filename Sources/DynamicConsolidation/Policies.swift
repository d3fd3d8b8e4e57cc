/// Host overload detection, each with its parameter (and the static-threshold fallback used while
/// a host's history is too short).
public enum OverloadDetection: Sendable, Hashable {
  /// Static threshold: overloaded when requested MIPS / host MIPS > threshold.
  case thr(threshold: Double)
  /// Inter-quartile range: threshold 1 − s·IQR of the host history (≥ 12 values).
  case iqr(safety: Double, fallback: Double)
  /// Median absolute deviation: threshold 1 − s·MAD of the host history (≥ 12 values).
  case mad(safety: Double, fallback: Double)
  /// Local regression on the last 10 history values; overloaded when s·prediction ≥ 1.
  case lr(safety: Double, fallback: Double)
  /// Robust local regression on the last 10 history values; overloaded when s·prediction ≥ 1.
  /// In compat mode identical to `lr` (CloudSim 3.0.3 never applies its weights); in the default
  /// mode the robust loess the policy intends (`LocalRegression.robustEstimates`).
  case lrr(safety: Double, fallback: Double)

  /// Short name.
  public var name: String {
    switch self {
    case .thr: return "thr"
    case .iqr: return "iqr"
    case .mad: return "mad"
    case .lr: return "lr"
    case .lrr: return "lrr"
    }
  }

  /// The policy's parameter.
  public var parameter: Double {
    switch self {
    case .thr(let t): return t
    case .iqr(let s, _), .mad(let s, _), .lr(let s, _), .lrr(let s, _): return s
    }
  }
}

/// Which VM leaves an overloaded host.
public enum VMSelection: String, Sendable, Hashable, CaseIterable {
  /// Minimum migration time: smallest RAM.
  case mmt
  /// Maximum correlation: highest R² of its history against the others' (fallback MMT).
  case mc
  /// Minimum utilisation.
  case mu
  /// Random selection, from its own seeded stream.
  case rs
}

/// A named, parameterised consolidation policy.
public struct DynamicPolicy: Sendable, Hashable {
  /// What the policy does.
  public enum Kind: Sendable, Hashable {
    /// Non-power-aware: first fit, every host at full power, no migrations.
    case nonPowerAware
    /// DVFS: first fit, power follows load (idle-and-empty hosts off), no migrations.
    case dvfs
    /// Overload detection + VM selection + power-aware best-fit-decreasing + underload consolidation.
    case migration(OverloadDetection, VMSelection)
  }

  /// Name (as in the CloudSim examples: `ThrMmt`, `LrRs`, …).
  public var name: String
  /// What it does.
  public var kind: Kind

  /// Creates a policy.
  public init(name: String, kind: Kind) {
    self.name = name
    self.kind = kind
  }

  /// The nine CloudSim 3.0.3 examples, in the baseline's order.
  public static let cloudSimExamples: [DynamicPolicy] = [
    DynamicPolicy(name: "NonPowerAware", kind: .nonPowerAware),
    DynamicPolicy(name: "Dvfs", kind: .dvfs),
    DynamicPolicy(name: "ThrMmt", kind: .migration(.thr(threshold: 0.8), .mmt)),
    DynamicPolicy(name: "IqrMmt", kind: .migration(.iqr(safety: 1.5, fallback: 0.7), .mmt)),
    DynamicPolicy(name: "MadMmt", kind: .migration(.mad(safety: 2.5, fallback: 0.7), .mmt)),
    DynamicPolicy(name: "LrMmt", kind: .migration(.lr(safety: 1.2, fallback: 0.7), .mmt)),
    DynamicPolicy(name: "LrrMmt", kind: .migration(.lrr(safety: 1.2, fallback: 0.7), .mmt)),
    DynamicPolicy(name: "LrMc", kind: .migration(.lr(safety: 1.2, fallback: 0.7), .mc)),
    DynamicPolicy(name: "LrRs", kind: .migration(.lr(safety: 1.2, fallback: 0.7), .rs)),
  ]

  /// Looks a policy up by name: an example name (`ThrMmt`, `npa`, `dvfs`, case-insensitive) or
  /// `<detection>[:<parameter>]-<selection>` such as `thr:0.9-mu` or `mad-rs`; nil for anything
  /// else, including a parameter that is not a finite number ≥ 0.
  public static func named(_ name: String) -> DynamicPolicy? {
    let lower = name.lowercased()
    if lower == "npa" { return cloudSimExamples[0] }
    if let p = cloudSimExamples.first(where: { $0.name.lowercased() == lower }) { return p }
    let parts = lower.split(separator: "-", maxSplits: 1).map(String.init)
    guard parts.count == 2, let selection = VMSelection(rawValue: parts[1]) else { return nil }
    let head = parts[0].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    let parameter = head.count > 1 ? Double(head[1]) : nil
    if head.count > 2 || (head.count > 1 && !(parameter.map { $0.isFinite && $0 >= 0 } ?? false)) {
      return nil
    }
    let detection: OverloadDetection
    switch head[0] {
    case "thr": detection = .thr(threshold: parameter ?? 0.8)
    case "iqr": detection = .iqr(safety: parameter ?? 1.5, fallback: 0.7)
    case "mad": detection = .mad(safety: parameter ?? 2.5, fallback: 0.7)
    case "lr": detection = .lr(safety: parameter ?? 1.2, fallback: 0.7)
    case "lrr": detection = .lrr(safety: parameter ?? 1.2, fallback: 0.7)
    default: return nil
    }
    return DynamicPolicy(name: name, kind: .migration(detection, selection))
  }
}

/// The local linear regression behind LR and LRR: utilisation values `y` in chronological order
/// at x = 1…n, the prediction then taken beyond the newest point.
///
/// CloudSim 3.0.3 means both to be loess fits (Beloglazov & Buyya 2012): tricube neighbourhood
/// weights centred on the newest point and, for LRR, a bisquare robustness step that down-weights
/// outliers (Cleveland 1979). Its `MathUtil` computes the reciprocals of those weights (all ≥ 1)
/// and applies them only when at least 40 % are ≤ 0, which never happens, so both policies fit
/// plain least squares and LRR equals LR. Compat mode keeps that; the default mode fits LRR with
/// `robustEstimates`, the weighting the class intends. LR stays unweighted in both modes.
public enum LocalRegression {
  /// Intercept and slope of a fit.
  public typealias Estimates = (intercept: Double, slope: Double)

  /// Tricube weight of point `i` (0-based, oldest first) of `n`: T(d/h) = (1 − (d/h)³)³ with d
  /// the distance to the newest point and bandwidth h = n − 1. The oldest point would get 0, so
  /// the two oldest take the third's weight, as in CloudSim's (and OpenStack Neat's) tricube
  /// weights. Every weight is 1 when `n` < 3.
  public static func tricubeWeight(_ i: Int, of n: Int) -> Double {
    guard n >= 3 else { return 1 }
    let u = Double(n - 1 - Swift.max(i, 2)) / Double(n - 1)
    let k = 1 - u * u * u
    return k * k * k
  }

  /// Bisquare weight B(u) = (1 − u²)² for |u| < 1, else 0.
  public static func bisquare(_ u: Double) -> Double {
    guard abs(u) < 1 else { return 0 }
    let k = 1 - u * u
    return k * k
  }

  /// Weighted least squares of `y` on x = 1…n (minimising Σ wᵢ(yᵢ − a − b·xᵢ)²), by centred
  /// sums; nil when the weighted design is singular (no weight, or all of it on one x).
  public static func weightedFit(_ y: UnsafeBufferPointer<Double>, weights w: UnsafeBufferPointer<Double>)
    -> Estimates?
  {
    precondition(y.count == w.count)
    var sw = 0.0
    var sx = 0.0
    var sy = 0.0
    for i in 0..<y.count {
      sw += w[i]
      sx += w[i] * Double(i + 1)
      sy += w[i] * y[i]
    }
    guard sw > 0 else { return nil }
    let mx = sx / sw
    let my = sy / sw
    var sxx = 0.0
    var sxy = 0.0
    for i in 0..<y.count {
      let dx = Double(i + 1) - mx
      sxx += w[i] * dx * dx
      sxy += w[i] * dx * (y[i] - my)
    }
    guard sxx > 0, sxx.isFinite, sxy.isFinite else { return nil }
    let slope = sxy / sxx
    return (my - slope * mx, slope)
  }

  /// Robust loess estimates of `y` (chronological, x = 1…n): a tricube-weighted fit, then
  /// `iterations` robustness steps, each refitting with tricube × B(rᵢ / 6s) weights, where rᵢ
  /// are the previous fit's residuals and s their median absolute value. The steps stop early
  /// when 6s ≤ 10⁻⁷ · mean |y| (the fit already passes through most points, and the residuals are
  /// round-off), and a step whose weighted design is singular keeps the previous fit, as CloudSim
  /// falls back to the tricube fit when the robust one is NaN. One step is the computation
  /// CloudSim's `getRobustLoessParameterEstimates` intends; Cleveland (1979) suggests two.
  public static func robustEstimates<C: RandomAccessCollection>(_ y: C, iterations: Int = 1) -> Estimates
  where C.Element == Double {
    let n = y.count
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(3 * n, 1)) { buffer in
      let base = buffer.baseAddress!
      let values = UnsafeMutableBufferPointer(start: base, count: n)
      let weights = UnsafeMutableBufferPointer(start: base + n, count: n)
      var work = UnsafeMutableBufferPointer(start: base + 2 * n, count: n)
      var meanAbs = 0.0
      for (i, v) in y.enumerated() {
        values[i] = v
        meanAbs += abs(v)
      }
      meanAbs /= Double(Swift.max(n, 1))
      for i in 0..<n { weights[i] = tricubeWeight(i, of: n) }
      guard var fit = weightedFit(UnsafeBufferPointer(values), weights: UnsafeBufferPointer(weights)) else {
        return ordinaryFit(UnsafeBufferPointer(values))
      }
      for _ in 0..<Swift.max(iterations, 0) {
        // |rᵢ| into `weights` (B is even), a sorted copy in `work` for the median.
        for i in 0..<n {
          weights[i] = abs(values[i] - (fit.intercept + fit.slope * Double(i + 1)))
          work[i] = weights[i]
        }
        work.sort()
        let median = n % 2 == 1 ? work[n / 2] : (work[n / 2 - 1] + work[n / 2]) / 2
        let scale = 6 * median
        guard scale > 1e-7 * meanAbs, scale > 0 else { break }
        for i in 0..<n { weights[i] = tricubeWeight(i, of: n) * bisquare(weights[i] / scale) }
        guard let next = weightedFit(UnsafeBufferPointer(values), weights: UnsafeBufferPointer(weights))
        else { break }
        fit = next
      }
      return fit
    }
  }

  /// Unweighted least squares (every weight 1); (mean, 0) when n < 2.
  static func ordinaryFit(_ y: UnsafeBufferPointer<Double>) -> Estimates {
    let ones = [Double](repeating: 1, count: y.count)
    return ones.withUnsafeBufferPointer { w in
      weightedFit(y, weights: w) ?? (y.isEmpty ? 0 : y.reduce(0, +) / Double(y.count), 0)
    }
  }
}
