import Foundation

/// A ledger of people (a row per person, as the national form and county 台账 keep them) read as
/// household archives: columns recognised by their Chinese headings (or a mapping), rows grouped
/// into households by a household key, values parsed, and every bad value reported with its row
/// and column. No I/O: the daemon runs it over rows a client sent, then through the archive rules.
public enum ArchiveImport {
    /// What a column holds.
    public enum Field: String, Sendable, CaseIterable {
        case householdNo = "household_no", headIDNumber = "head_id_number", name, idNumber = "id_number", relation
        case employer, phone, address, monthlyIncome = "monthly_income", annualIncome = "annual_income"
        case rigidExpenses = "rigid_expenses", mainCause = "main_cause", politicalStatus = "political_status"
        case workStatus = "work_status", ethnicity, health, disability, unit, region, category
        case modelWorkerLevel = "model_worker_level", bankAccount = "bank_account", hukouRegion = "hukou_region"
        case maritalStatus = "marital_status"
    }

    /// Defaults for what the file does not say (from the command line).
    public struct Defaults: Sendable, Hashable {
        public var unit: String?
        public var region: String?
        public var mainCause: String?

        public init(unit: String? = nil, region: String? = nil, mainCause: String? = nil) {
            self.unit = unit
            self.region = region
            self.mainCause = mainCause
        }
    }

    /// A bad value: its row (1 is the heading row), column heading, value and why.
    public struct Problem: Sendable, Hashable {
        public var row: Int
        public var column: String
        public var value: String
        public var zh: String
        public var en: String

        public init(row: Int, column: String, value: String, zh: String, en: String) {
            self.row = row
            self.column = column
            self.value = value
            self.zh = zh
            self.en = en
        }
    }

    /// One household read from the file: its rows, the archive to create, and the category the
    /// file states (checked against the derived one, never imported).
    public struct Household: Sendable, Hashable {
        public var rows: [Int]
        public var input: ArchiveInput
        public var statedCategory: String?
    }

    /// What became of one household of a file.
    public struct Outcome: Sendable, Hashable, Codable {
        public enum Action: String, Sendable, Codable { case created, wouldCreate = "would_create", unchanged, refused }
        public var action: Action
        public var archiveNo: String?
        /// The derived category, to compare with what the file states.
        public var category: String?
        public var zh: String?
        public var en: String?

        public init(
            action: Action, archiveNo: String? = nil, category: String? = nil, zh: String? = nil, en: String? = nil
        ) {
            self.action = action
            self.archiveNo = archiveNo
            self.category = category
            self.zh = zh
            self.en = en
        }
    }

    /// The national form's headings (and common variants), after `normalized`.
    public static let headings: [String: Field] = [
        "户号": .householdNo, "户编号": .householdNo, "家庭编号": .householdNo, "户主身份证号": .headIDNumber,
        "户主身份证号码": .headIDNumber, "姓名": .name, "成员姓名": .name, "身份证号": .idNumber, "身份证号码": .idNumber,
        "公民身份号码": .idNumber, "与户主关系": .relation, "关系": .relation, "工作单位": .employer,
        "工作单位或学校": .employer, "就读学校或工作单位": .employer, "联系电话": .phone, "电话": .phone, "手机": .phone,
        "家庭住址": .address, "住址": .address, "现住址": .address, "月收入": .monthlyIncome, "个人月收入": .monthlyIncome,
        "家庭年收入": .annualIncome, "年收入": .annualIncome, "刚性支出": .rigidExpenses, "致困原因": .mainCause,
        "主要致困原因": .mainCause, "政治面貌": .politicalStatus, "就业状况": .workStatus, "工作状况": .workStatus,
        "民族": .ethnicity, "健康状况": .health, "残疾情况": .disability, "所属单位": .unit, "单位": .unit,
        "基层工会": .unit, "低保地区": .region, "地区代码": .region, "困难类别": .category, "劳模": .modelWorkerLevel,
        "劳模级别": .modelWorkerLevel, "银行账号": .bankAccount, "银行卡号": .bankAccount, "户籍地": .hukouRegion,
        "婚姻状况": .maritalStatus,
    ]

    /// A heading without spaces, full-width brackets' units (月收入（元）is 月收入) and a BOM.
    public static func normalized(_ heading: String) -> String {
        var text = heading.replacingOccurrences(of: "\u{FEFF}", with: "").filter { !$0.isWhitespace }
        for unit in ["（元）", "(元)", "（元/月）", "(元/月)", "（元/年）", "(元/年)"] {
            text = text.replacingOccurrences(of: unit, with: "")
        }
        return text
    }

