import CGSL

/// Process-wide configuration of the GNU Scientific Library.
///
/// GSL's default error handler calls `abort()` on any error. Yunhe checks return values instead, so
/// the handler is switched off exactly once, before the first GSL call. Every entry point of this
/// module that calls GSL calls ``configure()`` itself; callers outside the module never need to.
public enum GSL {
  /// Swift guarantees that a global or static `let` is initialised exactly once, thread-safely.
  private static let configured: Void = {
    yunhe_gsl_errors_off()
  }()

  /// Switches GSL's abort-on-error handler off. Idempotent and thread-safe; cheap after the first call.
  public static func configure() {
    _ = configured
  }

  /// Throws ``StochasticsError/gsl(code:context:)`` when `status` is not `GSL_SUCCESS`.
  static func check(_ status: Int32, _ context: @autoclosure () -> String) throws(StochasticsError) {
    guard status == Int32(GSL_SUCCESS) else {
      throw .gsl(code: status, context: context())
    }
  }

  /// Returns `value` when it is finite; otherwise throws a GSL domain error.
  ///
  /// With the error handler off, GSL's special functions report failure by returning NaN or an
  /// infinity, so a non-finite result where a finite one is expected is mapped to `GSL_EDOM`.
  static func finite(_ value: Double, _ context: @autoclosure () -> String) throws(StochasticsError)
    -> Double
  {
    guard value.isFinite else {
      throw .gsl(code: Int32(GSL_EDOM), context: "\(context()) returned \(value)")
    }
    return value
  }

  /// GSL's text for an error status, e.g. "input domain error" for `GSL_EDOM`.
  static func message(for code: Int32) -> String {
    guard let text = gsl_strerror(code) else { return "unknown error" }
    return String(cString: text)
  }
}
