// The bangfu console in Cockpit. Cockpit runs this page's bridge as the person who logged in, so
// the varlink connection to bangfud's socket carries their own uid (SO_PEERCRED): bangfud decides
// what they may see and do, exactly as for bangfuctl. No build step, no npm: a plain module.
/* global cockpit */

const SOCKET = "/run/bangfu/control.sock";

// Cockpit's language when one is chosen (its CockpitLang cookie); Chinese when none is.
const chosen = (document.cookie.match(/(?:^|;\s*)CockpitLang=([^;]+)/) || [])[1] || "";
const english = chosen.toLowerCase().startsWith("en");
const words = {
    title: ["工会帮扶", "Union assistance"],
    work: ["我的待办", "My work"],
    notice: ["公示", "Public notice"],
    nothing: ["没有等您处理的事项。", "Nothing waits for you."],
    noNotice: ["本期没有公示中的帮扶。", "Nothing is in notice."],
    unreachable: ["连不上帮扶服务（bangfud）：请联系管理员。", "Cannot reach bangfud: ask the administrator."],
    pass: ["通过初审", "Pass review"],
    approve: ["审批", "Approve"],
    pay: ["发放", "Pay"],
    fund: ["资金账户", "Fund"],
    cancel: ["取消", "Cancel"],
    confirm: ["确认", "Confirm"],
    done: ["已完成：", "Done: "],
    loading: ["正在读取……", "Loading…"],
    ref: ["编号", "Ref"],
    item: ["事项", "Item"],
    unit: ["单位", "Unit"],
    since: ["日期", "Since"],
    name: ["姓名", "Name"],
    help: ["帮扶项目", "Help"],
    amount: ["金额", "Amount"],
    period: ["公示期", "Notice period"],
    objections: ["公示期内如有异议，请拨打", "Objections: call"],
    apply: ["申请", "Apply"],
    search: ["按户主或成员姓名查找", "Find by a member's name"],
    find: ["查找", "Find"],
    choose: ["选择", "Choose"],
    helpType: ["帮扶项目", "Help type"],
    assess: ["填好了，测算", "Assess"],
    submit: ["提交初审", "Submit for review"],
    eligible: ["符合条件，测算金额：", "Eligible; amount: "],
    notEligible: ["不符合条件：", "Not eligible: "],
    noMatch: ["没有找到：请换个姓名，或先建档。", "No match: try another name, or archive the household first."],
    yuan: ["元", "yuan"],
    submitted: ["已提交初审：", "Submitted for review: "],
    households: ["档案", "Households"],
    view: ["查看", "View"],
    cases: ["帮扶案件", "Cases"],
    payments: ["发放记录", "Payments"],
    contacts: ["结对联系", "Contacts"],
    state: ["状态", "State"],
    paidAt: ["发放时间", "Paid"],
    by: ["经办", "By"],
    contact: ["记录联系", "Record contact"],
    contactKind: ["联系方式", "How"],
    phone: ["电话", "phone"],
    visit: ["走访", "visit"],
    other: ["其他", "other"],
};
const t = (key) => words[key][english ? 1 : 0];

/// One varlink call over a Cockpit stream channel on bangfud's socket; `more` answers every reply.
export function call(method, parameters = {}, more = false) {
    return new Promise((resolve, reject) => {
        // Binary, so the NUL that ends each varlink message passes through untouched.
        const channel = cockpit.channel({ payload: "stream", unix: SOCKET, binary: true });
        const decoder = new TextDecoder();
        let buffer = "";
        const replies = [];
        let settled = false;
        const finish = (ok, value) => {
            if (settled) return;
            settled = true;
            channel.close();
            ok ? resolve(value) : reject(value);
        };
        channel.addEventListener("message", (_event, data) => {
            buffer += decoder.decode(data, { stream: true });
            let end;
            while ((end = buffer.indexOf("\0")) >= 0) {
                const reply = JSON.parse(buffer.slice(0, end));
                buffer = buffer.slice(end + 1);
                if (reply.error) return finish(false, reply);
                replies.push(reply.parameters || {});
                if (!reply.continues) return finish(true, more ? replies : replies[0]);
            }
        });
        channel.addEventListener("close", (_event, options) => {
            finish(false, { error: "unreachable", parameters: { problem: options && options.problem } });
        });
        const message = { method, parameters };
        if (more) message.more = true;
        channel.send(new TextEncoder().encode(JSON.stringify(message) + "\0"));
    });
}

