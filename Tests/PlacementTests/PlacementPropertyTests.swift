import CapacityModel
import PropertyBased
import Testing

@testable import Placement

/// A random placement problem: identical hosts, some already open and partly filled.
struct Instance: Sendable, CustomStringConvertible {
  var capacity: ResourceVector
  var initial: [HostState]
  var requests: [PlacementRequest]
  var maxHosts: Int?

  var cluster: ClusterSnapshot { ClusterSnapshot(hosts: initial, newHostCapacity: capacity) }

  var description: String {
    "capacity \(capacity); initial \(initial.map(\.allocated)); maxHosts \(String(describing: maxHosts)); "
      + "requests \(requests.map { "\($0.id): \($0.size)" })"
  }
}

/// Random instances. Capacities are whole numbers (storage sometimes 0); request sizes go up to
/// 70 % of a host per dimension, in quarter units or in eighths of a host, so exact fits and equal
/// sizes happen; about one request in seven doubles one dimension, which can make it larger than
/// an empty host.
let instances = zip(
  zip(Gen.int(in: 1...64), Gen.int(in: 1...512), Gen.int(in: 0...3)),
  zip(Gen.double(in: 0...0.7), Gen.double(in: 0...0.7), Gen.double(in: 0...0.7), Gen.int(in: 0...19))
    .array(of: 0...40),
  Gen.double(in: 0...1).array(of: 0...3),
  Gen.int(in: 0...12).optional
).map { input in
  let capacity = ResourceVector(
    vcpu: Double(input.0.0), memoryGiB: Double(input.0.1), storageGiB: Double(input.0.2 * 250))
  let requests = input.1.enumerated().map { i, r in
    // Flavour-like sizes (eighths of a host) for about half the requests, so equal sizes are
    // common; quarter units otherwise.
    let flavour = (3...11).contains(r.3)
    func round(_ f: Double, _ c: Double) -> Double {
      flavour ? (f * 8).rounded(.down) / 8 * c : (f * c * 4).rounded(.down) / 4
    }
    var size = ResourceVector(
      vcpu: round(r.0, capacity.vcpu), memoryGiB: round(r.1, capacity.memoryGiB),
      storageGiB: round(r.2, capacity.storageGiB))
    if r.3 < ResourceVector.dimensions { size[r.3] *= 2 }
    return PlacementRequest(id: "r\(i)", size: size, system: "s\(i % 3)", bureau: "b\(i % 2)")
  }
  let initial = input.2.enumerated().map { i, f in
    HostState(index: i, capacity: capacity, allocated: capacity * (f * 0.9), vmCount: 1)
  }
  return Instance(capacity: capacity, initial: initial, requests: requests, maxHosts: input.3)
}

