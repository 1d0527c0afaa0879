import BangfuCLIKit
import BangfuCore
import BangfuWire
import Foundation

/// The printable documents, built from bangfud's answers: each says what it was made from (the
/// audit head, checkable with `bangfuctl verify --anchor`) at the foot of every page.
enum Documents {
    static func footer(_ head: String?, _ global: Global) -> String {
        guard let head else { return "" }
        return global.zh
            ? "审计链头 \(head)（凭此可核验本文件所依据的记录未被改动）"
            : "audit head \(head) (bangfuctl verify --anchor checks the records this was made from)"
    }

    /// 困难职工帮扶公示: masked names, units, help types, amounts, the notice period and where to object.
    static func notice(
        _ entries: [Wire.Notice.Entry], head: String?, issuer: String?, phone: String?, _ global: Global
    ) -> Document {
        let zh = global.zh
        let periods = Set(entries.map { NoticeCommand.period($0, global.language) })
        var lines: [String] = []
        if let issuer, !issuer.isEmpty { lines.append((zh ? "发布单位：" : "Issued by: ") + issuer) }
        if periods.count == 1, let period = periods.first, !period.isEmpty {
            lines.append((zh ? "公示期：" : "Notice period: ") + period)
        }
        var columns = [
            Column(zh ? "序号" : "No.", .center, weight: 0.5), Column(zh ? "案件号" : "Case", weight: 1.4),
            Column(zh ? "姓名" : "Name", weight: 0.9), Column(zh ? "单位" : "Unit", weight: 1.6),
            Column(zh ? "帮扶项目" : "Help", weight: 1.3),
            Column(zh ? "金额（元）" : "Amount (yuan)", .trailing, weight: 1.1),
        ]
        if periods.count > 1 { columns.append(Column(zh ? "公示期" : "Notice period", weight: 1.8)) }
        let rows = entries.enumerated().map { index, entry -> [Cell] in
            var row: [Cell] = [
                Cell(String(index + 1)), Cell(entry.caseNo), Cell(entry.name), Cell(entry.unit), Cell(entry.helpType),
                entry.amount == 0 ? Cell(NoticeCommand.amount(entry, zh: zh)) : .yuan(entry.amount),
            ]
            if periods.count > 1 { row.append(Cell(NoticeCommand.period(entry, global.language))) }
            return row
        }
        let sum = entries.reduce(Int64(0)) { $0 + $1.amount }
        var total: [Cell] = [
            "", Cell(zh ? "合计 \(entries.count) 件" : "\(entries.count) cases"), "", "", "", .yuan(sum),
        ]
        if periods.count > 1 { total.append("") }
        let phone = phone ?? "12351"
        return Document(
            title: zh ? "困难职工帮扶公示" : "Public notice of hardship assistance", lines: lines,
            sections: [
                Section(
                    heading: "", columns: columns, rows: rows, total: entries.isEmpty ? nil : total,
                    emptyText: zh ? "本期没有公示中的帮扶。" : "Nothing is in notice.")
            ],
            closing: zh
                ? [
                    "公示期内如有异议，请向\(issuer ?? "本单位工会")反映，或拨打职工服务热线 \(phone)。",
                    "本名单只列姓名（部分隐去）、单位、帮扶项目与金额，不含身份证号、住址、电话、病情与收入。",
                ]
                : [
                    "Objections during the notice period: tell \(issuer ?? "the union") or call \(phone).",
                    "Only masked names, units, help and amounts are listed: no ID numbers, addresses, phones, health or income.",
                ],
            pageFooter: footer(head, global), language: zh ? "zh-CN" : "en")
    }