    /// Which field each column holds: by `mapping` (heading → field name) first, then by the
    /// national form's headings; columns neither knows are left out (and named in `ignored`).
    public static func fields(columns: [String], mapping: [String: String] = [:]) throws -> (
        fields: [Int: Field], ignored: [String]
    ) {
        var fields: [Int: Field] = [:]
        var ignored: [String] = []
        for (index, heading) in columns.enumerated() {
            if let name = mapping[heading] ?? mapping[normalized(heading)] {
                guard let field = Field(rawValue: name) else {
                    throw BangfuError(
                        .invalidInput, zh: "对照表中“\(heading)”对应的字段 \(name) 不存在",
                        en: "the mapping gives column \"\(heading)\" the unknown field \(name)")
                }
                fields[index] = field
            } else if let field = headings[normalized(heading)] {
                fields[index] = field
            } else {
                ignored.append(heading)
            }
        }
        for needed in [Field.name, .idNumber] where !fields.values.contains(needed) {
            let heading = needed == .name ? "姓名" : "身份证号"
            throw BangfuError(
                .invalidInput, zh: "表格缺少“\(heading)”列：请检查表头，或用对照表（--mapping）指明",
                en: "the sheet has no \"\(heading)\" column: check the heading row or give a mapping (--mapping)")
        }
        return (fields, ignored)
    }

