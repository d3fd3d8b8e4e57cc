/// How a server's electrical power grows with CPU utilisation.
public enum PowerCurve: Hashable, Sendable {
  /// Linear between idle power (0 % CPU) and maximum power (100 % CPU), in watts.
  case linear(idleWatts: Double, maxWatts: Double)
  /// Eleven measured points at 0 %, 10 %, …, 100 % CPU (SPECpower style), in watts;
  /// linear interpolation between points.
  case table([Double])

  /// Power in watts at a CPU utilisation in [0, 1]; values outside are clamped.
  public func watts(atUtilisation u: Double) -> Double {
    let x = u.isNaN ? 0 : Swift.min(Swift.max(u, 0), 1)
    switch self {
    case .linear(let idle, let max):
      return idle + (max - idle) * x
    case .table(let points):
      let position = x * Double(points.count - 1)
      let lower = Swift.min(Int(position), points.count - 2)
      let fraction = position - Double(lower)
      return points[lower] + (points[lower + 1] - points[lower]) * fraction
    }
  }

  /// Power of a switched-on, idle server.
  public var idleWatts: Double { watts(atUtilisation: 0) }

  /// Power at full load; used as the nameplate figure for cabinet power budgets.
  public var maxWatts: Double { watts(atUtilisation: 1) }

  /// Problems with the curve, in words; empty when valid.
  public var problems: [String] {
    switch self {
    case .linear(let idle, let max):
      var p: [String] = []
      if !(idle.isFinite && idle >= 0) { p.append("idle power must be a non-negative number, got \(idle)") }
      if !(max.isFinite && max > 0) { p.append("maximum power must be a positive number, got \(max)") }
      if idle.isFinite && max.isFinite && idle > max {
        p.append("idle power (\(idle) W) exceeds maximum power (\(max) W)")
      }
      return p
    case .table(let points):
      if points.count != 11 {
        return ["a power table needs 11 points (0 %, 10 %, …, 100 %), got \(points.count)"]
      }
      if let bad = points.first(where: { !($0.isFinite && $0 >= 0) }) {
        return ["power table values must be non-negative numbers, got \(bad)"]
      }
      for i in 1..<points.count where points[i] < points[i - 1] {
        return ["power table must not decrease (point \(i) is \(points[i]) W after \(points[i - 1]) W)"]
      }
      return []
    }
  }
}
