/// One filled cabinet: what it holds and what it draws.
public struct CabinetFill: Hashable, Sendable {
  /// Servers placed in the cabinet, by host model name, in placement order.
  public var servers: [String]
  /// Rack units used by servers.
  public var rackUnitsUsed: Int
  /// Power reserved for the servers, in kW (the basis chosen for the layout).
  public var powerKW: Double
}

/// Why a server cannot go into any cabinet of the given model.
public struct CabinetLayoutError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Host model that does not fit.
  public var hostModel: String
  /// Explanation.
  public var reason: String
  public var description: String { "host model \(hostModel) does not fit a cabinet: \(reason)" }
}

/// Packs servers into cabinets limited by both rack units and power budget.
///
/// Servers are taken in the order given and placed first-fit: a cabinet is full when the next
/// server would exceed its usable rack units or its power budget, whichever binds first.
public enum CabinetLayout {
  /// Lays out servers whose power is counted at `wattsPerServer` (e.g. nameplate maximum, or the
  /// measured peak), returning the filled cabinets.
  public static func pack(
    servers: [(model: HostModel, watts: Double)], cabinet: CabinetModel
  ) throws(CabinetLayoutError) -> [CabinetFill] {
    let budgetW = cabinet.powerBudgetKW * 1000
    var fills: [CabinetFill] = []
    var usedU: [Int] = []
    var usedW: [Double] = []
    for (model, watts) in servers {
      if model.rackUnits > cabinet.usableRackUnits {
        throw CabinetLayoutError(
          hostModel: model.name,
          reason: "\(model.rackUnits) U exceeds the \(cabinet.usableRackUnits) usable U of \(cabinet.name)")
      }
      if watts > budgetW {
        throw CabinetLayoutError(
          hostModel: model.name,
          reason: "\(Int(watts)) W exceeds the \(cabinet.powerBudgetKW) kW budget of \(cabinet.name)")
      }
      var placed = false
      for i in fills.indices
      where usedU[i] + model.rackUnits <= cabinet.usableRackUnits && usedW[i] + watts <= budgetW + 1e-9 {
        usedU[i] += model.rackUnits
        usedW[i] += watts
        fills[i].servers.append(model.name)
        fills[i].rackUnitsUsed = usedU[i]
        fills[i].powerKW = usedW[i] / 1000
        placed = true
        break
      }
      if !placed {
        fills.append(
          CabinetFill(servers: [model.name], rackUnitsUsed: model.rackUnits, powerKW: watts / 1000))
        usedU.append(model.rackUnits)
        usedW.append(watts)
      }
    }
    return fills
  }
}

/// Monthly cost of a deployment in CNY, by component.
public struct MonthlyCost: Hashable, Sendable {
  /// Cabinet rent.
  public var cabinetRent: Double
  /// Electricity (IT energy × PUE × tariff).
  public var electricity: Double
  /// Server amortisation.
  public var amortisation: Double

  /// Creates a cost breakdown.
  public init(cabinetRent: Double, electricity: Double, amortisation: Double) {
    self.cabinetRent = cabinetRent
    self.electricity = electricity
    self.amortisation = amortisation
  }

  /// Sum of the components.
  public var total: Double { cabinetRent + electricity + amortisation }
}
