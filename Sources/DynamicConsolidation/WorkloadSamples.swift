import Foundation

/// `Double(p) / 100` for p in 0…100: the value of a byte-stored sample, bit-identical to the
/// double the reader or generator computed. Allocated once, never freed or written after.
nonisolated(unsafe) let percentFractions: UnsafePointer<Double> = {
  let table = UnsafeMutablePointer<Double>.allocate(capacity: 101)
  for p in 0...100 { table[p] = Double(p) / 100 }
  return UnsafePointer(table)
}()

/// A workload's utilisation samples, `samplesPerVM` per VM, in one of two layouts; the
/// initialisers pick bytes whenever every value qualifies.
enum WorkloadSamples: Sendable {
  /// Whole percents p (the value is exactly `Double(p) / 100`, 0 ≤ p ≤ 100), time-major: sample
  /// `k` of VM `v` at `[k * vms + v]`, so a frame reads each row sequentially. One byte a sample.
  case percents([UInt8], vms: Int)
  /// Any other values, VM-major: sample `k` of VM `v` at `[v * samplesPerVM + k]`.
  case fractions([Double])

  /// `x`'s percent when `x` is exactly `Double(p) / 100` for p in 0…100 (not −0, not NaN).
  @inline(__always) static func percent(of x: Double) -> UInt8? {
    let scaled = x * 100
    guard scaled >= 0 && scaled <= 100 else { return nil }
    // The nearest integer (half up; a value halfway between two percents is neither of them).
    let p = Int(scaled + 0.5)
    return percentFractions[p].bitPattern == x.bitPattern ? UInt8(truncatingIfNeeded: p) : nil
  }

  /// The samples of VM-major `values`, rows of `width`: bytes when every value is a whole
  /// percent (transposed to time-major in one pass, in blocks of 64 VMs so that the reads stay
  /// in cache and each row's writes are contiguous), the doubles as they are otherwise.
  init(vmMajor values: [Double], width: Int) {
    guard width > 0, values.count % width == 0 else {
      self = .fractions(values)
      return
    }
    let vms = values.count / width
    var whole = true
    let bytes = [UInt8](unsafeUninitializedCapacity: values.count) { out, initialised in
      values.withUnsafeBufferPointer { source in
        let out = out.baseAddress!
        let source = source.baseAddress!
        var first = 0
        blocks: while first < vms {
          let last = Swift.min(first + 64, vms)
          for k in 0..<width {
            for v in first..<last {
              guard let p = Self.percent(of: source[v * width + k]) else {
                whole = false
                break blocks
              }
              out[k * vms + v] = p
            }
          }
          first = last
        }
      }
      initialised = values.count
    }
    self = whole ? .percents(bytes, vms: vms) : .fractions(values)
  }

  /// The values, VM-major, rows of `width`.
  func vmMajor(width: Int) -> [Double] {
    switch self {
    case .fractions(let values): return values
    case .percents(let bytes, let vms):
      return [Double](unsafeUninitializedCapacity: bytes.count) { out, initialised in
        bytes.withUnsafeBufferPointer { source in
          for k in 0..<width {
            for v in 0..<vms { out[v * width + k] = percentFractions[Int(source[k * vms + v])] }
          }
        }
        initialised = bytes.count
      }
    }
  }

  /// The first `m` VMs (rows of `width`), in the same layout.
  func prefix(_ m: Int, width: Int) -> WorkloadSamples {
    switch self {
    case .fractions(let values): return .fractions(Array(values.prefix(m * width)))
    case .percents(let bytes, let vms):
      let m = Swift.min(m, vms)
      let copy = [UInt8](unsafeUninitializedCapacity: m * width) { out, initialised in
        bytes.withUnsafeBufferPointer { source in
          for k in 0..<width {
            (out.baseAddress! + k * m).update(from: source.baseAddress! + k * vms, count: m)
          }
        }
        initialised = m * width
      }
      return .percents(copy, vms: m)
    }
  }

