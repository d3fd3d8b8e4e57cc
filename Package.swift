// swift-tools-version: 6.1
import PackageDescription

/// Yunhe (云合): discrete-event capacity and consolidation simulator.
///
/// Dependencies point one way: yunhe → YunheCLI → Reports/Simulation →
/// Placement/Workload/Scenario → CapacityModel/SimCore/Stochastics → CGSL (and CZlib, CPrefetch,
/// CKernels).
let package = Package(
  name: "Yunhe",
  products: [
    .executable(name: "yunhe", targets: ["yunhe"]),
    .library(name: "SimCore", targets: ["SimCore"]),
    .library(name: "Stochastics", targets: ["Stochastics"]),
    .library(name: "Placement", targets: ["Placement"]),
    .library(name: "Simulation", targets: ["Simulation"]),
    .library(name: "DynamicConsolidation", targets: ["DynamicConsolidation"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CGSL",
      pkgConfig: "gsl",
      providers: [.apt(["libgsl-dev", "pkg-config"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev", "pkg-config"])]
    ),
    // One static inline C function, `yunhe_prefetch` (a cache hint Swift lacks).
    .target(name: "CPrefetch"),
    // MC's regression kernel, compiled for baseline x86-64 and AVX2 (`target_clones`), and best
    // fit's leaf scan.
    .target(name: "CKernels"),
    .target(name: "Stochastics", dependencies: ["CGSL"]),
    .target(name: "SimCore"),
    .target(name: "CapacityModel"),
    .target(
      name: "Workload", dependencies: ["Stochastics", "CapacityModel", "CZlib"],
      exclude: ["Importers/README.md"]),
    .target(name: "Placement", dependencies: ["CapacityModel"]),
    .target(
      name: "Scenario",
      dependencies: [
        "CapacityModel", "SimCore", "Workload", "DynamicConsolidation",
        .product(name: "Yams", package: "Yams"),
      ]
    ),
    .target(
      name: "Simulation",
      dependencies: ["SimCore", "Stochastics", "CapacityModel", "Workload", "Placement", "Scenario"]
    ),
    .target(name: "Reports", dependencies: ["Simulation", "Scenario", "CapacityModel"]),
    .target(
      name: "DynamicConsolidation",
      dependencies: ["SimCore", "CapacityModel", "Stochastics", "Workload", "CPrefetch", "CKernels"],
      // The engine's flat arrays live in one object; its methods never overlap accesses, so the
      // run-time exclusivity checks (40 % of a policy-day in perf) are switched off here only.
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
    .target(
      name: "YunheCLI",
      dependencies: [
        "Reports", "Simulation", "Scenario", "Placement", "DynamicConsolidation",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "yunhe", dependencies: ["YunheCLI"]),
    .testTarget(
      name: "StochasticsTests",
      dependencies: ["Stochastics", .product(name: "PropertyBased", package: "swift-property-based")]),
    .testTarget(
      name: "SimCoreTests",
      dependencies: ["SimCore", .product(name: "PropertyBased", package: "swift-property-based")]),
    .testTarget(name: "CapacityModelTests", dependencies: ["CapacityModel"]),
    .testTarget(
      name: "WorkloadTests",
      dependencies: [
        "Workload", "Stochastics", .product(name: "PropertyBased", package: "swift-property-based"),
      ], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "PlacementTests",
      dependencies: [
        "Placement", "CapacityModel", .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(name: "ScenarioTests", dependencies: ["Scenario"], resources: [.copy("BadInput")]),
    .testTarget(
      name: "SimulationTests",
      dependencies: [
        "Simulation", "Scenario", "Placement",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(
      name: "ReportsTests", dependencies: ["Reports", "Simulation", "Scenario"], exclude: ["Golden"]),
    .testTarget(
      name: "YunheCLITests", dependencies: ["YunheCLI", "Scenario", "DynamicConsolidation"],
      resources: [.copy("DynamicBadInput")]),
    .testTarget(name: "DynamicConsolidationTests", dependencies: ["DynamicConsolidation", "CKernels"]),
  ]
)
