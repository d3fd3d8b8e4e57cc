import CGSL

/// Errors reported by the Stochastics module.
public enum StochasticsError: Error, Equatable, CustomStringConvertible {
  /// GSL returned the error status `code` (a `GSL_E*` constant) while doing `context`.
  case gsl(code: Int32, context: String)
  /// A parameter was non-finite or outside its domain, e.g. "normal: sd must be > 0, got -1.0".
  case invalidParameter(String)
  /// A sample had no values, or fewer than the computation needs; the text says which and how many.
  case emptySample(String)

  /// A one-line, human-readable description; GSL errors include `gsl_strerror`'s text.
  public var description: String {
    switch self {
    case .gsl(let code, let context):
      return "GSL error \(code) (\(GSL.message(for: code))): \(context)"
    case .invalidParameter(let message):
      return "invalid parameter: \(message)"
    case .emptySample(let message):
      return "empty sample: \(message)"
    }
  }
}
