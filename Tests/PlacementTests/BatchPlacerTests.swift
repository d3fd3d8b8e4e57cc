import CapacityModel
import Testing

@testable import Placement

/// Always places on host 0, room or not (a buggy policy).
private struct AlwaysHostZero: PlacementPolicy {
  var name: String { "always-host-zero" }
  var summary: String { "test stub" }
  func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    .place(hostIndex: 0)
  }
}

/// Always asks for a new host, even when the request is too large for one.
private struct AlwaysOpen: PlacementPolicy {
  var name: String { "always-open" }
  var summary: String { "test stub" }
  func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    .openNewHost
  }
}

/// Defers requests of system "late" while no host is open; first fit otherwise.
private struct DeferWhileEmpty: PlacementPolicy {
  var name: String { "defer-while-empty" }
  var summary: String { "test stub" }
  func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    if request.system == "late" && cluster.hosts.isEmpty { return .defer(reason: "waiting for a host") }
    return FirstFit().decide(request, in: cluster)
  }
}

/// Defers or rejects everything, with the given (possibly empty) reason.
private struct Refuse: PlacementPolicy {
  var deferring: Bool
  var reason: String
  var name: String { "refuse" }
  var summary: String { "test stub" }
  func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    deferring ? .defer(reason: reason) : .reject(reason: reason)
  }
}

@Suite("BatchPlacer")
struct BatchPlacerTests {
  let empty = ClusterSnapshot(newHostCapacity: cpu(10))

  @Test func maxHostsStopsOpening() {
    let outcome = BatchPlacer.place(requests([6, 6, 6, 3]), into: empty, maxHosts: 2, policy: FirstFit())
    #expect(placements(outcome) == ["r0@0", "r1@1", "r3@0"])
    #expect(outcome.rejections == [Rejection(request: requests([6, 6, 6])[2], reason: "pool full: 2 hosts")])
    #expect(outcome.hostsOpened == 2)
  }

  @Test func closedPoolRejects() {
    var closed = empty
    closed.canOpenHost = false
    let outcome = BatchPlacer.place(requests([1]), into: closed, maxHosts: nil, policy: AlwaysOpen())
    #expect(outcome.assignments.isEmpty)
    #expect(outcome.rejections.map(\.reason) == ["pool full: 0 hosts"])
    let zeroLimit = BatchPlacer.place(requests([1]), into: empty, maxHosts: 0, policy: FirstFit())
    #expect(zeroLimit.rejections.map(\.reason) == ["pool full: 0 hosts"])
  }

  @Test func policyChoosingAFullHostIsRejected() {
    let one = ClusterSnapshot(hosts: [HostState(index: 0, capacity: cpu(10))], newHostCapacity: cpu(10))
    let outcome = BatchPlacer.place(requests([6, 6, 4]), into: one, maxHosts: nil, policy: AlwaysHostZero())
    #expect(placements(outcome) == ["r0@0", "r2@0"])
    #expect(outcome.rejections.map(\.reason) == ["policy chose a host without room"])
    #expect(outcome.hosts == [HostState(index: 0, capacity: cpu(10), allocated: cpu(10), vmCount: 2)])
    let none = BatchPlacer.place(requests([1]), into: empty, maxHosts: nil, policy: AlwaysHostZero())
    #expect(none.rejections.map(\.reason) == ["policy chose host 0, which is not open"])
  }

