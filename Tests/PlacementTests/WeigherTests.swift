import CapacityModel
import Testing

@testable import Placement

@Suite("Weighers: hand cases")
struct WeigherTests {
  /// Hosts 0–3 with 6, 2, 0 and 9 vCPU of 10 used (host 2 empty, so switched off).
  let cluster = snapshot([host(0, used: 6), host(1, used: 2), host(2), host(3, used: 9)])

  /// Raw weights, checking the batch form against `weight`.
  func weights(_ w: any HostWeigher, _ request: PlacementRequest, _ cluster: ClusterSnapshot) -> [Double] {
    let batch = batchWeights(w, request, cluster)
    let single = cluster.hosts.map { w.weight($0, request, in: cluster) }
    #expect(batch == single, "\(w.name): batch and single disagree")
    return batch
  }

  @Test func names() {
    #expect(FilterScheduler.weigherNames == ["pack", "spread", "power", "fewest_cabinets"])
  }

  @Test func packPrefersTheFullestHost() {
    let w = weights(PackWeigher(), vm("a", 1), cluster)
    // Remaining after placing 1 vCPU / 4 GiB, normalised per dimension and summed: 2 × (free − 1)/10.
    let expected: [Double] = [-0.6, -1.4, -1.8, 0]
    #expect(zip(w, expected).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(w.indices.max { w[$0] < w[$1] } == 3)
  }

  @Test func spreadPrefersTheEmptiestHost() {
    let w = weights(SpreadWeigher(), vm("a", 1), cluster)
    let expected: [Double] = [0.6, 1.4, 1.8, 0]
    #expect(zip(w, expected).allSatisfy { abs($0 - $1) < 1e-12 })
  }

  @Test func powerPrefersHostsAlreadyOn() {
    // No power curve: 1 for a host that is on, 0 for one that is off.
    #expect(weights(PowerWeigher(), vm("a"), cluster) == [1, 1, 0, 1])
  }

  @Test func powerFollowsTheCurve() {
    // A concave curve: the marginal watt per vCPU falls as load rises, so the busiest host is
    // cheapest; an empty host pays its idle power on top.
    var aggregates = testAggregates
    aggregates[0].power = .table([100, 160, 200, 230, 250, 265, 275, 282, 288, 292, 295])
    var c = cluster
    c.aggregates = aggregates
    let w = weights(PowerWeigher(), vm("a", 1), c)
    let expected: [Double] = [-7, -30, -160, -3]  // 282−275, 230−200, 160−100 plus idle 100, 295−292
    #expect(w == expected)
    // Linear curve: every host that is on costs the same; off hosts cost idle power more.
    aggregates[0].power = .linear(idleWatts: 100, maxWatts: 300)
    c.aggregates = aggregates
    let linear = weights(PowerWeigher(), vm("a", 1), c)
    #expect(abs(linear[0] - linear[1]) < 1e-9 && abs(linear[0] - linear[3]) < 1e-9)
    #expect(abs(linear[2] - (linear[0] - 100)) < 1e-9)
  }

  @Test func fewestCabinetsPrefersCabinetsInUse() {
    // Two hosts per cabinet: cabinet 0 = hosts 0, 1 (in use); cabinet 1 = host 2 (empty) and 3 (in use).
    var c = snapshot(
      [host(0, used: 1), host(1), host(2), host(3, used: 1), host(4), host(5)], hostsPerCabinet: 2)
    #expect(weights(FewestCabinetsWeigher(), vm("a"), c) == [1, 1, 1, 1, 0, 0])
    // Explicit cabinets take precedence.
    c.hosts[4].cabinet = 0
    #expect(weights(FewestCabinetsWeigher(), vm("a"), c) == [1, 1, 1, 1, 1, 0])
    // Unknown cabinets: each host is a cabinet of its own.
    let unknown = snapshot([host(0, used: 1), host(1), host(2, used: 2)])
    #expect(weights(FewestCabinetsWeigher(), vm("a"), unknown) == [1, 0, 1])
    // Sparse cabinet numbers (the set path).
    let sparse = snapshot([
      host(0, used: 1, cabinet: 1_000_000), host(1, cabinet: 1_000_000), host(2, cabinet: -5),
    ])
    #expect(weights(FewestCabinetsWeigher(), vm("a"), sparse) == [1, 1, 0])
  }

  @Test func cabinetOfHost() {
    let c = snapshot([], hostsPerCabinet: 4)
    #expect(c.cabinet(of: host(0)) == 0)
    #expect(c.cabinet(of: host(3)) == 0)
    #expect(c.cabinet(of: host(4)) == 1)
    #expect(c.cabinet(of: host(-1)) == -1)
    #expect(c.cabinet(of: host(9, cabinet: 2)) == 2)
    #expect(snapshot([]).cabinet(of: host(5)) == nil)
  }
}
