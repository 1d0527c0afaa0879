import BangfuCore
import BangfuPluginKit
import Foundation
import Yams

/// The daemon's configuration: one human-editable YAML file, every key optional with a built-in default.
///
/// Amounts are yuan strings ("1060.00") read exactly into fen; dates are `YYYY-MM-DD`.
public struct BangfuConfiguration: Sendable {
    public var businessZone: BusinessZone
    public var noticeWorkingDays: Int
    /// The phone printed on the public notice for objections (12351, the unions' hotline, unless configured).
    public var objectionPhone: String
    public var calendar: WorkCalendar
    /// Calendar years whose holidays are configured, and whether each is synthetic (made up for tests).
    public var calendarYears: [Int: Bool]
    public var categoryRules: CategoryRules
    public var causes: [String]
    public var reviewIntervalMonths: Int
    public var retentionYears: Int
    public var units: [OrgUnit]
    /// Roles granted to unix users and groups on units.
    public var grants: [Grant]
    /// Rules across help types.
    public var hostRules: HostRules
    /// Where help-type plugins are loaded from; nil: the command's own default.
    public var pluginDirectory: String?
    /// Settings per help type, passed to its plugin (`help_types:`).
    public var helpTypeSettings: [String: [String: FormValue]]
    /// Whether the daemon pays the first instalment itself when a notice passes (else the treasurer does).
    public var payAtNoticeEnd: Bool
    /// Day of the month on which monthly instalments after the first fall due.
    public var monthlyPayDay: Int
    /// Holiday-visit campaigns.
    public var campaigns: [CampaignDefinition]
    /// Must-visit events (必访) and how soon each visit is due.
    public var mustVisitEvents: [MustVisitEvent]
    /// A paired household needs a contact at least this often, in days (a quarter: 92).
    public var contactIntervalDays: Int
    /// SQLite `synchronous` setting: `full` (default) or `normal`.
    public var synchronousFull: Bool
    /// Where the records are kept (`store.kind`: `sqlite`, the default, or `postgres`).
    public var store: StoreChoice
    /// One digest per top-level key of the file (`ConfigurationDigest`): what instances sharing a
    /// store compare, so that all of them run one configuration.
    public var digests: [String: String] = [:]
    /// Seconds an instance that does not lead waits between attempts to take the lead of the
    /// time-driven work on a shared store (`store.leader_takeover_seconds`): the bound on a takeover.
    public var leaderTakeoverSeconds: Int
    /// Days a requested transfer between funds waits for a second approver (`funds.transfer_expiry_days`).
    public var transferExpiryDays: Int
    /// Connections one unix user may hold open at once (`limits.connections_per_user`).
    public var connectionsPerUser: Int
    /// Seconds a started message may take to arrive whole (`limits.message_deadline_seconds`).
    public var messageDeadlineSeconds: Int
    /// Days a mutating call's reply is kept for a retry with its request id (`request_log.reply_days`).
    public var replyDays: Int
    /// Minutes between signed checkpoints of the audit head in the journal (`audit.checkpoint_minutes`).
    public var checkpointMinutes: Int
    /// Where the file was read from, for messages; nil for built-in defaults.
    public var sourcePath: String?

    /// A role on a unit for a unix user or group.
    public struct Grant: Sendable, Hashable {
        public var user: String?
        public var group: String?
        public var role: Role
        public var unit: String
    }

    /// Built-in defaults: Asia/Shanghai, 5 working days, plain weekdays, no units and no 低保 table.
    public init() {
        businessZone = .shanghai
        noticeWorkingDays = 5
        objectionPhone = "12351"
        calendar = WorkCalendar()
        calendarYears = [:]
        categoryRules = CategoryRules(dibao: [])
        causes = Policy.defaultCauses
        reviewIntervalMonths = 12
        retentionYears = 10
        units = []
        grants = []
        hostRules = HostRules()
        pluginDirectory = nil
        helpTypeSettings = [:]
        payAtNoticeEnd = false
        monthlyPayDay = 10
        campaigns = []
        mustVisitEvents = MustVisitEvent.defaults
        contactIntervalDays = 92
        synchronousFull = true
        store = .sqlite
        leaderTakeoverSeconds = 30
        transferExpiryDays = 7
        connectionsPerUser = 32
        messageDeadlineSeconds = 10
        replyDays = 30
        checkpointMinutes = 60
        sourcePath = nil
    }

