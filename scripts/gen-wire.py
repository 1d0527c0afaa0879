#!/usr/bin/env python3
"""Generates Sources/BangfuWire/Wire.swift from bangfud's varlink IDL.

The IDL files (Sources/BangfuDaemon/varlink/*.varlink) are the one description of the wire.
From them this writes, for bangfud, bangfuctl and the tests alike: the `WireMethod` list, one
struct per IDL type, and per method a call struct (its parameters) with its `Reply`, each with a
decoder that names the field it refuses and an encoder that leaves absent optionals out.

    python3 scripts/gen-wire.py           # rewrite the file
    python3 scripts/gen-wire.py --check   # fail (exit 1) when the file is not what the IDL gives
"""

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
IDL_DIR = ROOT / "Sources/BangfuDaemon/varlink"
OUT = ROOT / "Sources/BangfuWire/Wire.swift"
ORDER = ["Admin", "Archive", "Campaigns", "Care", "Cases", "Funds", "Import", "Notice", "Reports", "Work"]
KEYWORDS = {"case", "default", "in", "is", "as", "return", "where", "for", "let", "var", "func", "self",
            "protocol", "struct", "enum", "class", "init", "operator", "repeat", "switch", "internal"}


class IDLError(Exception):
    pass


def tokenize(text):
    """Comments kept as tokens (they become doc comments); everything else split on punctuation."""
    tokens = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            tokens.append(("comment", stripped[1:].strip()))
            continue
        if "#" in line:
            raise IDLError(f"a comment after code is not supported: {line!r}")
        for tok in re.findall(r"->|\[\]|\[string\]|[A-Za-z_][A-Za-z0-9_.]*|[(),:?]", line):
            tokens.append(("word", tok))
    return tokens


class Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def comments(self):
        lines = []
        while self.pos < len(self.tokens) and self.tokens[self.pos][0] == "comment":
            lines.append(self.tokens[self.pos][1])
            self.pos += 1
        return lines

    def take(self, expected=None):
        self.comments()
        kind, tok = self.tokens[self.pos]
        if expected is not None and tok != expected:
            raise IDLError(f"expected {expected!r}, found {tok!r}")
        self.pos += 1
        return tok

    def type_(self):
        tok = self.take()
        if tok == "?":
            return ("optional", self.type_())
        if tok == "[]":
            return ("array", self.type_())
        if tok == "[string]":
            return ("map", self.type_())
        if tok == "(":
            raise IDLError("anonymous structs and enums are not supported: name the type")
        if tok in ("bool", "int", "float", "string", "object"):
            return ("primitive", tok)
        return ("named", tok)

    def fields(self):
        """`( name: type, ... )` with each field's preceding comments."""
        self.take("(")
        fields = []
        while True:
            doc = self.comments()
            if self.tokens[self.pos][1] == ")":
                self.pos += 1
                return fields
            name = self.take()
            self.take(":")
            fields.append((name, self.type_(), doc))
            doc = self.comments()
            if self.tokens[self.pos][1] == ",":
                self.pos += 1


def parse(path):
    parser = Parser(tokenize(path.read_text(encoding="utf-8")))
    interface = {"types": [], "methods": [], "doc": []}
    while parser.pos < len(parser.tokens):
        doc = parser.comments()
        if parser.pos >= len(parser.tokens):
            break
        keyword = parser.take()
        if keyword == "interface":
            interface["name"] = parser.take()
            interface["doc"] = doc
        elif keyword == "type":
            interface["types"].append((parser.take(), parser.fields(), doc))
        elif keyword == "method":
            name = parser.take()
            params = parser.fields()
            parser.take("->")
            interface["methods"].append((name, params, parser.fields(), doc))
        elif keyword == "error":
            parser.take()
            parser.fields()
        else:
            raise IDLError(f"{path.name}: unexpected {keyword!r}")
    return interface


def lower_first(name):
    return name[0].lower() + name[1:]


def swift_name(field):
    return f"`{field}`" if field in KEYWORDS else field


def swift_type(t):
    kind, inner = t
    if kind == "optional":
        return swift_type(inner) + "?"
    if kind == "array":
        return "[" + swift_type(inner) + "]"
    if kind == "map":
        return "[String: " + swift_type(inner) + "]"
    if kind == "primitive":
        return {"bool": "Bool", "int": "Int64", "float": "Double", "string": "String",
                "object": "[String: JSONValue]"}[inner]
    return inner