  @Test func openingForAnOversizeRequestIsRejected() {
    let outcome = BatchPlacer.place(requests([11, 10]), into: empty, maxHosts: nil, policy: AlwaysOpen())
    #expect(placements(outcome) == ["r1@0"])
    #expect(
      outcome.rejections.map(\.reason) == ["larger than an empty host: needs 11 vcpu, host offers 10 vcpu"])
  }

  @Test func deferredRequestsAreRetriedAtTheEnd() {
    let late = PlacementRequest(id: "late", size: cpu(3), system: "late")
    let early = PlacementRequest(id: "early", size: cpu(4))
    let outcome = BatchPlacer.place([late, early], into: empty, maxHosts: nil, policy: DeferWhileEmpty())
    #expect(placements(outcome) == ["early@0", "late@0"])
    #expect(outcome.rejections.isEmpty)
  }

  @Test func twiceDeferredRequestsAreRejectedWithTheirReason() {
    let batch = requests([1, 2, 3])
    let outcome = BatchPlacer.place(
      batch, into: empty, maxHosts: nil, policy: Refuse(deferring: true, reason: "migration window closed"))
    #expect(outcome.assignments.isEmpty)
    #expect(outcome.rejections == batch.map { Rejection(request: $0, reason: "migration window closed") })
  }

  @Test func emptyReasonsAreFilledIn() {
    let deferred = BatchPlacer.place(
      requests([1]), into: empty, maxHosts: nil, policy: Refuse(deferring: true, reason: ""))
    let rejected = BatchPlacer.place(
      requests([1]), into: empty, maxHosts: nil, policy: Refuse(deferring: false, reason: ""))
    #expect(deferred.rejections.map(\.reason) == ["deferred twice by refuse"])
    #expect(rejected.rejections.map(\.reason) == ["rejected by refuse"])
  }

  @Test func invalidSizesAreRejected() {
    let batch = [
      PlacementRequest(id: "nan", size: cpu(.nan)),
      PlacementRequest(id: "negative", size: ResourceVector(vcpu: 1, memoryGiB: -1)),
      PlacementRequest(id: "ok", size: cpu(1)),
    ]
    for policy in standardPolicies {
      let outcome = BatchPlacer.place(batch, into: empty, maxHosts: nil, policy: policy)
      #expect(placements(outcome) == ["ok@0"], "\(policy.name)")
      #expect(outcome.rejections.map(\.request.id).sorted() == ["nan", "negative"], "\(policy.name)")
      #expect(outcome.rejections.allSatisfy { $0.reason.hasPrefix("invalid size") }, "\(policy.name)")
    }
  }

  @Test func nonContiguousHostIndices() {
    let snapshot = ClusterSnapshot(
      hosts: [
        HostState(index: 3, capacity: cpu(10), allocated: cpu(8), vmCount: 2),
        HostState(index: 7, capacity: cpu(10)),
      ],
      newHostCapacity: cpu(10))
    let outcome = BatchPlacer.place(requests([5, 9, 4]), into: snapshot, maxHosts: nil, policy: FirstFit())
    #expect(placements(outcome) == ["r0@7", "r1@8", "r2@7"])
    #expect(outcome.hosts.map(\.index) == [3, 7, 8])
    #expect(outcome.hosts.map(\.allocated.vcpu) == [8, 9, 9])
    #expect(outcome.hosts.map(\.vmCount) == [2, 2, 1])
    #expect(outcome.hostsOpened == 1)
  }

  @Test func positionLookup() {
    let snapshot = ClusterSnapshot(
      hosts: [0, 1, 5, 6, 9].map { HostState(index: $0, capacity: cpu(1)) }, newHostCapacity: cpu(1))
    #expect(
      [0, 1, 2, 5, 6, 8, 9, 10, -1].map { snapshot.position(ofHost: $0) } == [
        0, 1, nil, 2, 3, nil, 4, nil, nil,
      ])
    #expect(snapshot.hasIncreasingIndices)
    #expect(!ClusterSnapshot(hosts: snapshot.hosts.reversed(), newHostCapacity: cpu(1)).hasIncreasingIndices)
  }

  @Test func emptyBatch() {
    let outcome = BatchPlacer.place([], into: empty, maxHosts: nil, policy: BestFit())
    #expect(outcome == PlacementOutcome(hosts: [], assignments: [], rejections: [], hostsOpened: 0))
  }
}
