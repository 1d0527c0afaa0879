/// The version bangfud and bangfuctl report.
public enum BangfuVersion {
    public static let current = "0.7.0"
}
