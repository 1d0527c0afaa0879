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

/// The actions a queue's items take, by queue kind.
const actions = {
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
                    }
                    controls.append(element("button", {
                        class: "primary", "data-action": queue.kind, "data-ref": item.ref,
                        onclick: async () => {
                            const what = `${t(action.label)}：${item.ref} ${item.label}` +
                                (fund ? `（${t("fund")} ${fund.selectedOptions[0]?.textContent || ""}）` : "");
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

const pages = { work: showWork, notice: showNotice };

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