  /// `parts` (rows of `widths[i]`) one after another, rows padded to `width` with their last
  /// sample: bytes when every part is bytes, doubles (picked again) otherwise.
  static func concatenating(_ parts: [WorkloadSamples], widths: [Int], width: Int) -> WorkloadSamples {
    var byteParts: [(bytes: [UInt8], vms: Int)] = []
    for part in parts {
      guard case .percents(let bytes, let vms) = part else { break }
      byteParts.append((bytes, vms))
    }
    guard byteParts.count == parts.count else {
      var values: [Double] = []
      for (part, w) in zip(parts, widths) {
        let rows = part.vmMajor(width: w)
        if w == width {
          values += rows
        } else {
          for i in 0..<(w == 0 ? 0 : rows.count / w) {
            let row = rows[(i * w)..<((i + 1) * w)]
            values += row
            values += repeatElement(row.last ?? 0, count: width - w)
          }
        }
      }
      return WorkloadSamples(vmMajor: values, width: width)
    }
    let total = byteParts.reduce(0) { $0 + $1.vms }
    let bytes = [UInt8](unsafeUninitializedCapacity: total * width) { out, initialised in
      for k in 0..<width {
        var at = out.baseAddress! + k * total
        for (part, w) in zip(byteParts, widths) where part.vms > 0 {
          // A row past the part's width repeats its last row (each VM's last sample).
          let row = Swift.min(k, w - 1)
          part.bytes.withUnsafeBufferPointer { source in
            at.update(from: source.baseAddress! + row * part.vms, count: part.vms)
          }
          at += part.vms
        }
      }
      initialised = total * width
    }
    return .percents(bytes, vms: total)
  }
}

/// A frame's two sample rows (indices k1 and k2 of every VM), read by the engine's request loop,
/// which is specialised for each conforming type.
protocol FrameSampleRows {
  /// VM `v`'s sample at k1.
  func first(_ v: Int) -> Double
  /// VM `v`'s sample at k2.
  func second(_ v: Int) -> Double
}

/// Rows k1 and k2 of the time-major percent bytes.
struct PercentRows: FrameSampleRows {
  let row1: UnsafePointer<UInt8>
  let row2: UnsafePointer<UInt8>
  let table: UnsafePointer<Double>

  @inline(__always) func first(_ v: Int) -> Double { table[Int(row1[v])] }
  @inline(__always) func second(_ v: Int) -> Double { table[Int(row2[v])] }
}

/// Samples k1 and k2 of the VM-major doubles: VM `v`'s at `[v * stride]` from each start.
struct FractionRows: FrameSampleRows {
  let start1: UnsafePointer<Double>
  let start2: UnsafePointer<Double>
  let stride: Int

  @inline(__always) func first(_ v: Int) -> Double { start1[v &* stride] }
  @inline(__always) func second(_ v: Int) -> Double { start2[v &* stride] }
}

/// A frame's rows in the workload's layout.
enum FrameRows {
  case percents(PercentRows)
  case fractions(FractionRows)
}

extension DynamicWorkload {
  /// Whether the samples are stored as whole-percent bytes (time-major).
  var storesPercents: Bool {
    if case .percents = storage { return true }
    return false
  }

  /// Sample `k` of VM `v` (one dispatch on the layout; frames use `withFrameRows`).
  @inline(__always) func sample(_ v: Int, _ k: Int) -> Double {
    switch storage {
    case .percents(let bytes, let vms): return percentFractions[Int(bytes[k * vms + v])]
    case .fractions(let values): return values[v * samplesPerVM + k]
    }
  }

  /// Calls `body` with sample rows `k1` and `k2` (< `samplesPerVM`) of VMs 0..<`count`; the
  /// pointers are valid during the call only.
  @inline(__always) func withFrameRows<R>(k1: Int, k2: Int, _ body: (FrameRows) -> R) -> R {
    precondition(k1 >= 0 && k2 >= 0 && k1 < samplesPerVM && k2 < samplesPerVM)
    switch storage {
    case .percents(let bytes, let vms):
      precondition(count <= vms)
      return bytes.withUnsafeBufferPointer { b in
        body(
          .percents(
            PercentRows(
              row1: b.baseAddress! + k1 * vms, row2: b.baseAddress! + k2 * vms, table: percentFractions)))
      }
    case .fractions(let values):
      precondition(count * samplesPerVM <= values.count)
      return values.withUnsafeBufferPointer { b in
        body(
          .fractions(
            FractionRows(start1: b.baseAddress! + k1, start2: b.baseAddress! + k2, stride: samplesPerVM)))
      }
    }
  }
}
