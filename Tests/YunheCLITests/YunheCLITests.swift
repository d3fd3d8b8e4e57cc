import Foundation
import Testing

@testable import YunheCLI

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("yunhe-cli-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

@Suite(.serialized) struct CLITests {
  @Test func validateGoodScenarios() {
    #expect(YunheMain.run(["validate", path("scenarios/minimal.yaml")]) == 0)
    #expect(YunheMain.run(["validate", path("scenarios/jiujiang.yaml")]) == 0)
  }

  @Test func everyBadScenarioExitsWithTwo() throws {
    let folder = root.appendingPathComponent("Tests/ScenarioTests/BadInput")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
      $0.hasSuffix(".yaml")
    }
    #expect(files.count >= 20)
    for f in files.sorted() {
      let code = YunheMain.run(["validate", folder.appendingPathComponent(f).path])
      #expect(code == 2, "\(f) gave exit code \(code)")
    }
  }

  @Test func usageErrorsExitWithTwo() {
    #expect(YunheMain.run(["frobnicate"]) == 2)
    #expect(YunheMain.run(["run"]) == 2)
    #expect(YunheMain.run(["validate", "/no/such/file.yaml"]) == 2)
    #expect(YunheMain.run(["run", path("scenarios/minimal.yaml"), "--scheduler", "frist-fit"]) == 2)
    #expect(YunheMain.run(["run", path("scenarios/minimal.yaml"), "--set", "nonsense"]) == 2)
    #expect(YunheMain.run(["run", path("scenarios/minimal.yaml"), "--seed", "-3"]) == 2)
  }

  @Test func helpAndListsExitWithZero() {
    #expect(YunheMain.run(["--help"]) == 0)
    #expect(YunheMain.run(["--version"]) == 0)
    #expect(YunheMain.run(["schedulers"]) == 0)
  }

  @Test func runWritesTheReportFolderReproducibly() throws {
    let out = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: out) }
    let scenario = path("scenarios/minimal.yaml")
    let args = ["run", scenario, "--seed", "3", "--set", "horizon=2d", "--out", out.path, "--quiet"]
    #expect(YunheMain.run(args + ["--run-id", "a"]) == 0)
    #expect(YunheMain.run(args + ["--run-id", "b"]) == 0)
    #expect(
      YunheMain.run([
        "run", scenario, "--seed", "4", "--set", "horizon=2d", "--out", out.path, "--quiet", "--run-id", "c",
      ]) == 0)
    let a = out.appendingPathComponent("minimal/a")
    let b = out.appendingPathComponent("minimal/b")
    let c = out.appendingPathComponent("minimal/c")
    for f in ["manifest.json", "summary.json", "timeseries.csv", "placements.csv", "report.md"] {
      #expect(FileManager.default.fileExists(atPath: a.appendingPathComponent(f).path), "missing \(f)")
    }
    for f in ["summary.json", "timeseries.csv", "placements.csv"] {
      let x = try Data(contentsOf: a.appendingPathComponent(f))
      let y = try Data(contentsOf: b.appendingPathComponent(f))
      #expect(x == y, "\(f) differs between two runs with the same seed")
    }
    let seriesA = try Data(contentsOf: a.appendingPathComponent("timeseries.csv"))
    let seriesC = try Data(contentsOf: c.appendingPathComponent("timeseries.csv"))
    #expect(seriesA != seriesC, "a different seed gave the same series")
    let manifest = try String(contentsOf: a.appendingPathComponent("manifest.json"), encoding: .utf8)
    #expect(manifest.contains("\"scenario_sha256\""))
    #expect(manifest.contains("horizon=2d"))
  }

  @Test func badRunIdIsRejected() {
    #expect(YunheMain.run(["run", path("scenarios/minimal.yaml"), "--run-id", "../x", "--quiet"]) == 2)
  }
}