    /// The rules the store applies.
    public var policy: Policy {
        Policy(
            caseRules: CaseRules(zone: businessZone, calendar: calendar, noticeWorkingDays: noticeWorkingDays),
            categoryRules: categoryRules, causes: causes, reviewIntervalMonths: reviewIntervalMonths,
            retentionYears: retentionYears, hostRules: hostRules, transferExpiryDays: transferExpiryDays,
            monthlyPayDay: monthlyPayDay)
    }

    /// The actor for a user name and its groups, with the grants this configuration gives them.
    public func actor(user: String, groups: [String] = [], isRoot: Bool = false, uid: UInt32? = nil) -> Actor {
        // A `uid:N` grant still holds once the uid has an account: the person is the same.
        let byUID = uid.map { "uid:\($0)" }
        let mine = grants.filter { grant in
            (grant.user != nil && (grant.user == user || grant.user == byUID))
                || (grant.group.map { groups.contains($0) } ?? false)
        }
        return Actor(id: user, grants: mine.map { RoleGrant(role: $0.role, unitId: $0.unit) }, isRoot: isRoot)
    }

    /// Reads and checks a configuration file. Errors name the file, the key and what is allowed.
    public static func load(path: String) throws -> BangfuConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BangfuError(
                .invalidConfig, zh: "无法读取配置文件 \(path)：\(error.localizedDescription)",
                en: "cannot read configuration file \(path): \(error.localizedDescription)")
        }
        return try parse(yaml: text, path: path)
    }

    /// Parses configuration text; `path` is used in messages and to resolve calendar files.
    public static func parse(yaml text: String, path: String) throws -> BangfuConfiguration {
        let file: ConfigFile
        do {
            file = try YAMLDecoder().decode(ConfigFile.self, from: text.isEmpty ? "{}" : text)
        } catch let e as DecodingError {
            throw describe(e, path: path)
        } catch let e as BangfuError {
            throw BangfuError(e.code, zh: "配置文件 \(path)：\(e.zh)", en: "configuration file \(path): \(e.en)")
        } catch {
            throw BangfuError(
                .invalidConfig, zh: "配置文件 \(path) 不是有效的 YAML：\(error)",
                en: "configuration file \(path) is not valid YAML: \(error)")
        }
        var configuration = try file.resolve(path: path)
        configuration.digests = try ConfigurationDigest.digests(yaml: text)
        return configuration
    }

    private static func describe(_ e: DecodingError, path: String) -> BangfuError {
        func keyPath(_ ctx: DecodingError.Context) -> String {
            ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch e {
        case .keyNotFound(let k, let ctx):
            let p = keyPath(ctx)
            return BangfuError(
                .invalidConfig, zh: "配置文件 \(path)：\(p.isEmpty ? "" : p + " 下")缺少必填项 \(k.stringValue)",
                en: "configuration file \(path): missing required key \(k.stringValue)\(p.isEmpty ? "" : " under " + p)"
            )
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            let underlying = (ctx.underlyingError as? BangfuError).map { ($0.zh, $0.en) }
            return BangfuError(
                .invalidConfig, zh: "配置文件 \(path)：\(keyPath(ctx)) 的值无效：\(underlying?.0 ?? ctx.debugDescription)",
                en:
                    "configuration file \(path): invalid value at \(keyPath(ctx)): \(underlying?.1 ?? ctx.debugDescription)"
            )
        @unknown default:
            return BangfuError(
                .invalidConfig, zh: "配置文件 \(path) 无效：\(e)", en: "configuration file \(path) is invalid: \(e)")
        }
    }
}

/// A yuan amount as written in configuration ("1060.00" or 1060).
struct YuanAmount: Decodable {
    let money: Money
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int64.self) {
            money = Money(yuan: i)
        } else {
            do {
                money = try Money(parsing: c.decode(String.self))
            } catch let e as BangfuError {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: e.en, underlyingError: e))
            }
        }
    }
}

/// The file's shape; every key optional.
struct ConfigFile: Decodable {
    var businessZone: String?
    var store: StoreSection?
    var notice: NoticeSection?
    var calendars: [CalendarEntry]?
    var categoryRules: [CategoryRuleEntry]?
    var dibao: [DibaoEntry]?
    var archive: ArchiveSection?
    var units: [UnitEntry]?
    var grants: [GrantEntry]?
    var rules: RulesSection?
    var disbursement: DisbursementSection?
    var campaigns: [CampaignEntry]?
    var care: CareSection?
    var funds: FundsSection?
    var limits: LimitsSection?
    var requestLog: RequestLogSection?
    var audit: AuditSection?
    var pluginDir: String?
    var helpTypes: [String: [String: FormValue]]?