/// Checks everything a correct outcome of any any-fit policy must satisfy.
func checkOutcome(_ outcome: PlacementOutcome, of instance: Instance, policy: any PlacementPolicy) {
  let name = policy.name
  let hosts = outcome.hosts
  let initial = instance.initial

  // Hosts: the initial ones first, then the opened ones, indices increasing.
  #expect(hosts.count == initial.count + outcome.hostsOpened, "\(name)")
  #expect(zip(hosts, initial).allSatisfy { $0.index == $1.index && $0.capacity == $1.capacity }, "\(name)")
  #expect(zip(hosts, hosts.dropFirst()).allSatisfy { $0.index < $1.index }, "\(name)")
  if let limit = instance.maxHosts, outcome.hostsOpened > 0 { #expect(hosts.count <= limit, "\(name)") }

  // No host over capacity.
  for host in hosts {
    #expect(host.allocated.fits(in: host.capacity), "\(name): host \(host.index) overfull")
  }

  // Every request assigned exactly once or rejected with a reason.
  let handled = outcome.assignments.map(\.request.id) + outcome.rejections.map(\.request.id)
  #expect(handled.sorted() == instance.requests.map(\.id).sorted(), "\(name)")
  #expect(outcome.rejections.allSatisfy { !$0.reason.isEmpty }, "\(name)")

  // Replay the assignments in decision order: each went to an open host with room, a new host
  // was opened only when no open host had room, and the chosen host is the policy's choice.
  var replay = initial
  var nextIndex = initial.count
  for a in outcome.assignments {
    let size = a.request.size
    let fitting = replay.filter { $0.canHost(size) }
    if a.hostIndex == nextIndex {
      #expect(fitting.isEmpty, "\(name): opened a host for \(a.request.id) while one had room")
      replay.append(HostState(index: nextIndex, capacity: instance.capacity))
      nextIndex += 1
    }
    guard let p = replay.firstIndex(where: { $0.index == a.hostIndex }) else {
      Issue.record("\(name): \(a.request.id) assigned to unknown host \(a.hostIndex)")
      return
    }
    #expect(replay[p].canHost(size), "\(name): \(a.request.id) placed without room")
    if a.hostIndex < nextIndex - 1 || !fitting.isEmpty {
      let scores = fitting.map { $0.normalisedRemaining(after: size) }
      let chosen = replay[p].normalisedRemaining(after: size)
      switch name {
      case "first-fit", "first-fit-decreasing":
        #expect(fitting.first?.index == a.hostIndex, "\(name): not the first host with room")
      case "best-fit":
        #expect(scores.allSatisfy { chosen <= $0 }, "\(name): a tighter host existed")
      case "worst-fit":
        #expect(scores.allSatisfy { chosen >= $0 }, "\(name): an emptier host existed")
      default: break
      }
    }
    replay[p].allocated += size
    replay[p].vmCount += 1
  }
  #expect(replay == hosts, "\(name): host states differ from the replay")

  // Rejections are justified: too large for an empty host, or no room anywhere and no host to open.
  for r in outcome.rejections {
    if r.reason.hasPrefix(PlacementReason.oversizePrefix) {
      #expect(!r.request.size.fits(in: instance.capacity), "\(name): \(r.request.id) did fit")
      #expect(
        r.reason.contains(" vcpu") || r.reason.contains(" memory_gib") || r.reason.contains(" storage_gib"))
    } else {
      #expect(r.reason.hasPrefix(PlacementReason.poolFullPrefix), "\(name): unexpected reason \(r.reason)")
      #expect(!hosts.contains { $0.canHost(r.request.size) }, "\(name): \(r.request.id) had room")
      #expect(hosts.count >= (instance.maxHosts ?? .max), "\(name): pool was not full")
    }
  }

  // Lower bound: at least ceil(total allocation / capacity) hosts in every dimension.
  let total = hosts.reduce(ResourceVector.zero) { $0 + $1.allocated }
  for d in 0..<ResourceVector.dimensions where instance.capacity[d] > 0 {
    let bound = (total[d] / instance.capacity[d] - 1e-9).rounded(.up)
    #expect(Double(hosts.count) >= bound, "\(name): below the lower bound in dimension \(d)")
  }
}

/// SplitMix64, for reproducible shuffles inside a property.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("Placement properties")
struct PlacementPropertyTests {
  @Test func outcomesAreValid() async {
    await propertyCheck(count: 300, input: instances) { instance in
      for policy in standardPolicies {
        let outcome = BatchPlacer.place(
          instance.requests, into: instance.cluster, maxHosts: instance.maxHosts, policy: policy)
        checkOutcome(outcome, of: instance, policy: policy)
      }
    }
  }

  @Test func sameInputSameOutcome() async {
    await propertyCheck(count: 100, input: instances) { instance in
      for policy in standardPolicies {
        let a = BatchPlacer.place(
          instance.requests, into: instance.cluster, maxHosts: instance.maxHosts, policy: policy)
        let b = BatchPlacer.place(
          instance.requests, into: instance.cluster, maxHosts: instance.maxHosts, policy: policy)
        #expect(a == b, "\(policy.name)")
      }
    }
  }

  @Test func decreasingIsInvariantToInputOrder() async {
    await propertyCheck(count: 200, input: instances, Gen.int(in: 0...Int.max)) { instance, seed in
      var rng = SplitMix64(state: UInt64(seed))
      let shuffled = instance.requests.shuffled(using: &rng)
      let policy = FirstFitDecreasing()
      let a = BatchPlacer.place(
        instance.requests, into: instance.cluster, maxHosts: instance.maxHosts, policy: policy)
      let b = BatchPlacer.place(shuffled, into: instance.cluster, maxHosts: instance.maxHosts, policy: policy)
      #expect(a == b)
      #expect(
        policy.order(shuffled, in: instance.cluster) == policy.order(instance.requests, in: instance.cluster))
    }
  }

  @Test func unboundedPoolsRejectOnlyOversizeRequests() async {
    await propertyCheck(count: 100, input: instances) { instance in
      for policy in standardPolicies {
        let outcome = BatchPlacer.place(
          instance.requests, into: instance.cluster, maxHosts: nil, policy: policy)
        let oversize = instance.requests.filter { !$0.size.fits(in: instance.capacity) }.map(\.id)
        #expect(outcome.rejections.map(\.request.id).sorted() == oversize.sorted(), "\(policy.name)")
      }
    }
  }
}
