/// The words people read for the codes on the wire, kept in one place.
///
/// The protocol, the store and `--json` keep the stable codes (`in_notice`, `one_off`); anything a
/// person reads in Chinese shows these words instead, never the code (the staff walkthrough found
/// `submitted`, `one_off` and `lunar:1-1` in Chinese output).
public enum Words {
    /// The kinds of code a word stands for: the same code can mean different things
    /// (`closed` is a case state and an archive status).
    public enum Kind: Sendable {
        case caseState, event, paymentKind, ledgerKind, campaignState, campaignOutcome, visitStatus
        case archiveStatus, exitReason, transferState, category, role, fundSource, contactKind
        case operation, cause, receptionChannel, receptionOutcome, receptionKind, mustVisitEvent, actor, clock,
            archiveAction, memberStatus
    }

    /// The word for `code` in `language`; the code itself when it is not one of the known ones.
    public static func of(_ kind: Kind, _ code: String, _ language: Language) -> String {
        guard language == .zh else { return english(kind, code) }
        switch kind {
        case .caseState: return CaseState(rawValue: code)?.zh ?? code
        case .category: return HardshipCategory(rawValue: code)?.zh ?? code
        case .role, .actor: return Role(rawValue: code)?.zh ?? code
        case .fundSource: return FundSource(rawValue: code)?.zh ?? code
        case .operation: return chinese[.operation]?[code] ?? chinese[.event]?[code] ?? "执行此操作"
        default: return chinese[kind]?[code] ?? code
        }
    }

    /// A varlink method's operation as the words know it: `org.bangfu.Cases.PassReview` is `pass_review`.
    public static func operation(method: String) -> String {
        let name = method.split(separator: ".").last.map(String.init) ?? method
        var snake = ""
        for character in name {
            if character.isUppercase && !snake.isEmpty { snake += "_" }
            snake += character.lowercased()
        }
        return snake
    }

    private static func english(_ kind: Kind, _ code: String) -> String {
        switch kind {
        case .paymentKind, .event, .ledgerKind, .campaignOutcome, .exitReason, .receptionChannel, .receptionOutcome:
            return code.replacingOccurrences(of: "_", with: " ")
        default: return code
        }
    }

