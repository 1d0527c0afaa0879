/// The one error type bangfu returns, with a stable machine code and a message in Chinese and English.
///
/// Codes are part of the protocol (the CLI, varlink error names and tests match on them);
/// messages are for people and say what to do.
public struct BangfuError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, snake_case identifier of what went wrong.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidInput = Code(rawValue: "invalid_input")
        public static let invalidIDNumber = Code(rawValue: "invalid_id_number")
        public static let invalidMoney = Code(rawValue: "invalid_money")
        public static let invalidDate = Code(rawValue: "invalid_date")
        public static let notFound = Code(rawValue: "not_found")
        public static let personInOtherArchive = Code(rawValue: "person_in_other_archive")
        public static let notEligible = Code(rawValue: "not_eligible")
        public static let noDibaoStandard = Code(rawValue: "no_dibao_standard")
        public static let archiveClosed = Code(rawValue: "archive_closed")
        public static let archiveOpen = Code(rawValue: "archive_open")
        public static let invalidTransition = Code(rawValue: "invalid_transition")
        public static let separationOfDuties = Code(rawValue: "separation_of_duties")
        public static let permissionDenied = Code(rawValue: "permission_denied")
        public static let overdraft = Code(rawValue: "overdraft")
        public static let notEarmarked = Code(rawValue: "not_earmarked")
        public static let noticeNotElapsed = Code(rawValue: "notice_not_elapsed")
        public static let duplicate = Code(rawValue: "duplicate")
        public static let invalidConfig = Code(rawValue: "invalid_config")
        public static let storage = Code(rawValue: "storage")
        public static let auditBroken = Code(rawValue: "audit_broken")
        public static let pluginFailed = Code(rawValue: "plugin_failed")
        public static let requestIdReused = Code(rawValue: "request_id_reused")
        /// A retry whose first answer is no longer kept (`request_log.reply_days`): not done again.
        public static let requestExpired = Code(rawValue: "request_expired")
        public static let hostRule = Code(rawValue: "host_rule")
    }

    public let code: Code
    /// Message in Chinese, the default language of users.
    public let zh: String
    /// Message in English.
    public let en: String
    /// Machine-readable facts about the failure (e.g. `state` and `event` of an invalid transition).
    public let context: [String: String]

    public init(_ code: Code, zh: String, en: String, context: [String: String] = [:]) {
        self.code = code
        self.zh = zh
        self.en = en
        self.context = context
    }

    /// The message in the requested language.
    public func message(_ language: Language) -> String {
        language == .zh ? zh : en
    }

    public var description: String { "\(code.rawValue): \(zh) / \(en)" }
}

/// The two languages user-facing text is written in.
public enum Language: String, Sendable, CaseIterable {
    case zh, en

    /// Chosen from a POSIX locale string such as `LANG=en_US.UTF-8`; Chinese unless it says English.
    public init(locale: String?) {
        if let locale, locale.lowercased().hasPrefix("en") { self = .en } else { self = .zh }
    }
}
