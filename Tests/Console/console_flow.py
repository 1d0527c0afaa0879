"""Drives the bangfu console in Cockpit with a real Chromium, as ConsoleTests tells it.

    console_flow.py BASE PASSWORD OUTDIR STEP USER [CASE]

STEP is one of: apply or household (CASE is then the household's name), review, approve, pay, contact (on a
phone's 390 px; CASE is then the archive number), work. Each logs
in through Cockpit's own login page as USER, opens 工会帮扶, does the step by clicking, and writes
a screenshot OUTDIR/STEP.png.
Prints what the page said last; exits non-zero when the page did not do what the step expects.
"""
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

base, password, outdir, step, user = sys.argv[1:6]
case = sys.argv[6] if len(sys.argv) > 6 else ""

options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--lang=zh-CN", "--window-size=1280,900"]:
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
# Selenium's own driver manager would try to go online: the driver is Debian's.
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 30)
try:
    driver.get(base + "/")
    wait.until(EC.presence_of_element_located((By.ID, "login-user-input"))).send_keys(user)
    driver.find_element(By.ID, "login-password-input").send_keys(password)
    driver.find_element(By.ID, "login-button").click()
    wait.until(EC.presence_of_element_located((By.ID, "content")))
    driver.get(base + "/bangfu")
    frame = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "iframe[name='cockpit1:localhost/bangfu']")))
    driver.switch_to.frame(frame)
    wait.until(EC.presence_of_element_located((By.ID, "page-work")))
    kinds = {"review": "to_review", "approve": "to_approve", "pay": "to_pay", "contact": "contacts_due"}
    if step == "contact":
        # A helper on a phone: 390 px wide.
        driver.set_window_size(390, 844)
    if step == "household":
        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-page='households']").click()
        wait.until(EC.presence_of_element_located((By.ID, "search-name"))).send_keys(case)
        driver.find_element(By.ID, "search-find").click()
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button[data-archive]"))).click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#household h2")))
    elif step == "apply":
        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-page='apply']").click()
        wait.until(EC.presence_of_element_located((By.ID, "search-name"))).send_keys(case)
        driver.find_element(By.ID, "search-find").click()
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button[data-archive]"))).click()
        Select(wait.until(EC.presence_of_element_located((By.ID, "apply-help-type")))).select_by_value("hardship-relief")
        Select(wait.until(EC.presence_of_element_located((By.NAME, "cause")))).select_by_value("disaster")
        driver.find_element(By.ID, "apply-assess").click()
        print("assessed:", wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#apply-outcome p"))).text)
        driver.save_screenshot(f"{outdir}/apply-assessed.png")
        wait.until(EC.element_to_be_clickable((By.ID, "apply-submit"))).click()
        print("asked:", wait.until(EC.visibility_of_element_located((By.ID, "confirm-text"))).text)
        driver.find_element(By.ID, "confirm-ok").click()
        wait.until(lambda page: page.find_element(By.ID, "status").text.startswith("已完成"))
    elif step in kinds:
        button = wait.until(EC.element_to_be_clickable(
            (By.CSS_SELECTOR, f"button[data-action='{kinds[step]}'][data-ref='{case}']")))
        if step == "contact":
            Select(driver.find_element(By.CSS_SELECTOR, "select[data-choice='kind']")).select_by_value("phone")
        driver.execute_script("arguments[0].scrollIntoView()", button)
        button.click()
        question = wait.until(EC.visibility_of_element_located((By.ID, "confirm-text"))).text
        print("asked:", question)
        driver.save_screenshot(f"{outdir}/{step}-confirm.png")
        driver.find_element(By.ID, "confirm-ok").click()
        wait.until(lambda page: page.find_element(By.ID, "status").text.startswith("已完成"))
        wait.until(EC.presence_of_element_located((By.ID, "page-work")))
    time.sleep(0.5)
    driver.save_screenshot(f"{outdir}/{step}.png")
    print("status:", driver.find_element(By.ID, "status").text)
    print("page:", driver.find_element(By.ID, "page").text.replace("\n", " | "))
finally:
    driver.quit()
