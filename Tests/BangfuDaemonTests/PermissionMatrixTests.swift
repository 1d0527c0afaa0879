import BangfuVarlink
import BangfuWire
import Foundation
import Testing

/// Every method of every interface called by every role. The expected matrix is written out
/// here by hand, not derived from the table that enforces it.
@Suite struct PermissionMatrixTests {
    typealias D = LiveDaemon

    static let cw = "caseworker", rv = "reviewer", ap = "approver", tr = "treasurer", au = "auditor", he = "helper",
        ad = "admin", no = "nobody"
    static let staffReaders: Set<String> = [cw, rv, ap, tr, au, ad]
    static let everyone: Set<String> = [cw, rv, ap, tr, au, he, ad]
    static let careStaff: Set<String> = [cw, rv, ap, au, he, ad]

    /// method -> roles that get past the permission check.
    static let expected: [String: Set<String>] = [
        "org.bangfu.Archive.Create": [cw], "org.bangfu.Archive.Update": [cw], "org.bangfu.Archive.Review": [cw],
        "org.bangfu.Archive.Exit": [ap], "org.bangfu.Archive.Reenter": [cw], "org.bangfu.Archive.Get": staffReaders,
        "org.bangfu.Archive.History": [cw, rv, ap, au, ad], "org.bangfu.Archive.List": staffReaders,
        "org.bangfu.Archive.Overview": staffReaders.union([he]), "org.bangfu.Archive.Search": [cw, rv, ap, ad],
        "org.bangfu.Cases.File": [cw], "org.bangfu.Cases.Get": staffReaders, "org.bangfu.Cases.List": staffReaders,
        "org.bangfu.Cases.Loans": [tr, cw, ap, au, ad], "org.bangfu.Cases.Assess": [cw, rv, ap],
        "org.bangfu.Cases.Submit": [cw], "org.bangfu.Cases.ReturnForInfo": [rv], "org.bangfu.Cases.Resubmit": [cw],
        "org.bangfu.Cases.PassReview": [rv], "org.bangfu.Cases.Reject": [rv, ap], "org.bangfu.Cases.Approve": [ap],
        "org.bangfu.Cases.Object": [cw, rv, ap], "org.bangfu.Cases.DismissObjection": [ap],
        "org.bangfu.Cases.UpholdObjection": [ap],
        "org.bangfu.Cases.Pay": [tr], "org.bangfu.Cases.ReceiveRepayment": [tr], "org.bangfu.Cases.Close": [ap],
        "org.bangfu.Cases.RecordService": [cw, ap],
        "org.bangfu.Cases.Withdraw": [cw], "org.bangfu.Cases.Amend": [cw],
        "org.bangfu.Funds.Create": [tr], "org.bangfu.Funds.Deposit": [tr], "org.bangfu.Funds.Transfer": [ap],
        "org.bangfu.Funds.ConfirmTransfer": [ap], "org.bangfu.Funds.RejectTransfer": [ap],
        "org.bangfu.Funds.Pending": [tr, ap, au, ad],
        "org.bangfu.Funds.List": [tr, ap, au, ad], "org.bangfu.Funds.Ledger": [tr, ap, au, ad],
        "org.bangfu.Funds.Statement": everyone, "org.bangfu.Funds.SignatureSheet": [tr, ap, au, ad],
        "org.bangfu.Notice.List": everyone, "org.bangfu.Notice.History": everyone,
        "org.bangfu.Admin.Status": everyone, "org.bangfu.Admin.GetClock": everyone, "org.bangfu.Admin.Names": everyone,
        "org.bangfu.Admin.Plugins": [ad, au, ap, cw, rv, tr],
        "org.bangfu.Admin.VerifyAudit": [au, ad], "org.bangfu.Admin.Reload": [ad],
        "org.bangfu.Admin.AdvanceClock": [ad], "org.bangfu.Admin.Backup": [ad],
        "org.bangfu.Admin.Checkpoint": [au, ad],
        "org.bangfu.Import.Begin": [cw], "org.bangfu.Import.Rows": [cw], "org.bangfu.Import.Finish": [cw],
        "org.bangfu.Import.Progress": [cw], "org.bangfu.Work.Mine": [cw, rv, ap, tr, au, he, ad],
        "org.bangfu.Reports.Figures": [cw, rv, ap, tr, au, ad],
        "org.bangfu.Campaigns.Definitions": [cw, rv, ap, tr, au, he, ad],
        "org.bangfu.Campaigns.List": [cw, rv, ap, tr, au, he, ad],
        "org.bangfu.Campaigns.Progress": [cw, rv, ap, tr, au, he, ad],
        "org.bangfu.Campaigns.LeftOut": [cw, rv, ap, au, ad],
        "org.bangfu.Campaigns.Visits": [cw, rv, ap, tr, au, he, ad], "org.bangfu.Campaigns.RecordVisit": [he, cw, rv],
        "org.bangfu.Campaigns.PassReview": [rv], "org.bangfu.Campaigns.Approve": [ap],
        "org.bangfu.Campaigns.Close": [ap, ad], "org.bangfu.Campaigns.Replan": [ap, ad],
        "org.bangfu.Care.MustVisit": [cw, he], "org.bangfu.Care.OverdueVisits": careStaff,
        "org.bangfu.Care.RecordVisit": [he, cw],
        "org.bangfu.Care.Pair": [cw], "org.bangfu.Care.Unpair": [cw], "org.bangfu.Care.Reassign": [cw],
        "org.bangfu.Care.RecordContact": [he, cw],
        "org.bangfu.Care.OverdueContacts": careStaff, "org.bangfu.Care.RecordIncome": [cw],
        "org.bangfu.Care.ReviewsDue": careStaff,
        "org.bangfu.Care.RecordReception": [cw], "org.bangfu.Care.ReceptionSummary": careStaff,
    ]

