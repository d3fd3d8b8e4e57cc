/// Why a packing instance could not be read or is not a valid instance.
///
/// Every error names the file (or the instance name when it did not come from a file), the
/// 1-based line when one applies, and the field, so that a user can find and fix the problem.
public struct PackingError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The kinds of problem a reader or the instance validation reports.
  public enum Kind: String, Hashable, Sendable {
    /// The file could not be read (missing, a folder, permissions).
    case unreadable
    /// The file or instance holds no items.
    case empty
    /// The file ends before all the items announced by its header were read.
    case truncated
    /// The file has a structure the format does not allow (extra data, a line with the wrong
    /// number of fields in the header, a non-integer count).
    case malformed
    /// A token is not a number.
    case notANumber
    /// A number is NaN or infinite.
    case notFinite
    /// An item size is negative, or an item (or a one-dimensional item) is zero in every dimension.
    case nonPositiveSize
    /// A bin capacity is zero or negative.
    case nonPositiveCapacity
    /// An item does not fit an empty bin in some dimension.
    case itemLargerThanBin
    /// An item has a different number of sizes than the bin has dimensions, or the dimension
    /// count is outside 1…10.
    case dimensionMismatch
  }

  /// What kind of problem this is.
  public var kind: Kind
  /// The file (or instance name) the problem is in.
  public var file: String
  /// The 1-based line, when the problem is on one line.
  public var line: Int?
  /// The field, e.g. "capacity", "item 17", "item 17 size 2", "n".
  public var field: String
  /// What is wrong, in words.
  public var message: String

  /// Creates an error.
  public init(_ kind: Kind, file: String, line: Int?, field: String, _ message: String) {
    self.kind = kind
    self.file = file
    self.line = line
    self.field = field
    self.message = message
  }

  /// "file:line: field: message" (without the line when there is none).
  public var description: String {
    let place = line.map { "\(file):\($0)" } ?? file
    return "\(place): \(field): \(message)"
  }
}
