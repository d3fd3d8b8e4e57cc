/// Entry point used by the `yunhe` executable.
public enum YunheMain {
  public static func main() {
    print("yunhe")
  }
}