    /// The households of `rows` (row number, cells), and every problem found. A household with a
    /// bad value is left out whole (and each of its problems reported); the others are returned.
    public static func households(
        columns: [String], rows: [(row: Int, cells: [String])], fields: [Int: Field], defaults: Defaults,
        tree: UnitTree, causes: [String], today: LocalDate
    ) -> (households: [Household], problems: [Problem]) {
        var problems: [Problem] = []
        var order: [String] = []
        var byKey: [String: [(row: Int, value: [Field: String])]] = [:]
        for (rowNumber, cells) in rows {
            var value: [Field: String] = [:]
            for (index, field) in fields where index < cells.count {
                let cell = cells[index].trimmingCharacters(in: .whitespacesAndNewlines)
                if !cell.isEmpty { value[field] = cell }
            }
            guard !value.isEmpty else { continue }  // a blank line
            let isHead = isHeadRelation(value[.relation])
            guard let key = value[.householdNo] ?? value[.headIDNumber] ?? (isHead ? value[.idNumber] : nil) else {
                problems.append(
                    Problem(
                        row: rowNumber, column: heading(of: .relation, columns, fields), value: value[.relation] ?? "",
                        zh: "不知这一行属于哪一户：请填写户号或户主身份证号（户主本人一行的关系填“户主”）",
                        en:
                            "which household this row belongs to is unknown: give a household number or the head's ID number"
                    ))
                continue
            }
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append((rowNumber, value))
        }
        var households: [Household] = []
        for key in order {
            let people = byKey[key] ?? []
            var found: [Problem] = []
            func bad(_ row: Int, _ field: Field, _ value: String, _ zh: String, _ en: String) {
                found.append(
                    Problem(row: row, column: heading(of: field, columns, fields), value: value, zh: zh, en: en))
            }
            let heads = people.filter { isHeadRelation($0.value[.relation]) }
            guard heads.count == 1, let head = heads.first else {
                let row = people.first?.row ?? 0
                bad(
                    row, .relation, people.first?.value[.relation] ?? "",
                    heads.isEmpty ? "这一户没有户主行（与户主关系填“户主”或“本人”）" : "这一户有 \(heads.count) 个户主行",
                    heads.isEmpty
                        ? "the household has no head row (relation 户主 or 本人)"
                        : "the household has \(heads.count) head rows")
                problems += found
                continue
            }
            func idNumber(_ person: (row: Int, value: [Field: String])) -> IDNumber? {
                let text = person.value[.idNumber] ?? ""
                if text.isEmpty {
                    bad(person.row, .idNumber, text, "缺少身份证号", "the ID number is missing")
                    return nil
                }
                if looksLikeANumber(text) {
                    bad(
                        person.row, .idNumber, text,
                        "身份证号被表格软件当成了数字，后几位已经丢失：请在表格中把该列设为“文本”（或在号码前加英文单引号），重新录入后再导出",
                        "a spreadsheet turned the ID number into a number and lost its last digits: format the column as text (or start the number with an apostrophe), enter it again and export"
                    )
                    return nil
                }
                do { return try IDNumber(text, today: today) } catch let error as BangfuError {
                    bad(person.row, .idNumber, text, error.zh, error.en)
                } catch {
                    bad(person.row, .idNumber, text, "身份证号无效", "invalid ID number")
                }
                return nil
            }
            func money(_ person: (row: Int, value: [Field: String]), _ field: Field) -> Money? {
                guard let text = person.value[field] else { return nil }
                do { return try Money(parsing: text).bounded(field: field.rawValue, minimum: 0) } catch {
                    bad(person.row, field, text, "金额无效：请写成元，例如 1234.56", "not an amount: write yuan, e.g. 1234.56")
                    return nil
                }
            }
            func choice<Value: RawRepresentable>(
                _ person: (row: Int, value: [Field: String]), _ field: Field, archiveField: String,
                default fallback: Value
            ) -> Value where Value.RawValue == String {
                guard let text = person.value[field] else { return fallback }
                if let value = Value(rawValue: text)
                    ?? Words.code(ofValue: text, field: archiveField).flatMap(Value.init)
                {
                    return value
                }
                bad(person.row, field, text, "无法识别“\(text)”", "\"\(text)\" is not recognised")
                return fallback
            }
            let headID = idNumber(head)
            var members: [Member] = []
            var monthlyTotal = money(head, .monthlyIncome) ?? .zero
            for person in people where person.row != head.row {
                let id = idNumber(person)
                let income = money(person, .monthlyIncome) ?? .zero
                monthlyTotal = (try? monthlyTotal.adding(income, "monthly income")) ?? monthlyTotal
                guard let name = person.value[.name] else {
                    bad(person.row, .name, "", "缺少姓名", "the name is missing")
                    continue
                }
                if let id {
                    members.append(
                        Member(
                            name: name, idNumber: id, relation: person.value[.relation] ?? "其他",
                            health: person.value[.health],
                            monthlyIncome: income, schoolOrEmployer: person.value[.employer]))
                }
            }
            let unitText = head.value[.unit] ?? defaults.unit
            let unit = unitText.flatMap { text in
                tree.units[text] != nil ? text : tree.units.values.first { $0.name == text }?.id
            }
            if unit == nil {
                bad(
                    head.row, .unit, unitText ?? "",
                    unitText == nil ? "没有所属单位：请在表中给出，或用 --unit 指定" : "单位“\(unitText ?? "")”不存在：请用配置中的单位代码或名称",
                    unitText == nil
                        ? "no unit: give it in the sheet or with --unit" : "unit \"\(unitText ?? "")\" does not exist")
            }
            let region = head.value[.region] ?? defaults.region
            if region == nil {
                bad(
                    head.row, .region, "", "没有低保地区：请在表中给出，或用 --region 指定",
                    "no 低保 region: give it in the sheet or with --region")
            }
            let causeText = head.value[.mainCause] ?? defaults.mainCause ?? ""
            let cause =
                causes.contains(causeText)
                ? causeText
                : Words.code(of: causeText, .cause).flatMap {
                    causes.contains($0) ? $0 : nil
                }
            if cause == nil {
                bad(
                    head.row, .mainCause, causeText,
                    causeText.isEmpty ? "缺少致困原因" : "致困原因“\(causeText)”不在配置的清单中",
                    causeText.isEmpty
                        ? "the cause of hardship is missing" : "cause \"\(causeText)\" is not in the configured list")
            }
            let headName = head.value[.name] ?? ""
            if headName.isEmpty { bad(head.row, .name, "", "缺少户主姓名", "the head's name is missing") }
            let annual =
                money(head, .annualIncome)
                ?? (try? Money.product(monthlyTotal.fen, 12, "annualIncome")).map(Money.init(fen:))
            let person = Person(
                name: headName, idNumber: headID ?? .erased, ethnicity: head.value[.ethnicity],
                politicalStatus: choice(head, .politicalStatus, archiveField: "politicalStatus", default: .masses),
                modelWorkerLevel: choice(head, .modelWorkerLevel, archiveField: "modelWorkerLevel", default: .none),
                workStatus: choice(head, .workStatus, archiveField: "workStatus", default: .employed),
                employer: head.value[.employer], hukouRegion: head.value[.hukouRegion],
                maritalStatus: head.value[.maritalStatus], health: head.value[.health],
                disability: head.value[.disability], phone: head.value[.phone], bankAccount: head.value[.bankAccount])
            guard found.isEmpty, let unit, let region, let cause, let annual else {
                problems += found
                continue
            }
            let input = ArchiveInput(
                unitId: unit, region: region, head: person, members: members, annualIncome: annual,
                rigidExpenses: money(head, .rigidExpenses) ?? .zero, mainCause: cause, address: head.value[.address])
            guard found.isEmpty else {
                problems += found
                continue
            }
            households.append(
                Household(rows: people.map(\.row), input: input, statedCategory: head.value[.category]))
        }
        return (households, problems)
    }

    /// 户主 or 本人 (the head's own row).
    static func isHeadRelation(_ relation: String?) -> Bool {
        guard let relation else { return false }
        return ["户主", "本人", "申请人"].contains(relation)
    }

    /// What a spreadsheet makes of an 18-digit number: 3.70202E+17, or digits with the last ones zeroed.
    static func looksLikeANumber(_ text: String) -> Bool {
        let upper = text.uppercased()
        if upper.contains("E+") || upper.contains("E17") { return true }
        // 370202197001011000: 15 significant digits then zeros, as Excel keeps them.
        return upper.count == 18 && upper.allSatisfy(\.isNumber) && upper.hasSuffix("000")
            && (try? IDNumber(upper, today: LocalDate(year: 2100, month: 1, day: 1)!)) == nil
    }

    static func heading(of field: Field, _ columns: [String], _ fields: [Int: Field]) -> String {
        fields.first { $0.value == field }.map { columns[$0.key] } ?? field.rawValue
    }
}
