import Foundation
import Testing

@testable import YunheCLI

/// `yunhe trace import|verify|inspect|fit|synth` on the committed Bitbrains fixture, and their
/// answers to bad input. Commands whose output is checked run the built `yunhe` in a child process
/// (stdout and stderr of the test process are shared by all tests); the others run in-process.
@Suite struct TraceCommandTests {
  /// Seven VMs of Bitbrains Rnd 2013-7 (Tests/WorkloadTests/Fixtures/importers/README.md).
  static let fixture = BitbrainsReplayTests.fixture
  static let badInput = root.appendingPathComponent("Tests/WorkloadTests/Fixtures/importers/bad")

  /// Parses a JSON object printed on stdout.
  func json(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any], "not a JSON object: \(text.prefix(200))")
  }

  @Test func importVerifyInspectFitAndSynthesise() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let trace = Self.fixture.path
    let store = folder.appendingPathComponent("rnd.yt").path
    let reference = try BitbrainsReference.read(Self.fixture)
    let rows = try reference.map {
      try BitbrainsReference.rows(Self.fixture.appendingPathComponent("\($0.name).csv")).count
    }

    // import → .yt
    #expect(YunheMain.run(["trace", "import", "bitbrains", trace, "--out", store, "--quiet"]) == 0)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["rnd.yt"],
      "a temporary file was left")

    // verify
    let verify = try runYunhe(["trace", "verify", store])
    #expect(verify.code == 0, "\(verify.stderr)")
    #expect(verify.stdout.hasPrefix("\(store): ok"))
    #expect(verify.stdout.contains("7 entities"))

    // inspect --json, on the raw trace and on the store: the same counts, and the trace's
    let raw = try runYunhe(["trace", "inspect", "bitbrains", trace, "--json", "--quiet"])
    let stored = try runYunhe(["trace", "inspect", "yt", store, "--json"])
    #expect(raw.code == 0 && stored.code == 0, "\(raw.stderr)\(stored.stderr)")
    let a = try json(raw.stdout)
    let b = try json(stored.stdout)
    let samples = reference.reduce(0) { $0 + $1.cpu.count }
    let present = reference.reduce(0) { $0 + $1.presentSamples() }
    for report in [a, b] {
      #expect(report["format"] as? String == "bitbrains")
      #expect(numeric(report["entities"]) == 7)
      #expect(numeric(report["emptyEntities"]) == 0)
      #expect(numeric(report["readings"]) == Double(rows.reduce(0, +)))
      #expect(numeric(report["storedSamples"]) == Double(samples))
      #expect(numeric(report["presentSamples"]) == Double(present))
      #expect(numeric(report["intervalSeconds"]) == 300)
      #expect(report["hasMemory"] as? Bool == true)
      #expect(numeric(report["bytesPerSamplePerMetric"]) == 2)
      let vms = report["vms"] as? [[String: Any]] ?? []
      #expect(vms.map { $0["name"] as? String ?? "" } == reference.map(\.name))
      for (vm, ref) in zip(vms, reference) {
        #expect(numeric(vm["samples"]) == Double(ref.cpu.count), "VM \(ref.name)")
        #expect(numeric(vm["cpuCapacityCores"]) == ref.cores, "VM \(ref.name)")
        #expect(abs((numeric(vm["memoryCapacityGiB"]) ?? 0) - ref.memoryGiB) < 1e-9, "VM \(ref.name)")
        let peak = numeric((vm["cpuUtilisation"] as? [String: Any])?["max"]) ?? -1
        #expect(abs(peak - ref.peakCPUUtilisation) <= 0.5e-4 + 1e-12, "VM \(ref.name): max \(peak)")
      }
    }
    for key in [
      "entities", "readings", "storedSamples", "presentSamples", "startMilliseconds", "endMilliseconds",
    ] {
      #expect(numeric(a[key]) != nil && numeric(a[key]) == numeric(b[key]), "\(key)")
    }
    #expect(canonical(a["vms"]) == canonical(b["vms"]), "the store lost per-VM figures")
    // The capacity changes of VM 14 and VM 38's "off" rows are reported repairs naming the file.
    let repairs = a["repairs"] as? [[String: Any]] ?? []
    #expect(
      repairs.contains {
        ($0["file"] as? String ?? "").hasSuffix("/14.csv")
          && ($0["kind"] as? String ?? "").contains("capacity")
      })
    #expect(
      repairs.contains {
        ($0["file"] as? String ?? "").hasSuffix("/38.csv") && ($0["kind"] as? String ?? "").contains("VM off")
      })

    // The table form names every VM.
    let table = try runYunhe(["trace", "inspect", "yt", store])
    #expect(table.code == 0)
    #expect(
      reference.allSatisfy { vm in
        table.stdout.split(separator: "\n").contains { $0.hasPrefix("\(vm.name) ") }
      })

    // fit → parameters
    let parameters = folder.appendingPathComponent("fit.json").path
    #expect(
      YunheMain.run(["trace", "fit", "yt", store, "--out", parameters, "--group", "all", "--quiet"]) == 0)
    let fit = try json(String(contentsOfFile: parameters, encoding: .utf8))
    let models = fit["models"] as? [[String: Any]] ?? []
    #expect(models.count == 1)
    #expect(numeric(models.first?["members"]) == 7)
    #expect(numeric(fit["intervalSeconds"]) == 300)

    // synth with a seed: the same seed gives the same bytes, another seed other bytes.
    func synth(_ seed: Int, _ name: String) throws -> Data {
      let out = folder.appendingPathComponent(name).path
      let code = YunheMain.run([
        "trace", "synth", parameters, "--count", "20", "--horizon", "1d", "--seed", "\(seed)", "--out", out,
        "--quiet",
      ])
      #expect(code == 0)
      return try Data(contentsOf: URL(fileURLWithPath: out))
    }
    let first = try synth(5, "a.yt")
    let again = try synth(5, "b.yt")
    let other = try synth(6, "c.yt")
    #expect(first == again, "the same seed gave different bytes")
    #expect(first != other, "another seed gave the same bytes")
    let synthetic = try runYunhe([
      "trace", "inspect", "yt", folder.appendingPathComponent("a.yt").path, "--json",
    ])
    #expect(synthetic.code == 0)
    let s = try json(synthetic.stdout)
    #expect(numeric(s["entities"]) == 20)
    #expect(numeric(s["storedSamples"]) == Double(20 * 288))
    #expect(YunheMain.run(["trace", "verify", folder.appendingPathComponent("c.yt").path]) == 0)
  }

  /// A bad trace or store exits with 2, names the file (and the line of a CSV), and writes nothing.
  @Test func badInputExitsWithTwoNamingFileAndRow() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("out.yt").path

    // A Bitbrains file cut in the middle of line 6 (after its third field).
    let source = try String(contentsOf: Self.fixture.appendingPathComponent("23.csv"), encoding: .utf8)
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    let cut = lines[5].components(separatedBy: ";\t").prefix(3).joined(separator: ";\t")
    let truncated = folder.appendingPathComponent("23.csv")
    try (lines.prefix(5).joined(separator: "\n") + "\n" + cut).write(
      to: truncated, atomically: true, encoding: .utf8)

    // Binary garbage where a VM file should be.
    let garbage = folder.appendingPathComponent("7.csv")
    var bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    var x: UInt32 = 12_345
    for _ in 0..<4096 {
      x = x &* 1_103_515_245 &+ 12_345
      bytes.append(UInt8(truncatingIfNeeded: x >> 16))
    }
    try bytes.write(to: garbage)

    let cases: [(arguments: [String], names: String)] = [
      (["trace", "import", "bitbrains", truncated.path, "--out", out], "\(truncated.path):6: "),
      (["trace", "inspect", "bitbrains", truncated.path, "--json"], "\(truncated.path):6: "),
      (["trace", "fit", "bitbrains", truncated.path, "--out", out], "\(truncated.path):6: "),
      (["trace", "import", "bitbrains", garbage.path, "--out", out], "\(garbage.path):1: "),
      (
        [
          "trace", "import", "bitbrains", Self.badInput.appendingPathComponent("binary-nul.csv").path,
          "--out", out,
        ],
        "binary-nul.csv:2: "
      ),
      (
        [
          "trace", "import", "bitbrains",
          Self.badInput.appendingPathComponent("bitbrains-decreasing.csv").path,
          "--timestamps", "reject", "--out", out,
        ],
        "bitbrains-decreasing.csv:4: "
      ),
    ]
    for c in cases {
      let result = try runYunhe(c.arguments)
      #expect(result.code == 2, "\(c.arguments): exit code \(result.code)")
      #expect(result.stderr.contains(c.names), "\(c.arguments): \(result.stderr)")
      #expect(result.stdout.isEmpty, "\(c.arguments) printed \(result.stdout)")
      #expect(YunheMain.run(c.arguments) == 2)
    }
    #expect(!FileManager.default.fileExists(atPath: out), "a store was written from bad input")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["23.csv", "7.csv"])

    // A store cut short or damaged: verify and inspect name the file.
    let store = folder.appendingPathComponent("good.yt")
    #expect(
      YunheMain.run(["trace", "import", "bitbrains", Self.fixture.path, "--out", store.path, "--quiet"]) == 0)
    let data = try Data(contentsOf: store)
    let short = folder.appendingPathComponent("short.yt")
    try data.prefix(data.count / 2).write(to: short)
    var flipped = data
    flipped[data.count / 2] ^= 0x5A
    let damaged = folder.appendingPathComponent("damaged.yt")
    try flipped.write(to: damaged)
    let empty = folder.appendingPathComponent("empty.yt")
    try Data().write(to: empty)
    for file in [short, damaged, empty] {
      for arguments in [["trace", "verify", file.path], ["trace", "inspect", "yt", file.path, "--json"]] {
        let result = try runYunhe(arguments)
        #expect(result.code == 2, "\(arguments): exit code \(result.code)")
        #expect(result.stderr.contains(file.path), "\(arguments): \(result.stderr)")
      }
    }
    let checksum = try runYunhe(["trace", "verify", damaged.path])
    #expect(checksum.stderr.contains("checksum"), "\(checksum.stderr)")

    // Bad arguments.
    #expect(YunheMain.run(["trace", "import", "bitbrain", Self.fixture.path, "--out", out]) == 2)
    #expect(YunheMain.run(["trace", "inspect", "bitbrains", "/no/such/folder"]) == 2)
    #expect(YunheMain.run(["trace", "fit", "yt", store.path, "--out", out, "--group", "bureau"]) == 2)
    #expect(YunheMain.run(["trace", "synth", "/no/such/fit.json", "--count", "3", "--out", out]) == 2)
    #expect(YunheMain.run(["trace", "inspect", "bitbrains", Self.fixture.path, "--interval", "-5m"]) == 2)
  }
}
