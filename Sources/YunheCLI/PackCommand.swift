import ArgumentParser
import Foundation
import Placement
import Simulation
import Synchronization

/// `yunhe pack`: runs bin-packing policies on benchmark instances and compares them with the
/// proven optima and lower bounds.
struct PackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pack",
    abstract: "Pack bin-packing instances (BPPLIB 1-D or vbp vectors) and compare with known optima.",
    discussion: """
      PATH is an instance file or a folder. A folder is searched recursively; when an optima.csv \
      or index.csv is found in it or up to three folders above, only the instances it lists are \
      packed and their optima and lower bounds are shown. Every packing is verified by an \
      independent checker before it is reported. Online policies (nf, ff, bf, wf) see the items \
      shuffled with --seed. See docs/placement.md.
      """)

  @Argument(help: "Instance file, or folder of instance files.") var path: String
  @Option(help: "Policy: nf, ff, bf, wf, ffd, bfd (with -l1, -l2, -linf, -product or -dot), ls.")
  var policy: String = "ls"
  @Flag(help: "Run every policy and print a comparison table.") var allPolicies = false
  @Flag(help: "Print JSON on stdout instead of tables.") var json = false
  @Option(help: "Pack only the first N instances (in path order).") var limit: Int?
  @Option(help: "Seed of the online shuffle and of the local search.") var seed: UInt64 = 1
  @Option(
    name: .customLong("time-budget-ms"), help: "Wall-clock limit of the local search per instance, in ms.")
  var timeBudgetMs: Int?
  @Option(help: "Effort of the local search per instance, in work units (deterministic).")
  var workBudget: Int = PackingOptions.defaultWorkBudget
  @Option(help: "File format: bpp or vbp (default: detected).") var format: String?
  @Option(help: "Instances packed in parallel (default: the number of cores).") var jobs: Int?
  @Flag(help: "In folder mode, also print one line per instance.") var instances = false
  @Flag(help: "List the policies and exit.") var listPolicies = false

  func validate() throws {
    if let limit, limit < 1 { throw CLIError(message: "--limit must be at least 1, got \(limit)") }
    if let timeBudgetMs, timeBudgetMs < 1 {
      throw CLIError(message: "--time-budget-ms must be at least 1, got \(timeBudgetMs)")
    }
    if workBudget < 0 { throw CLIError(message: "--work-budget must not be negative, got \(workBudget)") }
    if let jobs, jobs < 1 { throw CLIError(message: "--jobs must be at least 1, got \(jobs)") }
    if let format, PackingFormat(rawValue: format) == nil {
      throw CLIError(message: "unknown --format `\(format)`; known: bpp, vbp")
    }
    if !allPolicies && !listPolicies && PackingAlgorithm.named(policy) == nil {
      let names = PackingAlgorithm.all.map(\.name)
      let hint = closestName(policy, among: names).map { " (did you mean `\($0)`?)" } ?? ""
      throw CLIError(message: "unknown policy `\(policy)`\(hint); see `yunhe pack --list-policies`")
    }
  }

  func run() throws {
    if listPolicies {
      for a in PackingAlgorithm.all {
        print("\(a.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(a.summary)")
      }
      return
    }
    let (files, index, root) = try collect()
    let options = PackingOptions(
      seed: seed, workBudget: workBudget, timeBudget: timeBudgetMs.map { .milliseconds($0) })
    let chosen = allPolicies ? nil : PackingAlgorithm.named(policy)
    let fileFormat = format.flatMap(PackingFormat.init(rawValue:))

    let outcomes = Mutex<[PackOutcome?]>([PackOutcome?](repeating: nil, count: files.count))
    let jobCount = min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, max(1, files.count))
    let next = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: jobCount) { _ in
      while true {
        let i = next.withLock { n -> Int in
          defer { n += 1 }
          return n
        }
        guard i < files.count else { return }
        let outcome = packOne(
          files[i], index: index, root: root, format: fileFormat, algorithm: chosen, options: options)
        outcomes.withLock { $0[i] = outcome }
      }
    }
    let all = outcomes.withLock { $0 }.compactMap { $0 }
    if let failure = all.compactMap(\.internalError).first {
      throw SimulationError(internal: "packing failed its feasibility check: \(failure)")
    }
    let readErrors = all.compactMap(\.inputError)
    let packed = all.compactMap(\.entry)
    let single = files.count == 1 && !isFolder(path)
    if single, let e = readErrors.first { throw CLIError(message: e) }
    for e in readErrors { eprint("error: \(e)") }

    if json {
      print(jsonReport(packed, readErrors: readErrors))
    } else if single, let entry = packed.first {
      print(instanceTable(entry))
    } else {
      if instances { print(instanceLines(packed)) }
      print(folderSummary(packed, files: files.count))
    }
    if !readErrors.isEmpty {
      throw CLIError(message: "\(readErrors.count) of \(files.count) instance files could not be read")
    }
  }

  // MARK: Collecting and packing

  func isFolder(_ p: String) -> Bool {
    var folder: ObjCBool = false
    return FileManager.default.fileExists(atPath: p, isDirectory: &folder) && folder.boolValue
  }

  /// The instance files under `path` (or `path` itself), the index governing them and the
  /// folder that names classes when the index does not.
  func collect() throws -> (files: [String], index: PackingIndex?, root: String) {
    guard FileManager.default.fileExists(atPath: path) else {
      throw CLIError(message: "\(path): no such file or folder")
    }
    let index: PackingIndex?
    do { index = try PackingIndex.find(near: path) } catch { throw CLIError(message: error.description) }
    let standard = URL(fileURLWithPath: path).standardizedFileURL.path
    guard isFolder(path) else {
      return ([path], index, URL(fileURLWithPath: standard).deletingLastPathComponent().path)
    }
    var files: [String]
    if let index {
      let base = URL(fileURLWithPath: index.folder).standardizedFileURL.path
      files = index.byPath.keys.map { base + "/" + $0 }.filter { $0.hasPrefix(standard + "/") }
    } else {
      files = []
      let extensions: Set = ["txt", "bpp", "vbp", "dat", "in"]
      let enumerator = FileManager.default.enumerator(atPath: standard)
      while let relative = enumerator?.nextObject() as? String {
        let url = URL(fileURLWithPath: standard).appendingPathComponent(relative)
        if url.lastPathComponent.hasPrefix(".") || !extensions.contains(url.pathExtension.lowercased()) {
          continue
        }
        if !isFolder(url.path) { files.append(url.path) }
      }
    }
    files.sort()
    if let limit { files = Array(files.prefix(limit)) }
    if files.isEmpty { throw CLIError(message: "\(path): no instance files found") }
    return (files, index, standard)
  }

  func packOne(
    _ file: String, index: PackingIndex?, root: String, format: PackingFormat?, algorithm: PackingAlgorithm?,
    options: PackingOptions
  ) -> PackOutcome {
    var instance: PackingInstance
    do { instance = try PackingReader.read(path: file, format: format) } catch {
      return PackOutcome(inputError: error.description)
    }
    if let known = index?.bounds(forFile: file) { instance.known = known }
    let parent = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
    let group =
      instance.known.instanceClass
      ?? (parent.hasPrefix(root + "/")
        ? String(parent.dropFirst(root.count + 1)) : URL(fileURLWithPath: parent).lastPathComponent)
    let algorithms =
      algorithm.map { [$0] }
      ?? (instance.dimensions == 1 ? PackingAlgorithm.oneDimensional : PackingAlgorithm.all)
    var results: [PackingResult] = []
    for a in algorithms {
      do { results.append(try PackingSolver.solve(instance, with: a, options: options)) } catch {
        return PackOutcome(internalError: error.description)
      }
    }
    return PackOutcome(
      entry: PackEntry(
        name: instance.name, path: file, group: group, count: instance.count, dimensions: instance.dimensions,
        known: instance.known, results: results))
  }

  // MARK: Text output

  func instanceTable(_ e: PackEntry) -> String {
    var s = "\(e.name): \(e.count) items, \(e.dimensions) dimension\(e.dimensions == 1 ? "" : "s")"
    s += ", L1 \(e.results[0].l1Bound), L2 \(e.results[0].l2Bound)"
    if let lb = e.known.lowerBound { s += ", listed lower bound \(lb)" }
    if let o = e.known.optimumOrBest {
      s += e.known.proven ? ", optimum \(o)" : ", best known \(o) (not proven)"
    }
    if let p = e.known.bestPublishedHeuristic { s += ", best published heuristic \(p)" }
    s += "\n"
    var rows = [["policy", "bins", "lower bound", "gap", "vs optimum", "time"]]
    for r in e.results {
      rows.append([
        r.algorithm, "\(r.bins)", "\(r.lowerBound)", "+\(r.gap)", versusOptimum(r, e.known),
        milliseconds(r.elapsed),
      ])
    }
    return s + table(rows, rightAligned: [1, 2, 3, 5])
  }

  func instanceLines(_ entries: [PackEntry]) -> String {
    var rows = [["instance", "class", "n", "d", "policy", "bins", "lower bound", "optimum", "gap", "time"]]
    for e in entries {
      for r in e.results {
        let opt = e.known.optimumOrBest.map { e.known.proven ? "\($0)" : "(\($0))" } ?? "-"
        rows.append([
          e.name, e.group, "\(e.count)", "\(e.dimensions)", r.algorithm, "\(r.bins)", "\(r.lowerBound)", opt,
          "+\(r.gap)", milliseconds(r.elapsed),
        ])
      }
    }
    return table(rows, rightAligned: [2, 3, 5, 6, 7, 8, 9])
  }

  func folderSummary(_ entries: [PackEntry], files: Int) -> String {
    guard let first = entries.first else { return "no instance could be packed" }
    let names = first.results.map(\.algorithm)
    var s =
      "\(entries.count) instances (\(entries.filter { $0.known.optimum != nil }.count) with a proven optimum)"
    s += " · seed \(seed) · work budget \(workBudget)"
    if let timeBudgetMs { s += " · time budget \(timeBudgetMs) ms" }
    s += "\n\n"
    // Per policy.
    var rows = [["policy", "at optimum", "optimum + 1", "worse", "mean gap to LB", "bins", "time"]]
    var tallies: [String: PackTally] = [:]
    for name in names {
      let t = PackTally(entries, policy: name)
      tallies[name] = t
      rows.append([
        name, "\(t.atOptimum) / \(t.proven)", "\(t.plusOne)", "\(t.worse)", fixed(t.meanGap, 3), "\(t.bins)",
        seconds(t.time),
      ])
    }
    s += table(rows, rightAligned: [1, 2, 3, 4, 5, 6]) + "\n"
    // Per class, for the best policy (most instances at optimum, then fewest bins).
    let best = names.max { a, b in
      let (x, y) = (tallies[a]!, tallies[b]!)
      return x.atOptimum != y.atOptimum ? x.atOptimum < y.atOptimum : x.bins > y.bins
    }!
    let ffd = names.contains("ffd") && best != "ffd" ? "ffd" : nil
    let groups = Dictionary(grouping: entries, by: \.group).sorted { $0.key < $1.key }
    var header = ["class", "instances", "proven"]
    if ffd != nil { header.append("ffd at opt") }
    header += ["\(best) at opt", "opt + 1", "worse", "mean bins", "published", "mean LB", "mean gap"]
    rows = [header]
    func row(_ label: String, _ group: [PackEntry]) -> [String] {
      let t = PackTally(group, policy: best)
      var r = [label, "\(group.count)", "\(t.proven)"]
      if let ffd { r.append("\(PackTally(group, policy: ffd).atOptimum)") }
      let published = group.compactMap(\.known.bestPublishedHeuristic)
      r += [
        "\(t.atOptimum)", "\(t.plusOne)", "\(t.worse)", fixed(t.meanBins, 2),
        published.count == group.count ? fixed(Double(published.reduce(0, +)) / Double(group.count), 2) : "-",
        fixed(t.meanLowerBound, 2), fixed(t.meanGap, 3),
      ]
      return r
    }
    for (label, group) in groups { rows.append(row(label, group)) }
    if groups.count > 1 { rows.append(row("total", entries)) }
    s += "\(best) by class:\n" + table(rows, rightAligned: Array(1..<header.count))
    let exceptions = entries.compactMap { e -> String? in
      guard let r = e.results.first(where: { $0.algorithm == best }), let opt = e.known.optimum,
        r.bins > opt + 1
      else {
        return nil
      }
      return "\(e.name) (\(e.group)): \(r.bins) bins, optimum \(opt)"
    }
    if !exceptions.isEmpty {
      s += "\nworse than optimum + 1 (\(best)):\n  " + exceptions.joined(separator: "\n  ")
    }
    return s
  }

  func versusOptimum(_ r: PackingResult, _ known: KnownBounds) -> String {
    guard let opt = known.optimum else { return "-" }
    return r.bins == opt ? "optimal" : "+\(r.bins - opt)"
  }

  // MARK: JSON

  func jsonReport(_ entries: [PackEntry], readErrors: [String]) -> String {
    struct Result: Encodable {
      var policy: String
      var bins: Int
      var l1_bound: Int
      var l2_bound: Int
      var lower_bound: Int
      var gap: Int
      var gap_to_optimum: Int?
      var time_ms: Double
    }
    struct Instance: Encodable {
      var name: String
      var path: String
      var `class`: String
      var n: Int
      var d: Int
      var optimum: Int?
      var best_known: Int?
      var listed_lower_bound: Int?
      var best_published_heuristic: Int?
      var results: [Result]
    }
    struct Summary: Encodable {
      var policy: String
      var instances: Int
      var proven: Int
      var at_optimum: Int
      var optimum_plus_one: Int
      var worse: Int
      var mean_gap_to_lower_bound: Double
      var bins: Int
    }
    struct Report: Encodable {
      var seed: UInt64
      var work_budget: Int
      var time_budget_ms: Int?
      var instances: [Instance]
      var summary: [Summary]
      var errors: [String]
    }
    let list = entries.map { e in
      Instance(
        name: e.name, path: e.path, class: e.group, n: e.count, d: e.dimensions, optimum: e.known.optimum,
        best_known: e.known.optimumOrBest, listed_lower_bound: e.known.lowerBound,
        best_published_heuristic: e.known.bestPublishedHeuristic,
        results: e.results.map { r in
          Result(
            policy: r.algorithm, bins: r.bins, l1_bound: r.l1Bound, l2_bound: r.l2Bound,
            lower_bound: r.lowerBound,
            gap: r.gap, gap_to_optimum: e.known.optimum.map { r.bins - $0 },
            time_ms: (Double(r.elapsed.components.attoseconds) / 1e15 + Double(r.elapsed.components.seconds)
              * 1e3)
              .roundedTo(3))
        })
    }
    let names = entries.first?.results.map(\.algorithm) ?? []
    let summary = names.map { name in
      let t = PackTally(entries, policy: name)
      return Summary(
        policy: name, instances: entries.count, proven: t.proven, at_optimum: t.atOptimum,
        optimum_plus_one: t.plusOne, worse: t.worse, mean_gap_to_lower_bound: t.meanGap.roundedTo(4),
        bins: t.bins)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let report = Report(
      seed: seed, work_budget: workBudget, time_budget_ms: timeBudgetMs, instances: list, summary: summary,
      errors: readErrors)
    return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self)
  }
}

