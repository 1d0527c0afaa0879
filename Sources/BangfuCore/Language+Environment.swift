import Foundation

extension Language {
    /// The user's language from `LC_ALL`, `LC_MESSAGES` or `LANG`; Chinese by default.
    public static var fromEnvironment: Language {
        let env = ProcessInfo.processInfo.environment
        return Language(
            locale: [env["LC_ALL"], env["LC_MESSAGES"], env["LANG"]].compactMap { $0 }.first { !$0.isEmpty })
    }
}
