import Foundation

/// Political status as on the archive form (政治面貌).
public enum PoliticalStatus: String, Sendable, Codable, CaseIterable {
    case masses, partyMember = "party_member", probationaryMember = "probationary_member", leagueMember =
        "league_member", other
}

/// Model-worker level (劳模), which host rules such as holiday condolence amounts use.
public enum ModelWorkerLevel: String, Sendable, Codable, CaseIterable {
    case none, city, provincial, national
}

/// Work status (在岗/下岗/失业/退休/病休/内退/农民工).
public enum WorkStatus: String, Sendable, Codable, CaseIterable {
    case employed, laidOff = "laid_off", unemployed, retired, sickLeave = "sick_leave", earlyRetired = "early_retired",
        migrantWorker = "migrant_worker"
}

/// The applicant, head of the household archive, with the fields of the national archive form.
public struct Person: Sendable, Codable, Hashable {
    public var name: String
    public var idNumber: IDNumber
    public var ethnicity: String?
    public var politicalStatus: PoliticalStatus
    public var modelWorkerLevel: ModelWorkerLevel
    public var workStatus: WorkStatus
    public var employer: String?
    public var hukouRegion: String?
    public var maritalStatus: String?
    public var health: String?
    public var disability: String?
    public var medicalInsurance: String?
    public var housingType: String?
    /// Housing area in whole square metres.
    public var housingAreaSqm: Int?
    public var phone: String?
    public var bankAccount: String?

    public init(
        name: String, idNumber: IDNumber, ethnicity: String? = nil, politicalStatus: PoliticalStatus = .masses,
        modelWorkerLevel: ModelWorkerLevel = .none, workStatus: WorkStatus, employer: String? = nil,
        hukouRegion: String? = nil, maritalStatus: String? = nil, health: String? = nil, disability: String? = nil,
        medicalInsurance: String? = nil, housingType: String? = nil, housingAreaSqm: Int? = nil,
        phone: String? = nil, bankAccount: String? = nil
    ) {
        self.name = name
        self.idNumber = idNumber
        self.ethnicity = ethnicity
        self.politicalStatus = politicalStatus
        self.modelWorkerLevel = modelWorkerLevel
        self.workStatus = workStatus
        self.employer = employer
        self.hukouRegion = hukouRegion
        self.maritalStatus = maritalStatus
        self.health = health
        self.disability = disability
        self.medicalInsurance = medicalInsurance
        self.housingType = housingType
        self.housingAreaSqm = housingAreaSqm
        self.phone = phone
        self.bankAccount = bankAccount
    }

    /// Birth date, taken from the ID number so the two can never disagree.
    public var birthDate: LocalDate { idNumber.birthDate }
    public var sex: Sex { idNumber.sex }
}

/// A household member living with the applicant.
public struct Member: Sendable, Codable, Hashable {
    public var name: String
    public var idNumber: IDNumber
    /// spouse, child, parent, sibling, other.
    public var relation: String
    public var health: String?
    public var monthlyIncome: Money
    /// student, working, unemployed, retired, preschool, other.
    public var status: String?
    public var schoolOrEmployer: String?

    public init(
        name: String, idNumber: IDNumber, relation: String, health: String? = nil, monthlyIncome: Money = .zero,
        status: String? = nil, schoolOrEmployer: String? = nil
    ) {
        self.name = name
        self.idNumber = idNumber
        self.relation = relation
        self.health = health
        self.monthlyIncome = monthlyIncome
        self.status = status
        self.schoolOrEmployer = schoolOrEmployer
    }
}

/// The "five clears" (五清) every archive must record.
public struct FiveClears: Sendable, Codable, Hashable {
    public var family: String
    public var cause: String
    public var stateOfMind: String
    public var employmentWish: String
    public var skills: String

    public init(
        family: String = "", cause: String = "", stateOfMind: String = "", employmentWish: String = "",
        skills: String = ""
    ) {
        self.family = family
        self.cause = cause
        self.stateOfMind = stateOfMind
        self.employmentWish = employmentWish
        self.skills = skills
    }
}

