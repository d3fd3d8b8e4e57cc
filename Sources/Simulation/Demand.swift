import Foundation
import Scenario
import Stochastics
import Workload

/// Demand of one business system over the horizon: reference cores and GiB per sample.
struct SystemDemand {
  var cpu: [Float]
  var memory: [Float]
}

/// Builds every system's demand from its synthetic profile or its trace, scaled by the scenario.
enum DemandBuilder {
  static func build(_ scenario: Scenario, streams: StreamFactory) throws(SimulationError) -> [SystemDemand] {
    let horizon = scenario.horizonMilliseconds
    let interval = scenario.sampleIntervalMilliseconds
    var synthetic: [(name: String, load: SyntheticLoad)] = []
    for s in scenario.systems {
      if case .synthetic(let load) = s.load { synthetic.append((s.system.name, load)) }
    }
    let generated = SyntheticGenerator.generate(
      synthetic, horizonMilliseconds: horizon, intervalMilliseconds: interval, streams: streams)
    var traces: [String: DemandSeries] = [:]
    var stores: [String: TraceStore] = [:]
    let mapped = try poolTraceEntities(scenario, streams: streams, stores: &stores)
    var out: [SystemDemand] = []
    let scale = Float(scenario.demandScale)
    for s in scenario.systems {
      let series: DemandSeries
      let row: Int
      switch s.load {
      case .synthetic:
        series = generated
        row = generated.index(of: s.system.name)!
      case .trace(let path, let entity):
        if traces[path] == nil {
          do {
            traces[path] = try NativeTraceReader.read(
              contentsOf: URL(fileURLWithPath: path), intervalMilliseconds: interval,
              horizonMilliseconds: horizon)
          } catch {
            throw SimulationError(input: "trace for system `\(s.system.name)`: \(error)")
          }
        }
        series = traces[path]!
        guard let r = series.index(of: entity) else {
          throw SimulationError(
            input: "\(path): no entity `\(entity)` (needed by system `\(s.system.name)`); "
              + "the trace has \(series.names.prefix(8).joined(separator: ", "))\(series.names.count > 8 ? ", …" : "")"
          )
        }
        row = r
      case .importedTrace(let reference, let entity):
        series = try replay(
          reference, entity: entity, system: s.system.name, scenario: scenario, stores: &stores)
        row = 0
      case .poolTrace:
        let (reference, entity) = mapped[s.system.name]!
        series = try replay(
          reference, entity: entity, system: s.system.name, scenario: scenario, stores: &stores)
        row = 0
      }
      var cpu = Array(series.cpu(row))
      var memory = Array(series.memory(row))
      if scale != 1 {
        for i in cpu.indices {
          cpu[i] *= scale
          memory[i] *= scale
        }
      }
      out.append(SystemDemand(cpu: cpu, memory: memory))
    }
    return out
  }
}

extension DemandBuilder {
  /// The trace store of a reference, imported at the scenario's interval (or opened, for `yt`),
  /// once per format and path.
  static func store(
    _ reference: TraceReference, scenario: Scenario, system: String, stores: inout [String: TraceStore]
  ) throws(SimulationError) -> TraceStore {
    let key = "\(reference.format)\u{0}\(reference.path)"
    if let known = stores[key] { return known }
    let url = URL(fileURLWithPath: reference.path)
    let store: TraceStore
    do {
      if let format = TraceFormat(rawValue: reference.format) {
        var builder = try TraceStoreBuilder(
          options: .init(
            intervalMilliseconds: scenario.sampleIntervalMilliseconds, format: format.rawValue,
            source: reference.path))
        try TraceImporters.read(format, url, into: &builder)
        store = try builder.finish()
      } else {
        store = try TraceStore.open(url)
      }
    } catch {
      throw SimulationError(input: "trace for system `\(system)`: \(error)")
    }
    stores[key] = store
    return store
  }

  /// One entity of a trace as the demand of a system over the scenario's horizon (a one-row
  /// series). Gaps hold the previous value; before the entity's first reading the demand is 0, after
  /// its last reading the last value is held.
  static func replay(
    _ reference: TraceReference, entity: String, system: String, scenario: Scenario,
    stores: inout [String: TraceStore]
  ) throws(SimulationError) -> DemandSeries {
    let store = try store(reference, scenario: scenario, system: system, stores: &stores)
    guard let row = store.index(of: entity) else {
      let names = store.names.prefix(8).joined(separator: ", ") + (store.names.count > 8 ? ", …" : "")
      throw SimulationError(
        input:
          "\(reference.path): no entity `\(entity)` (needed by system `\(system)`); the trace has \(names)")
    }
    let interval = scenario.sampleIntervalMilliseconds
    let samples = Int((scenario.horizonMilliseconds + interval - 1) / interval)
    let sizing: DemandConversion.Sizing =
      reference.vmSize.map { .fixed(cpuCores: $0.vcpu, memoryGiB: $0.memoryGiB) } ?? .capacity
    do {
      return try store.demandSeries(
        entities: [row], names: [system],
        startSample: Int(reference.startMilliseconds / store.intervalMilliseconds), sampleCount: samples,
        intervalMilliseconds: interval,
        conversion: DemandConversion(sizing: sizing, missing: .holdPrevious, cpuFactor: reference.cpuFactor))
    } catch {
      throw SimulationError(input: "trace for system `\(system)`: \(error)")
    }
  }

  /// The trace entity of every system replaying its pool's trace: the explicit map, or entities
  /// with readings drawn without replacement (stream `trace-map/<pool>`) in the systems' file order.
  static func poolTraceEntities(
    _ scenario: Scenario, streams: StreamFactory, stores: inout [String: TraceStore]
  )
    throws(SimulationError) -> [String: (TraceReference, String)]
  {
    var out: [String: (TraceReference, String)] = [:]
    for p in scenario.pools {
      guard let mapping = p.trace else { continue }
      let systems = scenario.systems.filter { s in
        if case .poolTrace(let pool) = s.load { return pool == p.pool.name }
        return false
      }.map(\.system.name)
      guard !systems.isEmpty else { continue }
      switch mapping.map {
      case .explicit(let map):
        for system in systems { out[system] = (mapping.trace, map[system]!) }
      case .sample(let seed):
        let store = try store(mapping.trace, scenario: scenario, system: systems[0], stores: &stores)
        var candidates = (0..<store.entityCount).filter { !store.sampleRange(of: $0).isEmpty }
        guard candidates.count >= systems.count else {
          throw SimulationError(
            input:
              "pool `\(p.pool.name)`: its trace \(mapping.trace.path) has \(candidates.count) entities with readings for \(systems.count) systems; map fewer systems or use a larger trace"
          )
        }
        let stream = (seed.map { StreamFactory(runSeed: $0) } ?? streams).stream("trace-map/\(p.pool.name)")
        stream.shuffle(&candidates)
        for (i, system) in systems.enumerated() { out[system] = (mapping.trace, store.names[candidates[i]]) }
      }
    }
    return out
  }
}

/// A run failure: bad input (exit code 2) or an internal error (exit code 1).
public struct SimulationError: Error, CustomStringConvertible, Sendable {
  /// What went wrong.
  public var message: String
  /// True when the input is at fault rather than Yunhe.
  public var isInputError: Bool

  /// An error caused by the scenario or its data.
  public init(input message: String) {
    self.message = message
    self.isInputError = true
  }

  /// An error inside Yunhe.
  public init(internal message: String) {
    self.message = message
    self.isInputError = false
  }

  public var description: String { message }
}