def decode_expr(t, value, path):
    """A Swift expression decoding the JSONValue `value` of type `t`; `path` names it in errors."""
    kind, inner = t
    if kind == "optional":
        return f"try {value}.wireOptional(at: {path}) {{ value, path in {decode_expr(inner, 'value', 'path')} }}"
    if kind == "array":
        return f"try {value}.wireArray(at: {path}) {{ value, path in {decode_expr(inner, 'value', 'path')} }}"
    if kind == "map":
        return f"try {value}.wireMap(at: {path}) {{ value, path in {decode_expr(inner, 'value', 'path')} }}"
    if kind == "primitive":
        return f"try {value}.wire{ {'bool': 'Bool', 'int': 'Int', 'float': 'Double', 'string': 'String', 'object': 'Object'}[inner] }(at: {path})"
    return f"try {inner}(json: {value}, at: {path})"


def encode_expr(t, value):
    kind, inner = t
    if kind == "optional":
        return f"{value}.map {{ value in {encode_expr(inner, 'value')} }}"
    if kind == "array":
        return f"JSONValue.array({value}.map {{ value in {encode_expr(inner, 'value')} }})"
    if kind == "map":
        return f"JSONValue.object({value}.mapValues {{ value in {encode_expr(inner, 'value')} }})"
    if kind == "primitive":
        return {"bool": f"JSONValue.bool({value})", "int": f"JSONValue.int({value})",
                "float": f"JSONValue.double({value})", "string": f"JSONValue.string({value})",
                "object": f"JSONValue.object({value})"}[inner]
    return f"{value}.json"


def write_stmt(t, value):
    """Swift statements appending the JSON text of `value` (type `t`, not optional) to `out`."""
    kind, inner = t
    if kind == "array":
        return (f"WireText.array({value}, to: &out) {{ element, out in {write_stmt(inner, 'element')} }}")
    if kind == "map":
        return (f"WireText.map({value}, to: &out) {{ element, out in {write_stmt(inner, 'element')} }}")
    if kind == "primitive":
        return {"bool": f"WireText.bool({value}, to: &out)", "int": f"WireText.int({value}, to: &out)",
                "float": f"WireText.double({value}, to: &out)", "string": f"WireText.string({value}, to: &out)",
                "object": f"WireText.object({value}, to: &out)"}[inner]
    return f"{value}.write(to: &out)"


def doc_lines(doc, indent):
    return [f"{indent}/// {line}".rstrip() for line in doc]


def struct(name, fields, doc, indent, conformance, head=(), nested=()):
    """A struct with its memberwise init, its decoder and its encoder, closed at `indent`."""
    inner = indent + "    "
    out = doc_lines(doc, indent)
    out.append(f"{indent}public struct {name}: {conformance} {{")
    out.extend(head)
    for field, t, field_doc in fields:
        out.extend(doc_lines(field_doc, inner))
        out.append(f"{inner}public var {swift_name(field)}: {swift_type(t)}")
    if fields:
        out.append("")
    arguments = ", ".join(
        f"{field}: {swift_type(t)}" + (" = nil" if t[0] == "optional" else "") for field, t, _ in fields)
    out.append(f"{inner}public init({arguments}) {{")
    for field, _, _ in fields:
        out.append(f"{inner}    self.{swift_name(field)} = {swift_name(field)}")
    out.append(f"{inner}}}")
    out.append("")
    out.append(f"{inner}public init(json: JSONValue, at wirePath: String) throws {{")
    out.append(f"{inner}    let {'object' if fields else '_'} = try json.wireObject(at: wirePath)")
    for field, t, _ in fields:
        value = f'object["{field}", default: .null]'
        out.append(f"{inner}    {swift_name(field)} = {decode_expr(t, value, chr(34) + chr(92) + '(wirePath).' + field + chr(34))}")
    out.append(f"{inner}}}")
    out.append("")
    required = [(f, t) for f, t, _ in fields if t[0] != "optional"]
    optional = [(f, t) for f, t, _ in fields if t[0] == "optional"]
    out.append(f"{inner}public var json: JSONValue {{")
    if not optional:
        entries = ", ".join(f'"{f}": {encode_expr(t, swift_name(f))}' for f, t in required) or ":"
        out.append(f"{inner}    .object([{entries}])")
    else:
        entries = ", ".join(f'"{f}": {encode_expr(t, swift_name(f))}' for f, t in required) or ":"
        out.append(f"{inner}    var object: [String: JSONValue] = [{entries}]")
        for f, t in optional:
            out.append(f'{inner}    object["{f}"] = {encode_expr(t, swift_name(f))}')
        out.append(f"{inner}    return .object(object)")
    out.append(f"{inner}}}")
    out.append("")
    # The same text as `json`'s, written straight: keys in sorted order, absent optionals left out.
    out.append(f"{inner}public func write(to out: inout [UInt8]) {{")
    if fields:
        if optional:
            out.append(f"{inner}    var first = true")
        out.append(f"{inner}    out.append(UInt8(ascii: \"{{\"))")
        for index, (f, t, _) in enumerate(sorted(fields, key=lambda field: field[0])):
            if optional:
                key = f'WireText.key("{f}", first: &first, to: &out)'
            else:
                key = f'WireText.key("{f}", first: {"true" if index == 0 else "false"}, to: &out)'
            if t[0] == "optional":
                out.append(f"{inner}    if let value = {swift_name(f)} {{")
                out.append(f"{inner}        {key}")
                out.append(f"{inner}        {write_stmt(t[1], 'value')}")
                out.append(f"{inner}    }}")
            else:
                out.append(f"{inner}    {key}")
                out.append(f"{inner}    {write_stmt(t, swift_name(f))}")
        out.append(f"{inner}    out.append(UInt8(ascii: \"}}\"))")
    else:
        out.append(f"{inner}    out.append(contentsOf: \"{{}}\".utf8)")
    out.append(f"{inner}}}")
    if nested:
        out.append("")
        out.extend(nested)
    out.append(f"{indent}}}")
    return out


