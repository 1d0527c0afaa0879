import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case", abstract: "帮扶申请：申请 → 初审 → 公示 → 发放 / Help cases.",
        subcommands: [
            File.self, Get.self, List.self, Loans.self, Assess.self, Submit.self, Return.self, Resubmit.self, Pass.self,
            Reject.self,
            Approve.self, Object.self, Dismiss.self, Uphold.self, Pay.self, Repay.self, Close.self, Service.self,
            Withdraw.self, Amend.self,
        ])

    static func show(_ helpCase: Wire.Cases.Case, _ global: Global, names: Names? = nil) {
        let zh = global.zh
        let names = names ?? global.names()
        var table = TextTable(headers: zh ? ["项目", "值"] : ["item", "value"])
        var rows: [(String, String, String)] = [
            ("案件号", "case", helpCase.caseNo), ("档案号", "archive", helpCase.archiveNo),
            ("单位", "unit", names.unit(helpCase.unitId)), ("帮扶项目", "help type", names.helpType(helpCase.helpType)),
            ("状态", "state", global.word(.caseState, helpCase.state)), ("申请经办", "filed by", helpCase.filedBy),
            ("初审", "reviewed by", helpCase.reviewedBy ?? ""), ("审批", "approved by", helpCase.approvedBy ?? ""),
        ]
        if let plan = helpCase.plan {
            rows.append(("发放", "payment", planText(plan, global)))
        }
        if let deadline = helpCase.noticeDeadline { rows.append(("公示届满", "notice passes", global.time(deadline))) }
        if let reason = helpCase.reason { rows.append(("说明", "reason", reason)) }
        if let replaced = helpCase.replaces { rows.append(("重新申请，替代", "replaces", replaced)) }
        for (nameZh, nameEn, value) in rows where !value.isEmpty { table.add([zh ? nameZh : nameEn, value]) }
        print(table.render())
    }

    /// 一次性发放 ¥5,000.00，合计 ¥5,000.00.
    static func planText(_ plan: Wire.Cases.Plan, _ global: Global) -> String {
        "\(global.word(.paymentKind, plan.kind)) \(yuan(plan.amount))\(global.zh ? "，合计" : ", total") \(yuan(plan.total))"
    }

    /// Parses `--form key=value`: integers and true/false keep their type, anything else is text.
    /// Amounts are typed in yuan: `self_paid=150.00` fills the money field `self_paid_fen` with 15000
    /// (a key that ends in `_fen` is taken as fen, as in `--form-json`).
    static func form(_ pairs: [String], json: String?, moneyFields: Set<String> = [], _ global: Global) -> [String:
        JSONValue]
    {
        var form: [String: JSONValue] = [:]
        if let json {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)),
                case .object(let fields) = value
            else {
                global.die(global.zh ? "--form-json 不是 JSON 对象" : "--form-json is not a JSON object", code: 2)
            }
            form = fields
        }
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "=") else {
                global.die(global.zh ? "--form 应写成 键=值：\(pair)" : "--form needs key=value: \(pair)", code: 2)
            }
            let key = String(pair[..<equals])
            let text = String(pair[pair.index(after: equals)...])
            if moneyFields.contains(key + "_fen") {
                form[key + "_fen"] = .int(fen(text, global))
                continue
            }
            form[key] =
                Int64(text).map { .int($0) }
                ?? (text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text))
        }
        return form
    }

    /// The help type's money fields (typed in yuan on the command line).
    static func moneyFields(_ helpType: String, _ global: Global) -> Set<String> {
        let declared = global.call(Wire.Admin.Plugins()).loaded.first { plugin in plugin.id == helpType }?.fields
        return Set((declared ?? []).filter { field in field.type == "money" }.map(\.key))
    }

    /// A call whose answer is the case after it: shown, or printed as JSON.
    static func transition<Call: WireCall>(_ global: Global, _ call: Call)
    where Call.Reply: WireSingleReply, Call.Reply.Value == Wire.Cases.Case {
        let helpCase = global.call(call).value
        if global.json { return global.printJSON(helpCase.json) }
        show(helpCase, global)
    }

    struct File: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "代为申请（草稿）/ File a case (draft).")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument(help: "档案号 / Archive number.") var archiveNo: String
        @Argument(help: "帮扶项目代码，见 bangfuctl plugins / Help type id.") var helpType: String
        @Option(name: .customLong("form"), help: "表单字段 键=值，可重复 / Form field key=value, repeatable.") var form:
            [String] = []
        @Option(help: "表单 JSON 对象 / Form as a JSON object.") var formJson: String?
        @Option(help: "重新申请时被替代的（已撤回或未通过的）案件号 / The withdrawn or rejected case this files again.")
        var replaces: String?
        func run() {
            let fields = CaseCommand.form(
                form, json: formJson, moneyFields: CaseCommand.moneyFields(helpType, global), global)
            CaseCommand.transition(
                global,
                Wire.Cases.File(
                    archiveNo: archiveNo, helpType: helpType, form: fields, replaces: replaces,
                    requestId: request.requestId))
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "查看案件及流转记录 / Show a case and its history.")
        @OptionGroup var global: Global
        @Argument var caseNo: String
        func run() {
            let detail = global.call(Wire.Cases.Get(caseNo: caseNo))
            if global.json { return global.printJSON(detail.json) }
            let zh = global.zh
            CaseCommand.show(detail.case, global)
            var table = TextTable(
                headers: zh ? ["时间", "操作人", "事件", "状态变化", "说明"] : ["time", "actor", "event", "transition", "comment"])
            for event in detail.events {
                let actor = event.actor == "system" ? global.word(.actor, "system") : event.actor
                let change = "\(global.word(.caseState, event.from)) → \(global.word(.caseState, event.to))"
                table.add([global.time(event.at), actor, global.word(.event, event.event), change, event.comment ?? ""])
            }
            print("")
            print(table.render())
            if !detail.forms.isEmpty {
                print(zh ? "\n申请表版本" : "\nform versions")
                var versions = TextTable(
                    headers: zh ? ["版本", "时间", "修改人", "说明", "表单"] : ["version", "at", "by", "note", "form"])
                let labels = FormText.labels(global)[detail.case.helpType] ?? [:]
                for version in detail.forms {
                    versions.add([
                        String(version.version), global.time(version.at), version.actor, version.note,
                        FormText.text(version.form, labels, global),
                    ])
                }
                print(versions.render())
            }
            for payment in detail.payments {
                print(
                    zh
                        ? "第 \(payment.instalment) 期 \(yuan(payment.amount)) 自 \(payment.fundId) 于 \(global.time(payment.paidAt)) 由 \(payment.paidBy) 发放"
                        : "instalment \(payment.instalment) \(yuan(payment.amount)) from \(payment.fundId) at \(global.time(payment.paidAt)) by \(payment.paidBy)"
                )
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "案件列表 / List cases.")
        @OptionGroup var global: Global
        @Option var unit: String?
        @Option(help: "状态，例如 in_notice / State, e.g. in_notice.") var state: String?
        func run() {
            let cases = global.all(Wire.Cases.List(unit: unit, state: state)).map(\.case)
            if global.json { return global.printJSON(cases) }
            let names = global.names()
            var table = TextTable(
                headers: global.zh
                    ? ["案件号", "档案号", "帮扶项目", "状态", "金额"] : ["case", "archive", "help type", "state", "total"],
                rightAligned: [4])
            for helpCase in cases {
                table.add([
                    helpCase.caseNo, helpCase.archiveNo, names.helpType(helpCase.helpType),
                    global.word(.caseState, helpCase.state),
                    helpCase.plan.map { plan in yuan(plan.total) } ?? "",
                ])
            }
            print(table.render())
        }
    }

    struct Loans: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "借款还款：应还、已还、逾期 / Loans: due, repaid, overdue.")
        @OptionGroup var global: Global
        @Option var unit: String?
        func run() {
            let loans = global.all(Wire.Cases.Loans(unit: unit)).map(\.loan)
            if global.json { return global.printJSON(loans) }
            var table = TextTable(
                headers: global.zh
                    ? ["案件号", "档案号", "本金", "已还", "应还至今", "逾期", "下次还款"]
                    : ["case", "archive", "principal", "repaid", "due so far", "overdue", "next due"],
                rightAligned: [2, 3, 4, 5])
            for loan in loans {
                table.add([
                    loan.caseNo, loan.archiveNo, yuan(loan.principal), yuan(loan.repaid), yuan(loan.dueByToday),
                    yuan(loan.overdue), loan.nextDue.map(global.day) ?? "",
                ])
            }
            print(table.render())
        }
    }

    struct Assess: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "按帮扶项目测算 / What the help type says now.")
        @OptionGroup var global: Global
        @Argument var caseNo: String
        func run() {
            let assessment = global.call(Wire.Cases.Assess(caseNo: caseNo))
            if global.json { return global.printJSON(assessment.json) }
            let zh = global.zh
            print(assessment.eligible ? (zh ? "符合条件" : "eligible") : (zh ? "不符合条件" : "not eligible"))
            for reason in assessment.reasons { print("  - \(zh ? reason.zh : reason.en)") }
            if let plan = assessment.plan { print("  \(global.word(.paymentKind, plan.kind)) \(yuan(plan.total))") }
        }
    }

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "提交申请 / Submit.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        func run() {
            CaseCommand.transition(global, Wire.Cases.Submit(caseNo: caseNo, requestId: request.requestId))
        }
    }

    struct Return: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "退回补充材料 / Return for more information.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option var reason: String
        func run() {
            CaseCommand.transition(
                global, Wire.Cases.ReturnForInfo(caseNo: caseNo, reason: reason, requestId: request.requestId))
        }
    }

    struct Resubmit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "补充后重新提交 / Resubmit.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        func run() {
            CaseCommand.transition(global, Wire.Cases.Resubmit(caseNo: caseNo, requestId: request.requestId))
        }
    }

    struct Pass: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "初审通过 / Pass the branch review.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option var comment: String?
        func run() {
            CaseCommand.transition(
                global, Wire.Cases.PassReview(caseNo: caseNo, comment: comment, requestId: request.requestId))
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "不予通过 / Reject.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option var reason: String
        func run() {
            CaseCommand.transition(
                global, Wire.Cases.Reject(caseNo: caseNo, reason: reason, requestId: request.requestId))
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "审批（金额按帮扶项目测算）并开始公示 / Approve and open the public notice.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        func run() {
            CaseCommand.transition(global, Wire.Cases.Approve(caseNo: caseNo, requestId: request.requestId))
        }
    }

    struct Object: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "登记公示异议（冻结公示）/ Record an objection (freezes the notice).")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option var summary: String
        func run() {
            CaseCommand.transition(
                global, Wire.Cases.Object(caseNo: caseNo, summary: summary, requestId: request.requestId))
        }
    }

    struct Dismiss: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "异议不成立，恢复公示 / Dismiss the objection; the notice resumes.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option var decision: String
        func run() {
            CaseCommand.transition(
                global, Wire.Cases.DismissObjection(caseNo: caseNo, decision: decision, requestId: request.requestId))
        }
    }

    struct Uphold: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "异议成立，退回重审 / Uphold the objection; back to review.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option var decision: String
        func run() {
            CaseCommand.transition(
                global, Wire.Cases.UpholdObjection(caseNo: caseNo, decision: decision, requestId: request.requestId))
        }
    }

    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "实名发放一期（重复只付一次）/ Pay an instalment (paying twice pays once).")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option(help: "资金账户 / Fund id.") var fund: String
        @Option(help: "期数 / Instalment.") var instalment: Int64 = 1
        func run() {
            let paid = global.call(
                Wire.Cases.Pay(caseNo: caseNo, instalment: instalment, fundId: fund, requestId: request.requestId))
            if global.json { return global.printJSON(paid.json) }
            let amount = yuan(paid.payment.amount)
            if paid.payment.alreadyPaid {
                print(
                    global.zh
                        ? "第 \(instalment) 期此前已发放 \(amount)，本次未扣款"
                        : "instalment \(instalment) was already paid (\(amount)); nothing debited")
            } else {
                print(
                    global.zh
                        ? "已发放第 \(instalment) 期 \(amount)，资金账户 \(fund)"
                        : "paid instalment \(instalment): \(amount) from \(fund)")
            }
            // Whom it went to, as the voucher names them: the payee and the account, masked.
            let head = global.call(Wire.Archive.Get(archiveNo: paid.case.archiveNo)).household.archive.head
            let account = head.bankAccount.map(Pay.masked) ?? (global.zh ? "（未登记）" : "(none recorded)")
            print(global.zh ? "收款人 \(head.name)，账户 \(account)" : "payee \(head.name), account \(account)")
            CaseCommand.show(paid.case, global)
        }

        /// A bank account as a voucher shows it: the first four and last four digits.
        static func masked(_ account: String) -> String {
            let digits = Array(account.filter { !$0.isWhitespace })
            guard digits.count > 8 else { return String(repeating: "*", count: digits.count) }
            return String(digits.prefix(4)) + " **** " + String(digits.suffix(4))
        }
    }

    struct Repay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记借款还款 / Record a loan repayment.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option(help: "金额（元）/ Amount in yuan.") var amount: String
        @Option var fund: String
        func run() {
            CaseCommand.transition(
                global,
                Wire.Cases.ReceiveRepayment(
                    caseNo: caseNo, amount: fen(amount, global), fundId: fund, requestId: request.requestId))
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "办结 / Close.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option var reason: String
        func run() {
            CaseCommand.transition(
                global, Wire.Cases.Close(caseNo: caseNo, reason: reason, requestId: request.requestId))
        }
    }

    struct Service: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "登记非资金帮扶的服务并办结 / Record the service of a non-monetary case, which closes it.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option(help: "服务内容 / What was delivered.") var service: String
        @Option(name: .customLong("by"), help: "服务提供人 / Who delivered it.") var deliveredBy: String
        @Option(help: "结果 / The outcome.") var outcome: String
        func run() {
            CaseCommand.transition(
                global,
                Wire.Cases.RecordService(
                    caseNo: caseNo, service: service, deliveredBy: deliveredBy, outcome: outcome,
                    requestId: request.requestId))
        }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "修改申请表（退回补充或异议成立后），保留每一版 / Correct the form; every version is kept.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option(name: .customLong("form"), help: "要改的字段 键=值，可重复，其余不变 / Fields to change, key=value.") var form:
            [String] = []
        @Option(help: "整张新表单 JSON / The whole new form as JSON.") var formJson: String?
        @Option(help: "修改说明 / What was corrected and why.") var note: String
        func run() {
            let current = global.call(Wire.Cases.Get(caseNo: caseNo)).case
            var fields = formJson == nil ? current.form : [:]
            for (key, value) in CaseCommand.form(
                form, json: formJson, moneyFields: CaseCommand.moneyFields(current.helpType, global), global)
            {
                fields[key] = value
            }
            CaseCommand.transition(
                global, Wire.Cases.Amend(caseNo: caseNo, form: fields, note: note, requestId: request.requestId))
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "撤回 / Withdraw.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var caseNo: String
        @Option var reason: String
        func run() {
            CaseCommand.transition(
                global, Wire.Cases.Withdraw(caseNo: caseNo, reason: reason, requestId: request.requestId))
        }
    }
}
