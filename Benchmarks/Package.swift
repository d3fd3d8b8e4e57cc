// swift-tools-version: 6.1
import PackageDescription

/// Performance suite for Yunhe, kept out of `swift test`: a separate package so the root package
/// never depends on ordo-one/benchmark. See README.md in this folder.
///
/// Adding a benchmark suite is one entry in `benchmarkSuites` plus a folder
/// `Benchmarks/<Name>/` holding its sources (which define `let benchmarks = { ... }`).
let benchmarkSuites: [(name: String, dependencies: [Target.Dependency])] = [
  ("SimCoreBenchmarks", [.product(name: "SimCore", package: "Yunhe")]),
  ("FilterBenchmarks", [.product(name: "Placement", package: "Yunhe")]),
  ("DynamicBenchmarks", [.product(name: "DynamicConsolidation", package: "Yunhe")]),
  ("PlacementBenchmarks", [.product(name: "Placement", package: "Yunhe")]),
]

let package = Package(
  name: "YunheBenchmarks",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "Yunhe", path: ".."),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: benchmarkSuites.map { suite in
    .executableTarget(
      name: suite.name,
      dependencies: suite.dependencies + [.product(name: "Benchmark", package: "benchmark")],
      path: "Benchmarks/\(suite.name)",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  } + [
    // Plain release executable for instruction-count measurements under callgrind (no benchmark harness).
    .executableTarget(
      name: "HoldModel",
      dependencies: [.product(name: "SimCore", package: "Yunhe")],
      path: "Sources/HoldModel"
    ),
    // Plain release executable: filter-scheduler requests per second against 10 000 hosts.
    .executableTarget(
      name: "FilterHarness",
      dependencies: [.product(name: "Placement", package: "Yunhe")],
      path: "Sources/FilterHarness"
    ),
  ]
)
