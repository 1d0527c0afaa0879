"""Drives the bangfu console in Cockpit with a real Chromium, as ConsoleTests tells it.

    console_flow.py BASE PASSWORD OUTDIR STEP USER [SUBJECT]

Logs in through Cockpit's own login page as USER, opens 工会帮扶, does STEP by clicking, and
writes a screenshot OUTDIR/STEP.png. A STEP ending in "@en" runs with Cockpit's language set to
English (its CockpitLang cookie). SUBJECT is a household's name (archive, apply, household), a
case number (review, approve, notice, dismiss, pay), an archive number (contact, visit, campaign), or a
report period (report). Prints what the page said; exits non-zero when the page did not do what
the step expects.
"""
import glob
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

base, password, outdir, step, user = sys.argv[1:6]
subject = sys.argv[6] if len(sys.argv) > 6 else ""
english = step.endswith("@en")
step = step.removesuffix("@en")
downloads = os.path.join(outdir, "downloads")
os.makedirs(downloads, exist_ok=True)

options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--lang=zh-CN", "--window-size=1280,900"]:
    options.add_argument(argument)
options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                          "download.prompt_for_download": False})
options.binary_location = "/usr/bin/chromium"
# Selenium's own driver manager would try to go online: the driver is Debian's.
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
wait = WebDriverWait(driver, 30)


def tab(name):
    driver.find_element(By.CSS_SELECTOR, f"#tabs button[data-page='{name}']").click()
    return wait.until(EC.presence_of_element_located((By.ID, f"page-{name}")))


def confirm(answer=None, shot=None):
    """Reads the confirmation, writes the decision or note when it asks for one, and confirms."""
    question = wait.until(EC.visibility_of_element_located((By.ID, "confirm-text"))).text
    print("asked:", question)
    if answer is not None:
        driver.find_element(By.ID, "confirm-input").send_keys(answer)
    if shot:
        driver.save_screenshot(f"{outdir}/{shot}.png")
    driver.find_element(By.ID, "confirm-ok").click()
    wait.until(lambda page: page.find_element(By.ID, "status").get_attribute("class") in ("ok", "refused"))
    print("said:", driver.find_element(By.ID, "status").text)


def fill(name, value, scope=None):
    (scope or driver).find_element(By.NAME, name).send_keys(value)


def choose(name, value, scope=None):
    Select((scope or driver).find_element(By.NAME, name)).select_by_value(value)


def search(name):
    wait.until(EC.presence_of_element_located((By.ID, "search-name"))).send_keys(name)
    driver.find_element(By.ID, "search-find").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button[data-archive]"))).click()


def work_step(action, answer=None, choice=None):
    button = wait.until(EC.element_to_be_clickable(
        (By.CSS_SELECTOR, f"button[data-action='{action}'][data-ref='{subject}']")))
    if choice:
        Select(button.find_element(By.XPATH, "preceding-sibling::select[1]")).select_by_value(choice)
    driver.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    confirm(answer, shot=f"{step}-confirm")


def archive():
    """A new household on the national form: head, two members, income, causes, 五清."""
    tab("households")
    driver.find_element(By.ID, "archive-new").click()
    form = wait.until(EC.presence_of_element_located((By.ID, "archive-form")))
    choose("unitId", "b1")
    fill("region", "370202")
    fill("head.name", subject)
    fill("head.idNumber", "990101197610120310")
    choose("head.workStatus", "laid_off")
    fill("head.employer", "一厂")
    choose("head.politicalStatus", "party_member")
    fill("head.phone", "13800000000")
    fill("address", "样例路 1 号（合成数据）")
    for name, number, relation, status in [("李秀兰", "990101197803050427", "spouse", "unemployed"),
                                           ("张小雨", "990101201209010528", "child", "student")]:
        driver.find_element(By.ID, "archive-add-member").click()
        line = driver.find_elements(By.CSS_SELECTOR, "fieldset.member")[-1]
        fill("name", name, line)
        fill("idNumber", number, line)
        choose("relation", relation, line)
        choose("status", status, line)
        fill("monthlyIncome", "0", line)
    fill("annualIncome", "36000")
    fill("rigidExpenses", "8400")
    choose("mainCause", "serious_illness")
    driver.find_element(By.CSS_SELECTOR, "input[name='secondaryCauses'][value='laid_off']").click()
    fill("five.family", "三口之家，配偶重病")
    fill("five.cause", "配偶重病，本人下岗")
    fill("builtBy", "王芳")
    driver.save_screenshot(f"{outdir}/archive-form.png")
    button = form.find_element(By.ID, "archive-create")
    driver.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    confirm()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#household h2")))