    private static let chinese: [Kind: [String: String]] = [
        .event: [
            "submit": "提交申请", "return_for_info": "退回补充", "resubmit": "重新提交", "pass_review": "初审通过",
            "reject": "不予通过", "approve": "审批并公示", "object": "登记异议", "dismiss_objection": "异议不成立",
            "uphold_objection": "异议成立", "notice_elapsed": "公示期满", "schedule_disbursement": "安排发放",
            "pay_instalment": "发放", "receive_repayment": "收回还款", "close": "办结", "withdraw": "撤回",
            "record_service": "登记服务", "amend": "修改申请",
        ],
        .operation: [
            "create_archive": "建档", "update_archive": "更新档案", "review_archive": "复核档案", "exit_archive": "关闭档案",
            "reenter_archive": "重新启用档案", "record_contact": "登记联系", "record_visit": "登记走访",
            "record_reception": "登记接待", "record_income": "登记收入", "must_visit": "登记必访事件", "pair": "结对",
            "unpair": "解除结对", "reassign": "转交结对家庭", "transfer": "在账户间调剂资金", "deposit": "入账",
            "create_fund": "建立资金账户", "file_case": "代为申请", "assess": "测算", "campaign_batch": "批量办理活动案件",
            "campaign_close": "关闭活动", "campaign_replan": "为活动补充规划", "verify_audit": "校验审计链", "reload": "重新加载配置",
            "backup": "备份",
            "checkpoint": "签发检查点", "advance_clock": "拨动时钟", "read": "查看",
        ],
        .cause: [
            "unable_to_work": "丧失劳动能力", "unemployed": "失业", "laid_off": "下岗", "no_social_insurance": "未参加社会保险",
            "insurance_unpaid": "社会保险欠缴", "serious_illness": "大病", "disaster": "灾害", "accident": "意外事故",
            "children_schooling": "子女就学", "single_parent_low_income": "单亲低收入", "enterprise_shutdown": "企业关停",
            "other": "其他",
        ],
        .paymentKind: ["one_off": "一次性发放", "monthly": "按月发放", "loan": "借款", "non_monetary": "非资金帮扶"],
        .ledgerKind: [
            "deposit": "入账", "disbursement": "发放", "loan_out": "借出", "repayment": "收回", "transfer": "转账",
        ],
        .campaignState: ["planning": "计划中", "planned": "已计划", "closed": "已结束"],
        .campaignOutcome: ["planned": "已列入", "left_out_budget": "预算不足未列入", "ineligible": "不符合条件"],
        .visitStatus: ["planned": "待走访", "visited": "已走访", "cancelled": "已取消"],
        .memberStatus: [
            "student": "在校学生", "working": "就业", "unemployed": "失业", "retired": "退休", "preschool": "学龄前",
            "other": "其他",
        ],
        .archiveStatus: ["open": "在档", "closed": "已退出"],
        .exitReason: [
            "income_above_line": "收入稳定高于标准（脱困）", "death": "死亡", "transfer": "转出",
            "retirement": "退休", "data_check_failed": "核查不符", "government_cover": "纳入政府兜底", "other": "其他",
        ],
        .transferState: ["pending": "待确认", "confirmed": "已确认", "rejected": "已拒绝", "expired": "已过期"],
        .contactKind: ["visit": "走访", "phone": "电话", "other": "其他"],
        .receptionChannel: ["window": "窗口", "hotline_12351": "12351 热线", "visit": "走访", "other": "其他"],
        .receptionOutcome: ["helped": "已帮扶", "referred": "已转介", "not_helped": "未帮扶", "pending": "待办"],
        .receptionKind: [
            "hardship_relief": "困难帮扶", "job_referral": "就业推荐", "training": "技能培训", "legal_aid": "法律援助",
            "petition": "信访", "health": "医疗健康", "migrant_rights": "农民工维权", "other": "其他",
        ],
        .mustVisitEvent: [
            "hospital_stay": "住院", "death": "家庭成员去世", "family_disaster": "家庭变故", "long_absence": "长期外出",
            "business_difficulty": "企业困难",
        ],
        .clock: ["manual": "手动（测试与演示）", "system": "系统时钟"],
        .archiveAction: [
            "create_archive": "建档", "update_archive": "更新", "review_archive": "年度复核", "exit_archive": "退出",
            "reenter_archive": "返困重新启用", "retention_erase": "超期清除个人信息", "refs_keyed": "引用加密",
        ],
    ]

    /// An archive field's path as people say it: `members[1].name` is 成员2 姓名.
    public static func archiveField(_ path: String, _ language: Language) -> String {
        guard language == .zh else { return path }
        return path.split(separator: ".").map { part -> String in
            var name = String(part)
            var index = ""
            if let open = name.firstIndex(of: "["), let number = Int(name[name.index(after: open)...].dropLast()) {
                index = String(number + 1)
                name = String(name[..<open])
            }
            return (fieldNames[name] ?? name) + index
        }.joined(separator: " ")
    }

