import Foundation
import Scenario
import Simulation

/// Version of the Yunhe tool, recorded in every manifest.
public let yunheVersion = "0.1.0"

/// Facts about a run that are not simulation results: recorded in `manifest.json`.
public struct RunManifest: Sendable {
  /// Scenario file path as given.
  public var scenarioPath: String
  /// SHA-256 of the scenario file's bytes.
  public var scenarioSHA256: String
  /// `--set` overrides, in order.
  public var overrides: [String]
  /// Wall-clock time of the run, seconds.
  public var wallSeconds: Double
  /// UTC time the run started, ISO 8601.
  public var startedAt: String
  /// The command line.
  public var commandLine: [String]

  /// Creates a manifest.
  public init(
    scenarioPath: String, scenarioSHA256: String, overrides: [String], wallSeconds: Double, startedAt: String,
    commandLine: [String]
  ) {
    self.scenarioPath = scenarioPath
    self.scenarioSHA256 = scenarioSHA256
    self.overrides = overrides
    self.wallSeconds = wallSeconds
    self.startedAt = startedAt
    self.commandLine = commandLine
  }
}

/// A report could not be written.
public struct ReportError: Error, CustomStringConvertible, Sendable {
  /// What failed.
  public var message: String
  public var description: String { message }
}

/// Writes a run's report folder atomically: every file goes into a temporary sibling folder,
/// which is renamed into place only when complete, so a reader never sees a partial report.
public enum ReportWriter {
  /// File names of a report folder, in writing order.
  public static let fileNames = [
    "summary.json", "timeseries.csv", "placements.csv", "report.md", "manifest.json",
  ]

  /// The text of every report file.
  public static func files(_ result: SimulationResult, scenario: Scenario, manifest: RunManifest) -> [(
    String, String
  )] {
    [
      ("summary.json", ReportContent.summary(result).rendered()),
      ("timeseries.csv", ReportContent.timeseriesCSV(result)),
      ("placements.csv", ReportContent.placementsCSV(result)),
      ("report.md", ReportContent.markdown(result, scenario: scenario)),
      ("manifest.json", manifestJSON(result, manifest: manifest).rendered()),
    ]
  }

  /// `manifest.json`: tool version, scenario fingerprint, seed, scheduler, overrides, wall time.
  public static func manifestJSON(_ r: SimulationResult, manifest m: RunManifest) -> JSONValue {
    .object([
      ("tool", .string("yunhe")), ("tool_version", .string(yunheVersion)),
      ("scenario", .string(r.scenario)), ("scenario_path", .string(m.scenarioPath)),
      ("scenario_sha256", .string(m.scenarioSHA256)), ("seed", .integer(Int(truncatingIfNeeded: r.seed))),
      ("scheduler", .string(r.scheduler)), ("overrides", .array(m.overrides.map { .string($0) })),
      ("started_at", .string(m.startedAt)), ("wall_time_s", .number(m.wallSeconds)),
      ("events_dispatched", .integer(r.eventsDispatched)),
      ("command_line", .array(m.commandLine.map { .string($0) })),
      ("files", .array(fileNames.filter { $0 != "manifest.json" }.map { .string($0) })),
    ])
  }

  /// Writes the files into `directory`, replacing an earlier report there only once the new
  /// one is complete. Returns the directory.
  @discardableResult
  public static func write(_ files: [(String, String)], to directory: URL) throws(ReportError) -> URL {
    let fm = FileManager.default
    let parent = directory.deletingLastPathComponent()
    let staging = parent.appendingPathComponent(
      ".\(directory.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    do {
      try fm.createDirectory(at: parent, withIntermediateDirectories: true)
      if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
      try fm.createDirectory(at: staging, withIntermediateDirectories: false)
      for (name, text) in files {
        try Data(text.utf8).write(to: staging.appendingPathComponent(name), options: .atomic)
      }
      if fm.fileExists(atPath: directory.path) {
        let old = parent.appendingPathComponent(
          ".\(directory.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
        try fm.moveItem(at: directory, to: old)
        try fm.moveItem(at: staging, to: directory)
        try fm.removeItem(at: old)
      } else {
        try fm.moveItem(at: staging, to: directory)
      }
    } catch {
      try? fm.removeItem(at: staging)
      throw ReportError(
        message: "cannot write the report to \(directory.path): \(error.localizedDescription)")
    }
    return directory
  }
}
