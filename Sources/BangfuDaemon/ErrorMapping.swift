import BangfuCore
import BangfuVarlink

/// Turns a typed bangfu error into the varlink error the interface declares.
enum ErrorMapping {
    /// Errors each interface declares (besides org.varlink.service's).
    static let declared: [String: Set<String>] = [
        "org.bangfu.Archive": [
            "NotFound", "InvalidInput", "PersonInOtherArchive", "NotEligible", "ArchiveClosed", "RequestIdReused",
            "RequestExpired",
            "StorageFailed",
        ],
        "org.bangfu.Cases": [
            "NotFound", "InvalidTransition", "SeparationOfDuties", "NotEligible", "HostRule", "InvalidInput",
            "Overdraft",
            "NotEarmarked", "NoticeNotElapsed", "ArchiveClosed", "PluginFailed", "RequestIdReused", "RequestExpired",
            "StorageFailed",
        ],
        "org.bangfu.Funds": [
            "NotFound", "InvalidInput", "Overdraft", "Duplicate", "NotEarmarked", "SeparationOfDuties",
            "InvalidTransition",
            "RequestIdReused", "RequestExpired", "StorageFailed",
        ],
        "org.bangfu.Notice": ["NotFound", "StorageFailed"],
        "org.bangfu.Admin": ["ClockNotManual", "InvalidInput", "ConfigurationInvalid", "StorageFailed"],
        "org.bangfu.Care": [
            "NotFound", "InvalidInput", "ArchiveClosed", "Duplicate", "RequestIdReused", "RequestExpired",
            "StorageFailed",
        ],
        "org.bangfu.Campaigns": [
            "NotFound", "InvalidInput", "SeparationOfDuties", "HostRule", "InvalidTransition", "RequestIdReused",
            "RequestExpired",
            "StorageFailed",
        ],
    ]

    static func name(for code: BangfuError.Code) -> String {
        switch code {
        case .notFound: return "NotFound"
        case .personInOtherArchive: return "PersonInOtherArchive"
        case .notEligible, .noDibaoStandard: return "NotEligible"
        case .archiveClosed, .archiveOpen: return "ArchiveClosed"
        case .invalidTransition: return "InvalidTransition"
        case .separationOfDuties: return "SeparationOfDuties"
        case .overdraft: return "Overdraft"
        case .notEarmarked: return "NotEarmarked"
        case .noticeNotElapsed: return "NoticeNotElapsed"
        case .duplicate: return "Duplicate"
        case .hostRule: return "HostRule"
        case .pluginFailed: return "PluginFailed"
        case .requestIdReused: return "RequestIdReused"
        case .requestExpired: return "RequestExpired"
        case .storage: return "StorageFailed"
        case .invalidConfig: return "ConfigurationInvalid"
        default: return "InvalidInput"
        }
    }

    static func varlink(_ e: BangfuError, interface: String) -> VarlinkError {
        // The caller may read the record (else the rule answers NotFound): the refusal names the role
        // and unit it would need, in words, beside varlink's standard error name.
        if e.code == .permissionDenied {
            return VarlinkError(
                VarlinkError.permissionDenied.name, ["message": .string(e.zh), "messageEn": .string(e.en)])
        }
        var name = name(for: e.code)
        if !(declared[interface]?.contains(name) ?? false) { name = "InvalidInput" }
        var p: [String: JSONValue] = ["message": .string(e.zh), "messageEn": .string(e.en)]
        if name == "InvalidInput" { p["code"] = .string(e.code.rawValue) }
        if name == "InvalidTransition" {
            p["state"] = .string(e.context["state"] ?? "")
            p["event"] = .string(e.context["event"] ?? "")
        }
        return VarlinkError("\(interface).\(name)", p)
    }
}