/// What a caseworker enters for a household archive (一户一档); everything else is derived.
public struct ArchiveInput: Sendable, Codable, Hashable {
    /// The organisation unit the archive belongs to.
    public var unitId: String
    /// The region whose 低保 standard applies (administrative division code, e.g. 370202).
    public var region: String
    public var head: Person
    public var members: [Member]
    /// Annual disposable household income.
    public var annualIncome: Money
    /// Rigid expenses (刚性支出) deducted before the per-capita test.
    public var rigidExpenses: Money
    /// A year's costs of accident, emergency or illness, for the 意外致困 test.
    public var accidentCosts: Money
    /// Main cause of hardship, a code from the configured list.
    public var mainCause: String
    /// Up to three secondary causes.
    public var secondaryCauses: [String]
    public var fiveClears: FiveClears
    public var urgentNeeds: String?
    /// Home address (家庭住址), as the party-member ledger asks for it: personal data, shown only to
    /// those who work the case and to the household's paired helpers.
    public var address: String?
    /// Who built, checked and entered the record (names as signed on the paper form).
    public var builtBy: String?
    public var checkedBy: String?

    public init(
        unitId: String, region: String, head: Person, members: [Member] = [], annualIncome: Money,
        rigidExpenses: Money = .zero, accidentCosts: Money = .zero, mainCause: String,
        secondaryCauses: [String] = [], fiveClears: FiveClears = FiveClears(), urgentNeeds: String? = nil,
        address: String? = nil, builtBy: String? = nil, checkedBy: String? = nil
    ) {
        self.unitId = unitId
        self.region = region
        self.head = head
        self.members = members
        self.annualIncome = annualIncome
        self.rigidExpenses = rigidExpenses
        self.accidentCosts = accidentCosts
        self.mainCause = mainCause
        self.secondaryCauses = secondaryCauses
        self.fiveClears = fiveClears
        self.urgentNeeds = urgentNeeds
        self.address = address
        self.builtBy = builtBy
        self.checkedBy = checkedBy
    }

    /// The most members one archive lists (a household, not a register).
    public static let maximumMembers = 30

    /// People living together: the applicant and the members.
    public var size: Int { 1 + members.count }

    /// Every ID number in the household, the applicant's first.
    public var idNumbers: [IDNumber] { [head.idNumber] + members.map(\.idNumber) }

    /// Per-capita monthly net income, rounded down to the fen: for display; tests compare exactly.
    public var perCapitaMonthlyIncome: Money {
        // Wrapping, not trapping: inputs are bounded by `validate`, and a display value must never stop the daemon.
        Money(fen: (annualIncome.fen &- rigidExpenses.fen) / Int64(12 * size))
    }

