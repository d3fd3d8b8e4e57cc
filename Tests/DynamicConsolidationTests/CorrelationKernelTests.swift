import CKernels
import Foundation
import Testing

@testable import DynamicConsolidation

/// MC's shared-prefix regression kernel against the reference (`OLS.rSquared`, one regression at
/// a time as commons-math): the same bits, or nil together, on random and degenerate histories,
/// for the build the processor gets (AVX2 where it has it) and for the baseline x86-64 build.
@Suite struct CorrelationKernelTests {
  /// The reference: regression i of column i on [1, the other columns in order]; nil if any is.
  func reference(_ data: [[Double]]) -> [Double]? {
    let m = data[0].count
    var result: [Double] = []
    for i in data.indices {
      var columns: [[Double]] = [[Double](repeating: 1, count: m)]
      for j in data.indices where j != i { columns.append(data[j]) }
      guard let r2 = OLS.rSquared(columns: columns, y: data[i]) else { return nil }
      result.append(r2)
    }
    return result
  }

  func kernel(_ data: [[Double]]) -> [Double]? {
    let n = data.count
    let m = data[0].count
    var flat = data.flatMap { $0 }
    var work = [Double](repeating: 0, count: OLS.workspaceSize(n: n, m: m))
    return flat.withUnsafeMutableBufferPointer { d in
      work.withUnsafeMutableBufferPointer { w in
        OLS.allRSquared(data: d.baseAddress!, n: n, m: m, workspace: w.baseAddress!)
      }
    }
  }

  /// The kernel's baseline x86-64 build, called directly.
  func baselineKernel(_ data: [[Double]]) -> [Double]? {
    let n = data.count
    let m = data[0].count
    var flat = data.flatMap { $0 }
    var work = [Double](repeating: 0, count: OLS.workspaceSize(n: n, m: m))
    var result = [Double](repeating: 0, count: n)
    let regular = flat.withUnsafeMutableBufferPointer { d in
      work.withUnsafeMutableBufferPointer { w in
        result.withUnsafeMutableBufferPointer { r in
          yunhe_all_r_squared_baseline(d.baseAddress!, n, m, w.baseAddress!, r.baseAddress!)
        }
      }
    }
    return regular != 0 ? result : nil
  }

  func sameBits(_ a: [Double]?, _ b: [Double]?) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    return a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
  }

  /// A small deterministic generator (the test needs no statistical quality).
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  }

  @Test func sharedPrefixKernelGivesTheReferenceBits() {
    var g = Generator(state: 42)
    var compared = 0
    var singular = 0
    for trial in 0..<3000 {
      let n = 2 + g.below(12)
      let m = n + g.below(31 - n)
      var data: [[Double]] = []
      for _ in 0..<n {
        // PlanetLab-like histories: utilisation × MIPS / host MIPS from integer percentages,
        // often constant or zero, sometimes a copy of another column.
        let kind = g.below(10)
        var column: [Double]
        switch kind {
        case 0: column = [Double](repeating: 0, count: m)
        case 1: column = [Double](repeating: Double(g.below(100)) / 100, count: m)
        case 2 where !data.isEmpty: column = data[g.below(data.count)]
        case 3 where !data.isEmpty:
          let other = data[g.below(data.count)]
          column = other.map { $0 * 2 }
        default:
          let scale = [2500.0, 2000, 1000, 500][g.below(4)] / [3720.0, 5320][g.below(2)]
          column = (0..<m).map { _ in Double(g.below(trial % 3 == 0 ? 4 : 101)) / 100 * scale }
        }
        data.append(column)
      }
      let expected = reference(data)
      let got = kernel(data)
      #expect(sameBits(expected, got), "trial \(trial): n \(n) m \(m)")
      #expect(sameBits(expected, baselineKernel(data)), "baseline build, trial \(trial): n \(n) m \(m)")
      compared += 1
      if expected == nil { singular += 1 }
    }
    // Both outcomes are exercised.
    #expect(singular > 100 && singular < compared - 100)
  }
}
