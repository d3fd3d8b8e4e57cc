import Foundation

@testable import DynamicConsolidation

/// Paths to the shared reference data (../shared/data from the repository root), found from this
/// file's path; nil when absent.
enum SharedData {
  static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
  static let root = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

  static func path(_ relative: String) -> URL? {
    let url = root.appendingPathComponent(relative)
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  static var day20110303: URL? { path("traces/planetlab/20110303") }
  static var baselines: URL? { path("baselines/cloudsim-3.0.3-planetlab-20110303") }

  nonisolated(unsafe) static var cached: DynamicWorkload? = nil
  static let lock = NSLock()

  static func workload() throws -> DynamicWorkload? {
    guard let day = day20110303 else { return nil }
    lock.lock()
    defer { lock.unlock() }
    if let w = cached { return w }
    let w = try DynamicWorkload.planetLab(folder: day)
    cached = w
    return w
  }

  /// CSV rows (header dropped).
  static func csv(_ name: String) throws -> [[String]]? {
    guard let dir = baselines else { return nil }
    let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    return text.split(whereSeparator: \.isNewline).dropFirst().map {
      $0.split(separator: ",").map(String.init)
    }
  }
}

/// The reduced day of the acceptance test: the first 100 VMs on 100 hosts for 6 h.
func reducedRun(_ policy: DynamicPolicy, seed: UInt64 = 1) throws -> DynamicResult? {
  guard let w = try SharedData.workload() else { return nil }
  let small = w.prefix(100)
  var config = DynamicConfiguration.cloudSimPlanetLab(vms: 100, hosts: 100)
  config.limitSeconds = 6 * 3600
  config.seed = seed
  return DynamicSimulation.run(policy: policy, workload: small, configuration: config)
}