    @Test func everyMethodByEveryRole() throws {
        let d = try LiveDaemon()
        // Every method the IDL declares is in the matrix.
        var declared: [String] = []
        let info = try d.call("org.varlink.service.GetInfo").first ?? [:]
        let names: [String] = (info["interfaces"]?.array ?? []).compactMap { $0.stringValue }.filter {
            $0.hasPrefix("org.bangfu.")
        }
        for name in names {
            let text =
                try d.call("org.varlink.service.GetInterfaceDescription", ["interface": .string(name)]).first?[
                    "description"]?.stringValue ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("method ") {
                declared.append("\(name).\(line.dropFirst(7).prefix { $0 != "(" })")
            }
        }
        // Every method the IDL declares is one bangfuctl and the tests can name (BangfuWire).
        #expect(Set(declared) == Set(WireMethod.allCases.map(\.rawValue)), "WireMethod and the IDL differ")
        #expect(
            Set(declared) == Set(Self.expected.keys),
            "matrix and IDL differ: \(Set(declared).symmetricDifference(Self.expected.keys))")
        let uids: [(String, UInt32?)] = [
            (Self.cw, D.cw), (Self.rv, D.rv), (Self.ap, D.ap), (Self.tr, D.tr), (Self.au, D.au), (Self.he, D.helper),
            (Self.no, D.nobody), (Self.ad, nil),
        ]
        let methods = declared.sorted()
        let script = """
            import json, socket, sys
            out = {}
            for m in sys.argv[2:]:
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
                s.sendall(json.dumps({"method": m, "parameters": {}}).encode() + b"\\0")
                buf = b""
                while not buf.endswith(b"\\0"):
                    chunk = s.recv(65536)
                    if not chunk: break
                    buf += chunk
                s.close()
                # No reply at all (a dropped connection) is its own answer, never "allowed".
                out[m] = json.loads(buf.rstrip(b"\\0")).get("error", "ok") if buf.endswith(b"\\0") else "no reply"
            print(json.dumps(out))
            """
        var deniedCount: [UInt32: Int] = [:]
        for (role, uid) in uids {
            let cmd =
                uid.map {
                    ["/usr/bin/setpriv", "--reuid=\($0)", "--regid=\(D.gid)", "--clear-groups", "/usr/bin/python3"]
                } ?? ["/usr/bin/python3"]
            let (code, out, err) = try LiveDaemon.run(cmd, ["-c", script, d.socket] + methods)
            #expect(code == 0, "\(err)")
            let answers = try JSONDecoder().decode([String: String].self, from: Data(out.utf8))
            for m in methods {
                let denied = answers[m] == "org.varlink.service.PermissionDenied"
                let allowed = Self.expected[m]?.contains(role) ?? false
                #expect(answers[m] != nil && answers[m] != "no reply", "\(role) calling \(m): no reply")
                #expect(denied != allowed, "\(role) calling \(m): got \(answers[m] ?? "nothing")")
                if denied { deniedCount[uid ?? 0, default: 0] += 1 }
            }
        }
        // Every refusal is in the security log with the caller's uid (waiting for the log, not sleeping).
        func logged(_ uid: UInt32) -> Int {
            d.log().split(separator: "\n").filter {
                $0.contains("SECURITY=refused") && $0.contains("refused org.bangfu.") && $0.contains("for uid \(uid) ")
            }.count
        }
        for _ in 0..<100 where deniedCount.contains(where: { logged($0.key) < $0.value }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        for (uid, n) in deniedCount {
            #expect(logged(uid) == n, "uid \(uid): \(n) refusals, \(logged(uid)) logged")
        }
        #expect(deniedCount[D.nobody] == Self.expected.count, "nobody is refused everything")
    }
}
