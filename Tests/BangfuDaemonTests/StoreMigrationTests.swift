import BangfuLoad
import Foundation
import Testing

/// Issue 16: `bangfu-db migrate --to postgres` copies a working SQLite store into a real
/// PostgreSQL 15 and proves the copy; the audit head and the balances read back with psql.
@Suite(.serialized) struct StoreMigrationTests {
    typealias D = LiveDaemon

    @Test func aStoreCopiedIntoPostgreSQLIsProvenEqual() throws {
        let d = try LiveDaemon()
        // A day's work: a fund, an archive, a case paid, pairing, a contact, a must-visit, a reception.
        let caseNo = try DaemonLifecycleTests().approvedCase(d)
        _ = try d.ctlJSON(nil, ["clock", "advance", "15d"])
        _ = try d.ctlJSON(D.tr, ["case", "pay", caseNo, "--fund", "f1"])
        let archiveNo = try #require(try d.ctlJSON(D.au, ["case", "get", caseNo])["case"]?["archiveNo"]?.string)
        _ = try d.ctlJSON(D.cw, ["care", "pair", archiveNo, "uid:\(D.helper)"])
        _ = try d.ctlJSON(D.cw, ["care", "contact", archiveNo, "--kind", "phone", "--note", "电话问候"])
        _ = try d.ctlJSON(D.cw, ["care", "must-visit", archiveNo, "hospital_stay"])
        _ = try d.ctlJSON(
            D.cw, ["care", "reception", "--unit", "b1", "--kind", "hardship_relief", "--outcome", "helped"])
        // A new phone number: the old one goes to the erasable store with its salt (a blob).
        let updated = try D.sampleArchive()
        try String(contentsOfFile: updated, encoding: .utf8).replacingOccurrences(
            of: "13800000000", with: "13900000000"
        )
        .write(toFile: updated, atomically: true, encoding: .utf8)
        _ = try d.ctlJSON(D.cw, ["archive", "update", archiveNo, "--file", updated])
        let head = try #require(try d.ctlJSON(D.au, ["verify"])["head"]?.string)

        let postgres = try LocalPostgres()
        let migrate = [D.bin + "/bangfu-db", "migrate", "--state-dir", d.dir.path, "--to", "postgres"]
        // Copied while bangfud runs: from one snapshot of the store.
        let (code, out, err) = try D.run(migrate, [postgres.url], env: ["LANG": "zh_CN.UTF-8"])
        #expect(code == 0, "\(out)\(err)")
        #expect(out.contains("已复制并核对：审计链头 \(head) 两边相同"), "\(out)")
        #expect(!out.contains("不一致"), "\(out)")
        // PostgreSQL's own row texts reproduce every hash the chain recorded (SQLite's quote()).
        #expect(out.contains("PostgreSQL 用自己的行文本核对了") && out.contains("行审计事实，全部相符"), "\(out)")
        // Read back by PostgreSQL's own client: the fund's balance and the chain's last entry.
        func psql(_ query: String) throws -> String {
            let (_, text, _) = try D.run(["\(LocalPostgres.binaries)/psql"], [postgres.url, "-At", "-c", query])
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try psql("SELECT balance_fen FROM account_balance WHERE account = 'fund:f1'") == "1500000")
        #expect(try psql("SELECT seq || ':' || hash FROM audit_log ORDER BY seq DESC LIMIT 1") == head)
        #expect(try psql("SELECT count(*) FROM disbursement") == "1")
        #expect(try psql("SELECT count(*) FROM personal_value WHERE length(salt) = 16") != "0")
        // Once only: the target now holds records, a second copy changes nothing.
        let (again, _, refused) = try D.run(migrate, [postgres.url], env: ["LANG": "zh_CN.UTF-8"])
        #expect(again == 1 && refused.contains("目标数据库已有 bangfu 的记录"), "\(refused)")
        #expect(try psql("SELECT count(*) FROM disbursement") == "1")
        // A password never travels in the URL.
        let (withPassword, _, told) = try D.run(
            migrate, ["postgresql://bangfu:secret@127.0.0.1/bangfu"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(withPassword == 1 && told.contains("--password-file"), "\(told)")
    }
}