    /// Checks what can be checked without the store: ID numbers (again: input may come from a
    /// client that never ran the checks), names, causes, amounts, duplicate people.
    public func validate(causes: [String], today: LocalDate) throws {
        for id in idNumbers { _ = try IDNumber(id.value, today: today) }
        func bad(_ zh: String, _ en: String) -> BangfuError { BangfuError(.invalidInput, zh: zh, en: en) }
        if head.name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw bad("申请人姓名不能为空", "the applicant's name is empty")
        }
        for name in [head.name] + members.map(\.name) where name.count > 40 {
            throw bad("姓名过长（最多 40 字）", "a name is longer than 40 characters")
        }
        if unitId.isEmpty { throw bad("必须指定所属单位", "the archive needs a unit") }
        if let address, address.count > 200 {
            throw bad("家庭住址过长（最多 200 字）", "the address is longer than 200 characters")
        }
        if region.isEmpty { throw bad("必须指定户籍/低保地区代码", "the archive needs a region code for the 低保 standard") }
        for m in members where m.name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw bad("家庭成员姓名不能为空", "a household member's name is empty")
        }
        if annualIncome.fen < 0 || rigidExpenses.fen < 0 || accidentCosts.fen < 0 {
            throw bad("收入与支出不能为负数", "income and expenses cannot be negative")
        }
        for m in members where m.monthlyIncome.fen < 0 {
            throw bad("家庭成员月收入不能为负数", "a member's monthly income cannot be negative")
        }
        _ = try annualIncome.bounded(field: "annualIncome", minimum: 0)
        _ = try rigidExpenses.bounded(field: "rigidExpenses", minimum: 0)
        _ = try accidentCosts.bounded(field: "accidentCosts", minimum: 0)
        for m in members { _ = try m.monthlyIncome.bounded(field: "members.monthlyIncome", minimum: 0) }
        if members.count > ArchiveInput.maximumMembers {
            throw bad(
                "家庭成员最多 \(ArchiveInput.maximumMembers) 人", "at most \(ArchiveInput.maximumMembers) household members")
        }
        if !causes.contains(mainCause) {
            throw bad(
                "主要致困原因“\(mainCause)”不在配置的清单中：\(causes.joined(separator: ", "))",
                "main cause \"\(mainCause)\" is not in the configured list: \(causes.joined(separator: ", "))")
        }
        if secondaryCauses.count > 3 { throw bad("次要致困原因最多 3 项", "at most 3 secondary causes") }
        for c in secondaryCauses where !causes.contains(c) {
            throw bad("次要致困原因“\(c)”不在配置的清单中", "secondary cause \"\(c)\" is not in the configured list")
        }
        if Set(idNumbers).count != idNumbers.count {
            throw bad("同一身份证号码在本户中出现两次", "the same ID number appears twice in this household")
        }
    }

    /// The archive with its personal data erased (retention): who the people were, how to reach
    /// them, their health and the free text go; the counts, relations, incomes, causes and region
    /// that the figures use stay.
    public func erased() -> ArchiveInput {
        var erased = self
        erased.head = Person(
            name: ArchiveInput.erasedText, idNumber: .erased, politicalStatus: head.politicalStatus,
            modelWorkerLevel: head.modelWorkerLevel, workStatus: head.workStatus, hukouRegion: head.hukouRegion,
            housingType: head.housingType, housingAreaSqm: head.housingAreaSqm)
        erased.members = members.map { member in
            Member(
                name: ArchiveInput.erasedText, idNumber: .erased, relation: member.relation,
                monthlyIncome: member.monthlyIncome, status: member.status)
        }
        erased.fiveClears = FiveClears()
        erased.urgentNeeds = nil
        erased.address = nil
        return erased
    }

    /// What an erased value reads as.
    public static let erasedText = "〔已清除〕"

    /// Whether a field of `flattened()` holds personal data: kept in the erasable store, erased by retention.
    public static func isPersonal(field: String) -> Bool {
        if field.hasPrefix("fiveClears.") || field == "urgentNeeds" { return true }
        let name = field.split(separator: ".").last.map(String.init) ?? field
        return personalFieldNames.contains(name)
    }

    private static let personalFieldNames: Set<String> = [
        "name", "idNumber", "phone", "bankAccount", "employer", "schoolOrEmployer", "health", "disability",
        "ethnicity", "maritalStatus", "medicalInsurance", "address",
    ]

    /// The archive as flat `field -> value` pairs, for change history (old -> new per field).
    public func flattened() -> [String: String] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        guard let data = try? enc.encode(self),
            let obj = try? JSONSerialization.jsonObject(with: data)
        else { return [:] }
        var out: [String: String] = [:]
        func walk(_ v: Any, _ path: String) {
            if let d = v as? [String: Any] {
                for (k, x) in d { walk(x, path.isEmpty ? k : "\(path).\(k)") }
            } else if let a = v as? [Any] {
                out[path + ".count"] = String(a.count)
                for (i, x) in a.enumerated() { walk(x, "\(path)[\(i)]") }
            } else if v is NSNull {
                return
            } else {
                out[path] = "\(v)"
            }
        }
        walk(obj, "")
        return out
    }
}

/// Whether an archive is open (receiving help) or closed (脱困 or otherwise; kept, never deleted).
public enum ArchiveStatus: String, Sendable, Codable {
    case open, closed
}

/// Why an archive was closed.
public enum ExitReason: String, Sendable, Codable, CaseIterable {
    /// 脱困: income above the line for 6 consecutive months.
    case incomeAboveLine = "income_above_line"
    case death, transfer, retirement
    case dataCheckFailed = "data_check_failed"
    /// Moved to government 兜底 cover.
    case governmentCover = "government_cover"
    case other
}

/// A household archive as stored.
public struct Household: Sendable, Codable, Hashable {
    public var id: Int64
    /// Readable archive number, e.g. `HA-2026-000045`.
    public var archiveNo: String
    public var status: ArchiveStatus
    public var input: ArchiveInput
    public var assessment: CategoryAssessment
    public var reviewDue: LocalDate
    public var createdAt: Date
    public var closedAt: Date?
    public var exitReason: ExitReason?
    /// When the retention job erased its personal data (the archive is kept, its people are not).
    public var erasedAt: Date?

    public init(
        id: Int64, archiveNo: String, status: ArchiveStatus, input: ArchiveInput, assessment: CategoryAssessment,
        reviewDue: LocalDate, createdAt: Date, closedAt: Date? = nil, exitReason: ExitReason? = nil,
        erasedAt: Date? = nil
    ) {
        self.id = id
        self.archiveNo = archiveNo
        self.status = status
        self.input = input
        self.assessment = assessment
        self.reviewDue = reviewDue
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.exitReason = exitReason
        self.erasedAt = erasedAt
    }
}

