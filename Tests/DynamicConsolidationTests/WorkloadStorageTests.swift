import Foundation
import Testing

@testable import DynamicConsolidation

/// The workload's sample storage: whole-percent workloads as time-major bytes that read back as
/// the very doubles of the double storage, everything else on doubles, and runs that do not
/// depend on the storage.
@Suite struct WorkloadStorageTests {
  /// FNV-1a over the samples' bit patterns, VM-major.
  func hash(_ samples: [Double]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in samples { h = (h ^ x.bitPattern) &* 0x0000_0100_0000_01b3 }
    return h
  }

  /// The same workload forced onto VM-major doubles.
  func onDoubles(_ w: DynamicWorkload) -> DynamicWorkload {
    DynamicWorkload(
      names: w.names, samplesPerVM: w.samplesPerVM, storage: .fractions(w.samples),
      intervalSeconds: w.intervalSeconds)
  }

  func same(_ a: DynamicWorkload, _ b: DynamicWorkload) -> Bool {
    a.names == b.names && a.samplesPerVM == b.samplesPerVM && a.intervalSeconds == b.intervalSeconds
      && a.samples.map(\.bitPattern) == b.samples.map(\.bitPattern)
  }

  /// Every read path (materialised samples, `sample`, a frame's rows) gives the same bits.
  func readsAgree(_ w: DynamicWorkload) -> Bool {
    let samples = w.samples
    var ok = samples.count == w.count * w.samplesPerVM
    for k in 0..<w.samplesPerVM {
      let k2 = Swift.min(k + 1, w.samplesPerVM - 1)
      w.withFrameRows(k1: k, k2: k2) { rows in
        for v in 0..<w.count {
          let expected = (samples[v * w.samplesPerVM + k], samples[v * w.samplesPerVM + k2])
          let got: (Double, Double)
          switch rows {
          case .percents(let r): got = (r.first(v), r.second(v))
          case .fractions(let r): got = (r.first(v), r.second(v))
          }
          ok = ok && got.0.bitPattern == expected.0.bitPattern && got.1.bitPattern == expected.1.bitPattern
          ok = ok && w.sample(v, k).bitPattern == expected.0.bitPattern
        }
      }
    }
    return ok
  }

