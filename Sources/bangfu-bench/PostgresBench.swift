import BangfuLoad
import BangfuPostgres
import Foundation

/// The PostgreSQL side of a run: a fresh database per daemon, and pgbench's built-in TPC-B-like
/// run on the same server as the comparator (what the server does with its own simplest writes).
struct PostgresBench {
    /// A connection string naming the server (its `dbname` is replaced per database).
    let url: String

    init(url: String) throws {
        self.url = url
        _ = try PGConnection(url: url, applicationName: "bangfu-bench").execute("SELECT 1")
    }

    /// The connection string of `dbname` on the same server.
    func url(of dbname: String) -> String {
        let parts = url.split(separator: " ").filter { !$0.hasPrefix("dbname=") }
        return (parts + ["dbname=\(dbname)"]).joined(separator: " ")
    }

    /// A new empty database for the daemon `name` (an earlier run's dropped first); its URL.
    func database(_ name: String) throws -> String {
        let dbname = "bangfu_bench_" + name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let connection = try PGConnection(url: url, applicationName: "bangfu-bench")
        try connection.execute("DROP DATABASE IF EXISTS \(dbname) WITH (FORCE)")
        try connection.execute("CREATE DATABASE \(dbname)")
        return url(of: dbname)
    }

    /// pgbench -i (scale 1), then `clients` clients of `transactions` each: its transactions per
    /// second. A count, not `-T`: pgbench ends a timed run on SIGALRM, which a child of this
    /// process inherits blocked (Foundation's threads block signals), so a timed run never ends.
    func pgbench(clients: Int, transactions: Int) throws -> PGBenchFigures {
        let target = url(of: try database("pgbench").split(separator: "=").last.map(String.init) ?? "pgbench")
        let program = LocalPostgres.binaries + "/pgbench"
        let (initialized, _, initError) = try LocalPostgres.run([program, "-i", "-q", "-s", "1", target])
        guard initialized == 0 else { throw LoadError("pgbench -i: \(initError)") }
        let (ran, output, error) = try LocalPostgres.run(
            [program, "-n", "-c", String(clients), "-j", String(min(clients, 2)), "-t", String(transactions), target])
        guard ran == 0, let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst("tps = ".count).prefix { $0.isNumber || $0 == "." })
        else { throw LoadError("pgbench: \(error)\(output)") }
        return PGBenchFigures(clients: clients, transactions: clients * transactions, transactionsPerSecond: tps)
    }
}

/// pgbench's TPC-B-like run: 5 statements per transaction (3 updates, a select, an insert).
struct PGBenchFigures: Codable {
    var clients: Int
    var transactions: Int
    var transactionsPerSecond: Double
}
