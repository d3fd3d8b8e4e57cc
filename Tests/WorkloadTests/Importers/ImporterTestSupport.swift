import Foundation
import Testing

@testable import Workload

/// The importer fixtures (`Fixtures/importers`).
let importerFixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
  .appendingPathComponent("importers")

/// A fixture file or folder under `Fixtures/importers`.
func importerFixture(_ path: String) -> URL { importerFixtures.appendingPathComponent(path) }

/// Imports a fixture into a collecting sink.
func importTrace(_ format: TraceFormat, _ path: String, options: ImportOptions = ImportOptions())
  throws(WorkloadError) -> (sink: CollectingSink, summary: ImportSummary)
{
  try importTrace(format, importerFixture(path), options: options)
}

/// Imports `url` into a collecting sink.
func importTrace(_ format: TraceFormat, _ url: URL, options: ImportOptions = ImportOptions())
  throws(WorkloadError) -> (sink: CollectingSink, summary: ImportSummary)
{
  var sink = CollectingSink()
  let summary = try TraceImporters.read(format, url, into: &sink, options: options)
  return (sink, summary)
}

/// The error of importing a fixture, or nil when it imports.
func importError(_ format: TraceFormat, _ path: String, options: ImportOptions = ImportOptions())
  -> WorkloadError?
{
  importError(format, importerFixture(path), options: options)
}

/// The error of importing `url`, or nil when it imports.
func importError(_ format: TraceFormat, _ url: URL, options: ImportOptions = ImportOptions())
  -> WorkloadError?
{
  do {
    _ = try importTrace(format, url, options: options)
    return nil
  } catch {
    return error
  }
}

/// Options that reject duplicated and decreasing timestamps.
var rejectingOptions: ImportOptions {
  var options = ImportOptions()
  options.timestamps = .reject
  return options
}

/// `a` and `b` agree to 1e-12 relative.
func close(_ a: Double, _ b: Double) -> Bool {
  abs(a - b) <= 1e-12 * max(1, abs(a), abs(b))
}

/// The repair of `kind` (prefix), if reported.
func repair(_ sink: CollectingSink, _ kind: String) -> TraceRepair? {
  sink.repairs.first { $0.kind.hasPrefix(kind) }
}

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "yunhe-importers-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The shared trace samples (`../shared/data/traces` from the repository root), when present.
let sharedTraces: URL? = {
  let root = URL(fileURLWithPath: #filePath)  // Tests/WorkloadTests/Importers/<file>
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  let traces = root.deletingLastPathComponent().appendingPathComponent("shared/data/traces")
  var isDirectory: ObjCBool = false
  return FileManager.default.fileExists(atPath: traces.path, isDirectory: &isDirectory)
    && isDirectory.boolValue
    ? traces : nil
}()
