import CapacityModel

@testable import Placement

/// Aggregates of the constraint tests: 0 shared extranet MLPS 3 with ssd; 1 Internet zone MLPS 2;
/// 2 the tax bureau's dedicated cloud, extranet MLPS 3 with ssd and gpu; 3 uncertified, no zone.
let testAggregates = [
  HostAggregate(name: "egov", zone: "extranet", mlps: MLPSLevel(3), tags: ["ssd"]),
  HostAggregate(name: "internet", zone: "dmz", mlps: MLPSLevel(2)),
  HostAggregate(name: "tax", zone: "extranet", mlps: MLPSLevel(3), dedicatedTo: "tax", tags: ["ssd", "gpu"]),
  HostAggregate(name: "bare"),
]

/// A host of capacity 10 vCPU / 40 GiB.
func host(
  _ index: Int, used: Double = 0, vms: Int? = nil, aggregate: Int = 0, cabinet: Int? = nil,
  groups: [String] = []
) -> HostState {
  HostState(
    index: index, capacity: ResourceVector(vcpu: 10, memoryGiB: 40),
    allocated: ResourceVector(vcpu: used, memoryGiB: used * 4), vmCount: vms ?? (used > 0 ? 1 : 0),
    aggregate: aggregate, cabinet: cabinet, groups: groups)
}

/// A snapshot over `hosts` with the test aggregates; new hosts are of aggregate `newAggregate`.
func snapshot(
  _ hosts: [HostState], newAggregate: Int = 0, canOpen: Bool = true, hostsPerCabinet: Int? = nil
) -> ClusterSnapshot {
  ClusterSnapshot(
    hosts: hosts, newHostCapacity: ResourceVector(vcpu: 10, memoryGiB: 40), canOpenHost: canOpen,
    aggregates: testAggregates, newHostAggregate: newAggregate, hostsPerCabinet: hostsPerCabinet)
}

/// A request of `vcpu` vCPU and 4 GiB per vCPU.
func vm(
  _ id: String, _ vcpu: Double = 1, bureau: String = "health", mlps: Int? = nil, zone: String? = nil,
  tags: Set<String> = [], group: String? = nil, policy: ServerGroupPolicy = .antiAffinity
) -> PlacementRequest {
  PlacementRequest(
    id: id, size: ResourceVector(vcpu: vcpu, memoryGiB: vcpu * 4), system: group ?? "s", bureau: bureau,
    mlps: mlps.flatMap(MLPSLevel.init), zone: zone, tags: tags,
    serverGroup: group.map { ServerGroup(name: $0, policy: policy) })
}

/// Indices of the hosts of `cluster` that pass `filter` by its batch form.
func batchPassing(_ filter: any HostFilter, _ request: PlacementRequest, _ cluster: ClusterSnapshot) -> [Int]
{
  var candidates = Array(cluster.hosts.indices)
  filter.filter(&candidates, request, in: cluster)
  return candidates.map { cluster.hosts[$0].index }
}

/// Indices of the hosts of `cluster` that pass `filter` one by one.
func singlePassing(_ filter: any HostFilter, _ request: PlacementRequest, _ cluster: ClusterSnapshot) -> [Int]
{
  cluster.hosts.filter { filter.passes($0, request, in: cluster) }.map(\.index)
}

/// Raw weights of every host by the weigher's batch form.
func batchWeights(_ weigher: any HostWeigher, _ request: PlacementRequest, _ cluster: ClusterSnapshot)
  -> [Double]
{
  var weights = [Double](repeating: .nan, count: cluster.hosts.count)
  weigher.weigh(Array(cluster.hosts.indices), request, in: cluster, into: &weights)
  return weights
}
