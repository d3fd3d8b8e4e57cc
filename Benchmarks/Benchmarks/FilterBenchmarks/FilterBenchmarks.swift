// Filter scheduler benchmarks: one placement decision (filters, then weighers) against a pool of
// 10 000 open hosts. Each iteration decides one request, so the throughput column reads as
// requests per second and Time as the cost of one decision.
//
// The pool: hosts of 96 vCPU / 768 GiB in three aggregates (a shared MLPS 3 extranet pool with
// tag `ssd`, an Internet-zone MLPS 2 pool, a dedicated cloud of bureau `tax`), filled 0–89 %, each
// holding 0–3 server groups of 500; requests of 2–16 vCPU need zone `extranet`, MLPS 3, sometimes
// tag `ssd`, and belong to an anti-affinity group. Every standard filter does real work.
import Benchmark
import CapacityModel
import Placement

/// SplitMix64: tiny and deterministic.
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

/// The benchmark pool with `hostCount` open hosts, and 2 000 requests.
func workload(hostCount: Int) -> (ClusterSnapshot, [PlacementRequest]) {
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
  hosts.reserveCapacity(hostCount)
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
  return (cluster, requests)
}

/// The pool and requests, built once on first use and shared by every benchmark.
final class Workload: @unchecked Sendable {
  static let tenThousand = Workload(hostCount: 10_000)
  let cluster: ClusterSnapshot
  let requests: [PlacementRequest]

  init(hostCount: Int) { (cluster, requests) = workload(hostCount: hostCount) }
}

@inline(never)
func decide(_ policy: any PlacementPolicy, _ request: PlacementRequest, _ cluster: ClusterSnapshot) -> Int {
  if case .place(let host) = policy.decide(request, in: cluster) { return host }
  return -1
}

let benchmarks: @Sendable () -> Void = {
  let configuration = Benchmark.Configuration(
    metrics: [.throughput, .wallClock, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(3),
    maxIterations: 20_000)
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
  for (label, policy) in policies {
    Benchmark("Decide, 10k hosts: \(label)", configuration: configuration) { benchmark in
      let w = Workload.tenThousand
      var checksum = 0
      for i in benchmark.scaledIterations {
        checksum &+= decide(policy, w.requests[i % w.requests.count], w.cluster)
      }
      blackHole(checksum)
    }
  }
}
