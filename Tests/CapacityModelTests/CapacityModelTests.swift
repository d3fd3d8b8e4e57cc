import Testing

@testable import CapacityModel

@Suite struct ResourceVectorTests {
  @Test func arithmeticAndFit() {
    let a = ResourceVector(vcpu: 4, memoryGiB: 8, storageGiB: 100)
    let b = ResourceVector(vcpu: 2, memoryGiB: 4)
    #expect(a + b == ResourceVector(vcpu: 6, memoryGiB: 12, storageGiB: 100))
    #expect(a - b == ResourceVector(vcpu: 2, memoryGiB: 4, storageGiB: 100))
    #expect(b * 2 == ResourceVector(vcpu: 4, memoryGiB: 8))
    #expect(b.fits(in: a))
    #expect(!a.fits(in: b))
    // Decimal sums that land on the capacity still fit.
    let tenth = ResourceVector(vcpu: 0.1, memoryGiB: 0.1)
    var sum = ResourceVector.zero
    for _ in 0..<10 { sum += tenth }
    #expect(sum.fits(in: ResourceVector(vcpu: 1, memoryGiB: 1)))
    #expect(a[1] == 8)
    #expect(
      a.normalised(by: ResourceVector(vcpu: 8, memoryGiB: 16)) == ResourceVector(vcpu: 0.5, memoryGiB: 0.5))
  }

  @Test func validity() {
    #expect(ResourceVector(vcpu: 1, memoryGiB: 1).isValidAmount)
    #expect(!ResourceVector(vcpu: -1, memoryGiB: 1).isValidAmount)
    #expect(!ResourceVector(vcpu: .nan, memoryGiB: 1).isValidAmount)
    #expect(!ResourceVector(vcpu: 1, memoryGiB: .infinity).isValidAmount)
  }
}

@Suite struct PowerCurveTests {
  @Test func linearInterpolatesAndClamps() {
    let c = PowerCurve.linear(idleWatts: 100, maxWatts: 300)
    #expect(c.watts(atUtilisation: 0) == 100)
    #expect(c.watts(atUtilisation: 0.5) == 200)
    #expect(c.watts(atUtilisation: 1) == 300)
    #expect(c.watts(atUtilisation: 2) == 300)
    #expect(c.watts(atUtilisation: -1) == 100)
    #expect(c.watts(atUtilisation: .nan) == 100)
  }

  @Test func tableInterpolatesBetweenPoints() {
    // HP ProLiant ML110 G4 as in CloudSim.
    let c = PowerCurve.table([86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117])
    #expect(c.idleWatts == 86)
    #expect(c.maxWatts == 117)
    #expect(abs(c.watts(atUtilisation: 0.15) - (89.4 + 92.6) / 2) < 1e-9)
    #expect(c.watts(atUtilisation: 1) == 117)
    #expect(c.problems.isEmpty)
  }

  @Test func problemsAreReported() {
    #expect(!PowerCurve.table([1, 2, 3]).problems.isEmpty)
    #expect(!PowerCurve.table([5, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14]).problems.isEmpty)
    #expect(!PowerCurve.linear(idleWatts: 300, maxWatts: 200).problems.isEmpty)
    #expect(!PowerCurve.linear(idleWatts: -1, maxWatts: 200).problems.isEmpty)
    #expect(!PowerCurve.linear(idleWatts: 1, maxWatts: .nan).problems.isEmpty)
  }
}

@Suite struct ModelTests {
  let host = HostModel(
    name: "h", cores: 24, relativeSpeed: 1.5, memoryGiB: 192, storageGiB: 1000, rackUnits: 2,
    power: .linear(idleWatts: 100, maxWatts: 300), priceCNY: 60000, amortisationMonths: 60)

  @Test func hostCapacities() {
    #expect(host.computeCapacity == 36)
    #expect(host.monthlyAmortisationCNY == 1000)
    #expect(host.budgetWatts == 300)
    let a = host.allocatable(cpuOvercommit: 2, memoryOvercommit: 1, headroom: 0.25)
    #expect(a == ResourceVector(vcpu: 36, memoryGiB: 144, storageGiB: 750))
    var h = host
    h.nameplateWatts = 450
    #expect(h.budgetWatts == 450)
  }