    enum CodingKeys: String, CodingKey {
        case businessZone = "business_zone", store, notice, calendars, categoryRules = "category_rules", dibao, archive,
            units, grants
        case rules, disbursement, campaigns, care, funds, limits, pluginDir = "plugin_dir", helpTypes = "help_types"
        case requestLog = "request_log", audit
    }

    struct RequestLogSection: Decodable {
        var replyDays: Int?
        enum CodingKeys: String, CodingKey { case replyDays = "reply_days" }
    }

    struct AuditSection: Decodable {
        var checkpointMinutes: Int?
        enum CodingKeys: String, CodingKey { case checkpointMinutes = "checkpoint_minutes" }
    }

    struct FundsSection: Decodable {
        var transferExpiryDays: Int?
        enum CodingKeys: String, CodingKey { case transferExpiryDays = "transfer_expiry_days" }
    }

    struct LimitsSection: Decodable {
        var connectionsPerUser: Int?
        var messageDeadlineSeconds: Int?
        enum CodingKeys: String, CodingKey {
            case connectionsPerUser = "connections_per_user", messageDeadlineSeconds = "message_deadline_seconds"
        }
    }

    struct DisbursementSection: Decodable {
        var payAtNoticeEnd: Bool?
        var monthlyPayDay: Int?
        enum CodingKeys: String, CodingKey {
            case payAtNoticeEnd = "pay_at_notice_end", monthlyPayDay = "monthly_pay_day"
        }
    }

    struct CareSection: Decodable {
        var mustVisitEvents: [EventEntry]?
        var contactIntervalDays: Int?
        struct EventEntry: Decodable {
            var id: String
            var name: String
            var dueDays: Int
            enum CodingKeys: String, CodingKey { case id, name, dueDays = "due_days" }
        }
        enum CodingKeys: String, CodingKey {
            case mustVisitEvents = "must_visit_events", contactIntervalDays = "contact_interval_days"
        }
    }

    struct CampaignEntry: Decodable {
        var id: String
        var name: String
        var holiday: String
        var leadDays: Int?
        var helpType: String
        var form: [String: String]?
        var budget: YuanAmount
        var visitDueDaysBefore: Int?
        var target: TargetEntry?
        var fund: String?
        enum CodingKeys: String, CodingKey {
            case id, name, holiday, leadDays = "lead_days", helpType = "help_type", form, budget, visitDueDaysBefore =
                "visit_due_days_before", target, fund
        }
    }

    struct TargetEntry: Decodable {
        var categories: [String]?
        var partyMembersOnly: Bool?
        var modelWorkerLevels: [String]?
        var minAge: Int?
        var maxAge: Int?
        var childUnder: Int?
        var units: [String]?
        var regions: [String]?
        enum CodingKeys: String, CodingKey {
            case categories, partyMembersOnly = "party_members_only", modelWorkerLevels = "model_worker_levels",
                minAge = "min_age"
            case maxAge = "max_age", childUnder = "child_under", units, regions
        }
    }

    struct RulesSection: Decodable {
        /// A yuan amount, or "none" for no cap.
        var yearlyCap: String?
        var capIncludesLoans: Bool?
        var sameCauseWindowDays: Int?
        var temporaryAidPerYear: Int?
        enum CodingKeys: String, CodingKey {
            case yearlyCap = "yearly_cap", capIncludesLoans = "cap_includes_loans", sameCauseWindowDays =
                "same_cause_window_days"
            case temporaryAidPerYear = "temporary_aid_per_year"
        }
    }

