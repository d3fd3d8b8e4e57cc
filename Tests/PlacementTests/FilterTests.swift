import CapacityModel
import Testing

@testable import Placement

@Suite("Filters: hand cases")
struct FilterTests {
  /// Hosts 0–4 in aggregates 0, 1, 2, 3, 0; host 0 holds group "db", host 4 holds "db" and "web".
  let cluster = snapshot([
    host(0, used: 6, groups: ["db"]), host(1, used: 2, aggregate: 1), host(2, aggregate: 2),
    host(3, used: 9, aggregate: 3), host(4, used: 1, vms: 2, groups: ["web", "db"]),
  ])

  /// Checks the filter's batch form against `passes` and returns the passing indices.
  func passing(_ filter: any HostFilter, _ request: PlacementRequest) -> [Int] {
    let batch = batchPassing(filter, request, cluster)
    #expect(batch == singlePassing(filter, request, cluster), "\(filter.name): batch and single disagree")
    return batch
  }

  @Test func namesAndKeys() {
    #expect(
      FilterScheduler.standardFilters.map(\.name) == [
        "Zone", "MLPS", "Dedicated", "Tags", "Affinity", "AntiAffinity", "Capacity",
      ])
    #expect(
      FilterScheduler.filterKeys == [
        "zone", "mlps", "dedicated", "tags", "affinity", "anti_affinity", "capacity",
      ])
  }

  @Test func capacity() {
    let f = CapacityFilter()
    #expect(passing(f, vm("a", 4)) == [0, 1, 2, 4])
    #expect(passing(f, vm("a", 1)) == [0, 1, 2, 3, 4])
    #expect(passing(f, vm("a", 10)) == [2])
    #expect(passing(f, vm("a", 11)).isEmpty)
    #expect(f.reason(cluster.hosts[0], vm("a", 5), in: cluster) == "needs 5 vcpu, 4 free")
    #expect(
      f.reason(cluster.hosts[2], vm("a", 11), in: cluster)
        == "larger than an empty host: needs 11 vcpu, host offers 10 vcpu")
    // Memory binds: 1 vCPU with 30 GiB on a host with 16 GiB free.
    let memoryHeavy = PlacementRequest(id: "m", size: ResourceVector(vcpu: 1, memoryGiB: 30))
    #expect(!f.passes(cluster.hosts[0], memoryHeavy, in: cluster))
    #expect(f.reason(cluster.hosts[0], memoryHeavy, in: cluster) == "needs 30 memory_gib, 16 free")
  }

  @Test func capacityToleratesExactFits() {
    let h = HostState(index: 0, capacity: cpu(1), allocated: cpu(0.1 + 0.2))
    #expect(CapacityFilter().passes(h, PlacementRequest(id: "x", size: cpu(0.7)), in: snapshot([h])))
  }

  @Test func zone() {
    let f = ZoneFilter()
    #expect(passing(f, vm("a")) == [0, 1, 2, 3, 4])
    #expect(passing(f, vm("a", zone: "extranet")) == [0, 2, 4])
    #expect(passing(f, vm("a", zone: "dmz")) == [1])
    #expect(passing(f, vm("a", zone: "nowhere")).isEmpty)
    #expect(
      f.reason(cluster.hosts[1], vm("a", zone: "extranet"), in: cluster)
        == "needs zone `extranet`, host is in zone `dmz`")
    #expect(
      f.reason(cluster.hosts[3], vm("a", zone: "extranet"), in: cluster)
        == "needs zone `extranet`, host is in no zone")
  }

  @Test func mlps() {
    let f = MLPSFilter()
    #expect(passing(f, vm("a")) == [0, 1, 2, 3, 4])
    #expect(passing(f, vm("a", mlps: 2)) == [0, 1, 2, 4])
    #expect(passing(f, vm("a", mlps: 3)) == [0, 2, 4])
    #expect(passing(f, vm("a", mlps: 4)).isEmpty)
    #expect(
      f.reason(cluster.hosts[1], vm("a", mlps: 3), in: cluster) == "needs MLPS 3, host certified to MLPS 2")
    #expect(
      f.reason(cluster.hosts[3], vm("a", mlps: 1), in: cluster) == "needs MLPS 1, host not MLPS certified")
  }

  @Test func dedicated() {
    let f = DedicatedFilter()
    #expect(passing(f, vm("a", bureau: "health")) == [0, 1, 3, 4])
    #expect(passing(f, vm("a", bureau: "tax")) == [0, 1, 2, 3, 4])
    #expect(
      f.reason(cluster.hosts[2], vm("a"), in: cluster)
        == "host is in the dedicated cloud (专享云) of bureau `tax`")
  }

  @Test func tags() {
    let f = TagsFilter()
    #expect(passing(f, vm("a")) == [0, 1, 2, 3, 4])
    #expect(passing(f, vm("a", tags: ["ssd"])) == [0, 2, 4])
    #expect(passing(f, vm("a", tags: ["ssd", "gpu"])) == [2])
    #expect(passing(f, vm("a", tags: ["fpga"])).isEmpty)
    #expect(
      f.reason(cluster.hosts[1], vm("a", tags: ["ssd", "gpu"]), in: cluster) == "host lacks tags gpu, ssd")
    #expect(f.reason(cluster.hosts[0], vm("a", tags: ["ssd", "gpu"]), in: cluster) == "host lacks tag gpu")
  }

  @Test func aggregateFiltersRefuseUnknownAggregates() {
    let odd = ClusterSnapshot(
      hosts: [HostState(index: 0, capacity: cpu(4), aggregate: 7), HostState(index: 1, capacity: cpu(4))],
      newHostCapacity: cpu(4))
    for f in [ZoneFilter(), MLPSFilter(), DedicatedFilter(), TagsFilter()] as [any AggregateFilter] {
      #expect(batchPassing(f, vm("a"), odd) == [1], "\(f.name)")
      #expect(singlePassing(f, vm("a"), odd) == [1], "\(f.name)")
      #expect(f.reason(odd.hosts[0], vm("a"), in: odd).contains("aggregate 7"))
    }
  }

  @Test func antiAffinity() {
    let f = AntiAffinityFilter()
    #expect(passing(f, vm("a")) == [0, 1, 2, 3, 4])
    #expect(passing(f, vm("a", group: "db")) == [1, 2, 3])
    #expect(passing(f, vm("a", group: "web")) == [0, 1, 2, 3])
    #expect(passing(f, vm("a", group: "new")) == [0, 1, 2, 3, 4])
    // An affinity group is not this filter's business.
    #expect(passing(f, vm("a", group: "db", policy: .affinity)) == [0, 1, 2, 3, 4])
    #expect(
      f.reason(cluster.hosts[0], vm("a", group: "db"), in: cluster)
        == "host 0 already holds a VM of server group `db` (anti-affinity)")
  }

  @Test func affinity() {
    let f = AffinityFilter()
    #expect(passing(f, vm("a")) == [0, 1, 2, 3, 4])
    #expect(passing(f, vm("a", group: "db", policy: .affinity)) == [0, 4])
    #expect(passing(f, vm("a", group: "web", policy: .affinity)) == [4])
    // First VM of a group: anywhere.
    #expect(passing(f, vm("a", group: "new", policy: .affinity)) == [0, 1, 2, 3, 4])
    #expect(passing(f, vm("a", group: "db", policy: .antiAffinity)) == [0, 1, 2, 3, 4])
    #expect(
      f.reason(cluster.hosts[1], vm("a", group: "db", policy: .affinity), in: cluster)
        == "server group `db` (affinity) is on hosts 0, 4")
    #expect(
      f.reason(cluster.hosts[1], vm("a", group: "web", policy: .affinity), in: cluster)
        == "server group `web` (affinity) is on host 4")
  }

  @Test func groupBitsFollowGroups() {
    var h = host(0)
    #expect(h.groupBits == 0)
    h.groups = ["a", "b"]
    #expect(h.groupBits == ServerGroup.bit(for: "a") | ServerGroup.bit(for: "b"))
    h.add(vm("x", group: "c"))
    #expect(h.groups == ["a", "b", "c"])
    #expect(h.groupBits == HostState.bits(of: ["a", "b", "c"]))
    h.add(vm("y", group: "a"))
    #expect(h.groups == ["a", "b", "c"], "a group is listed once")
    #expect(h.vmCount == 2)
    #expect(h.holdsGroup("c") && !h.holdsGroup("d"))
    // The bit is a stable function of the name (same in every run), one bit of 64.
    #expect(ServerGroup.bit(for: "db").nonzeroBitCount == 1)
    #expect(ServerGroup.bit(for: "db") == ServerGroup.bit(for: "db"))
    let spread = Set((0..<200).map { ServerGroup.bit(for: "sys-\($0)") })
    #expect(spread.count > 40, "names that differ in their last characters use many bits")
  }

  @Test func groupBitCollisionsStillCompareNames() {
    // Find two names with the same bit; holding one must not count as holding the other.
    let names = (0..<200).map { "g\($0)" }
    let first = names[0]
    let twin = try! #require(
      names.dropFirst().first { ServerGroup.bit(for: $0) == ServerGroup.bit(for: first) })
    let cluster = snapshot([host(0, groups: [first])])
    #expect(batchPassing(AntiAffinityFilter(), vm("a", group: twin), cluster) == [0])
    #expect(batchPassing(AffinityFilter(), vm("a", group: twin, policy: .affinity), cluster) == [0])
  }
}
