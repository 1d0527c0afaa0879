import ArgumentParser
import BangfuLoad
import Foundation
import GRDB

/// How fast a ledger imports through the running bangfud (`bangfuctl import archives`), beside the
/// floor of writing the same person rows straight into SQLite in the same run. Prints figures;
/// asserts nothing. Needs root: bangfuctl runs as the caseworker uid the configuration grants.
@main
struct ImportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bangfu-import-bench",
        abstract: "台账导入基准 / How fast a ledger imports through bangfud, against plain SQLite.")

    @Option(help: "人数（行数），两人一户 / Person rows, two to a household.") var rows = 100_000
    @Option(help: "bangfud 与 bangfuctl 所在目录；默认本程序所在目录 / Directory of bangfud and bangfuctl.") var bin: String?
    @Flag(help: "输出 JSON / Print JSON.") var json = false

    func run() throws {
        guard geteuid() == 0 else {
            throw ValidationError("bangfu-import-bench needs root (bangfuctl runs as uid 61001)")
        }
        let dir =
            bin
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().path
        let root = "/var/tmp/bangfu-import-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ledger = root + "/ledger.csv"
        let people = Self.ledger(rows: rows)
        try (["户号,姓名,身份证号,与户主关系,月收入,致困原因"] + people.map { $0.joined(separator: ",") })
            .joined(separator: "\n").write(toFile: ledger, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger)

        // The floor: the same person rows into a plain table, one transaction per 200 households.
        let floorStart = Date()
        let queue = try DatabaseQueue(path: root + "/floor.sqlite")
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")
            try db.execute(
                sql:
                    "CREATE TABLE person (household TEXT, name TEXT, id_number TEXT UNIQUE, relation TEXT, income TEXT, cause TEXT)"
            )
        }
        for start in stride(from: 0, to: people.count, by: 400) {
            try queue.write { db in
                for person in people[start..<min(start + 400, people.count)] {
                    try db.execute(
                        sql: "INSERT INTO person VALUES (?, ?, ?, ?, ?, ?)", arguments: StatementArguments(person))
                }
            }
        }
        let floorSeconds = Date().timeIntervalSince(floorStart)

        let principals = LoadPrincipals()
        let state = root + "/state"
        try FileManager.default.createDirectory(
            atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let config = state + "/bangfu.yaml"
        try principals.configuration(calendarFile: try Self.calendar(bin: dir)).write(
            toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(
            bangfud: dir + "/bangfud", config: config, stateDir: state, pluginDir: dir, socketGroup: principals.gid,
            log: state + "/bangfud.log")
        defer { daemon.stop() }
        let cpuBefore = daemon.cpuSeconds()
        let importStart = Date()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=\(principals.caseworker)", "--regid=\(principals.gid)", "--clear-groups", dir + "/bangfuctl",
            "import", "archives", ledger, "--unit", "b1", "--region", "370200", "--socket", daemon.socket, "--json",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let importSeconds = Date().timeIntervalSince(importStart)
        let cpu = daemon.cpuSeconds() - cpuBefore
        let created = (try? JSONSerialization.jsonObject(with: answer) as? [String: Any])?["created"] as? Int ?? -1
        guard process.terminationStatus == 0, created == rows / 2 else {
            throw ValidationError(
                "the import failed (\(process.terminationStatus)): \(String(decoding: answer, as: UTF8.self))")
        }
        let figures: [String: Double] = [
            "rows": Double(rows), "households": Double(created), "importSeconds": importSeconds,
            "importRowsPerSecond": Double(rows) / importSeconds, "daemonCPUSeconds": cpu,
            "daemonCPUMicrosPerHousehold": cpu / Double(created) * 1e6, "floorSeconds": floorSeconds,
            "floorRowsPerSecond": Double(rows) / floorSeconds, "importOverFloor": floorSeconds / importSeconds,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(
            """
            import through bangfud: \(rows) rows (\(created) households) in \(String(format: "%.1f", importSeconds)) s, \
            \(Int(Double(rows) / importSeconds)) rows/s; daemon CPU \(String(format: "%.1f", cpu)) s \
            (\(Int(cpu / Double(created) * 1e6)) µs a household)
            plain SQLite (the floor, same run): \(Int(Double(rows) / floorSeconds)) rows/s
            import / floor: \(String(format: "%.3f", floorSeconds / importSeconds))x
            """)
    }

    /// Households of two (a head and a spouse) with valid, distinct synthetic ID numbers (area 99…).
    static func ledger(rows: Int) -> [[String]] {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        func id(_ body: String) -> String {
            let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
            return body + String(Array("10X98765432")[sum % 11])
        }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var people: [[String]] = []
        for household in 0..<rows / 2 {
            let area = "99" + String(format: "%04d", household / 1_000 % 10_000)
            let (month, day, sequence) = (
                1 + household % 12, 1 + household % 28, String(format: "%03d", household % 1_000)
            )
            let year = 1950 + household % 50
            people.append([
                "\(household)", "户主\(household)", id("\(area)\(year)\(two(month))\(two(day))\(sequence)"), "户主", "800",
                "大病",
            ])
            people.append([
                "\(household)", "配偶\(household)", id("\(area)\(year + 1)\(two(month))\(two(day))\(sequence)"), "配偶",
                "0", "",
            ])
        }
        return people
    }

    /// The synthetic 2027 holiday file, beside the binaries once installed, else in the source tree.
    static func calendar(bin: String) throws -> String {
        var url = URL(fileURLWithPath: bin)
        for _ in 0..<6 {
            let candidate = url.appendingPathComponent("etc/calendars/2027.synthetic.yaml").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        throw ValidationError("etc/calendars/2027.synthetic.yaml not found above \(bin)")
    }
}