    /// 发放签领表: a line per payment with the amount in figures and in capitals, and room to sign.
    static func signatureSheet(
        _ sheet: Wire.Funds.SignatureSheet.Reply, from: String, to: String, unit: String?, _ global: Global
    ) -> Document {
        let zh = global.zh
        let columns = [
            Column(zh ? "序号" : "No.", .center, weight: 0.45), Column(zh ? "案件号" : "Case", weight: 1.3),
            Column(zh ? "姓名" : "Name", weight: 0.8), Column(zh ? "身份证号" : "ID number", weight: 1.5),
            Column(zh ? "帮扶项目" : "Help", weight: 1.1), Column(zh ? "金额（元）" : "Amount", .trailing, weight: 0.9),
            Column(zh ? "大写金额" : "In capitals", weight: 1.7), Column(zh ? "领款人签名" : "Signature", weight: 1.1),
        ]
        let rows = sheet.lines.enumerated().map { index, line -> [Cell] in
            [
                Cell(String(index + 1)), Cell(line.caseNo), Cell(line.name), Cell(line.idNumber),
                Cell(
                    line.helpType
                        + (line.instalment > 1 ? (zh ? "（第\(line.instalment)期）" : " (#\(line.instalment))") : "")),
                .yuan(line.amount), Cell(Money(fen: line.amount).capitals), "",
            ]
        }
        let sum = sheet.lines.reduce(Int64(0)) { $0 + $1.amount }
        var lines = [(zh ? "发放期间：" : "Paid: ") + ReadableTime.period(from: from, to: to, global.language)]
        if let unit { lines.insert((zh ? "发放单位：" : "Unit: ") + unit, at: 0) }
        return Document(
            title: zh ? "帮扶资金发放签领表" : "Payment signature sheet", lines: lines,
            sections: [
                Section(
                    heading: "", columns: columns, rows: rows,
                    total: sheet.lines.isEmpty
                        ? nil
                        : [
                            "", Cell(zh ? "合计" : "Total"), Cell(zh ? "\(rows.count) 笔" : "\(rows.count) payments"), "",
                            "",
                            .yuan(sum), Cell(Money(fen: sum).capitals), "",
                        ],
                    tallRows: true, emptyText: zh ? "期间内没有发放。" : "No payments in the period.")
            ],
            closing: [
                zh
                    ? "经办人：__________    复核人：__________    负责人：__________"
                    : "Paid by: ________   Checked by: ________   Head: ________"
            ],
            pageFooter: footer(sheet.head, global), orientation: .landscape, language: zh ? "zh-CN" : "en")
    }

    /// 帐务公开: per fund, opening balance, income, aid, loans, transfers, closing balance, households.
    static func accounts(_ statement: Wire.Funds.Statement.Reply, from: String, to: String, _ global: Global)
        -> Document
    {
        let zh = global.zh
        let columns = [
            Column(zh ? "资金账户" : "Fund", weight: 1.6), Column(zh ? "来源" : "Source", weight: 0.9),
            Column(zh ? "期初余额" : "Opening", .trailing), Column(zh ? "收入" : "Income", .trailing),
            Column(zh ? "帮扶支出" : "Aid paid", .trailing), Column(zh ? "借出" : "Lent", .trailing),
            Column(zh ? "收回借款" : "Repaid", .trailing), Column(zh ? "调入" : "Moved in", .trailing),
            Column(zh ? "调出" : "Moved out", .trailing), Column(zh ? "期末余额" : "Closing", .trailing),
            Column(zh ? "受助户数" : "Households", .trailing, weight: 0.7),
        ]
        func cells(_ fund: Wire.Funds.FundStatement) -> [Cell] {
            [
                Cell(fund.fundName), Cell(global.word(.fundSource, fund.source)), .yuan(fund.opening),
                .yuan(fund.deposits), .yuan(fund.disbursements), .yuan(fund.loansOut), .yuan(fund.repayments),
                .yuan(fund.transfersIn), .yuan(fund.transfersOut), .yuan(fund.closing), .count(fund.recipients),
            ]
        }
        let funds = statement.funds
        func sum(_ value: (Wire.Funds.FundStatement) -> Int64) -> Cell { .yuan(funds.reduce(0) { $0 + value($1) }) }
        let total: [Cell] = [
            Cell(zh ? "合计" : "Total"), "", sum(\.opening), sum(\.deposits), sum(\.disbursements), sum(\.loansOut),
            sum(\.repayments), sum(\.transfersIn), sum(\.transfersOut), sum(\.closing),
            .count(funds.reduce(0) { $0 + $1.recipients }),
        ]
        return Document(
            title: zh ? "帮扶资金帐务公开" : "Public accounts of the assistance funds",
            lines: [(zh ? "期间：" : "Period: ") + ReadableTime.period(from: from, to: to, global.language)],
            sections: [
                Section(
                    heading: "", columns: columns, rows: funds.map(cells), total: funds.isEmpty ? nil : total,
                    emptyText: zh ? "没有资金账户。" : "No funds.")
            ],
            closing: [
                zh
                    ? "收入为期间内入账的资金；借出与收回为帮扶借款，不计入帮扶支出。欢迎职工群众监督。"
                    : "Income is money deposited in the period; loans lent and repaid are not counted as aid paid."
            ],
            pageFooter: footer(statement.head, global), orientation: .landscape, language: zh ? "zh-CN" : "en")
    }
}