/// One instance file's outcome: packed, unreadable (bad input) or failing the checker (a bug).
struct PackOutcome: Sendable {
  var entry: PackEntry?
  var inputError: String?
  var internalError: String?
}

/// An instance and its results, one per policy.
struct PackEntry: Sendable {
  var name: String
  var path: String
  var group: String
  var count: Int
  var dimensions: Int
  var known: KnownBounds
  var results: [PackingResult]
}

/// Counts of one policy over some instances.
struct PackTally {
  var proven = 0
  var atOptimum = 0
  var plusOne = 0
  var worse = 0
  var bins = 0
  var meanGap = 0.0
  var meanBins = 0.0
  var meanLowerBound = 0.0
  var time = Duration.zero

  init(_ entries: [PackEntry], policy: String) {
    var gap = 0
    var lower = 0
    var count = 0
    for e in entries {
      guard let r = e.results.first(where: { $0.algorithm == policy }) else { continue }
      count += 1
      bins += r.bins
      gap += r.gap
      lower += r.lowerBound
      time += r.elapsed
      guard let opt = e.known.optimum else { continue }
      proven += 1
      if r.bins <= opt {
        atOptimum += 1
      } else if r.bins == opt + 1 {
        plusOne += 1
      } else {
        worse += 1
      }
    }
    if count > 0 {
      meanGap = Double(gap) / Double(count)
      meanBins = Double(bins) / Double(count)
      meanLowerBound = Double(lower) / Double(count)
    }
  }
}