/// One field of an archive that changed: who, when, old -> new.
public struct ArchiveChange: Sendable, Codable, Hashable {
    public var at: Date
    public var actor: String
    public var action: String
    public var field: String
    public var oldValue: String?
    public var newValue: String?

    public init(at: Date, actor: String, action: String, field: String, oldValue: String?, newValue: String?) {
        self.at = at
        self.actor = actor
        self.action = action
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
    }

    /// Field-level differences between two versions of an archive input.
    public static func diff(old: ArchiveInput?, new: ArchiveInput?, at: Date, actor: String, action: String)
        -> [ArchiveChange]
    {
        let a = old?.flattened() ?? [:], b = new?.flattened() ?? [:]
        return Set(a.keys).union(b.keys).sorted().compactMap { k in
            a[k] == b[k]
                ? nil : ArchiveChange(at: at, actor: actor, action: action, field: k, oldValue: a[k], newValue: b[k])
        }
    }
}

// Lenient decoding: optional fields of the archive form may be left out by clients.
extension Person {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), idNumber: try c.decode(IDNumber.self, forKey: .idNumber),
            ethnicity: try c.decodeIfPresent(String.self, forKey: .ethnicity),
            politicalStatus: try c.decodeIfPresent(PoliticalStatus.self, forKey: .politicalStatus) ?? .masses,
            modelWorkerLevel: try c.decodeIfPresent(ModelWorkerLevel.self, forKey: .modelWorkerLevel)
                ?? ModelWorkerLevel.none,
            workStatus: try c.decode(WorkStatus.self, forKey: .workStatus),
            employer: try c.decodeIfPresent(String.self, forKey: .employer),
            hukouRegion: try c.decodeIfPresent(String.self, forKey: .hukouRegion),
            maritalStatus: try c.decodeIfPresent(String.self, forKey: .maritalStatus),
            health: try c.decodeIfPresent(String.self, forKey: .health),
            disability: try c.decodeIfPresent(String.self, forKey: .disability),
            medicalInsurance: try c.decodeIfPresent(String.self, forKey: .medicalInsurance),
            housingType: try c.decodeIfPresent(String.self, forKey: .housingType),
            housingAreaSqm: try c.decodeIfPresent(Int.self, forKey: .housingAreaSqm),
            phone: try c.decodeIfPresent(String.self, forKey: .phone),
            bankAccount: try c.decodeIfPresent(String.self, forKey: .bankAccount))
    }
}

extension Member {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), idNumber: try c.decode(IDNumber.self, forKey: .idNumber),
            relation: try c.decode(String.self, forKey: .relation),
            health: try c.decodeIfPresent(String.self, forKey: .health),
            monthlyIncome: try c.decodeIfPresent(Money.self, forKey: .monthlyIncome) ?? .zero,
            status: try c.decodeIfPresent(String.self, forKey: .status),
            schoolOrEmployer: try c.decodeIfPresent(String.self, forKey: .schoolOrEmployer))
    }
}

extension ArchiveInput {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            unitId: try c.decode(String.self, forKey: .unitId), region: try c.decode(String.self, forKey: .region),
            head: try c.decode(Person.self, forKey: .head),
            members: try c.decodeIfPresent([Member].self, forKey: .members) ?? [],
            annualIncome: try c.decode(Money.self, forKey: .annualIncome),
            rigidExpenses: try c.decodeIfPresent(Money.self, forKey: .rigidExpenses) ?? .zero,
            accidentCosts: try c.decodeIfPresent(Money.self, forKey: .accidentCosts) ?? .zero,
            mainCause: try c.decode(String.self, forKey: .mainCause),
            secondaryCauses: try c.decodeIfPresent([String].self, forKey: .secondaryCauses) ?? [],
            fiveClears: try c.decodeIfPresent(FiveClears.self, forKey: .fiveClears) ?? FiveClears(),
            urgentNeeds: try c.decodeIfPresent(String.self, forKey: .urgentNeeds),
            address: try c.decodeIfPresent(String.self, forKey: .address),
            builtBy: try c.decodeIfPresent(String.self, forKey: .builtBy),
            checkedBy: try c.decodeIfPresent(String.self, forKey: .checkedBy))
    }
}