    struct StoreSection: Decodable {
        var synchronous: String?
        var kind: String?
        var url: String?
        var passwordFile: String?
        var leaderTakeoverSeconds: Int?
        enum CodingKeys: String, CodingKey {
            case synchronous, kind, url
            case passwordFile = "password_file"
            case leaderTakeoverSeconds = "leader_takeover_seconds"
        }
    }
    struct NoticeSection: Decodable {
        var workingDays: Int?
        var objectionPhone: String?
        enum CodingKeys: String, CodingKey {
            case workingDays = "working_days", objectionPhone = "objection_phone"
        }
    }
    /// A year's holidays inline, or a `file:` with the same keys.
    struct CalendarEntry: Decodable {
        var file: String?
        var year: Int?
        var synthetic: Bool?
        var label: String?
        var holidays: [LocalDate]?
        var makeupWorkdays: [LocalDate]?
        enum CodingKeys: String, CodingKey {
            case file, year, synthetic, label, holidays, makeupWorkdays = "makeup_workdays"
        }
    }
    struct CategoryRuleEntry: Decodable {
        var effective: LocalDate
        var deepPercent: Int?
        var relativePercent: Int?
        var accidentCostPercent: Int?
        enum CodingKeys: String, CodingKey {
            case effective, deepPercent = "deep_percent", relativePercent = "relative_percent", accidentCostPercent =
                "accident_cost_percent"
        }
    }
    struct DibaoEntry: Decodable {
        var region: String
        var effective: LocalDate
        var monthly: YuanAmount
    }
    struct ArchiveSection: Decodable {
        var reviewIntervalMonths: Int?
        var retentionYears: Int?
        var causes: [String]?
        enum CodingKeys: String, CodingKey {
            case reviewIntervalMonths = "review_interval_months", retentionYears = "retention_years", causes
        }
    }
    struct UnitEntry: Decodable {
        var id: String
        var name: String
        var parent: String?
        var level: String
    }
    struct GrantEntry: Decodable {
        var user: String?
        var group: String?
        var role: String
        var unit: String
    }