extension Documents {
    /// 困难职工帮扶统计报表: each unit with its subtree, then the sections for the whole (the units
    /// asked about added together).
    static func report(_ report: Wire.Reports.Figures.Reply, _ global: Global) -> Document {
        let zh = global.zh
        let names = global.names()
        let summaryColumns = [
            Column(zh ? "单位" : "Unit", weight: 2.2), Column(zh ? "在档户数" : "Open", .trailing),
            Column(zh ? "深度困难" : "Deep", .trailing), Column(zh ? "相对困难" : "Relative", .trailing),
            Column(zh ? "意外致困" : "Accident", .trailing), Column(zh ? "新建档" : "New", .trailing),
            Column(zh ? "退出" : "Exited", .trailing), Column(zh ? "再次建档" : "Re-entered", .trailing),
            Column(zh ? "案件" : "Cases", .trailing), Column(zh ? "办理中" : "In progress", .trailing),
            Column(zh ? "帮扶人次" : "Person-times", .trailing),
            Column(zh ? "发放金额" : "Aid paid", .trailing, weight: 1.4),
            Column(zh ? "借出" : "Lent", .trailing, weight: 1.2), Column(zh ? "收回" : "Repaid", .trailing, weight: 1.2),
        ]
        let summaryRows = report.rows.map { row -> [Cell] in
            [
                Cell(row.unitName, indent: Int(row.depth)), .count(row.openArchives), .count(row.deep),
                .count(row.relative), .count(row.accident), .count(row.newArchives), .count(row.exitedArchives),
                .count(row.reenteredArchives), .count(row.cases), .count(row.casesInProgress), .count(row.personTimes),
                .yuan(row.aidPaid), .yuan(row.lent), .yuan(row.repaid),
            ]
        }
        let chart = Chart(
            title: zh ? "发放金额（元）" : "Aid paid (yuan)",
            bars: report.rows.filter { $0.depth <= 1 }.map { row in
                Chart.Bar(label: row.unitName, value: Double(row.aidPaid) / 100, text: Money(fen: row.aidPaid).grouped)
            })
        // The sections for the whole: the top rows' lines added together.
        let tops = report.rows.filter { $0.depth == 0 }
        var lines: [String: (count: Int64, amount: Int64)] = [:]
        var order: [String] = []
        for line in tops.flatMap(\.lines) {
            let key = [line.section, line.key, line.detail].joined(separator: "\u{1F}")
            if lines[key] == nil { order.append(key) }
            lines[key, default: (0, 0)].count += line.count
            lines[key, default: (0, 0)].amount += line.amount
        }
        func section(_ name: String) -> [(key: String, detail: String, count: Int64, amount: Int64)] {
            order.sorted().compactMap { joined in
                let parts = joined.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3, parts[0] == name, let tally = lines[joined] else { return nil }
                return (parts[1], parts[2], tally.count, tally.amount)
            }
        }
        let none = zh ? "本期无。" : "None in the period."
        let receptions = tops.reduce(Int64(0)) { $0 + $1.receptions }
        let helped = tops.reduce(Int64(0)) { $0 + $1.receptionsHelped }
        let sections = [
            Section(
                heading: zh ? "一、各单位汇总（含下级）" : "1. Per unit, with its subtree", columns: summaryColumns,
                rows: summaryRows, chart: chart),
            Section(
                heading: zh ? "二、在档户数按主要致困原因（期末）" : "2. Open archives by main cause (at the end)",
                columns: [Column(zh ? "致困原因" : "Cause", weight: 2), Column(zh ? "户数" : "Households", .trailing)],
                rows: section("archives_by_cause").map { [Cell(global.word(.cause, $0.key)), .count($0.count)] },
                emptyText: none),
            Section(
                heading: zh ? "三、本期受理案件按帮扶项目与环节" : "3. Cases filed in the period by help type and stage",
                columns: [
                    Column(zh ? "帮扶项目" : "Help type", weight: 2), Column(zh ? "当前环节" : "Stage now", weight: 1.5),
                    Column(zh ? "件数" : "Cases", .trailing),
                ],
                rows: section("cases_by_type").map {
                    [Cell(names.helpType($0.key)), Cell(global.word(.caseState, $0.detail)), .count($0.count)]
                }, emptyText: none),
            Section(
                heading: zh ? "四、帮扶资金发放按项目与资金来源" : "4. Aid paid by help type and fund source",
                columns: [
                    Column(zh ? "帮扶项目" : "Help type", weight: 2), Column(zh ? "资金来源" : "Fund source", weight: 1.5),
                    Column(zh ? "笔数" : "Payments", .trailing), Column(zh ? "金额（元）" : "Amount", .trailing, weight: 1.3),
                ],
                rows: section("paid_by_type").map {
                    [
                        Cell(names.helpType($0.key)), Cell(global.word(.fundSource, $0.detail)), .count($0.count),
                        .yuan($0.amount),
                    ]
                }, emptyText: none),
            Section(
                heading: zh ? "五、帮扶借款借出与收回" : "5. Loans lent and repaid",
                columns: [
                    Column(zh ? "帮扶项目" : "Help type", weight: 2), Column(zh ? "类别" : "Kind"),
                    Column(zh ? "笔数" : "Count", .trailing), Column(zh ? "金额（元）" : "Amount", .trailing, weight: 1.3),
                ],
                rows: section("loans_by_type").map {
                    [
                        Cell(names.helpType($0.key)),
                        Cell($0.detail == "lent" ? (zh ? "借出" : "lent") : (zh ? "收回" : "repaid")), .count($0.count),
                        .yuan($0.amount),
                    ]
                }, emptyText: none),
            Section(
                heading: zh
                    ? "六、来访接待：接待\(receptions)人次，帮扶\(helped)人次"
                    : "6. Receptions: \(receptions) received, \(helped) helped",
                columns: [
                    Column(zh ? "渠道" : "Channel", weight: 1.5), Column(zh ? "结果" : "Outcome", weight: 1.5),
                    Column(zh ? "人次" : "Count", .trailing),
                ],
                rows: section("receptions").map {
                    [
                        Cell(global.word(.receptionChannel, $0.key)), Cell(global.word(.receptionOutcome, $0.detail)),
                        .count($0.count),
                    ]
                }, emptyText: none),
            Section(
                heading: zh ? "七、走访与结对联系" : "7. Visits and pairing contacts",
                columns: [Column(zh ? "项目" : "Item", weight: 2.5), Column(zh ? "数量" : "Count", .trailing)],
                rows: section("visits").map { line -> [Cell] in
                    let kind = line.key == "must_visit" ? (zh ? "必访" : "must-visits") : (zh ? "节日走访" : "holiday visits")
                    let state = line.detail == "done" ? (zh ? "本期完成" : "done") : (zh ? "期末逾期" : "overdue at the end")
                    return [Cell(kind + (zh ? "：" : ": ") + state), .count(line.count)]
                }
                    + section("contacts").map { line -> [Cell] in
                        let label =
                            line.key == "overdue"
                            ? (zh ? "结对联系：期末逾期户数" : "pairing: households overdue at the end")
                            : (zh ? "结对联系：" : "pairing contacts: ") + global.word(.contactKind, line.key)
                        return [Cell(label), .count(line.count)]
                    }, emptyText: none),
            Section(
                heading: zh ? "八、节日慰问" : "8. Holiday campaigns",
                columns: [
                    Column(zh ? "慰问活动" : "Campaign", weight: 2), Column(zh ? "结果" : "Outcome", weight: 1.5),
                    Column(zh ? "户数" : "Households", .trailing),
                    Column(zh ? "金额（元）" : "Amount", .trailing, weight: 1.3),
                ],
                rows: section("campaigns").map { line -> [Cell] in
                    let parts = line.key.split(separator: "@").map(String.init)
                    let name = parts.count == 2 ? "\(parts[0])（\(global.day(parts[1]))）" : line.key
                    let outcome =
                        line.detail == "visited" ? (zh ? "已走访" : "visited") : global.word(.campaignOutcome, line.detail)
                    return [
                        Cell(name), Cell(outcome), .count(line.count),
                        line.detail == "visited" ? "" : .yuan(line.amount),
                    ]
                }, emptyText: none),
        ]
        let reporter = tops.map(\.unitName).joined(separator: zh ? "、" : ", ")
        return Document(
            title: zh ? "困难职工帮扶工作统计报表" : "Hardship assistance report",
            lines: [
                (zh ? "统计期：" : "Period: ")
                    + (zh
                        ? "\(report.periodName)（\(global.day(report.from))至\(global.day(report.to))）"
                        : "\(report.from) to \(report.to)"),
                (zh ? "填报单位：" : "Reporting unit: ") + reporter,
            ],
            sections: sections, pageFooter: footer(report.head, global), orientation: .landscape,
            language: zh ? "zh-CN" : "en")
    }
}