/// What bangfud said, in the person's language (its refusals name the role and unit needed).
function said(failure) {
    const parameters = failure.parameters || {};
    if (failure.error === "unreachable") return `${t("unreachable")} (${parameters.problem || "closed"})`;
    return (english ? parameters.messageEn : parameters.message) || parameters.message || failure.error;
}

/// An instant (2027-02-04T09:00:00+08:00) or a date as people read it: 2027年2月4日 09:00.
function readable(text) {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(text || "");
    if (!match) return text || "";
    const [, year, month, day, hour, minute] = match;
    const date = english ? `${year}-${month}-${day}` : `${year}年${Number(month)}月${Number(day)}日`;
    return hour ? `${date} ${hour}:${minute}` : date;
}

function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
        if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
}

function setStatus(text, kind = "") {
    const status = document.getElementById("status");
    status.textContent = text;
    status.className = kind;
}

/// Asks before anything changes, naming what it will change.
function confirmed(text) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = t("confirm");
    document.getElementById("confirm-cancel").textContent = t("cancel");
    return new Promise((resolve) => {
        dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
        dialog.showModal();
    });
}

function table(headers, rows) {
    return element(
        "table", {},
        element("thead", {}, element("tr", {}, ...headers.map((header) => element("th", {}, header)))),
        element("tbody", {}, ...rows));
}

/// The actions a queue's items take, by queue kind; `choice` is what the person picks first.
const actions = {
    contacts_due: {
        label: "contact",
        choice: "contactKind",
        run: (item, kind) => call("org.bangfu.Care.RecordContact", { archiveNo: item.ref, kind }),
    },
    to_review: { label: "pass", run: (item) => call("org.bangfu.Cases.PassReview", { caseNo: item.ref }) },
    to_approve: { label: "approve", run: (item) => call("org.bangfu.Cases.Approve", { caseNo: item.ref }) },
    to_pay: {
        label: "pay",
        run: async (item, fundId) => {
            const found = await call("org.bangfu.Cases.Get", { caseNo: item.ref });
            return call("org.bangfu.Cases.Pay", {
                caseNo: item.ref, instalment: found.case.instalmentsPaid + 1, fundId,
            });
        },
    },
};

