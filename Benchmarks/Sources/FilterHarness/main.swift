// Plain release executable: requests per second of one filter-scheduler decision against a pool
// of N open hosts (default 10 000), without the benchmark harness; also fit for callgrind.
//
//   swift build --scratch-path ../.build-bench -c release --product FilterHarness
//   ../.build-bench/release/FilterHarness [hosts = 10000] [rounds = 3] [policy label]
//
// Under callgrind, instructions per request = (instructions with 1 round − with 0 rounds) / 2000.
//
// The pool and requests are those of Benchmarks/FilterBenchmarks (see there).
import CapacityModel
import Placement

#if canImport(Glibc)
  import Glibc
#endif

func now() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

let hostCount = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 10_000
let rounds = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 3
let only = CommandLine.arguments.dropFirst(3).first  // run only the policy with this label
var rng = SplitMix64(state: 42)
let capacity = ResourceVector(vcpu: 96, memoryGiB: 768, storageGiB: 4000)
let curve = PowerCurve.table([150, 190, 220, 250, 280, 310, 340, 370, 400, 430, 450])
let aggregates = [
  HostAggregate(name: "egov", zone: "extranet", mlps: MLPSLevel(3), tags: ["ssd"], power: curve),
  HostAggregate(name: "internet", zone: "dmz", mlps: MLPSLevel(2), power: curve),
  HostAggregate(
    name: "tax", zone: "extranet", mlps: MLPSLevel(3), dedicatedTo: "tax", tags: ["ssd"], power: curve),
]
var hosts: [HostState] = []
for i in 0..<hostCount {
  let fill = Double(rng.next() % 90) / 100
  var groups: [String] = []
  for _ in 0..<Int(rng.next() % 4) { groups.append("sys-\(rng.next() % 500)") }
  hosts.append(
    HostState(
      index: i, capacity: capacity, allocated: capacity * fill, vmCount: Int(fill * 20) + 1,
      aggregate: i % 10 == 9 ? 2 : (i % 5 == 4 ? 1 : 0), groups: groups))
}
let cluster = ClusterSnapshot(
  hosts: hosts, newHostCapacity: capacity, aggregates: aggregates, hostsPerCabinet: 16)
var requests: [PlacementRequest] = []
for i in 0..<2000 {
  let scale = Double(1 << (i % 4))
  let tags: Set<String> = i % 3 == 0 ? ["ssd"] : []
  requests.append(
    PlacementRequest(
      id: "vm\(i)", size: ResourceVector(vcpu: 2 * scale, memoryGiB: 4 * scale), system: "sys-\(i % 500)",
      bureau: i % 7 == 0 ? "tax" : "health", mlps: MLPSLevel(3), zone: "extranet", tags: tags,
      serverGroup: ServerGroup(name: "sys-\(i % 500)", policy: .antiAffinity)))
}

let registry = PlacementRegistry.standard
let policies: [(String, any PlacementPolicy)] = [
  ("filter-pack", registry.policy(named: "filter-pack")!),
  ("filter-spread", registry.policy(named: "filter-spread")!),
  ("filter-power", registry.policy(named: "filter-power")!),
  (
    "filter-pack+fewest_cabinets",
    try! registry.policy(
      named: "filter-pack", parameters: PolicyParameters(weights: ["fewest_cabinets": 0.5]))
  ),
  ("best-fit (no filters, baseline)", registry.policy(named: "best-fit")!),
]
for (label, policy) in policies where only == nil || only == label {
  var checksum = 0
  var best = Double.infinity
  for _ in 0..<rounds {
    let start = now()
    for r in requests {
      if case .place(let h) = policy.decide(r, in: cluster) { checksum &+= h }
    }
    best = min(best, now() - start)
  }
  let perSecond = Int(Double(requests.count) / best)
  let micros = Double(Int(best / Double(requests.count) * 1e7)) / 10
  print(
    "\(label): \(hostCount) hosts, \(perSecond) requests/s (\(micros) µs per request), checksum \(checksum)")
}
