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
            Approve.self, Object.self, Dismiss.self, Uphold.self, Pay.self, Repay.self, Close.self, Withdraw.self,
        ])

    static func show(_ c: [String: JSONValue], _ g: Global) {
        let plan = c.o("plan")
        var t = TextTable(headers: g.zh ? ["项目", "值"] : ["item", "value"])
        var rows: [(String, String, String)] = [
            ("案件号", "case", c.s("caseNo")), ("档案号", "archive", c.s("archiveNo")), ("单位", "unit", c.s("unitId")),
            ("帮扶项目", "help type", c.s("helpType")), ("状态", "state", Self.state(c.s("state"), g)),
            ("申请经办", "filed by", c.s("filedBy")), ("初审", "reviewed by", c.s("reviewedBy")),
            ("审批", "approved by", c.s("approvedBy")),
        ]
        if !plan.isEmpty {
            rows.append(
                (
                    "发放", "payment",
                    "\(plan.s("kind")) \(yuan(plan.i("amount")))，\(g.zh ? "合计" : "total") \(yuan(plan.i("total")))"
                ))
        }
        if !c.s("noticeDeadline").isEmpty { rows.append(("公示届满", "notice passes", c.s("noticeDeadline"))) }
        if !c.s("reason").isEmpty { rows.append(("说明", "reason", c.s("reason"))) }
        for (zh, en, v) in rows where !v.isEmpty { t.add([g.zh ? zh : en, v]) }
        print(t.render())
    }

    static func state(_ raw: String, _ g: Global) -> String {
        guard g.zh, let s = CaseState(rawValue: raw) else { return raw }
        return "\(s.zh)（\(raw)）"
    }

    /// Parses `--form key=value`: integers and true/false keep their type, anything else is text.
    static func form(_ pairs: [String], json: String?, _ g: Global) -> JSONValue {
        var o: [String: JSONValue] = [:]
        if let json {
            guard let v = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), case .object(let obj) = v
            else {
                g.die(g.zh ? "--form-json 不是 JSON 对象" : "--form-json is not a JSON object", code: 2)
            }
            o = obj
        }
        for p in pairs {
            guard let eq = p.firstIndex(of: "=") else {
                g.die(g.zh ? "--form 应写成 键=值：\(p)" : "--form needs key=value: \(p)", code: 2)
            }
            let k = String(p[..<eq]), v = String(p[p.index(after: eq)...])
            o[k] = Int64(v).map { .int($0) } ?? (v == "true" ? .bool(true) : v == "false" ? .bool(false) : .string(v))
        }
        return .object(o)
    }

    /// A transition by case number with optional text.
    static func transition(
        _ g: Global, _ r: RequestOptions, _ method: WireMethod, _ caseNo: String, _ extra: [String: JSONValue] = [:]
    ) {
        var p = extra
        p["caseNo"] = .string(caseNo)
        p["requestId"] = r.param
        let c = g.call1(method, p).o("case")
        if g.json { return g.printJSON(.object(c)) }
        show(c, g)
    }

    struct File: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "代为申请（草稿）/ File a case (draft).")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument(help: "档案号 / Archive number.") var archiveNo: String
        @Argument(help: "帮扶项目代码，见 bangfuctl plugins / Help type id.") var helpType: String
        @Option(name: .customLong("form"), help: "表单字段 键=值，可重复 / Form field key=value, repeatable.") var form:
            [String] = []
        @Option(help: "表单 JSON 对象 / Form as a JSON object.") var formJson: String?
        func run() {
            let c = g.call1(
                .casesFile,
                [
                    "archiveNo": .string(archiveNo), "helpType": .string(helpType),
                    "form": CaseCommand.form(form, json: formJson, g), "requestId": r.param,
                ]
            ).o("case")
            if g.json { return g.printJSON(.object(c)) }
            CaseCommand.show(c, g)
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "查看案件及流转记录 / Show a case and its history.")
        @OptionGroup var g: Global
        @Argument var caseNo: String
        func run() {
            let r = g.call1(.casesGet, ["caseNo": .string(caseNo)])
            if g.json { return g.printJSON(.object(r)) }
            CaseCommand.show(r.o("case"), g)
            var t = TextTable(
                headers: g.zh
                    ? ["时间", "操作人", "事件", "状态变化", "说明"] : ["time", "actor", "event", "transition", "comment"])
            for e in r.a("events").compactMap(\.objectValue) {
                t.add([e.s("at"), e.s("actor"), e.s("event"), "\(e.s("from")) → \(e.s("to"))", e.s("comment")])
            }
            print("")
            print(t.render())
            for p in r.a("payments").compactMap(\.objectValue) {
                print(
                    g.zh
                        ? "第 \(p.s("instalment")) 期 \(yuan(p.i("amount"))) 自 \(p.s("fundId")) 于 \(p.s("paidAt")) 由 \(p.s("paidBy")) 发放"
                        : "instalment \(p.s("instalment")) \(yuan(p.i("amount"))) from \(p.s("fundId")) at \(p.s("paidAt")) by \(p.s("paidBy"))"
                )
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "案件列表 / List cases.")
        @OptionGroup var g: Global
        @Option var unit: String?
        @Option(help: "状态，例如 in_notice / State, e.g. in_notice.") var state: String?
        func run() {
            let items = g.pages(
                .casesList,
                ["unit": unit.map { .string($0) } ?? .null, "state": state.map { .string($0) } ?? .null],
                key: "case")
            if g.json { return g.printJSON(.array(items.map { .object($0) })) }
            var t = TextTable(
                headers: g.zh
                    ? ["案件号", "档案号", "帮扶项目", "状态", "金额"] : ["case", "archive", "help type", "state", "total"],
                rightAligned: [4])
            for c in items {
                t.add([
                    c.s("caseNo"), c.s("archiveNo"), c.s("helpType"), CaseCommand.state(c.s("state"), g),
                    c["plan"] == nil ? "" : yuan(c.o("plan").i("total")),
                ])
            }
            print(t.render())
        }
    }

    struct Loans: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "借款还款：应还、已还、逾期 / Loans: due, repaid, overdue.")
        @OptionGroup var g: Global
        @Option var unit: String?
        func run() {
            let items = g.call(.casesLoans, ["unit": unit.map { .string($0) } ?? .null], more: true).map {
                $0.o("loan")
            }.filter { !$0.isEmpty }
            if g.json { return g.printJSON(.array(items.map { .object($0) })) }
            var t = TextTable(
                headers: g.zh
                    ? ["案件号", "档案号", "本金", "已还", "应还至今", "逾期", "下次还款"]
                    : ["case", "archive", "principal", "repaid", "due so far", "overdue", "next due"],
                rightAligned: [2, 3, 4, 5])
            for l in items {
                t.add([
                    l.s("caseNo"), l.s("archiveNo"), yuan(l.i("principal")), yuan(l.i("repaid")),
                    yuan(l.i("dueByToday")), yuan(l.i("overdue")), l.s("nextDue"),
                ])
            }
            print(t.render())
        }
    }

    struct Assess: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "按帮扶项目测算 / What the help type says now.")
        @OptionGroup var g: Global
        @Argument var caseNo: String
        func run() {
            let r = g.call1(.casesAssess, ["caseNo": .string(caseNo)])
            if g.json { return g.printJSON(.object(r)) }
            print(r["eligible"]?.boolValue == true ? (g.zh ? "符合条件" : "eligible") : (g.zh ? "不符合条件" : "not eligible"))
            for reason in r.a("reasons").compactMap(\.objectValue) {
                print("  - \(g.zh ? reason.s("zh") : reason.s("en"))")
            }
            if !r.o("plan").isEmpty { print("  \(r.o("plan").s("kind")) \(yuan(r.o("plan").i("total")))") }
        }
    }

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "提交申请 / Submit.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        func run() { CaseCommand.transition(g, r, .casesSubmit, caseNo) }
    }

    struct Return: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "退回补充材料 / Return for more information.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option var reason: String
        func run() { CaseCommand.transition(g, r, .casesReturnForInfo, caseNo, ["reason": .string(reason)]) }
    }

    struct Resubmit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "补充后重新提交 / Resubmit.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        func run() { CaseCommand.transition(g, r, .casesResubmit, caseNo) }
    }

    struct Pass: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "初审通过 / Pass the branch review.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option var comment: String?
        func run() {
            CaseCommand.transition(g, r, .casesPassReview, caseNo, ["comment": comment.map { .string($0) } ?? .null])
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "不予通过 / Reject.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option var reason: String
        func run() { CaseCommand.transition(g, r, .casesReject, caseNo, ["reason": .string(reason)]) }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "审批（金额按帮扶项目测算）并开始公示 / Approve and open the public notice.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        func run() { CaseCommand.transition(g, r, .casesApprove, caseNo) }
    }

    struct Object: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "登记公示异议（冻结公示）/ Record an objection (freezes the notice).")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option var summary: String
        func run() { CaseCommand.transition(g, r, .casesObject, caseNo, ["summary": .string(summary)]) }
    }

    struct Dismiss: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "异议不成立，恢复公示 / Dismiss the objection; the notice resumes.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option var decision: String
        func run() { CaseCommand.transition(g, r, .casesDismissObjection, caseNo, ["decision": .string(decision)]) }
    }

    struct Uphold: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "异议成立，退回重审 / Uphold the objection; back to review.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option var decision: String
        func run() { CaseCommand.transition(g, r, .casesUpholdObjection, caseNo, ["decision": .string(decision)]) }
    }

    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "实名发放一期（重复只付一次）/ Pay an instalment (paying twice pays once).")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option(help: "资金账户 / Fund id.") var fund: String
        @Option(help: "期数 / Instalment.") var instalment: Int = 1
        func run() {
            let out = g.call1(
                .casesPay,
                [
                    "caseNo": .string(caseNo), "fundId": .string(fund), "instalment": .int(Int64(instalment)),
                    "requestId": r.param,
                ])
            if g.json { return g.printJSON(.object(out)) }
            let p = out.o("payment")
            if p["alreadyPaid"]?.boolValue == true {
                print(
                    g.zh
                        ? "第 \(instalment) 期此前已发放 \(yuan(p.i("amount")))，本次未扣款"
                        : "instalment \(instalment) was already paid (\(yuan(p.i("amount")))); nothing debited")
            } else {
                print(
                    g.zh
                        ? "已发放第 \(instalment) 期 \(yuan(p.i("amount")))，资金账户 \(fund)"
                        : "paid instalment \(instalment): \(yuan(p.i("amount"))) from \(fund)")
            }
            CaseCommand.show(out.o("case"), g)
        }
    }

    struct Repay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记借款还款 / Record a loan repayment.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option(help: "金额（元）/ Amount in yuan.") var amount: String
        @Option var fund: String
        func run() {
            CaseCommand.transition(
                g, r, .casesReceiveRepayment, caseNo, ["amount": .int(fen(amount, g)), "fundId": .string(fund)])
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "办结 / Close.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option var reason: String
        func run() { CaseCommand.transition(g, r, .casesClose, caseNo, ["reason": .string(reason)]) }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "撤回 / Withdraw.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var caseNo: String
        @Option var reason: String
        func run() { CaseCommand.transition(g, r, .casesWithdraw, caseNo, ["reason": .string(reason)]) }
    }
}