  @Test func flavourNames() {
    #expect(Flavour(conventionalName: "4C8G")?.size == ResourceVector(vcpu: 4, memoryGiB: 8))
    #expect(Flavour(conventionalName: "16c64g")?.size == ResourceVector(vcpu: 16, memoryGiB: 64))
    #expect(Flavour(conventionalName: "4C") == nil)
    #expect(Flavour(conventionalName: "C8G") == nil)
    #expect(Flavour(conventionalName: "0C8G") == nil)
    #expect(Flavour(conventionalName: "large") == nil)
  }

  @Test func mlpsLevels() {
    #expect(MLPSLevel(0) == nil)
    #expect(MLPSLevel(5) == nil)
    #expect(MLPSLevel(3)! > MLPSLevel(2)!)
  }

  @Test func largeBureausStayUnlessTold() {
    #expect(!Bureau(name: "police", bureauClass: .large).mayConsolidate)
    #expect(Bureau(name: "police", bureauClass: .large, consolidateAnyway: true).mayConsolidate)
    #expect(Bureau(name: "health", bureauClass: .small).mayConsolidate)
  }
}

@Suite struct CabinetLayoutTests {
  let server = HostModel(
    name: "s", cores: 8, memoryGiB: 32, rackUnits: 2, power: .linear(idleWatts: 100, maxWatts: 400),
    priceCNY: 0, amortisationMonths: 60)

  @Test func rackUnitsBind() throws {
    // 20 usable U and a generous budget: 10 servers of 2 U per cabinet.
    let cabinet = CabinetModel(
      name: "c", rackUnits: 22, reservedRackUnits: 2, powerBudgetKW: 100, monthlyRentCNY: 1)
    let fills = try CabinetLayout.pack(servers: Array(repeating: (server, 400), count: 25), cabinet: cabinet)
    #expect(fills.map(\.servers.count) == [10, 10, 5])
    #expect(fills.allSatisfy { $0.rackUnitsUsed <= 20 })
  }

  @Test func powerBinds() throws {
    // 2.5 kW at 400 W per server: 6 per cabinet although 20 would fit by height.
    let cabinet = CabinetModel(
      name: "c", rackUnits: 42, reservedRackUnits: 2, powerBudgetKW: 2.5, monthlyRentCNY: 1)
    let fills = try CabinetLayout.pack(servers: Array(repeating: (server, 400), count: 13), cabinet: cabinet)
    #expect(fills.map(\.servers.count) == [6, 6, 1])
    #expect(fills.allSatisfy { $0.powerKW <= 2.5 })
  }

  @Test func tooBigServerIsAnError() {
    let cabinet = CabinetModel(
      name: "c", rackUnits: 4, reservedRackUnits: 3, powerBudgetKW: 10, monthlyRentCNY: 1)
    #expect(throws: CabinetLayoutError.self) {
      try CabinetLayout.pack(servers: [(server, 400)], cabinet: cabinet)
    }
    let weak = CabinetModel(name: "c", rackUnits: 42, powerBudgetKW: 0.3, monthlyRentCNY: 1)
    #expect(throws: CabinetLayoutError.self) {
      try CabinetLayout.pack(servers: [(server, 400)], cabinet: weak)
    }
  }

  @Test func monthlyCost() {
    let dc = Datacenter(pue: 1.5, tariffCNYPerKWh: 1)
    #expect(abs(dc.monthlyElectricityCNY(meanITWatts: 1000) - 1.5 * 730) < 1e-9)
    let c = MonthlyCost(cabinetRent: 6000, electricity: 1095, amortisation: 500)
    #expect(c.total == 7595)
  }

  @Test func equipmentPacksLikeAServer() {
    let e = Equipment(name: "fw", rackUnits: 1, watts: 200, count: 2, priceCNY: 12000, amortisationMonths: 60)
    #expect(e.asRackItem.rackUnits == 1)
    #expect(e.asRackItem.budgetWatts == 200)
    #expect(e.monthlyAmortisationCNY == 400)
  }
}
