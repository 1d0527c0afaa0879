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
            CampaignCommand.self, CareCommand.self, Plugins.self, Verify.self, Backup.self, CheckpointCommand.self,
            Reload.self, ClockCommand.self,
        ]
    )

    /// As ArgumentParser's, but wrong usage exits 2 (as documented), not 64, and says so in the
    /// user's language before the parser's own words.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let lead =
                Language.fromEnvironment == .zh
                ? "用法错误（bangfuctl --help 查看用法）：" : "wrong usage (see bangfuctl --help): "
            FileHandle.standardError.write(Data((lead + message(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// Options every subcommand takes.
struct Global: ParsableArguments {
    @Option(help: "bangfud 的控制套接字 / bangfud's control socket.")
    var socket: String = ProcessInfo.processInfo.environment["BANGFU_SOCKET"] ?? "/run/bangfu/control.sock"

    @Flag(help: "输出 JSON / Print JSON for scripts.")
    var json = false

    var zh: Bool { Language.fromEnvironment == .zh }

    /// Calls bangfud and answers its one reply; failures are printed once and end the program with
    /// the documented code.
    func call<Call: WireCall>(_ call: Call) -> Call.Reply {
        reaching(Call.method) { client in try client.call(call) }
    }

    /// A method called with `more`: every reply.
    func stream<Call: WireCall>(_ call: Call) -> [Call.Reply] {
        reaching(Call.method) { client in try client.stream(call) }
    }

    /// Every page of a paged listing, 1,000 at a time, following `next` until the last page.
    func all<Call: WirePagedCall>(_ call: Call) -> [Call.Reply] {
        var call = call
        call.limit = 1_000
        return reaching(Call.method) { client in try client.all(call) }
    }

    /// Runs `body` against bangfud's socket, turning each failure into its message and exit code.
    private func reaching<Value>(_ method: WireMethod, _ body: (VarlinkClient) throws -> Value) -> Value {
        do {
            return try body(try VarlinkClient(path: socket))
        } catch let error as VarlinkClientError {
            die(
                zh
                    ? "连不上 bangfud（\(error)）：bangfud 是否在运行？请检查 --socket 或 BANGFU_SOCKET"
                    : "cannot reach bangfud (\(error)): is it running? check --socket or BANGFU_SOCKET", code: 3)
        } catch let error as VarlinkError {
            let short = error.name.split(separator: ".").last.map(String.init) ?? error.name
            switch error.name {
            case "org.varlink.service.PermissionDenied":
                die(
                    zh
                        ? "无权执行 \(method.rawValue)：您的账号在相关单位没有所需角色"
                        : "permission denied for \(method.rawValue): your account lacks the role on that unit", code: 4)
            case "org.varlink.service.InvalidParameter":
                let parameter = error.parameters["parameter"]?.stringValue ?? ""
                die(zh ? "参数无效：\(parameter)" : "invalid parameter: \(parameter)", code: 2)
            default:
                let message =
                    (zh ? error.parameters["message"] : error.parameters["messageEn"])?.stringValue ?? error.description
                die("\(message) [\(short)]", code: short == "NotFound" ? 5 : 1)
            }
        } catch let error as WireDecodingError {
            die(
                zh
                    ? "bangfud 的回复与接口定义不符（字段 \(error.field)）：bangfuctl 与 bangfud 的版本是否一致？"
                    : "bangfud's reply does not match the interface (field \(error.field)): are bangfuctl and bangfud the same version?",
                code: 1)
        } catch {
            die("\(error)", code: 1)
        }
    }

    /// `--json`: the reply as bangfud sent it, keys sorted.
    func printJSON(_ value: JSONValue) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
    }

    /// `--json` for a listing: its items as one array.
    func printJSON(_ values: [some WireValue]) {
        printJSON(.array(values.map(\.json)))
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
}

/// Amounts: fen from the wire, shown as ¥1,234.56.
func yuan(_ fen: Int64) -> String { Money(fen: fen).description }

/// Parses `50000`, `1,234.56` or `¥300` into fen, or exits with usage code 2.
func fen(_ text: String, _ global: Global) -> Int64 {
    do { return try Money(parsing: text).fen } catch let error as BangfuError {
        global.die(error.message(Language.fromEnvironment), code: 2)
    } catch { global.die("\(error)", code: 2) }
}

/// An optional text shown as `-` when absent.
func shown(_ text: String?) -> String { text.map { $0.isEmpty ? "-" : $0 } ?? "-" }
