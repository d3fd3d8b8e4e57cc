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