  /// The generator writes bytes; they read back as the doubles the generator wrote before it
  /// stored bytes (hashes of that version's output), by every read path.
  @Test func syntheticBytesReadBackBitIdentically() {
    for (vms, days, seed, width, expected) in [
      (300, 1.0, UInt64(1), 289, UInt64(0xc6c4_0355_4c2d_6c4f)), (70, 0.5, 7, 145, 0xf1d7_bdb9_d264_a5dc),
    ] {
      let w = SyntheticWorkload(vms: vms, days: days, seed: seed).generate()
      #expect(w.storesPercents)
      #expect(w.count == vms && w.samplesPerVM == width)
      #expect(hash(w.samples) == expected)
      #expect(readsAgree(w))
      // Picking the storage from the doubles gives the same bytes.
      let again = DynamicWorkload(names: w.names, samplesPerVM: w.samplesPerVM, samples: w.samples)
      #expect(again.storesPercents && same(again, w))
      if case .percents(let a, _) = again.storage, case .percents(let b, _) = w.storage { #expect(a == b) }
      #expect(readsAgree(onDoubles(w)))
    }
    // Blocks of 64 VMs: counts around block and part edges, and no VMs.
    let large = SyntheticWorkload(vms: 200, days: 0.2, seed: 3).generate()
    for n in [0, 1, 63, 64, 65, 129, 200] {
      let w = SyntheticWorkload(vms: 200, days: 0.2, seed: 3).generate(vms: n)
      #expect(same(w, large.prefix(n)))
      #expect(w.samples == Array(large.samples.prefix(n * large.samplesPerVM)))
    }
  }

  func folder(_ files: [String: [Int]]) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "yunhe-storage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    for (name, values) in files {
      try (values.map(String.init).joined(separator: "\n") + "\n").write(
        to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return url
  }

  /// PlanetLab-like days (0…100 %): bytes, bit-identical to percent / 100 and to the importer;
  /// a percentage above 100 keeps the day on doubles.
  @Test func planetLabDaysReadBackBitIdentically() throws {
    let day = (0..<4).map { i in (0..<288).map { ($0 * 37 + i * 11) % 101 } }
    let url = try folder(["a": day[0], "b": day[1], "c": day[2], "d": day[3]])
    defer { try? FileManager.default.removeItem(at: url) }
    let w = try DynamicWorkload.planetLab(folder: url)
    #expect(w.storesPercents && w.samplesPerVM == 289)
    let expected = day.flatMap { row in row.map { Double($0) / 100 } + [Double(row[287]) / 100] }
    #expect(w.samples.map(\.bitPattern) == expected.map(\.bitPattern))
    #expect(readsAgree(w))
    #expect(same(w, try DynamicWorkload.viaImporter(folder: url)))

    var hot = day[1]
    hot[5] = 150
    let over = try folder(["a": day[0], "b": hot])
    defer { try? FileManager.default.removeItem(at: over) }
    let o = try DynamicWorkload.planetLab(folder: over)
    #expect(!o.storesPercents)
    #expect(o.samples[289 + 5] == 1.5 && o.samples[289 + 6] == Double(hot[6]) / 100)
    #expect(readsAgree(o))
  }

  /// The byte parser: CR line ends, leading zeros and a missing last newline read as the
  /// double parser reads them; a value above 100, an empty line or more lines than there is
  /// room for is refused (−1), and neither parser writes past its room.
  @Test func percentBytesParseLikeTheDoubles() {
    /// The values and count of the byte parser (stride 2) and whether the bytes past its
    /// room were left alone.
    func bytes(_ text: String, capacity: Int = 8) -> ([UInt8], Int, Bool) {
      var out = [UInt8](repeating: 255, count: capacity * 2 + 64)
      let n = Array(text.utf8).withUnsafeBytes { raw in
        out.withUnsafeMutableBufferPointer {
          DynamicWorkload.parsePercentBytes(raw, into: $0.baseAddress!, stride: 2, capacity)
        }
      }
      let values = n > 0 ? (0..<n).map { out[2 * $0] } : []
      return (values, n, out[(capacity * 2)...].allSatisfy { $0 == 255 })
    }
    func doubles(_ text: String, capacity: Int = 8) -> (Int, Bool) {
      var out = [Double](repeating: -1, count: capacity + 64)
      let n = Array(text.utf8).withUnsafeBytes { raw in
        out.withUnsafeMutableBufferPointer {
          DynamicWorkload.parsePercentages(raw, into: $0.baseAddress!, capacity)
        }
      }
      return (n, out[capacity...].allSatisfy { $0 == -1 })
    }
    for text in ["5\r\n0100\r\n007\r\n", "0\n100\n42", "99\n"] {
      let (b, n, clean) = bytes(text)
      let expected = Array(text.utf8).withUnsafeBytes { DynamicWorkload.parsePercentages($0) }
      #expect(clean && n == expected?.count, "\(text)")
      #expect(b.map { Double($0) / 100 } == expected, "\(text)")
    }
    for bad in ["101\n", "5\n\n6\n", "1000\n", "x\n", "", "0000000001\n"] {
      #expect(bytes(bad, capacity: 2).1 == -1, "\(bad)")
    }
    // More lines than room: refused, nothing written past the room (a day longer than 288
    // samples takes the per-row path).
    let long = (0..<40).map { String($0) }.joined(separator: "\n")
    let (_, n, clean) = bytes(long, capacity: 3)
    #expect(n == -1 && clean)
    let (m, cleanDoubles) = doubles(long, capacity: 3)
    #expect(m == -1 && cleanDoubles)
  }

  /// Whole percents 0…100 only, bit for bit: anything else keeps the doubles.
  @Test func onlyWholePercentsAreStoredAsBytes() {
    #expect(DynamicWorkload(names: ["a"], rows: [[0, 0.01, 0.5, 0.99, 1]]).storesPercents)
    #expect(DynamicWorkload(names: [], rows: []).storesPercents)
    for odd in [0.123, 1.01, 2, -0.01, -0.0, .nan, .infinity, (0.07).nextUp, (0.29).nextDown] {
      let w = DynamicWorkload(names: ["a", "b"], rows: [[0.5, 0.2], [0.3, odd]])
      #expect(!w.storesPercents, "\(odd)")
      #expect(w.samples[3 + 1].bitPattern == odd.bitPattern)
    }
    // Every p / 100 qualifies and maps back to itself.
    for p in 0...100 { #expect(WorkloadSamples.percent(of: Double(p) / 100) == UInt8(p)) }
    // Setting the samples picks the storage again.
    var w = DynamicWorkload(names: ["a"], rows: [[0.5, 0.2]])
    w.samples = [0.5, 0.25, 0.123]
    #expect(!w.storesPercents && w.samples == [0.5, 0.25, 0.123])
    w.samples = [0.5, 0.25, 0.25]
    #expect(w.storesPercents && w.samples == [0.5, 0.25, 0.25])
  }

  /// The first VMs and the join of several days: the same values whether stored as bytes or
  /// doubles, bytes kept for bytes.
  @Test func prefixAndConcatenationMatchTheDoubles() throws {
    let w = SyntheticWorkload(vms: 150, days: 0.3, seed: 11).generate()
    let d = onDoubles(w)
    for m in [0, 1, 64, 77, 150, 400] {
      let p = w.prefix(m)
      #expect(p.storesPercents && !d.prefix(m).storesPercents)
      #expect(same(p, d.prefix(m)))
      #expect(readsAgree(p))
    }
    // Days of 288 samples and of 300 (padded to 301 with each VM's last sample), and a day on
    // doubles.
    let short = (0..<3).map { i in (0..<288).map { ($0 + 7 * i) % 100 } }
    let long = (0..<2).map { i in (0..<300).map { ($0 * 3 + i) % 101 } }
    var hot = short[2]
    hot[0] = 250
    let a = try folder(["x": short[0], "y": short[1], "z": short[2]])
    let b = try folder(["p": long[0], "q": long[1]])
    let c = try folder(["r": hot])
    defer { for u in [a, b, c] { try? FileManager.default.removeItem(at: u) } }
    let days = try [a, b, c].map { try DynamicWorkload.planetLab(folder: $0) }
    #expect(days[0].storesPercents && days[1].storesPercents && !days[2].storesPercents)
    func padded(_ rows: [[Int]], _ width: Int) -> [Double] {
      rows.flatMap { row in (0..<width).map { Double(row[Swift.min($0, row.count - 1)]) / 100 } }
    }
    let joined = try DynamicWorkload.planetLab(folders: [a, b])
    #expect(joined.storesPercents && joined.samplesPerVM == 301)
    #expect(
      joined.names == [
        "\(a.lastPathComponent)/x", "\(a.lastPathComponent)/y", "\(a.lastPathComponent)/z",
        "\(b.lastPathComponent)/p", "\(b.lastPathComponent)/q",
      ])
    #expect(joined.samples.map(\.bitPattern) == padded(short + long, 301).map(\.bitPattern))
    #expect(readsAgree(joined))
    // The same parts on doubles join to the same values.
    let fromDoubles = WorkloadSamples.concatenating(
      [.fractions(days[0].samples), .fractions(days[1].samples)], widths: [289, 301], width: 301)
    #expect(fromDoubles.vmMajor(width: 301) == joined.samples)
    // With a day on doubles the join is on doubles, with the same values.
    let mixed = try DynamicWorkload.planetLab(folders: [b, c, a])
    #expect(!mixed.storesPercents)
    #expect(mixed.samples.map(\.bitPattern) == padded(long + [hot] + short, 301).map(\.bitPattern))
    #expect(readsAgree(mixed))
  }

  /// Runs over the bytes and over the same values on doubles agree to the bit, migrations
  /// included; a workload that stays on doubles (a non-whole sample past the simulated hours)
  /// runs as its whole-percent twin.
  @Test(arguments: ["LrMmt", "ThrMmt", "LrMc", "NonPowerAware"])
  func runsDoNotDependOnTheStorage(_ policy: String) throws {
    var cases = [SyntheticWorkload(vms: 300, days: 0.25, seed: 5).generate()]
    if let day = try SharedData.workload() { cases.append(day.prefix(200)) }
    for bytes in cases {
      #expect(bytes.storesPercents)
      var values = bytes.samples
      values[5 * bytes.samplesPerVM + 70] = 0.123_456
      let odd = DynamicWorkload(names: bytes.names, samplesPerVM: bytes.samplesPerVM, samples: values)
      #expect(!odd.storesPercents)
      for compat in [true, false] {
        for parallel in [false, true] {
          let runs = [bytes, onDoubles(bytes), odd].map { w in
            FrameTests.run(policy, compat: compat, workload: w, hosts: 40, hours: 5) {
              if parallel {
                $0.parallelThreshold = 0
                $0.vmChunk = 50
              }
            }
          }
          #expect(!parallel || runs[0].parallelFrames > 50)
          #expect(runs[0].result == runs[1].result && runs[0].migrations == runs[1].migrations)
          #expect(runs[0].result == runs[2].result && runs[0].migrations == runs[2].migrations)
        }
      }
    }
  }
}
