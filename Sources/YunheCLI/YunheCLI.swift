import ArgumentParser
import Foundation
import Placement
import Reports
import Scenario
import Simulation

#if canImport(Glibc)
  import Glibc
#endif

/// Exit codes of the `yunhe` command.
public enum ExitStatus: Int32, Sendable {
  /// Success.
  case success = 0
  /// Internal error (a bug, or the environment: disk full, permissions).
  case internalError = 1
  /// Bad input: the scenario, a trace or the command line.
  case badInput = 2
}

/// Entry point used by the `yunhe` executable.
public enum YunheMain {
  /// Parses `arguments` (without the program name), runs the command and returns the exit code.
  public static func run(_ arguments: [String]) -> Int32 {
    do {
      var command = try Yunhe.parseAsRoot(arguments)
      try command.run()
      return ExitStatus.success.rawValue
    } catch {
      return report(error).rawValue
    }
  }

  /// Prints an error in the user's terms and maps it to an exit code.
  public static func report(_ error: any Error) -> ExitStatus {
    let status = exitStatus(for: error)
    switch error {
    case let e as ScenarioError: eprint(e.description)
    case let e as SimulationError: eprint("error: \(e.message)")
    case let e as ReportError: eprint("error: \(e.message)")
    case let e as CLIError: eprint("error: \(e.message)")
    default:
      let code = Yunhe.exitCode(for: error)
      if code == .success {
        print(Yunhe.fullMessage(for: error))
      } else {
        eprint(Yunhe.fullMessage(for: error))
      }
    }
    return status
  }

  /// The exit code for an error: 2 for bad input, 1 for internal errors, 0 for help and version.
  public static func exitStatus(for error: any Error) -> ExitStatus {
    switch error {
    case is ScenarioError, is CLIError: return .badInput
    case let e as SimulationError: return e.isInputError ? .badInput : .internalError
    case is ReportError: return .internalError
    default:
      let code = Yunhe.exitCode(for: error)
      if code == .success { return .success }
      return error is CleanExit ? .success : .badInput
    }
  }

  /// Runs with the process's arguments and exits.
  public static func main() -> Never {
    exit(run(Array(CommandLine.arguments.dropFirst())))
  }
}

/// A command-line problem found after parsing (exit code 2).
public struct CLIError: Error, CustomStringConvertible {
  /// What is wrong.
  public var message: String
  public var description: String { message }
}

func eprint(_ s: String) {
  FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// `yunhe`: the root command.
public struct Yunhe: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "yunhe",
    abstract:
      "Yunhe (云合): simulate moving government bureaus' systems from dedicated racks into shared pools.",
    version: yunheVersion,
    subcommands: [
      RunCommand.self, ValidateCommand.self, SchedulersCommand.self, DynamicCommand.self, TraceCommand.self,
      PackCommand.self,
    ])

  public init() {}
}

/// The placement registry the CLI uses.
let registry = PlacementRegistry.standard

func loader() -> ScenarioLoader { ScenarioLoader(knownSchedulers: registry.names) }