    private static let fieldNames: [String: String] = [
        "unitId": "单位", "region": "低保地区", "head": "户主", "members": "成员", "count": "人数",
        "annualIncome": "家庭年收入", "rigidExpenses": "刚性支出", "accidentCosts": "意外支出", "mainCause": "主要致困原因",
        "secondaryCauses": "其他致困原因", "fiveClears": "五清", "urgentNeeds": "急需解决的问题", "builtBy": "建档人",
        "checkedBy": "核实人", "name": "姓名", "idNumber": "身份证号", "ethnicity": "民族", "politicalStatus": "政治面貌",
        "modelWorkerLevel": "劳模级别", "workStatus": "就业状况", "employer": "工作单位", "hukouRegion": "户籍地",
        "maritalStatus": "婚姻状况", "health": "健康状况", "disability": "残疾情况", "medicalInsurance": "医疗保险",
        "housingType": "住房类型", "housingAreaSqm": "住房面积", "phone": "联系电话", "bankAccount": "银行账号",
        "relation": "与户主关系", "monthlyIncome": "月收入", "status": "状况", "schoolOrEmployer": "学校或单位",
        "family": "家庭情况", "cause": "致困原因", "stateOfMind": "思想状况", "employmentWish": "就业意愿",
        "skills": "技能特长", "address": "家庭住址", "exit_note": "退出说明", "personal_data": "个人信息",
        "category": "困难类别", "review_due": "下次复核", "exit_reason": "退出原因", "amount": "金额",
        "budget": "预算", "perCapita": "人均月收入", "archive": "建档（档案号）",
    ]

    /// A value in an archive's history as people say it: codes of the field's kind in words,
    /// dates as dates; free text unchanged.
    public static func archiveValue(field: String, _ value: String, _ language: Language) -> String {
        let name = field.split(separator: ".").last.map(String.init) ?? field
        switch name {
        case "status" where field == "status": return of(.archiveStatus, value, language)
        case "category": return of(.category, value, language)
        case "exit_reason": return of(.exitReason, value, language)
        case "review_due": return ReadableTime.date(value, language)
        case "annualIncome", "rigidExpenses", "accidentCosts", "monthlyIncome":
            return Int64(value).map { fen in Money(fen: fen).description } ?? value
        default:
            guard language == .zh, let words = valueWords[name] else { return value }
            return words[value] ?? value
        }
    }

    private static let valueWords: [String: [String: String]] = [
        "politicalStatus": [
            "masses": "群众", "party_member": "中共党员", "probationary_member": "中共预备党员", "league_member": "共青团员",
            "other": "其他",
        ],
        "modelWorkerLevel": ["none": "无", "city": "市级劳模", "provincial": "省部级劳模", "national": "全国劳模"],
        "relation": ["spouse": "配偶", "child": "子女", "parent": "父母", "sibling": "兄弟姐妹", "other": "其他"],
        "workStatus": [
            "employed": "在岗", "laid_off": "下岗", "unemployed": "失业", "retired": "退休", "sick_leave": "病休",
            "early_retired": "内退", "migrant_worker": "农民工",
        ],
    ]

    /// The words for every code a client shows people (`Admin.Names`), by the kind's name on the
    /// wire, so that a web page reads the same list bangfuctl prints from.
    public static var catalogue: [(kind: String, code: String, zh: String, en: String)] {
        func spelled(_ code: String) -> String { code.replacingOccurrences(of: "_", with: " ") }
        var entries: [(kind: String, code: String, zh: String, en: String)] = []
        entries += CaseState.allCases.map { state in ("caseState", state.rawValue, state.zh, spelled(state.rawValue)) }
        entries += HardshipCategory.allCases.map { category in
            ("category", category.rawValue, category.zh, spelled(category.rawValue))
        }
        entries += FundSource.allCases.map { source in
            ("fundSource", source.rawValue, source.zh, spelled(source.rawValue))
        }
        let kinds: [(String, Kind)] = [
            ("cause", .cause), ("campaignState", .campaignState), ("campaignOutcome", .campaignOutcome),
            ("visitStatus", .visitStatus), ("contactKind", .contactKind), ("ledgerKind", .ledgerKind),
            ("transferState", .transferState), ("mustVisitEvent", .mustVisitEvent), ("memberStatus", .memberStatus),
        ]
        for (name, kind) in kinds {
            entries += (chinese[kind] ?? [:]).sorted { $0.key < $1.key }.map { code, word in
                (name, code, word, spelled(code))
            }
        }
        for field in ["politicalStatus", "modelWorkerLevel", "relation", "workStatus"] {
            entries += (valueWords[field] ?? [:]).sorted { $0.key < $1.key }.map { code, word in
                (field, code, word, spelled(code))
            }
        }
        return entries
    }

