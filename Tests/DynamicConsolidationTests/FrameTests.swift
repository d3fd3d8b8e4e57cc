import Foundation
import Testing

@testable import DynamicConsolidation

/// Frame shortcuts must not change a run: same migrations, in the same order, and the same
/// figures (frames included) as the plain frames.
@Suite struct FrameTests {
  struct Run {
    var result: String
    var migrations: [String]
    var refreshes: Int
    var strayListings: Int
    var parallelFrames: Int
    var parallelScans: Int
    var parallelUpdates: Int
  }

  static func run(
    _ policy: String, compat: Bool, workload: DynamicWorkload, hosts: Int, hours: Double,
    bandwidth: Int? = nil, configure: (Engine) -> Void
  ) -> Run {
    var config = DynamicConfiguration.cloudSimPlanetLab(vms: workload.count, hosts: hosts)
    config.limitSeconds = hours * 3600
    config.compat = compat
    if let bandwidth {
      for i in config.hostTypes.indices { config.hostTypes[i].bandwidth = bandwidth }
      for i in config.vmTypes.indices { config.vmTypes[i].bandwidth = bandwidth / 100 }
    }
    let engine = Engine(config: config, policy: DynamicPolicy.named(policy)!, workload: workload)
    engine.logMigrations = true
    engine.checksListings = true
    engine.parallelThreshold = .max
    configure(engine)
    let result = engine.run()
    return Run(
      result: "\(result)", migrations: engine.migrationLog.map { "\($0.time) \($0.vm) \($0.from) \($0.to)" },
      refreshes: engine.refreshes, strayListings: engine.strayListings, parallelFrames: engine.parallelFrames,
      parallelScans: engine.parallelScans, parallelUpdates: engine.parallelUpdates)
  }

  /// Closing frames of completion times that refresh only the touched hosts, against full frames.
  @Test(arguments: ["LrMmt", "ThrMmt", "MadMmt", "LrRs", "LrMc"])
  func refreshedFramesMatchFullFrames(_ policy: String) throws {
    var cases: [(DynamicWorkload, Int, Double)] = [
      (SyntheticWorkload(vms: 600, days: 0.25, seed: 3).generate(), 60, 6)
    ]
    // PlanetLab VMs request 0 at times: compat mode's removal, also of VMs that were migrating.
    if let day = try SharedData.workload() { cases.append((day.prefix(300), 200, 8)) }
    for (workload, hosts, hours) in cases {
      for compat in [true, false] {
        let full = Self.run(policy, compat: compat, workload: workload, hosts: hosts, hours: hours) {
          $0.refreshFrames = false
        }
        let refreshed = Self.run(policy, compat: compat, workload: workload, hosts: hosts, hours: hours) {
          _ in
        }
        #expect(full.migrations.count > 100)
        #expect(full.refreshes == 0)
        #expect(refreshed.refreshes > 10)
        #expect(refreshed.strayListings == 0)
        #expect(full.strayListings == 0)
        #expect(refreshed.migrations == full.migrations)
        #expect(refreshed.result == full.result)
      }
    }
  }

  /// VMs that go idle (zero utilisation for a few samples) while their slow migrations (10–30
  /// min) are in flight: compat mode's removal skips a migrating VM that requests nothing, and
  /// may remove it at the frame that closes its completion time.
  static func idleSpells(vms: Int, samples: Int, seed: UInt64) -> DynamicWorkload {
    var state = seed
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    var rows: [[Double]] = []
    for _ in 0..<vms {
      var row: [Double] = []
      let level = 0.2 + 0.7 * next()
      var idle = 0
      for _ in 0..<samples {
        if idle == 0 && next() < 0.03 { idle = 3 + Int(next() * 4) }
        if idle > 0 {
          row.append(0)
          idle -= 1
        } else {
          row.append((level * (0.6 + 0.8 * next()) * 100).rounded() / 100)
        }
      }
      rows.append(row)
    }
    return DynamicWorkload(names: (0..<vms).map { "idle-\($0)" }, rows: rows)
  }

  @Test(arguments: ["ThrMmt", "LrMmt", "mad-mu"])
  func refreshedFramesMatchFullFramesWithIdleMigratingVMs(_ policy: String) {
    for seed: UInt64 in 1...4 {
      let workload = Self.idleSpells(vms: 120, samples: 100, seed: seed)
      for compat in [true, false] {
        let full = Self.run(
          policy, compat: compat, workload: workload, hosts: 30, hours: 8, bandwidth: 16_000
        ) {
          $0.refreshFrames = false
        }
        let refreshed = Self.run(
          policy, compat: compat, workload: workload, hosts: 30, hours: 8, bandwidth: 16_000
        ) {
          _ in
        }
        #expect(full.migrations.count > 20)
        #expect(refreshed.refreshes > 10)
        #expect(refreshed.strayListings == 0)
        #expect(refreshed.migrations == full.migrations)
        #expect(refreshed.result == full.result)
      }
    }
  }

  /// Frames, overload scans and the host updates after migrations start or complete on two
  /// threads (forced for every one) against serial ones.
  @Test(arguments: ["LrMmt", "ThrMmt", "IqrMmt", "MadMmt", "LrrMmt", "LrRs", "LrMc", "NonPowerAware", "Dvfs"])
  func parallelFramesMatchSerialFrames(_ policy: String) throws {
    var cases: [(DynamicWorkload, Int, Double, Int?)] = [
      (SyntheticWorkload(vms: 600, days: 0.25, seed: 3).generate(), 60, 6, nil),
      (Self.idleSpells(vms: 120, samples: 100, seed: 2), 30, 8, 16_000),
    ]
    if let day = try SharedData.workload() { cases.append((day.prefix(300), 200, 8, nil)) }
    let migrates = !["NonPowerAware", "Dvfs"].contains(policy)
    for (workload, hosts, hours, bandwidth) in cases {
      for compat in [true, false] {
        let serial = Self.run(
          policy, compat: compat, workload: workload, hosts: hosts, hours: hours, bandwidth: bandwidth
        ) { _ in }
        for serialEntries in [false, true] {
          let parallel = Self.run(
            policy, compat: compat, workload: workload, hosts: hosts, hours: hours, bandwidth: bandwidth
          ) {
            $0.parallelThreshold = 0
            // Several chunks even on small runs.
            $0.hostChunk = 7
            $0.vmChunk = 50
            $0.serialVMEntries = serialEntries
          }
          #expect(serial.parallelFrames == 0)
          #expect(parallel.parallelFrames > 50)
          #expect(!migrates || parallel.parallelScans > 10)
          #expect(!migrates || parallel.parallelUpdates > 10)
          #expect(serial.parallelScans == 0)
          #expect(serial.parallelUpdates == 0)
          #expect(parallel.strayListings == 0)
          #expect(parallel.migrations == serial.migrations)
          #expect(parallel.result == serial.result)
        }
      }
    }
  }

  @Test func teamRunsBothPartsOnce() {
    let team = FrameTeam()
    defer { team.stop() }
    var counts = [Int](repeating: 0, count: 2 * 1000)
    counts.withUnsafeMutableBufferPointer { c in
      for job in 0..<1000 { team.run { part in c[2 * job + part] += 1 } }
    }
    #expect(counts.allSatisfy { $0 == 1 })
  }
}
