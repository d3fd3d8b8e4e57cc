import CapacityModel
import Testing

@testable import Placement

@Suite("Policies: hand cases")
struct PolicyTests {
  /// Capacity 10; free room 5, 3 and 7 on hosts 0, 1, 2.
  let cluster = ClusterSnapshot(
    hosts: hosts(capacity: cpu(10), allocated: [cpu(5), cpu(7), cpu(3)]), newHostCapacity: cpu(10))

  @Test func singleDecisionsDifferByPolicy() {
    let three = PlacementRequest(id: "x", size: cpu(3))
    #expect(FirstFit().decide(three, in: cluster) == .place(hostIndex: 0))
    #expect(BestFit().decide(three, in: cluster) == .place(hostIndex: 1))
    #expect(WorstFit().decide(three, in: cluster) == .place(hostIndex: 2))
    #expect(FirstFitDecreasing().decide(three, in: cluster) == .place(hostIndex: 0))

    let six = PlacementRequest(id: "y", size: cpu(6))
    for policy in standardPolicies {
      #expect(policy.decide(six, in: cluster) == .place(hostIndex: 2), "\(policy.name)")
    }
  }

  @Test func noRoomOpensAHostOrRejects() {
    let eight = PlacementRequest(id: "x", size: cpu(8))
    var full = cluster
    full.canOpenHost = false
    for policy in standardPolicies {
      #expect(policy.decide(eight, in: cluster) == .openNewHost, "\(policy.name)")
      #expect(policy.decide(eight, in: full) == .reject(reason: "pool full: 3 hosts"), "\(policy.name)")
    }
  }