/// Rows as an aligned text table: a header, a rule, then the rows.
fileprivate func table(_ rows: [[String]], rightAligned: [Int]) -> String {
  guard let header = rows.first else { return "" }
  var widths = header.map(\.count)
  for row in rows {
    for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
  }
  func line(_ row: [String]) -> String {
    row.enumerated().map { i, cell in
      let pad = String(repeating: " ", count: widths[i] - cell.count)
      return rightAligned.contains(i) ? pad + cell : cell + pad
    }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
  }
  var lines = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
  for row in rows.dropFirst() { lines.append(line(row)) }
  return lines.joined(separator: "\n")
}

fileprivate func milliseconds(_ d: Duration) -> String {
  let ms = Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
  return String(format: "%.1f ms", ms)
}

fileprivate func seconds(_ d: Duration) -> String {
  let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
  return String(format: "%.1f s", s)
}

fileprivate func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

extension Double {
  fileprivate func roundedTo(_ digits: Int) -> Double {
    let f = pow(10, Double(digits))
    return (self * f).rounded() / f
  }
}

/// The name in `names` closest to `name` by edit distance, when within max(2, length / 3).
fileprivate func closestName(_ name: String, among names: [String]) -> String? {
  let a = Array(name.lowercased())
  var best: (String, Int)?
  for candidate in names {
    let b = Array(candidate)
    var previous = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
      var current = [i] + [Int](repeating: 0, count: b.count)
      for j in stride(from: 1, through: b.count, by: 1) {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    let distance = a.isEmpty ? b.count : previous[b.count]
    if distance <= max(2, a.count / 3), distance < (best?.1 ?? .max) { best = (candidate, distance) }
  }
  return best?.0
}
