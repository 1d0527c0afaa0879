import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

/// `bangfuctl`: controls bangfud over its varlink socket.
///
/// Exit codes: 0 done; 1 refused by bangfud (the message says why); 2 wrong usage;
/// 3 cannot reach bangfud; 4 permission denied; 5 not found.
@main
struct Bangfuctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bangfuctl",
        abstract: "通过 varlink 套接字管理 bangfud / Control bangfud over its varlink socket.",
        discussion: """
            退出码 / exit codes: 0 成功 done; 1 被拒绝 refused (see message); 2 用法错误 usage; \
            3 连不上 bangfud cannot connect; 4 无权限 permission denied; 5 不存在 not found.
            套接字 / socket: --socket, else BANGFU_SOCKET, else /run/bangfu/control.sock.
            """,
        version: BangfuVersion.current,
        subcommands: [
            Status.self, ArchiveCommand.self, CaseCommand.self, FundCommand.self, NoticeCommand.self,
            CampaignCommand.self, CareCommand.self, Plugins.self, Verify.self, Backup.self, Reload.self,
            ClockCommand.self,
        ]
    )
}

/// Options every subcommand takes.
struct Global: ParsableArguments {
    @Option(help: "bangfud 的控制套接字 / bangfud's control socket.")
    var socket: String = ProcessInfo.processInfo.environment["BANGFU_SOCKET"] ?? "/run/bangfu/control.sock"

    @Flag(help: "输出 JSON / Print JSON for scripts.")
    var json = false

    var zh: Bool { Language.fromEnvironment == .zh }

    /// Calls bangfud; failures are printed once and end the program with the documented code.
    func call(_ method: WireMethod, _ params: [String: JSONValue] = [:], more: Bool = false) -> [[String: JSONValue]] {
        let lang = Language.fromEnvironment
        do {
            let client = try VarlinkClient(path: socket)
            return try client.call(
                method, params.filter { if case .null = $0.value { return false } else { return true } }, more: more)
        } catch let e as VarlinkClientError {
            die(
                lang == .zh
                    ? "连不上 bangfud（\(e)）：bangfud 是否在运行？请检查 --socket 或 BANGFU_SOCKET"
                    : "cannot reach bangfud (\(e)): is it running? check --socket or BANGFU_SOCKET", code: 3)
        } catch let e as VarlinkError {
            let short = e.name.split(separator: ".").last.map(String.init) ?? e.name
            switch e.name {
            case "org.varlink.service.PermissionDenied":
                die(
                    lang == .zh
                        ? "无权执行 \(method)：您的账号在相关单位没有所需角色"
                        : "permission denied for \(method): your account lacks the role on that unit", code: 4)
            case "org.varlink.service.InvalidParameter":
                die(
                    lang == .zh
                        ? "参数无效：\(e.parameters["parameter"]?.stringValue ?? "")"
                        : "invalid parameter: \(e.parameters["parameter"]?.stringValue ?? "")", code: 2)
            default:
                let msg =
                    (lang == .zh ? e.parameters["message"] : e.parameters["messageEn"])?.stringValue ?? e.description
                die("\(msg) [\(short)]", code: short == "NotFound" ? 5 : 1)
            }
        } catch {
            die("\(error)", code: 1)
        }
    }

    /// One reply.
    /// Every page of a paged listing (each reply's `key`), following `next` until the last page.
    func pages(_ method: WireMethod, _ params: [String: JSONValue], key: String) -> [[String: JSONValue]] {
        var items: [[String: JSONValue]] = []
        var after: JSONValue = .null
        repeat {
            var asked = params
            asked["limit"] = .int(1_000)
            asked["after"] = after
            let replies = call(method, asked, more: true)
            items += replies.map { $0.o(key) }.filter { !$0.isEmpty }
            after = replies.last?["next"] ?? .null
        } while after != .null
        return items
    }

    func call1(_ method: WireMethod, _ params: [String: JSONValue] = [:]) -> [String: JSONValue] {
        call(method, params).last ?? [:]
    }

    func printJSON(_ v: JSONValue) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: (try? enc.encode(v)) ?? Data(), as: UTF8.self))
    }

    func die(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("bangfuctl: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

/// A request id for a mutating call: a retry with the same id returns the first answer.
struct RequestOptions: ParsableArguments {
    @Option(help: "请求号：重试时用同一个，只执行一次 / Request id: retry with the same one and it runs once.")
    var requestId: String?

    var param: JSONValue { requestId.map { .string($0) } ?? .null }
}

/// Helpers to read reply fields.
extension Dictionary where Key == String, Value == JSONValue {
    func s(_ k: String) -> String {
        self[k].flatMap { v -> String? in
            switch v {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .bool(let b): return String(b)
            case .double(let d): return String(d)
            default: return nil
            }
        } ?? ""
    }
    func i(_ k: String) -> Int64 { if case .int(let i)? = self[k] { return i } else { return 0 } }
    func o(_ k: String) -> [String: JSONValue] { self[k]?.objectValue ?? [:] }
    func a(_ k: String) -> [JSONValue] { if case .array(let a)? = self[k] { return a } else { return [] } }
}

/// Amounts: fen from the wire, shown as ¥1,234.56.
func yuan(_ fen: Int64) -> String { Money(fen: fen).description }

/// Parses `50000`, `1,234.56` or `¥300` into fen, or exits with usage code 2.
func fen(_ text: String, _ g: Global) -> Int64 {
    do { return try Money(parsing: text).fen } catch let e as BangfuError {
        g.die(e.message(Language.fromEnvironment), code: 2)
    } catch { g.die("\(error)", code: 2) }
}