def generate(interfaces):
    out = [
        "// Generated by scripts/gen-wire.py from Sources/BangfuDaemon/varlink/*.varlink: do not edit.",
        "// Change the IDL, then run `python3 scripts/gen-wire.py` (CI checks this file is current).",
        "",
        "import BangfuVarlinkProtocol",
        "",
        "/// Every method of bangfud's interfaces: bangfud registers its handlers under these, and bangfuctl,",
        "/// the load generator and the tests call them, so no caller types a method's name.",
        "public enum WireMethod: String, CaseIterable, Sendable {",
    ]
    for interface in interfaces:
        short = interface["name"].split(".")[-1]
        for method in interface["methods"]:
            out.append(f'    case {lower_first(short)}{method[0]} = "{interface["name"]}.{method[0]}"')
    out += ["}", "", "/// The types and calls of bangfud's interfaces, one namespace per interface.", "public enum Wire {"]
    for index, interface in enumerate(interfaces):
        short = interface["name"].split(".")[-1]
        names = [t[0] for t in interface["types"]]
        clashes = set(names) & {m[0] for m in interface["methods"]}
        if clashes:
            raise IDLError(f"{interface['name']}: a type and a method share the name {sorted(clashes)}")
        if index:
            out.append("")
        out.extend(doc_lines(interface["doc"], "    "))
        out.append(f"    public enum {short} {{")
        members = []
        for name, fields, doc in interface["types"]:
            members.append(struct(name, fields, doc, "        ", "WireValue"))
        for name, params, replies, doc in interface["methods"]:
            # A listing in pages: the call takes `limit` and `after`, its last reply carries `next`.
            paged = {("next", ("optional", ("primitive", "string")))} <= {(f, t) for f, t, _ in replies}
            if paged and not {("limit", ("optional", ("primitive", "int"))),
                              ("after", ("optional", ("primitive", "string")))} <= {(f, t) for f, t, _ in params}:
                raise IDLError(f"{interface['name']}.{name}: a reply with `next` needs `limit: ?int, after: ?string`")
            conformances = ["WirePage" if paged else "WireValue"]
            single = []
            if len(replies) == 1 and replies[0][1][0] == "named":
                # A reply that is one value: callers treat every call answering a case (a household) alike.
                field, (_, type_name), _ = replies[0]
                conformances.append(f"WireSingleReply")
                single = ["            public typealias Value = " + type_name,
                          f"            public init(value: {type_name}) {{ self.init({field}: value) }}",
                          f"            public var value: {type_name} {{ {swift_name(field)} }}", ""]
            reply = struct("Reply", replies, [], "            ", ", ".join(conformances), single)
            head = [f"            public static let method = WireMethod.{lower_first(short)}{name}", ""]
            conformance = "WirePagedCall" if paged else "WireCall"
            members.append(struct(name, params, doc, "        ", conformance, head, reply))
        for member_index, member in enumerate(members):
            if member_index:
                out.append("")
            out.extend(member)
        out.append("    }")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    interfaces = [parse(IDL_DIR / f"org.bangfu.{name}.varlink") for name in ORDER]
    found = sorted(p.name for p in IDL_DIR.glob("*.varlink"))
    expected = sorted(f"org.bangfu.{name}.varlink" for name in ORDER)
    if found != expected:
        raise IDLError(f"IDL files {found} are not the interfaces this generator knows {expected}")
    # The house style, so the generated file passes `swift format lint` like the rest.
    text = subprocess.run(["swift", "format", "format", "--configuration", str(ROOT / ".swift-format")],
                          input=generate(interfaces), capture_output=True, text=True, check=True).stdout
    if "--check" in sys.argv[1:]:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is not what the IDL gives: run python3 scripts/gen-wire.py",
                  file=sys.stderr)
            sys.exit(1)
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)} written")


if __name__ == "__main__":
    try:
        main()
    except IDLError as error:
        print(f"gen-wire: {error}", file=sys.stderr)
        sys.exit(2)