  @Test func oversizeRequestIsRejectedNamingTheDimension() {
    let eleven = PlacementRequest(id: "x", size: cpu(11))
    for policy in standardPolicies {
      #expect(
        policy.decide(eleven, in: cluster)
          == .reject(reason: "larger than an empty host: needs 11 vcpu, host offers 10 vcpu"),
        "\(policy.name)")
    }
  }

  @Test func oversizeFitsAnOpenLargerHost() {
    // An existing host may be larger than a new one (e.g. an older model); use it.
    let big = HostState(index: 0, capacity: cpu(20))
    let snapshot = ClusterSnapshot(hosts: [big], newHostCapacity: cpu(10))
    for policy in standardPolicies {
      #expect(policy.decide(PlacementRequest(id: "x", size: cpu(15)), in: snapshot) == .place(hostIndex: 0))
    }
  }

  @Test func oversizeReasonBindingDimension() {
    let capacity = ResourceVector(vcpu: 16, memoryGiB: 64)
    func reason(_ size: ResourceVector) -> String? { PlacementReason.oversize(size, hostCapacity: capacity) }
    #expect(reason(ResourceVector(vcpu: 16, memoryGiB: 64)) == nil)
    #expect(
      reason(ResourceVector(vcpu: 8, memoryGiB: 128))
        == "larger than an empty host: needs 128 memory_gib, host offers 64 memory_gib")
    #expect(reason(ResourceVector(vcpu: 32, memoryGiB: 256))?.contains("needs 256 memory_gib") == true)
    #expect(
      reason(ResourceVector(vcpu: 40, memoryGiB: 70))?.contains("needs 40 vcpu, host offers 16 vcpu") == true)
    #expect(reason(ResourceVector(vcpu: 8, memoryGiB: 64.5))?.contains("needs 64.5 memory_gib") == true)
    // A dimension the host lacks entirely binds before any finite excess.
    #expect(
      reason(ResourceVector(vcpu: 64, memoryGiB: 1, storageGiB: 10))
        == "larger than an empty host: needs 10 storage_gib, host offers 0 storage_gib")
  }

  @Test func batchOnCapacityTen() {
    // Items 5, 7, 3, 2, 4 on hosts of 10: each policy ends with 3 hosts but fills them differently.
    let batch = requests([5, 7, 3, 2, 4])
    let empty = ClusterSnapshot(newHostCapacity: cpu(10))
    func run(_ p: any PlacementPolicy) -> PlacementOutcome {
      BatchPlacer.place(batch, into: empty, maxHosts: nil, policy: p)
    }
    #expect(placements(run(FirstFit())) == ["r0@0", "r1@1", "r2@0", "r3@0", "r4@2"])
    #expect(placements(run(BestFit())) == ["r0@0", "r1@1", "r2@1", "r3@0", "r4@2"])
    #expect(placements(run(WorstFit())) == ["r0@0", "r1@1", "r2@0", "r3@1", "r4@2"])
    #expect(placements(run(FirstFitDecreasing())) == ["r1@0", "r0@1", "r4@1", "r2@0", "r3@2"])
    #expect(run(FirstFit()).hosts.map(\.allocated.vcpu) == [10, 7, 4])
    #expect(run(BestFit()).hosts.map(\.allocated.vcpu) == [7, 10, 4])
    #expect(run(WorstFit()).hosts.map(\.allocated.vcpu) == [8, 9, 4])
    #expect(run(FirstFitDecreasing()).hosts.map(\.allocated.vcpu) == [10, 9, 2])
    #expect(run(BestFit()).hosts.map(\.vmCount) == [2, 2, 1])
  }

  @Test func decreasingOrderSavesAHost() {
    // Sum 30 on hosts of 10: first fit needs 4 hosts, first fit decreasing packs perfectly into 3.
    let batch = requests([2, 5, 4, 7, 1, 3, 8])
    let empty = ClusterSnapshot(newHostCapacity: cpu(10))
    let ff = BatchPlacer.place(batch, into: empty, maxHosts: nil, policy: FirstFit())
    let ffd = BatchPlacer.place(batch, into: empty, maxHosts: nil, policy: FirstFitDecreasing())
    #expect(ff.hosts.count == 4)
    #expect(ffd.hosts.count == 3)
    #expect(ffd.hosts.map(\.allocated.vcpu) == [10, 10, 10])
    #expect(ffd.hostsOpened == 3 && ffd.rejections.isEmpty)
  }

  /// Capacity 10 vCPU, 100 GiB. Host 0 keeps (9, 40) after placing (1, 10): score 0.9 + 0.4;
  /// host 1 keeps (3, 90): score 0.3 + 0.9. Unnormalised, host 1 has more left (93 vs 49).
  @Test func scoresAreNormalisedByCapacity() {
    let capacity = ResourceVector(vcpu: 10, memoryGiB: 100)
    let snapshot = ClusterSnapshot(
      hosts: hosts(
        capacity: capacity,
        allocated: [ResourceVector(vcpu: 0, memoryGiB: 50), ResourceVector(vcpu: 6, memoryGiB: 0)]),
      newHostCapacity: capacity)
    let request = PlacementRequest(id: "x", size: ResourceVector(vcpu: 1, memoryGiB: 10))
    #expect(BestFit().decide(request, in: snapshot) == .place(hostIndex: 1))
    #expect(WorstFit().decide(request, in: snapshot) == .place(hostIndex: 0))
  }

  @Test func tiesGoToTheLowestIndex() {
    let capacity = ResourceVector(vcpu: 10, memoryGiB: 100)
    // Both hosts keep a score of 0.9 after placing (1, 10): (1, 80) and (8, 10).
    let tied = ClusterSnapshot(
      hosts: hosts(
        capacity: capacity,
        allocated: [ResourceVector(vcpu: 8, memoryGiB: 10), ResourceVector(vcpu: 1, memoryGiB: 80)]),
      newHostCapacity: capacity)
    let request = PlacementRequest(id: "x", size: ResourceVector(vcpu: 1, memoryGiB: 10))
    #expect(BestFit().decide(request, in: tied) == .place(hostIndex: 0))
    #expect(WorstFit().decide(request, in: tied) == .place(hostIndex: 0))
    // Identical empty hosts, with non-contiguous indices: the lowest index wins.
    let same = ClusterSnapshot(
      hosts: [4, 9, 12].map { HostState(index: $0, capacity: capacity) }, newHostCapacity: capacity)
    for policy in standardPolicies {
      #expect(policy.decide(request, in: same) == .place(hostIndex: 4), "\(policy.name)")
    }
  }

  @Test func decreasingOrderKey() {
    let snapshot = ClusterSnapshot(newHostCapacity: ResourceVector(vcpu: 10, memoryGiB: 100))
    func r(_ id: String, _ c: Double, _ m: Double) -> PlacementRequest {
      PlacementRequest(id: id, size: ResourceVector(vcpu: c, memoryGiB: m))
    }
    let batch = [
      r("a", 5, 10),  // max 0.5, sum 0.6
      r("b", 2, 50),  // max 0.5, sum 0.7
      r("c", 1, 60),  // max 0.6
      r("aa", 5, 10),  // same key as a; id breaks the tie
      r("e", 9, 0),  // max 0.9
    ]
    let expected = ["e", "c", "b", "a", "aa"]
    let policy = FirstFitDecreasing()
    #expect(policy.order(batch, in: snapshot).map(\.id) == expected)
    #expect(policy.order(batch.reversed(), in: snapshot).map(\.id) == expected)
    // Online policies keep the batch order.
    for online in [FirstFit(), BestFit(), WorstFit()] as [any PlacementPolicy] {
      #expect(online.order(batch, in: snapshot) == batch)
    }
  }

  @Test func decreasingOrderIsTotalOnEqualIds() {
    let snapshot = ClusterSnapshot(newHostCapacity: cpu(10))
    let a = PlacementRequest(id: "same", size: cpu(2), system: "oa", bureau: "tax")
    let b = PlacementRequest(id: "same", size: cpu(2), system: "oa", bureau: "health")
    let c = PlacementRequest(id: "same", size: cpu(2), system: "hr", bureau: "tax")
    let policy = FirstFitDecreasing()
    #expect(policy.order([a, b, c], in: snapshot) == [c, b, a])
    #expect(policy.order([c, a, b], in: snapshot) == [c, b, a])
  }
}