    /// The code a Chinese word stands for (`大病` is `serious_illness`), nil when it is none.
    public static func code(of word: String, _ kind: Kind) -> String? {
        chinese[kind]?.first { _, value in value == word }?.key
    }

    /// The code of a Chinese value of an archive field (`中共党员` is `party_member`).
    public static func code(ofValue word: String, field: String) -> String? {
        valueWords[field]?.first { _, value in value == word }?.key
    }

    /// A holiday rule as people say it: `lunar:01-01` is 农历正月初一, `gregorian:07-01` 7月1日.
    public static func holiday(_ rule: HolidayRule, _ language: Language) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch (rule, language) {
        case (.gregorian(let month, let day), .zh): return "\(month)月\(day)日"
        case (.lunar(let month, let day), .zh): return "农历\(lunarMonths[month - 1])月\(lunarDay(day))"
        case (.window(let startMonth, let startDay, let endMonth, let endDay), .zh):
            return "\(startMonth)月\(startDay)日至\(endMonth)月\(endDay)日"
        case (.gregorian(let month, let day), _): return "\(two(month))-\(two(day))"
        case (.lunar(let month, let day), _): return "lunar month \(month) day \(day)"
        case (.window(let startMonth, let startDay, let endMonth, let endDay), _):
            return "\(two(startMonth))-\(two(startDay)) to \(two(endMonth))-\(two(endDay))"
        }
    }

    private static let lunarMonths = ["正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊"]
    private static let digits = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

    /// 初一 … 初十, 十一 … 十九, 二十, 廿一 … 廿九, 三十.
    private static func lunarDay(_ day: Int) -> String {
        switch day {
        case 1...10: return "初" + digits[day]
        case 11...19: return "十" + digits[day - 10]
        case 20: return "二十"
        case 21...29: return "廿" + digits[day - 20]
        default: return "三十"
        }
    }
}

/// Dates and instants as people read them: 2027年1月13日 and 2027年1月13日 09:00 in Chinese,
/// 2027-01-13 and 2027-01-13 09:00 in English. The instant keeps the offset it was written with
/// (the daemon's zone), so what the notice board says and what the terminal says agree.
public enum ReadableTime {
    /// `2027-01-13`, or an ISO 8601 instant's date part; anything else unchanged.
    public static func date(_ text: String, _ language: Language) -> String {
        guard let date = try? LocalDate(parsing: String(text.prefix(10))) else { return text }
        return language == .zh ? "\(date.year)年\(date.month)月\(date.day)日" : date.description
    }

    /// `2027-02-19T09:00:00+08:00` as a date and a minute; anything else unchanged.
    public static func instant(_ text: String, _ language: Language) -> String {
        let characters = Array(text)
        guard characters.count >= 16, characters[10] == "T", characters[13] == ":",
            (try? LocalDate(parsing: String(characters[0..<10]))) != nil
        else { return text }
        return date(text, language) + " " + String(characters[11..<16])
    }

    /// A notice period, its first and last day: 1月6日至1月12日 (the year when they differ).
    public static func period(from first: String, to last: String, _ language: Language) -> String {
        guard let start = try? LocalDate(parsing: String(first.prefix(10))),
            let end = try? LocalDate(parsing: String(last.prefix(10)))
        else { return "\(first) – \(last)" }
        guard language == .zh else { return "\(start) to \(end)" }
        let startText = "\(start.year)年\(start.month)月\(start.day)日"
        let endText = (start.year == end.year ? "" : "\(end.year)年") + "\(end.month)月\(end.day)日"
        return "\(startText)至\(endText)"
    }
}