async function showWork(page) {
    const mine = await call("org.bangfu.Work.Mine");
    const roles = mine.roles.filter((role) => role.queues.length > 0);
    if (roles.length === 0) {
        page.append(element("p", { class: "empty" }, t("nothing")));
        return;
    }
    let funds = [];
    if (roles.some((role) => role.queues.some((queue) => queue.kind === "to_pay"))) {
        funds = (await call("org.bangfu.Funds.List")).funds;
    }
    for (const role of roles) {
        const section = element("section", { class: "role", "data-role": role.role },
            element("h2", {}, english ? role.role : role.roleName));
        for (const queue of role.queues) {
            const count = `${queue.count}${queue.more ? "+" : ""}`;
            section.append(element("h3", { "data-queue": queue.kind },
                `${english ? queue.kind.replaceAll("_", " ") : queue.title}：${count}`));
            const action = actions[queue.kind];
            const rows = queue.items.map((item) => {
                const cells = [item.ref, item.label, item.unit, readable(item.since)].map((text) => element("td", {}, text));
                if (action) {
                    let fund = null;
                    const controls = element("td", { class: "actions" });
                    if (queue.kind === "to_pay") {
                        fund = element("select", { "aria-label": t("fund") },
                            ...funds.map((account) => element("option", { value: account.id }, account.name)));
                        controls.append(fund);
                    } else if (action.choice === "contactKind") {
                        fund = element("select", { "aria-label": t("contactKind"), "data-choice": "kind" },
                            ...["phone", "visit", "other"].map((kind) => element("option", { value: kind }, t(kind))));
                        controls.append(fund);
                    }
                    controls.append(element("button", {
                        class: "primary", "data-action": queue.kind, "data-ref": item.ref,
                        onclick: async () => {
                            const picked = fund ? fund.selectedOptions[0]?.textContent || "" : "";
                            const what = `${t(action.label)}：${item.ref} ${item.label}` +
                                (fund ? `（${t(action.choice || "fund")} ${picked}）` : "");
                            if (!(await confirmed(`${what}？`))) return;
                            try {
                                await action.run(item, fund && fund.value);
                                setStatus(t("done") + what, "ok");
                                render("work");
                            } catch (failure) {
                                setStatus(said(failure), "refused");
                            }
                        },
                    }, t(action.label)));
                    cells.push(controls);
                }
                return element("tr", { "data-ref": item.ref }, ...cells);
            });
            const headers = [t("ref"), t("item"), t("unit"), t("since")];
            if (action) headers.push("");
            section.append(table(headers, rows));
        }
        page.append(section);
    }
}

async function showNotice(page) {
    const replies = await call("org.bangfu.Notice.List", {}, true);
    const entries = replies.filter((reply) => reply.entry).map((reply) => reply.entry);
    if (entries.length === 0) {
        page.append(element("p", { class: "empty" }, t("noNotice")));
        return;
    }
    const last = replies[replies.length - 1];
    page.append(element("p", {}, `${last.issuedBy}`));
    page.append(table([t("ref"), t("name"), t("unit"), t("help"), t("amount"), t("period")], entries.map((entry) =>
        element("tr", { "data-ref": entry.caseNo },
            ...[entry.caseNo, entry.name, entry.unit, entry.helpType, (entry.amount / 100).toFixed(2),
                entry.firstDay && entry.lastDay ? `${readable(entry.firstDay)} – ${readable(entry.lastDay)}` : ""]
                .map((text) => element("td", {}, text))))));
    page.append(element("p", {}, `${t("objections")} ${last.objectionPhone}`));
}