def apply():
    tab("apply")
    search(subject)
    wait.until(EC.presence_of_element_located((By.ID, "apply-help-type")))
    choose("helpType", "hardship-relief")
    cause = wait.until(EC.presence_of_element_located((By.NAME, "cause")))
    print("choices:", " ".join(option.text for option in Select(cause).options))
    choose("cause", "disaster")
    driver.find_element(By.ID, "apply-assess").click()
    print("assessed:", wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#apply-outcome p"))).text)
    driver.save_screenshot(f"{outdir}/apply-assessed.png")
    wait.until(EC.element_to_be_clickable((By.ID, "apply-submit"))).click()
    confirm()


def household():
    tab("households")
    search(subject)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#household h2")))


def notice():
    tab("notice")
    button = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"button[data-action='object'][data-ref='{subject}']")))
    button.click()
    confirm("群众反映家庭收入有变化", shot="object-confirm")
    # Past notices of the month (a date input takes its value as the page keeps it).
    to = driver.find_element(By.CSS_SELECTOR, "#page-notice input[name='to']")
    driver.execute_script("arguments[0].value = arguments[0].value.slice(0, 8) + '28'", to)
    driver.find_element(By.ID, "notice-history").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f"#notice-past tr[data-ref='{subject}']")))


def funds():
    tab("funds")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#funds-shown svg.chart rect[data-value]")))
    bars = driver.find_elements(By.CSS_SELECTOR, "#funds-shown svg.chart rect[data-value]")
    print("bars:", " ".join(f"{bar.get_attribute('data-series')}={bar.get_attribute('data-value')}" for bar in bars))


def report():
    tab("reports")
    Select(driver.find_element(By.ID, "report-kind")).select_by_value("reportForm")
    period = driver.find_element(By.ID, "report-period")
    period.clear()
    period.send_keys(subject)
    Select(driver.find_element(By.ID, "report-format")).select_by_value("pdf")
    driver.find_element(By.ID, "report-download").click()
    wait.until(lambda page: page.find_element(By.ID, "status").get_attribute("class") in ("ok", "refused"))
    for _ in range(100):
        files = [name for name in glob.glob(f"{downloads}/*.pdf")]
        if files:
            break
        time.sleep(0.1)
    print("downloaded:", " ".join(files))


def campaign():
    tab("campaigns")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.campaign svg.chart")))
    button = wait.until(EC.element_to_be_clickable(
        (By.CSS_SELECTOR, f"button[data-action='recordVisit'][data-ref='{subject}']")))
    driver.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    confirm("已上门慰问，送去慰问金", shot="campaign-confirm")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.campaign svg.chart")))


steps = {
    "archive": archive, "apply": apply, "household": household, "notice": notice, "funds": funds,
    "report": report, "campaign": campaign,
    "review": lambda: work_step("pass"), "approve": lambda: work_step("approve"),
    "dismiss": lambda: work_step("dismiss", "经核实，收入无变化，异议不成立"),
    "pay": lambda: work_step("pay", choice="f1"), "contact": lambda: work_step("contact", choice="phone"),
    "visit": lambda: work_step("recordVisit", "住院探望，送去慰问品"),
    "work": lambda: None,
}
try:
    driver.get(base + "/")
    if english:
        driver.add_cookie({"name": "CockpitLang", "value": "en-us", "path": "/"})
    wait.until(EC.presence_of_element_located((By.ID, "login-user-input"))).send_keys(user)
    driver.find_element(By.ID, "login-password-input").send_keys(password)
    driver.find_element(By.ID, "login-button").click()
    wait.until(EC.presence_of_element_located((By.ID, "content")))
    driver.get(base + "/bangfu")
    frame = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "iframe[name='cockpit1:localhost/bangfu']")))
    driver.switch_to.frame(frame)
    wait.until(EC.presence_of_element_located((By.ID, "page-work")))
    if step in ("contact", "visit"):
        # A helper on a phone: 390 px wide.
        driver.set_window_size(390, 844)
    steps[step]()
    time.sleep(0.5)
    driver.save_screenshot(f"{outdir}/{step}.png")
    print("tabs:", " ".join(tab.text for tab in driver.find_elements(By.CSS_SELECTOR, "#tabs button")))
    print("status:", driver.find_element(By.ID, "status").text)
    print("page:", driver.find_element(By.ID, "page").text.replace("\n", " | "))
finally:
    driver.quit()
