import BangfuVarlink
import Foundation
import Testing

extension LiveDaemon {
    /// The import test's ledger (two households in b1) imported by the caseworker; the archives as
    /// the auditor lists them.
    func importTheSampleLedger() throws -> [JSONValue] {
        let ledger = "/tmp/bangfu-ledger-\(UUID().uuidString.prefix(8)).csv"
        try ImportTests.ledger.write(toFile: ledger, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger)
        defer { try? FileManager.default.removeItem(atPath: ledger) }
        _ = try ctl(LiveDaemon.cw, ["import", "archives", ledger, "--unit", "b1", "--region", "370200"])
        let archives = try ctlJSON(LiveDaemon.au, ["archive", "list"]).array ?? []
        try #require(archives.count == 2)
        return archives
    }

    /// Fund f1 (帮扶资金, union funds, on the county) for the help types, with ¥100,000 deposited.
    func createTheSampleFund(helpTypes: [String] = ["hardship-relief"]) throws {
        _ = try ctlJSON(
            LiveDaemon.tr,
            [
                "fund", "create", "f1", "--name", "帮扶资金", "--unit", "county", "--source", "union_funds",
            ] + helpTypes.flatMap { ["--help-type", $0] })
        _ = try ctlJSON(LiveDaemon.tr, ["fund", "deposit", "f1", "100000", "--memo", "拨付"])
    }
}