/// Yuan as people read it: 5,000.00.
function yuan(fen) {
    return (fen / 100).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/// One input per field the help type declares: amounts in yuan (sent in fen), choices as a list.
function fieldInput(field) {
    const label = english ? field.labelEn : field.labelZh;
    const attributes = { name: field.key, "data-type": field.type };
    if (field.required) attributes.required = "";
    let input;
    if (field.type === "choice") {
        input = element("select", attributes, element("option", { value: "" }, ""),
            ...(field.options || []).map((option) => element("option", { value: option }, option)));
    } else if (field.type === "bool") {
        input = element("input", { ...attributes, type: "checkbox" });
    } else {
        const type = { money: "number", integer: "number", date: "date" }[field.type] || "text";
        input = element("input", { ...attributes, type, ...(field.type === "money" ? { step: "0.01", min: "0" } : {}) });
    }
    return element("label", { class: "field" }, element("span", {}, label + (field.required ? " *" : "")), input);
}

/// The form's values as the help type takes them (money fields in fen).
function formValues(form) {
    const values = {};
    for (const input of form.querySelectorAll("[name]")) {
        if (input.dataset.type === "bool") values[input.name] = input.checked;
        else if (input.value === "") continue;
        else if (input.dataset.type === "money") values[input.name] = Math.round(Number(input.value) * 100);
        else if (input.dataset.type === "integer") values[input.name] = Number(input.value);
        else values[input.name] = input.value;
    }
    return values;
}

/// 申请: find the household, fill the help type's own form, see the assessment, submit.
async function showApply(page) {
    const form = element("form", { id: "apply-form" });
    householdSearch(page, t("choose"), (archive) => applicationForm(form, archive));
    page.append(form);
}

async function applicationForm(form, archive) {
    const plugins = (await call("org.bangfu.Admin.Plugins")).loaded;
    const helpType = element("select", { name: "helpType", id: "apply-help-type", "aria-label": t("helpType") },
        ...plugins.map((plugin) => element("option", { value: plugin.id }, english ? plugin.nameEn : plugin.nameZh)));
    const fields = element("div", { class: "fields" });
    const outcome = element("div", { id: "apply-outcome" });
    const showFields = () => {
        const plugin = plugins.find((candidate) => candidate.id === helpType.value);
        fields.replaceChildren(...(plugin ? plugin.fields.map(fieldInput) : []));
        outcome.replaceChildren();
    };
    helpType.addEventListener("change", showFields);
    form.replaceChildren(
        element("h2", {}, `${archive.name}（${archive.archiveNo}）`),
        element("label", { class: "field" }, element("span", {}, t("helpType")), helpType), fields,
        element("button", {
            type: "button", id: "apply-assess", class: "primary",
            onclick: async () => {
                if (!form.reportValidity()) return;
                try {
                    // Filed as a draft, then assessed by the help type: nothing goes to review yet.
                    const filed = await call("org.bangfu.Cases.File", {
                        archiveNo: archive.archiveNo, helpType: helpType.value, form: formValues(fields),
                    });
                    const caseNo = filed.case.caseNo;
                    const assessed = await call("org.bangfu.Cases.Assess", { caseNo });
                    const reasons = assessed.reasons.map((reason) => english ? reason.en : reason.zh).join("；");
                    const amount = assessed.plan ? `${yuan(assessed.plan.total)} ${t("yuan")}` : "";
                    outcome.replaceChildren(element("p", { class: assessed.eligible ? "ok" : "refused" },
                        `${caseNo} ${assessed.eligible ? t("eligible") + amount : t("notEligible")} ${reasons}`));
                    if (!assessed.eligible) return;
                    outcome.append(element("button", {
                        type: "button", id: "apply-submit", class: "primary",
                        onclick: async () => {
                            const plugin = plugins.find((candidate) => candidate.id === helpType.value);
                            const what = `${t("submit")}：${caseNo} ${archive.name} ${english ? plugin.nameEn : plugin.nameZh} ${amount}`;
                            if (!(await confirmed(`${what}？`))) return;
                            try {
                                await call("org.bangfu.Cases.Submit", { caseNo });
                                setStatus(t("done") + what, "ok");
                                outcome.replaceChildren();
                            } catch (failure) {
                                setStatus(said(failure), "refused");
                            }
                        },
                    }, t("submit")));
                } catch (failure) {
                    setStatus(said(failure), "refused");
                }
            },
        }, t("assess")), outcome);
    showFields();
}

/// Case states in words (the daemon answers codes).
const states = {
    draft: ["草稿", "draft"], submitted: ["待初审", "submitted"], returned: ["退回补充", "returned"],
    branch_review_passed: ["待审批", "passed review"], in_notice: ["公示中", "in notice"],
    objected: ["异议核查中", "objected"], notice_passed: ["待发放", "to pay"], disbursing: ["发放中", "disbursing"],
    active: ["执行中", "active"], closed: ["已办结", "closed"], rejected: ["未通过", "rejected"],
    withdrawn: ["已撤回", "withdrawn"],
};
const stateWord = (code) => (states[code] || [code, code])[english ? 1 : 0];

/// A search by name whose results each get one button.
function householdSearch(page, buttonLabel, chosen) {
    const query = element("input", { type: "search", id: "search-name", "aria-label": t("search"), placeholder: t("search") });
    const results = element("div", { id: "search-results" });
    page.append(element("div", { class: "search" }, query, element("button", {
        id: "search-find", class: "primary",
        onclick: async () => {
            results.replaceChildren();
            try {
                const found = await call("org.bangfu.Archive.Search", { name: query.value.trim() });
                if (found.archives.length === 0) return results.append(element("p", { class: "empty" }, t("noMatch")));
                const names = await call("org.bangfu.Admin.Names");
                const unitName = (id) => (names.units.find((unit) => unit.id === id) || {}).nameZh || id;
                results.append(table([t("ref"), t("name"), t("unit"), ""], found.archives.map((archive) =>
                    element("tr", {},
                        element("td", {}, archive.archiveNo), element("td", {}, archive.name),
                        element("td", {}, unitName(archive.unitId)),
                        element("td", {}, element("button", {
                            class: "primary", "data-archive": archive.archiveNo, onclick: () => chosen(archive),
                        }, buttonLabel))))));
            } catch (failure) {
                setStatus(said(failure), "refused");
            }
        },
    }, t("find"))), results);
}

/// 档案: one household at a glance, as the caller's roles may see it (bangfud leaves out the rest).
async function showHouseholds(page) {
    const overview = element("div", { id: "household" });
    householdSearch(page, t("view"), async (archive) => {
        try {
            const found = await call("org.bangfu.Archive.Overview", { archiveNo: archive.archiveNo });
            const names = await call("org.bangfu.Admin.Names");
            const helpName = (id) => {
                const named = names.helpTypes.find((helpType) => helpType.id === id);
                return named ? (english ? named.nameEn : named.nameZh) : id;
            };
            const household = found.household;
            overview.replaceChildren(
                element("h2", {}, `${archive.name}（${household.archiveNo}）`),
                element("p", {}, english ? household.categoryReasonEn : household.categoryReason),
                element("h3", {}, t("cases")),
                table([t("ref"), t("help"), t("state"), t("amount")], found.cases.map((line) =>
                    element("tr", { "data-ref": line.caseNo }, ...[line.caseNo, helpName(line.helpType), stateWord(line.state),
                        line.amount == null ? "" : yuan(line.amount)].map((text) => element("td", {}, text))))),
                element("h3", {}, t("payments")),
                table([t("ref"), t("amount"), t("fund"), t("paidAt"), t("by")], found.payments.map((line) =>
                    element("tr", {}, ...[line.caseNo, yuan(line.amount), line.fundId, readable(line.paidAt),
                        line.paidBy].map((text) => element("td", {}, text))))),
                element("h3", {}, t("contacts")),
                table([t("since"), t("by"), t("contactKind")], found.contacts.map((line) =>
                    element("tr", {}, ...[readable(line.at), line.helper, t(line.kind) || line.kind]
                        .map((text) => element("td", {}, text))))));
        } catch (failure) {
            overview.replaceChildren(element("p", { class: "refused" }, said(failure)));
        }
    });
    page.append(overview);
}

const pages = { work: showWork, apply: showApply, households: showHouseholds, notice: showNotice };

async function render(name) {
    const page = document.getElementById("page");
    page.replaceChildren(element("p", {}, t("loading")));
    document.querySelectorAll("#tabs button").forEach((tab) =>
        tab.setAttribute("aria-current", tab.dataset.page === name ? "page" : "false"));
    const content = element("div", { id: `page-${name}` });
    try {
        await pages[name](content);
    } catch (failure) {
        content.append(element("p", { class: "refused" }, said(failure)));
    }
    page.replaceChildren(content);
}

document.documentElement.lang = english ? "en" : "zh-CN";
document.title = t("title");
document.getElementById("title").textContent = t("title");
document.getElementById("tabs").append(...Object.keys(pages).map((name) =>
    element("button", { "data-page": name, onclick: () => render(name) }, t(name))));
render("work");
