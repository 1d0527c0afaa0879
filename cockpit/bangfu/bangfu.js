// The bangfu console in Cockpit: one tab per page, each showing only what bangfud answers the
// person who logged in. No build step and no npm: plain modules (varlink.js speaks to bangfud).
import { english, t } from "./words.js";
import { call, said } from "./varlink.js";
import { element } from "./ui.js";
import { showWork } from "./work.js";
import { showApply } from "./apply.js";
import { showHouseholds } from "./households.js";
import { showNotice } from "./notice.js";
import { showFunds } from "./funds.js";
import { showCampaigns } from "./campaigns.js";
import { showReports } from "./reports.js";

const pages = {
    work: showWork, apply: showApply, households: showHouseholds, notice: showNotice, funds: showFunds,
    campaigns: showCampaigns, reports: showReports,
};

/// The roles a page is for (bangfud still decides every call): the others see every page their
/// roles can use, and a person with no role only my work, which says so.
const pageRoles = {
    apply: ["caseworker", "admin"],
    campaigns: ["caseworker", "reviewer", "approver", "auditor", "admin"],
    reports: ["caseworker", "reviewer", "approver", "treasurer", "auditor", "admin"],
};

async function render(name, preloaded = null) {
    const page = document.getElementById("page");
    page.replaceChildren(element("p", {}, t("loading")));
    document.querySelectorAll("#tabs button").forEach((tab) =>
        tab.setAttribute("aria-current", tab.dataset.page === name ? "page" : "false"));
    const content = element("div", { id: `page-${name}` });
    try {
        await pages[name](content, preloaded);
    } catch (failure) {
        content.append(element("p", { class: "refused" }, said(failure)));
    }
    page.replaceChildren(content);
}

document.documentElement.lang = english ? "en" : "zh-CN";
document.title = t("title");
document.getElementById("title").textContent = t("title");
// A page asks for another (my work again after a step) without importing this module.
document.addEventListener("bangfu:show", (event) => render(event.detail));

async function start() {
    let mine = null;
    try {
        mine = await call("org.bangfu.Work.Mine");
    } catch {
        mine = null;  // no role: my work asks again and shows the refusal in words
    }
    const held = mine ? mine.roles.map((role) => role.role) : [];
    const shown = Object.keys(pages).filter((name) => name === "work" ||
        (held.length > 0 && (!pageRoles[name] || pageRoles[name].some((role) => held.includes(role)))));
    document.getElementById("tabs").append(...shown.map((name) =>
        element("button", { "data-page": name, onclick: () => render(name) }, t(name))));
    render("work", mine);
}
start();
