// 资金: every fund the person may read, its statement over the dates (帐务公开) with a chart of
// income, spending and closing balance per fund.
import { call } from "./varlink.js";
import { t } from "./words.js";
import { names, word } from "./names.js";
import { barChart, dateInput, element, field, guarded, row, table, yuan } from "./ui.js";

const income = (fund) => fund.deposits + fund.transfersIn + fund.repayments;
const spent = (fund) => fund.disbursements + fund.loansOut + fund.transfersOut;

async function statement(target, from, to) {
    const reply = await call("org.bangfu.Funds.Statement", { from, to });
    const named = await names();
    const funds = reply.funds;
    const sum = (pick) => funds.reduce((total, fund) => total + pick(fund), 0);
    target.replaceChildren(
        table([t("fund"), t("source"), t("opening"), t("income"), t("spent"), t("closing"), t("recipients")], [
            ...funds.map((fund) => row([fund.fundName, word(named, "fundSource", fund.source), yuan(fund.opening),
                yuan(income(fund)), yuan(spent(fund)), yuan(fund.closing), String(fund.recipients)],
            { "data-fund": fund.fundId })),
            row([t("total"), "", yuan(sum((fund) => fund.opening)), yuan(sum(income)), yuan(sum(spent)),
                yuan(sum((fund) => fund.closing)), String(sum((fund) => fund.recipients))], { class: "total" }),
        ], { id: "funds-statement" }),
        barChart([t("income"), t("spent"), t("closing")],
            funds.map((fund) => ({ label: fund.fundName, values: [income(fund), spent(fund), fund.closing] })),
            (fen) => `¥${yuan(fen)}`),
        element("p", { class: "audit-head" }, reply.head ? `审计链 ${reply.head}` : ""));
}

export async function showFunds(page) {
    const now = (await call("org.bangfu.Admin.Status")).now.slice(0, 10);
    const from = dateInput("from", `${now.slice(0, 4)}-01-01`);
    const to = dateInput("to", now);
    const shown = element("div", { id: "funds-shown" });
    page.append(element("h2", {}, t("statement")),
        element("div", { class: "search" }, field(t("from"), from), field(t("to"), to),
            element("button", { id: "funds-show", onclick: guarded(() => statement(shown, from.value, to.value)) }, t("show"))),
        shown);
    await statement(shown, from.value, to.value);
}
