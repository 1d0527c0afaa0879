// 公示: the cases in notice now and past notices, with masked names only (bangfud never answers an
// ID number here), printable; staff record an objection against a line.
import { call, said } from "./varlink.js";
import { t } from "./words.js";
import { names, word } from "./names.js";
import { confirmed, dateInput, element, field, readable, setStatus, table, yuan } from "./ui.js";

/// A notice as people read it on the board: who issues it, the lines, the phone for objections.
async function board(target, method, parameters, withObjection) {
    const replies = await call(method, parameters, true);
    const entries = replies.filter((reply) => reply.entry).map((reply) => reply.entry);
    const last = replies[replies.length - 1] || {};
    const named = await names();
    if (entries.length === 0) {
        target.replaceChildren(element("p", { class: "empty" }, t("noNotice")));
        return;
    }
    const headers = [t("ref"), t("name"), t("unit"), t("help"), t("amount"), t("period"), t("state")];
    if (withObjection) headers.push("");
    const rows = entries.map((entry) => {
        const cells = [entry.caseNo, entry.name, entry.unit, entry.helpType, yuan(entry.amount),
            entry.firstDay && entry.lastDay ? `${readable(entry.firstDay)} – ${readable(entry.lastDay)}` : "",
            word(named, "caseState", entry.state)].map((text) => element("td", {}, text));
        if (withObjection && entry.state === "in_notice") {
            cells.push(element("td", { class: "actions no-print" }, element("button", {
                "data-action": "object", "data-ref": entry.caseNo,
                onclick: async () => {
                    const what = `${t("object")}：${entry.caseNo} ${entry.name} ${entry.helpType} ¥${yuan(entry.amount)}`;
                    const summary = await confirmed(`${what}？`, t("summary"));
                    if (!summary) return;
                    try {
                        await call("org.bangfu.Cases.Object", { caseNo: entry.caseNo, summary });
                        setStatus(t("done") + what, "ok");
                        await board(target, method, parameters, withObjection);
                    } catch (failure) {
                        setStatus(said(failure), "refused");
                    }
                },
            }, t("object"))));
        } else if (withObjection) {
            cells.push(element("td", {}, ""));
        }
        return element("tr", { "data-ref": entry.caseNo }, ...cells);
    });
    const total = entries.reduce((sum, entry) => sum + entry.amount, 0);
    target.replaceChildren(
        element("p", { class: "issuer" }, last.issuedBy || ""),
        table(headers, rows),
        element("p", {}, `${t("total")}：${entries.length}，¥${yuan(total)}`),
        element("p", {}, `${t("objections")} ${last.objectionPhone || ""}`),
        element("p", { class: "audit-head" }, last.head ? `审计链 ${last.head}` : ""));
}

export async function showNotice(page) {
    const now = (await call("org.bangfu.Admin.Status")).now.slice(0, 10);
    const current = element("div", { id: "notice-current" });
    const past = element("div", { id: "notice-past" });
    const from = dateInput("from", `${now.slice(0, 8)}01`);
    const to = dateInput("to", now);
    page.append(
        element("div", { class: "no-print toolbar" },
            element("button", { id: "notice-print", onclick: () => window.print() }, t("print"))),
        element("h2", {}, t("current")), current,
        element("h2", { class: "no-print" }, t("past")),
        element("div", { class: "no-print search" }, field(t("from"), from), field(t("to"), to),
            element("button", {
                id: "notice-history",
                onclick: async () => {
                    try {
                        await board(past, "org.bangfu.Notice.History", { from: from.value, to: to.value }, false);
                    } catch (failure) {
                        past.replaceChildren(element("p", { class: "refused" }, said(failure)));
                    }
                },
            }, t("show"))),
        past);
    await board(current, "org.bangfu.Notice.List", {}, true);
}
