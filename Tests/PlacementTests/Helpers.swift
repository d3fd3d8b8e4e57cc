import CapacityModel

@testable import Placement

/// A one-dimensional size: vCPU only.
func cpu(_ x: Double) -> ResourceVector { ResourceVector(vcpu: x, memoryGiB: 0) }

/// Requests named r0, r1, … with one-dimensional sizes.
func requests(_ sizes: [Double]) -> [PlacementRequest] {
  sizes.enumerated().map { PlacementRequest(id: "r\($0.offset)", size: cpu($0.element)) }
}

/// Hosts 0, 1, … of capacity `capacity` with the given allocations.
func hosts(capacity: ResourceVector, allocated: [ResourceVector]) -> [HostState] {
  allocated.enumerated().map {
    HostState(index: $0.offset, capacity: capacity, allocated: $0.element, vmCount: 1)
  }
}

/// (request id, host index) of every assignment, in decision order.
func placements(_ outcome: PlacementOutcome) -> [String] {
  outcome.assignments.map { "\($0.request.id)@\($0.hostIndex)" }
}

/// The four standard policies.
let standardPolicies: [any PlacementPolicy] = [FirstFit(), BestFit(), WorstFit(), FirstFitDecreasing()]
