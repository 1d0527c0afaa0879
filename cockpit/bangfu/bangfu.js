// The bangfu console in Cockpit: one tab per page, each showing only what bangfud answers the
// person who logged in. No build step and no npm: plain modules (varlink.js speaks to bangfud).
import { english, t } from "./words.js";
import { said } from "./varlink.js";
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
// A page asks for another (my work again after a step) without importing this module.
document.addEventListener("bangfu:show", (event) => render(event.detail));
render("work");
