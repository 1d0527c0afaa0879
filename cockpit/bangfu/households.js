// 档案: find a household by name or ID number, see it at a glance (一户一档) as the person's roles
// may (bangfud leaves out the rest), and archive a new one on the national form's fields.
import { call, said } from "./varlink.js";
import { english, t } from "./words.js";
import { choices, helpName, names, unitName, word } from "./names.js";
import { confirmed, element, fenOf, field, readable, row, setStatus, table, yuan } from "./ui.js";

/// A search by name's beginning or by an 18-character ID number; each result gets one button.
export function householdSearch(page, buttonLabel, chosen) {
    const query = element("input", {
        type: "search", id: "search-name", "aria-label": t("search"), placeholder: t("search"),
    });
    const results = element("div", { id: "search-results" });
    const find = async () => {
        results.replaceChildren();
        const text = query.value.trim();
        try {
            const byId = /^\d{17}[\dXx]$/.test(text);
            const found = await call("org.bangfu.Archive.Search", byId ? { idNumber: text.toUpperCase() } : { name: text });
            if (found.archives.length === 0) return results.append(element("p", { class: "empty" }, t("noMatch")));
            const named = await names();
            results.append(table([t("ref"), t("name"), t("unit"), t("category"), ""], found.archives.map((archive) =>
                element("tr", {},
                    ...[archive.archiveNo, archive.name, unitName(named, archive.unitId),
                        archive.category ? word(named, "category", archive.category) : ""]
                        .map((text) => element("td", {}, text)),
                    element("td", {}, element("button", {
                        class: "primary", "data-archive": archive.archiveNo, onclick: () => chosen(archive),
                    }, buttonLabel))))));
        } catch (failure) {
            setStatus(said(failure), "refused");
        }
    };
    query.addEventListener("keydown", (event) => { if (event.key === "Enter") find(); });
    page.append(element("div", { class: "search" }, query,
        element("button", { id: "search-find", class: "primary", onclick: find }, t("find"))), results);
}

/// One household at a glance.
async function overview(target, archive) {
    try {
        const found = await call("org.bangfu.Archive.Overview", { archiveNo: archive.archiveNo });
        const named = await names();
        const household = found.household;
        const data = household.archive;
        const head = data.head;
        const parts = [
            element("h2", {}, `${head.name}（${household.archiveNo}）`),
            element("p", { class: "category" }, english ? household.categoryReasonEn : household.categoryReason),
            element("p", {}, `${t("mainCause")}：${[data.mainCause, ...(data.secondaryCauses || [])]
                .map((code) => word(named, "cause", code)).join("、")}`),
            element("h3", {}, t("members")),
            table([t("name"), t("relation"), t("idNumber"), t("memberStatus"), t("monthlyIncome")], [
                row([head.name, t("head"), head.idNumber, word(named, "workStatus", head.workStatus), ""]),
                ...(data.members || []).map((member) => row([
                    member.name, word(named, "relation", member.relation), member.idNumber,
                    member.status ? word(named, "memberStatus", member.status) : "",
                    member.monthlyIncome == null ? "" : yuan(member.monthlyIncome)])),
            ]),
        ];
        if (data.fiveClears) {
            parts.push(element("h3", {}, t("fiveClears")), element("dl", { class: "five-clears" },
                ...["family", "cause", "stateOfMind", "employmentWish", "skills"].flatMap((key) =>
                    [element("dt", {}, t(key)), element("dd", {}, data.fiveClears[key] || "")])));
        }
        parts.push(
            element("h3", {}, t("cases")),
            table([t("ref"), t("help"), t("state"), t("amount")], found.cases.map((line) =>
                row([line.caseNo, helpName(named, line.helpType), word(named, "caseState", line.state),
                    line.amount == null ? "" : yuan(line.amount)], { "data-ref": line.caseNo }))),
            element("h3", {}, t("payments")),
            table([t("ref"), t("amount"), t("fund"), t("paidAt"), t("by")], found.payments.map((line) =>
                row([line.caseNo, yuan(line.amount), line.fundId, readable(line.paidAt), line.paidBy]))),
            element("h3", {}, t("visits")),
            table([t("dueOn"), t("state"), t("by"), t("note")], found.visits.map((line) =>
                row([readable(line.dueOn), word(named, "visitStatus", line.status), line.visitedBy || line.visitor || "",
                    line.note || ""]))),
            element("h3", {}, t("contacts")),
            table([t("since"), t("by"), t("contactKind")], found.contacts.map((line) =>
                row([readable(line.at), line.helper, word(named, "contactKind", line.kind)]))));
        target.replaceChildren(...parts);
    } catch (failure) {
        target.replaceChildren(element("p", { class: "refused" }, said(failure)));
    }
}

/// A list of codes with their words; `empty` adds a blank first choice.
function select(name, options, empty = false) {
    return element("select", { name, "aria-label": t(name) },
        ...(empty ? [element("option", { value: "" }, "")] : []),
        ...options.map((option) => element("option", { value: option.code }, option.text)));
}

const text = (name, attributes = {}) => element("input", { name, "aria-label": t(name), ...attributes });
const yuanInput = (name, required = false) =>
    text(name, { inputmode: "decimal", pattern: "\\d+(\\.\\d{1,2})?", required });

/// One member's line of the form.
function memberLine(named) {
    const line = element("fieldset", { class: "member" },
        field(t("name"), text("name", { required: true })),
        field(t("idNumber"), text("idNumber", { required: true, pattern: "\\d{17}[\\dXx]", maxlength: 18 })),
        field(t("relation"), select("relation", choices(named, "relation"))),
        field(t("memberStatus"), select("status", choices(named, "memberStatus"), true)),
        field(t("monthlyIncome"), yuanInput("monthlyIncome")),
        field(t("health"), text("health")));
    line.append(element("button", { type: "button", onclick: () => line.remove() }, t("removeMember")));
    return line;
}

