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
            Status.self, WorkCommand.self, ArchiveCommand.self, HouseholdCommand.self, ImportCommand.self,
            ReportCommand.self,
            CaseCommand.self,
            FundCommand.self,
            NoticeCommand.self,
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
            let zh = Language.fromEnvironment == .zh
            let text = zh ? "用法错误：" + chinese(message(for: error)) : "wrong usage: " + message(for: error)
            let hint = zh ? "（bangfuctl --help 查看用法）" : " (see bangfuctl --help)"
            FileHandle.standardError.write(Data((text + hint + "\n").utf8))
            Foundation.exit(2)
        }
    }

    /// The parser's messages in Chinese, for the ones people meet; others as the parser wrote them.
    static func chinese(_ message: String) -> String {
        let patterns: [(String, String)] = [
            (#"^Missing expected argument '(.+)'$"#, "缺少参数 $1"),
            (#"^Unexpected argument '(.+)'$"#, "多余的参数 $1"),
            (#"^Unknown option '(.+)'$"#, "没有这个选项：$1"),
            (#"^Missing value for '(.+)'$"#, "选项 $1 缺少值"),
            (#"^The value '(.+)' is invalid for '(.+)'(.*)$"#, "$2 的值 $1 无效"),
            (#"^Unexpected arguments? (.+)$"#, "多余的参数 $1"),
        ]
        let first = message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? message
        for (pattern, replacement) in patterns {
            if let regex = try? NSRegularExpression(pattern: pattern),
                regex.firstMatch(in: first, range: NSRange(first.startIndex..., in: first)) != nil
            {
                return regex.stringByReplacingMatches(
                    in: first, range: NSRange(first.startIndex..., in: first), withTemplate: replacement)
            }
        }
        return first
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

    /// A method called with `more`: every reply. `timeoutSeconds`: how long a reply may take (an
    /// import's Finish works through every household before it answers).
    func stream<Call: WireCall>(_ call: Call, timeoutSeconds: Int = 60) -> [Call.Reply] {
        reaching(Call.method, timeoutSeconds: timeoutSeconds) { client in try client.stream(call) }
    }

    /// Every page of a paged listing, 1,000 at a time, following `next` until the last page.
    func all<Call: WirePagedCall>(_ call: Call) -> [Call.Reply] {
        var call = call
        call.limit = 1_000
        return reaching(Call.method) { client in try client.all(call) }
    }

    /// Runs `body` against bangfud's socket, turning each failure into its message and exit code.
    private func reaching<Value>(
        _ method: WireMethod, timeoutSeconds: Int = 60, _ body: (VarlinkClient) throws -> Value
    ) -> Value {
        do {
            return try body(try VarlinkClient(path: socket, timeoutSeconds: timeoutSeconds))
        } catch let error as VarlinkClientError {
            guard zh else {
                die("cannot reach bangfud (\(error)): is it running? check --socket or BANGFU_SOCKET", code: 3)
            }
            die("连不上 bangfud：\(Self.reason(error))", code: 3)
        } catch let error as VarlinkError {
            let short = error.name.split(separator: ".").last.map(String.init) ?? error.name
            switch error.name {
            case "org.varlink.service.PermissionDenied":
                // bangfud names the role and unit needed when it may say so; else the operation only.
                if let message = (zh ? error.parameters["message"] : error.parameters["messageEn"])?.stringValue {
                    die(message, code: 4)
                }
                die(
                    zh
                        ? "无权\(Words.of(.operation, Words.operation(method: method.rawValue), .zh))：您的账号没有执行它所需的角色"
                        : "permission denied for \(method.rawValue): your account lacks the role it needs", code: 4)
            case "org.varlink.service.InvalidParameter":
                let parameter = error.parameters["parameter"]?.stringValue ?? ""
                die(zh ? "参数无效：\(parameter)" : "invalid parameter: \(parameter)", code: 2)
            default:
                let message =
                    (zh ? error.parameters["message"] : error.parameters["messageEn"])?.stringValue
                    ?? (zh ? "bangfud 拒绝了请求（\(short)）" : error.description)
                // The code is for scripts: in `--json` and in English; Chinese reads as Chinese.
                die(zh && !json ? message : "\(message) [\(short)]", code: short == "NotFound" ? 5 : 1)
            }
        } catch let error as WireDecodingError {
            die(
                zh
                    ? "bangfud 的回复与接口定义不符（字段 \(error.field)）：bangfuctl 与 bangfud 的版本是否一致？"
                    : "bangfud's reply does not match the interface (field \(error.field)): are bangfuctl and bangfud the same version?",
                code: 1)
        } catch {
            die(zh ? "调用 bangfud 时出错：\(error.localizedDescription)" : "\(error)", code: 1)
        }
    }

    /// Why the socket could not be reached, in Chinese, with what to do.
    static func reason(_ error: VarlinkClientError) -> String {
        switch error {
        case .connect(let path, _, let code) where code == ENOENT:
            return "套接字 \(path) 不存在：bangfud 是否在运行？请检查 --socket 或 BANGFU_SOCKET"
        case .connect(let path, _, let code) where code == EACCES || code == EPERM:
            return "无权访问套接字 \(path)：请让管理员把您的账号加入可以使用它的用户组"
        case .connect(let path, _, let code) where code == ECONNREFUSED:
            return "套接字 \(path) 无人应答：bangfud 没有在运行"
        case .connect(let path, _, _):
            return "无法连接套接字 \(path)：请检查 --socket 或 BANGFU_SOCKET"
        case .io, .closed:
            return "连接中断：bangfud 可能已停止或重启，请稍后重试"
        }
    }

    /// Writes a file the user named, or ends with what went wrong in words (never a raw system error).
    func write(_ text: String, to path: String) {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            die(
                zh
                    ? "无法写入 \(path)：请检查目录是否存在以及您是否有写权限"
                    : "cannot write \(path): check the directory and its permissions",
                code: 1)
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
        FileHandle.standardError.write(Data("\(zh ? "错误：" : "bangfuctl: ")\(message)\n".utf8))
        Foundation.exit(code)
    }

    var language: Language { zh ? .zh : .en }

    /// The word for a code (`in_notice` is 公示中); the code itself in English.
    func word(_ kind: Words.Kind, _ code: String) -> String { Words.of(kind, code, language) }

    /// An instant as 2027年2月19日 09:00.
    func time(_ iso: String) -> String { ReadableTime.instant(iso, language) }

    /// A date as 2027年2月19日.
    func day(_ text: String) -> String { ReadableTime.date(text, language) }

    /// Unit and help-type names from bangfud, read once per command that shows them.
    func names() -> Names {
        guard zh, !json else { return Names(units: [:], helpTypes: [:]) }
        let reply = call(Wire.Admin.Names())
        return Names(
            units: Dictionary(reply.units.map { ($0.id, $0.nameZh) }, uniquingKeysWith: { first, _ in first }),
            helpTypes: Dictionary(reply.helpTypes.map { ($0.id, $0.nameZh) }, uniquingKeysWith: { first, _ in first }))
    }
}

/// What people read instead of unit and help-type ids (empty in English and `--json`: ids stay).
struct Names {
    let units: [String: String]
    let helpTypes: [String: String]

    func unit(_ id: String) -> String { units[id] ?? id }
    func helpType(_ id: String) -> String { helpTypes[id] ?? id }
    func helpTypes(_ ids: [String]) -> String { ids.map(helpType).joined(separator: helpTypes.isEmpty ? "," : "、") }
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