    func resolve(path: String) throws -> BangfuConfiguration {
        var c = BangfuConfiguration()
        c.sourcePath = path
        func bad(_ key: String, _ zh: String, _ en: String) -> BangfuError {
            BangfuError(.invalidConfig, zh: "配置文件 \(path)：\(key) \(zh)", en: "configuration file \(path): \(key) \(en)")
        }
        if let z = businessZone {
            guard let zone = try? BusinessZone(identifier: z) else {
                throw bad(
                    "business_zone", "“\(z)”不是已知时区；请用 IANA 名称，例如 Asia/Shanghai",
                    "\"\(z)\" is not a known time zone; use an IANA name such as Asia/Shanghai")
            }
            c.businessZone = zone
        }
        if let s = store?.synchronous {
            switch s.lowercased() {
            case "full": c.synchronousFull = true
            case "normal": c.synchronousFull = false
            default:
                throw bad("store.synchronous", "只能是 full 或 normal，而不是“\(s)”", "must be full or normal, not \"\(s)\"")
            }
        }
        switch store?.kind?.lowercased() ?? "sqlite" {
        case "sqlite":
            guard store?.url == nil, store?.passwordFile == nil else {
                throw bad(
                    "store.url", "只有 kind: postgres 才需要 url 和 password_file",
                    "url and password_file are for kind: postgres only")
            }
        case "postgres", "postgresql":
            guard let url = store?.url, !url.isEmpty else {
                throw bad(
                    "store.url", "kind: postgres 须给出 url，例如 \"host=/run/postgresql dbname=bangfu user=bangfu\"",
                    "kind: postgres needs a url, e.g. \"host=/run/postgresql dbname=bangfu user=bangfu\"")
            }
            c.store = .postgres(try PostgresSettings(url: url, passwordFile: store?.passwordFile))
        case let other:
            throw bad(
                "store.kind", "只能是 sqlite 或 postgres，而不是“\(other)”", "must be sqlite or postgres, not \"\(other)\"")
        }
        if let seconds = store?.leaderTakeoverSeconds {
            guard (1...600).contains(seconds) else {
                throw bad(
                    "store.leader_takeover_seconds", "须在 1 到 600 之间，而不是 \(seconds)", "must be 1 to 600, not \(seconds)")
            }
            c.leaderTakeoverSeconds = seconds
        }
        if let d = notice?.workingDays {
            guard (1...60).contains(d) else {
                throw bad("notice.working_days", "须在 1 到 60 之间，而不是 \(d)", "must be 1 to 60, not \(d)")
            }
            c.noticeWorkingDays = d
        }
        if let phone = notice?.objectionPhone {
            // Printed on a public board: digits, spaces and dashes only, so it can carry nothing else.
            guard (3...20).contains(phone.count),
                phone.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == " ") })
            else {
                throw bad(
                    "notice.objection_phone", "只能是 3 到 20 位数字（可含空格或连字符），而不是“\(phone)”",
                    "must be 3 to 20 digits (spaces or dashes allowed), not \"\(phone)\"")
            }
            c.objectionPhone = phone
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        for (i, entry) in (calendars ?? []).enumerated() {
            var e = entry
            if let f = entry.file {
                let url = f.hasPrefix("/") ? URL(fileURLWithPath: f) : base.appendingPathComponent(f)
                let sub = try BangfuConfiguration.load(calendarFile: url.path)
                e = sub
            }
            guard let year = e.year, (1900...9999).contains(year) else {
                throw bad("calendars[\(i)].year", "缺失或无效", "is missing or invalid")
            }
            for d in (e.holidays ?? []) + (e.makeupWorkdays ?? []) where d.year != year {
                throw bad("calendars[\(i)]", "中的日期 \(d) 不在 \(year) 年", "has date \(d) outside year \(year)")
            }
            if let both = Set(e.holidays ?? []).intersection(e.makeupWorkdays ?? []).first {
                throw bad(
                    "calendars[\(i)]", "中的 \(both) 既是节假日又是调休上班日",
                    "lists \(both) both as holiday and make-up working day")
            }
            c.calendar.holidays.formUnion(e.holidays ?? [])
            c.calendar.makeupWorkdays.formUnion(e.makeupWorkdays ?? [])
            c.calendarYears[year] = e.synthetic ?? false
        }
        if let rules = categoryRules {
            guard !rules.isEmpty else { throw bad("category_rules", "不能为空", "cannot be empty") }
            c.categoryRules.rules = try rules.enumerated().map { i, r in
                let rule = CategoryRule(
                    effective: r.effective, deepPercent: r.deepPercent ?? 100,
                    relativePercent: r.relativePercent ?? 200, accidentCostPercent: r.accidentCostPercent ?? 80)
                guard rule.deepPercent > 0, rule.relativePercent >= rule.deepPercent, rule.relativePercent <= 1000,
                    (1...1000).contains(rule.accidentCostPercent)
                else {
                    throw bad(
                        "category_rules[\(i)]",
                        "的百分比无效：须 0 < deep_percent <= relative_percent <= 1000，accident_cost_percent 在 1 到 1000 之间",
                        "has invalid percentages: need 0 < deep_percent <= relative_percent <= 1000 and accident_cost_percent 1 to 1000"
                    )
                }
                return rule
            }
        }
        c.categoryRules.dibao = try (dibao ?? []).enumerated().map { i, d in
            guard !d.region.isEmpty else { throw bad("dibao[\(i)].region", "不能为空", "cannot be empty") }
            guard d.monthly.money.fen > 0, d.monthly.money <= Money.maximum else {
                throw bad(
                    "dibao[\(i)].monthly", "须大于 0 且不超过 \(Money.maximum)", "must be above 0 and at most \(Money.maximum)"
                )
            }
            return DibaoStandard(region: d.region, effective: d.effective, monthly: d.monthly.money)
        }
        if let a = archive {
            if let m = a.reviewIntervalMonths {
                guard (1...12).contains(m) else {
                    throw bad(
                        "archive.review_interval_months", "须在 1 到 12 之间（至少每年复核一次）",
                        "must be 1 to 12 (a review at least yearly)")
                }
                c.reviewIntervalMonths = m
            }
            if let y = a.retentionYears {
                guard (1...100).contains(y) else {
                    throw bad("archive.retention_years", "须在 1 到 100 之间", "must be 1 to 100")
                }
                c.retentionYears = y
            }
            if let causes = a.causes {
                guard !causes.isEmpty, causes.allSatisfy({ !$0.isEmpty }) else {
                    throw bad("archive.causes", "不能为空", "cannot be empty")
                }
                c.causes = causes
            }
        }
        c.units = try (units ?? []).enumerated().map { i, u in
            guard let level = UnitLevel(rawValue: u.level) else {
                throw bad(
                    "units[\(i)].level",
                    "“\(u.level)”无效；可选：\(UnitLevel.allCases.map(\.rawValue).joined(separator: ", "))",
                    "\"\(u.level)\" is invalid; allowed: \(UnitLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return OrgUnit(id: u.id, name: u.name, parentId: u.parent, level: level)
        }
        let tree: UnitTree
        do { tree = try UnitTree(c.units) } catch let e as BangfuError {
            throw BangfuError(
                .invalidConfig, zh: "配置文件 \(path)：units \(e.zh)", en: "configuration file \(path): units: \(e.en)")
        }
        c.grants = try (grants ?? []).enumerated().map { i, g in
            let assignable = Role.allCases.filter { $0 != .system }
            guard let role = Role(rawValue: g.role), role != .system else {
                throw bad(
                    "grants[\(i)].role", "“\(g.role)”无效；可选：\(assignable.map(\.rawValue).joined(separator: ", "))",
                    "\"\(g.role)\" is invalid; allowed: \(assignable.map(\.rawValue).joined(separator: ", "))")
            }
            guard (g.user == nil) != (g.group == nil) else {
                throw bad("grants[\(i)]", "须且只能写 user 或 group 之一", "needs exactly one of user or group")
            }
            if c.store.isShared, let user = g.user, user.hasPrefix("uid:") {
                throw bad(
                    "grants[\(i)].user",
                    "共享的 PostgreSQL 存储上不能按 uid 授权（“\(user)”）：各主机的 uid 未必是同一个人，请用用户名或组名（如目录服务中的账号）",
                    "a grant by uid (\"\(user)\") is refused on a shared PostgreSQL store: a uid need not be the same person on every host; grant to a user or group name (an account from the directory the hosts share)"
                )
            }
            guard tree.units[g.unit] != nil else {
                throw bad("grants[\(i)].unit", "“\(g.unit)”不在 units 中", "\"\(g.unit)\" is not declared under units")
            }
            return BangfuConfiguration.Grant(user: g.user, group: g.group, role: role, unit: g.unit)
        }
        if let r = rules {
            if let cap = r.yearlyCap {
                if cap.lowercased() == "none" {
                    c.hostRules.yearlyCap = nil
                } else {
                    guard let m = try? Money(parsing: cap), m.fen > 0, m <= Money.maximum else {
                        throw bad(
                            "rules.yearly_cap", "须为大于 0 的金额（元）或 none，而不是“\(cap)”",
                            "must be an amount in yuan above 0, or none; not \"\(cap)\"")
                    }
                    c.hostRules.yearlyCap = m
                }
            }
            if let b = r.capIncludesLoans { c.hostRules.capIncludesLoans = b }
            if let d = r.sameCauseWindowDays {
                guard (0...3650).contains(d) else {
                    throw bad(
                        "rules.same_cause_window_days", "须在 0 到 3650 之间（0 表示不限）", "must be 0 to 3650 (0 turns it off)")
                }
                c.hostRules.sameCauseWindowDays = d == 0 ? nil : d
            }
            if let n = r.temporaryAidPerYear {
                guard (0...100).contains(n) else {
                    throw bad(
                        "rules.temporary_aid_per_year", "须在 0 到 100 之间（0 表示不限）", "must be 0 to 100 (0 turns it off)")
                }
                c.hostRules.temporaryAidPerYear = n == 0 ? nil : n
            }
        }
        if let dir = pluginDir {
            let url = dir.hasPrefix("/") ? URL(fileURLWithPath: dir) : base.appendingPathComponent(dir)
            c.pluginDirectory = url.standardizedFileURL.path
        }
        c.helpTypeSettings = helpTypes ?? [:]
        c.payAtNoticeEnd = disbursement?.payAtNoticeEnd ?? false
        if let d = disbursement?.monthlyPayDay {
            guard (1...28).contains(d) else {
                throw bad("disbursement.monthly_pay_day", "须在 1 到 28 之间", "must be 1 to 28")
            }
            c.monthlyPayDay = d
        }
        if let care {
            if let events = care.mustVisitEvents {
                c.mustVisitEvents = try events.enumerated().map { i, e in
                    guard !e.id.isEmpty, (0...60).contains(e.dueDays) else {
                        throw bad(
                            "care.must_visit_events[\(i)]", "须有 id，due_days 在 0 到 60 之间",
                            "needs an id and due_days 0 to 60")
                    }
                    return MustVisitEvent(id: e.id, name: e.name, dueDays: e.dueDays)
                }
            }
            if let d = care.contactIntervalDays {
                guard (7...366).contains(d) else {
                    throw bad("care.contact_interval_days", "须在 7 到 366 之间", "must be 7 to 366")
                }
                c.contactIntervalDays = d
            }
        }
        if let d = funds?.transferExpiryDays {
            guard (1...90).contains(d) else {
                throw bad("funds.transfer_expiry_days", "须在 1 到 90 之间", "must be 1 to 90")
            }
            c.transferExpiryDays = d
        }
        if let days = requestLog?.replyDays {
            guard (1...3650).contains(days) else {
                throw bad("request_log.reply_days", "须在 1 到 3650 之间", "must be 1 to 3650")
            }
            c.replyDays = days
        }
        if let minutes = audit?.checkpointMinutes {
            guard (1...1440).contains(minutes) else {
                throw bad("audit.checkpoint_minutes", "须在 1 到 1440 之间", "must be 1 to 1440")
            }
            c.checkpointMinutes = minutes
        }
        if let n = limits?.connectionsPerUser {
            guard (1...512).contains(n) else {
                throw bad("limits.connections_per_user", "须在 1 到 512 之间", "must be 1 to 512")
            }
            c.connectionsPerUser = n
        }
        if let s = limits?.messageDeadlineSeconds {
            guard (1...300).contains(s) else {
                throw bad("limits.message_deadline_seconds", "须在 1 到 300 之间", "must be 1 to 300")
            }
            c.messageDeadlineSeconds = s
        }
        var ids = Set<String>()
        c.campaigns = try (campaigns ?? []).enumerated().map { i, e in
            let key = "campaigns[\(i)]"
            guard !e.id.isEmpty, ids.insert(e.id).inserted else {
                throw bad("\(key).id", "为空或重复", "is empty or repeated")
            }
            let rule: HolidayRule
            do { rule = try HolidayRule(parsing: e.holiday) } catch let err as BangfuError {
                throw bad("\(key).holiday", err.zh, err.en)
            }
            let lead = e.leadDays ?? 30
            guard (0...120).contains(lead) else { throw bad("\(key).lead_days", "须在 0 到 120 之间", "must be 0 to 120") }
            guard e.budget.money.fen >= 0, e.budget.money <= Money.maximum else {
                throw bad("\(key).budget", "须在 0 到 \(Money.maximum) 之间", "must be 0 to \(Money.maximum)")
            }
            let t = e.target
            let cats = try (t?.categories ?? []).map { v -> HardshipCategory in
                guard let x = HardshipCategory(rawValue: v) else {
                    throw bad(
                        "\(key).target.categories", "“\(v)”无效；可选 deep, relative, accident",
                        "\"\(v)\" is invalid; allowed: deep, relative, accident")
                }
                return x
            }
            let levels = try (t?.modelWorkerLevels ?? []).map { v -> ModelWorkerLevel in
                guard let x = ModelWorkerLevel(rawValue: v) else {
                    throw bad("\(key).target.model_worker_levels", "“\(v)”无效", "\"\(v)\" is invalid")
                }
                return x
            }
            for u in t?.units ?? [] where tree.units[u] == nil {
                throw bad("\(key).target.units", "“\(u)”不在 units 中", "\"\(u)\" is not declared under units")
            }
            return CampaignDefinition(
                id: e.id, name: e.name, holiday: rule, leadDays: lead,
                target: CampaignTarget(
                    categories: Set(cats), partyMembersOnly: t?.partyMembersOnly ?? false,
                    modelWorkerLevels: Set(levels), minAge: t?.minAge, maxAge: t?.maxAge,
                    childUnder: t?.childUnder, units: t?.units ?? [], regions: t?.regions ?? []),
                helpType: e.helpType, form: e.form ?? [:], budget: e.budget.money,
                visitDueDaysBefore: e.visitDueDaysBefore ?? 1,
                fund: e.fund)
        }
        return c
    }
}

extension BangfuConfiguration {
    static func load(calendarFile path: String) throws -> ConfigFile.CalendarEntry {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw BangfuError(.invalidConfig, zh: "无法读取节假日文件 \(path)", en: "cannot read holiday file \(path)")
        }
        do {
            let e = try YAMLDecoder().decode(ConfigFile.CalendarEntry.self, from: text)
            guard e.file == nil else {
                throw BangfuError(
                    .invalidConfig, zh: "节假日文件 \(path) 不能再引用其他文件",
                    en: "holiday file \(path) cannot refer to another file")
            }
            return e
        } catch let e as DecodingError {
            throw describe(e, path: path)
        }
    }
}
