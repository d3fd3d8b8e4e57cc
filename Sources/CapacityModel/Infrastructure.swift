/// A server model: the hardware of a dedicated server before consolidation, or of a pool host after.
public struct HostModel: Hashable, Sendable {
  /// Name used to refer to the model from the scenario.
  public var name: String
  /// Physical cores (or hardware threads) offered to workloads.
  public var cores: Int
  /// Speed of one core relative to the scenario's reference core (1.0 = reference).
  public var relativeSpeed: Double
  /// Installed memory in GiB.
  public var memoryGiB: Double
  /// Usable local or attached storage in GiB.
  public var storageGiB: Double
  /// Height in rack units (U).
  public var rackUnits: Int
  /// Power as a function of CPU utilisation.
  public var power: PowerCurve
  /// Purchase price in CNY.
  public var priceCNY: Double
  /// Months over which the purchase price is amortised (straight line).
  public var amortisationMonths: Int
  /// Power reserved for the server in a cabinet's power budget (nameplate or derated PSU
  /// rating), in watts; nil means the power curve's maximum.
  public var nameplateWatts: Double?

  /// Power the server counts against a cabinet's power budget, in watts.
  public var budgetWatts: Double { nameplateWatts ?? power.maxWatts }

  /// Creates a host model.
  public init(
    name: String, cores: Int, relativeSpeed: Double = 1, memoryGiB: Double, storageGiB: Double = 0,
    rackUnits: Int, power: PowerCurve, priceCNY: Double, amortisationMonths: Int,
    nameplateWatts: Double? = nil
  ) {
    self.name = name
    self.cores = cores
    self.relativeSpeed = relativeSpeed
    self.memoryGiB = memoryGiB
    self.storageGiB = storageGiB
    self.rackUnits = rackUnits
    self.power = power
    self.priceCNY = priceCNY
    self.amortisationMonths = amortisationMonths
    self.nameplateWatts = nameplateWatts
  }

  /// Compute capacity in reference cores (cores × relative speed): the ceiling for demand.
  public var computeCapacity: Double { Double(cores) * relativeSpeed }

  /// Physical capacity as a vector (vCPU = cores).
  public var physicalCapacity: ResourceVector {
    ResourceVector(vcpu: Double(cores), memoryGiB: memoryGiB, storageGiB: storageGiB)
  }

  /// What a pool may allocate on this host: physical capacity × overcommit, less a headroom reserve.
  public func allocatable(cpuOvercommit: Double, memoryOvercommit: Double, headroom: Double)
    -> ResourceVector
  {
    let keep = 1 - headroom
    return ResourceVector(
      vcpu: Double(cores) * cpuOvercommit * keep, memoryGiB: memoryGiB * memoryOvercommit * keep,
      storageGiB: storageGiB * keep)
  }

  /// Straight-line amortisation per month in CNY.
  public var monthlyAmortisationCNY: Double {
    amortisationMonths > 0 ? priceCNY / Double(amortisationMonths) : 0
  }
}

/// A cabinet (rack) model: usable height, power budget and rent.
public struct CabinetModel: Hashable, Sendable {
  /// Name used to refer to the model.
  public var name: String
  /// Total height in rack units.
  public var rackUnits: Int
  /// Rack units taken by switches, patch panels and PDUs, not available to servers.
  public var reservedRackUnits: Int
  /// Power the cabinet's feed may deliver, in kW (IT load, before PUE).
  public var powerBudgetKW: Double
  /// Rent (or allocated facility cost) per month in CNY.
  public var monthlyRentCNY: Double

  /// Creates a cabinet model.
  public init(
    name: String, rackUnits: Int, reservedRackUnits: Int = 0, powerBudgetKW: Double,
    monthlyRentCNY: Double
  ) {
    self.name = name
    self.rackUnits = rackUnits
    self.reservedRackUnits = reservedRackUnits
    self.powerBudgetKW = powerBudgetKW
    self.monthlyRentCNY = monthlyRentCNY
  }

  /// Rack units available to servers.
  public var usableRackUnits: Int { Swift.max(0, rackUnits - reservedRackUnits) }
}

/// The facility: power usage effectiveness and the electricity tariff.
public struct Datacenter: Hashable, Sendable {
  /// Power usage effectiveness (facility power / IT power), ≥ 1.
  public var pue: Double
  /// Electricity price in CNY per kWh.
  public var tariffCNYPerKWh: Double

  /// Creates a datacenter description.
  public init(pue: Double, tariffCNYPerKWh: Double) {
    self.pue = pue
    self.tariffCNYPerKWh = tariffCNYPerKWh
  }

  /// Electricity cost per month in CNY of a mean IT load in watts (IT × PUE × 730 h × tariff).
  public func monthlyElectricityCNY(meanITWatts: Double) -> Double {
    meanITWatts / 1000 * pue * hoursPerMonth * tariffCNYPerKWh
  }
}

/// Hours in an average month (365 × 24 / 12), used to turn power into monthly energy cost.
public let hoursPerMonth = 730.0

/// Fixed equipment a pool needs besides its hosts (storage arrays, switches, firewalls, load
/// balancers): it takes rack units and power in the cabinets and costs money.
public struct Equipment: Hashable, Sendable {
  /// Name, e.g. "storage-array".
  public var name: String
  /// Height of one unit in rack units.
  public var rackUnits: Int
  /// Power of one unit in watts (counted at this figure for budgets and energy).
  public var watts: Double
  /// Number of units.
  public var count: Int
  /// Purchase price of one unit in CNY.
  public var priceCNY: Double
  /// Months over which the price is amortised.
  public var amortisationMonths: Int

  /// Creates an equipment line.
  public init(
    name: String, rackUnits: Int, watts: Double, count: Int, priceCNY: Double, amortisationMonths: Int
  ) {
    self.name = name
    self.rackUnits = rackUnits
    self.watts = watts
    self.count = count
    self.priceCNY = priceCNY
    self.amortisationMonths = amortisationMonths
  }

  /// Amortisation of all units per month in CNY.
  public var monthlyAmortisationCNY: Double {
    amortisationMonths > 0 ? priceCNY * Double(count) / Double(amortisationMonths) : 0
  }

  /// The unit as a pseudo host model, so that it packs into cabinets like a server.
  public var asRackItem: HostModel {
    HostModel(
      name: name, cores: 0, memoryGiB: 0, rackUnits: rackUnits,
      power: .linear(idleWatts: watts, maxWatts: watts), priceCNY: priceCNY,
      amortisationMonths: amortisationMonths)
  }
}