/// The national form (全国困难职工档案) as ArchiveData: amounts typed in yuan go in fen.
function archiveData(form) {
    const value = (name, scope = form) => {
        const input = scope.querySelector(`[name='${name}']`);
        return input && input.value.trim() !== "" ? input.value.trim() : undefined;
    };
    const fen = (name, scope = form) => (value(name, scope) === undefined ? undefined : fenOf(value(name, scope)));
    const head = {};
    for (const key of ["name", "idNumber", "workStatus", "employer", "politicalStatus", "modelWorkerLevel",
        "health", "phone"]) head[key] = value(`head.${key}`);
    if (head.idNumber) head.idNumber = head.idNumber.toUpperCase();
    const members = [...form.querySelectorAll("fieldset.member")].map((line) => ({
        name: value("name", line), idNumber: value("idNumber", line)?.toUpperCase(), relation: value("relation", line),
        status: value("status", line), monthlyIncome: fen("monthlyIncome", line), health: value("health", line),
    }));
    const fiveClears = {};
    for (const key of ["family", "cause", "stateOfMind", "employmentWish", "skills"]) {
        fiveClears[key] = value(`five.${key}`) || "";
    }
    const data = {
        unitId: value("unitId"), region: value("region"), head, members, annualIncome: fen("annualIncome"),
        rigidExpenses: fen("rigidExpenses"), accidentCosts: fen("accidentCosts"), mainCause: value("mainCause"),
        secondaryCauses: [...form.querySelectorAll("[name='secondaryCauses']:checked")].map((box) => box.value),
        fiveClears, urgentNeeds: value("urgentNeeds"), address: value("address"), builtBy: value("builtBy"),
        checkedBy: value("checkedBy"),
    };
    return JSON.parse(JSON.stringify(data));
}

/// 新建档案: the national form's fields; bangfud checks the ID numbers and derives the category.
async function archiveForm(target) {
    const named = await names();
    const causes = choices(named, "cause");
    const members = element("div", { id: "archive-members" });
    const form = element("form", { id: "archive-form" },
        element("h2", {}, t("newArchive")),
        field(t("unit"), select("unitId", named.units.map((unit) => ({ code: unit.id, text: unit.nameZh })))),
        field(t("region"), text("region", { required: true, pattern: "\\d{6}", placeholder: "370202" })),
        element("h3", {}, t("head")),
        field(t("name"), text("head.name", { required: true })),
        field(t("idNumber"), text("head.idNumber", { required: true, pattern: "\\d{17}[\\dXx]", maxlength: 18 })),
        field(t("workStatus"), select("head.workStatus", choices(named, "workStatus"))),
        field(t("employer"), text("head.employer")),
        field(t("politicalStatus"), select("head.politicalStatus", choices(named, "politicalStatus"), true)),
        field(t("modelWorkerLevel"), select("head.modelWorkerLevel", choices(named, "modelWorkerLevel"), true)),
        field(t("health"), text("head.health")),
        field(t("mobile"), text("head.phone", { inputmode: "tel" })),
        field(t("address"), text("address")),
        element("h3", {}, t("members")), members,
        element("button", { type: "button", id: "archive-add-member", onclick: () => members.append(memberLine(named)) },
            t("addMember")),
        element("h3", {}, t("cause")),
        field(t("annualIncome"), yuanInput("annualIncome", true)),
        field(t("rigidExpenses"), yuanInput("rigidExpenses")),
        field(t("accidentCosts"), yuanInput("accidentCosts")),
        field(t("mainCause"), select("mainCause", causes)),
        element("fieldset", { class: "checks" }, element("legend", {}, t("secondaryCauses")),
            ...causes.map((cause) => element("label", {},
                element("input", { type: "checkbox", name: "secondaryCauses", value: cause.code }), cause.text))),
        element("h3", {}, t("fiveClears")),
        ...["family", "cause", "stateOfMind", "employmentWish", "skills"].map((key) =>
            field(t(key), element("textarea", { name: `five.${key}`, rows: 2, "aria-label": t(key) }))),
        field(t("urgentNeeds"), element("textarea", { name: "urgentNeeds", rows: 2, "aria-label": t("urgentNeeds") })),
        field(t("builtBy"), text("builtBy")),
        field(t("checkedBy"), text("checkedBy")));
    form.append(element("button", {
        type: "submit", id: "archive-create", class: "primary",
    }, t("createArchive")));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const data = archiveData(form);
        const what = `${t("createArchive")}：${data.head.name} ${unitName(named, data.unitId)}` +
            `（${1 + data.members.length}${t("persons")}，${t("yearIncome")} ¥${yuan(data.annualIncome)}）`;
        if (!(await confirmed(`${what}？`))) return;
        try {
            const created = await call("org.bangfu.Archive.Create", { archive: data });
            const household = created.household;
            setStatus(`${t("created")}${household.archiveNo} ${data.head.name}：` +
                (english ? household.categoryReasonEn : household.categoryReason), "ok");
            await overview(target, { archiveNo: household.archiveNo });
        } catch (failure) {
            setStatus(said(failure), "refused");
        }
    });
    target.replaceChildren(form);
}

export async function showHouseholds(page) {
    const shown = element("div", { id: "household" });
    page.append(element("p", {}, element("button", {
        id: "archive-new", onclick: () => archiveForm(shown),
    }, t("newArchive"))));
    householdSearch(page, t("view"), (archive) => overview(shown, archive));
    page.append(shown);
}
