//! The dashboard at /dashboard, black-box: requests filed through the fake Slack, the sign-in
//! over plain HTTP (wrong password, no password, tampered or expired cookie), the CSV
//! download against `frontdesk requests export`, and every page in headless Chromium: its
//! rendered DOM, screenshots at desktop and phone widths, the Nu HTML validator and axe-core.

use crate::helpers::browser::{self, Chromium};
use crate::helpers::fake_slack::OIDC_CLIENT_SECRET;
use crate::helpers::process::run_ok;
use crate::helpers::slack::{SlackApp, AGENT, IT_CHANNEL};
use frontdesk::config::Secret;
use reqwest::redirect::Policy;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";
const ALICE: &str = "UALICE";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn with_password() -> SlackApp {
    SlackApp::spawn_with(|c| c.dashboard.password = Some(Secret::new(PASSWORD))).await
}

/// Signs in over HTTP; returns the `Set-Cookie` header and the `name=value` to send back.
async fn sign_in(app: &SlackApp, extra: &[(&str, &str)]) -> (String, String) {
    let mut req = client()
        .post(app.url("/dashboard/login"))
        .form(&[("password", PASSWORD)]);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dashboard");
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let pair = set.split(';').next().unwrap().to_string();
    (set, pair)
}

async fn get_with(app: &SlackApp, path: &str, cookie: &str) -> reqwest::Response {
    client()
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn without_a_password_the_dashboard_is_off_and_says_why() {
    let app = SlackApp::spawn().await;
    for path in [
        "/dashboard",
        "/dashboard/login",
        "/dashboard/departments/it",
    ] {
        let r = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains("FRONTDESK_DASHBOARD_PASSWORD"), "{body}");
    }
    let r = client()
        .post(app.url("/dashboard/login"))
        .form(&[("password", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_wrong_password_gets_401_with_the_reason_and_the_right_one_a_strict_session() {
    let app = with_password().await;
    for wrong in ["", "correct horse", "CORRECT HORSE BATTERY STAPLE"] {
        let r = client()
            .post(app.url("/dashboard/login"))
            .form(&[("password", wrong)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.headers().get("set-cookie").is_none());
        let body = r.text().await.unwrap();
        assert!(body.contains("That password is wrong."), "{body}");
    }
    let (set, pair) = sign_in(&app, &[]).await;
    assert!(set.starts_with("frontdesk_dashboard="), "{set}");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/dashboard",
        "Max-Age=43200",
    ] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let r = get_with(&app, "/dashboard", &pair).await;
    assert_eq!(r.status(), 200);

    // Behind a proxy that terminated TLS, the cookie is Secure.
    let (set, _) = sign_in(&app, &[("x-forwarded-proto", "https")]).await;
    assert!(set.contains("; Secure"), "{set}");

    let r = client()
        .post(app.url("/dashboard/logout"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dashboard/login");
    let cleared = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("frontdesk_dashboard=;") && cleared.contains("Max-Age=0"));
}

#[tokio::test]
async fn after_ten_failed_sign_ins_even_the_right_password_waits() {
    let app = with_password().await;
    let attempt = |password: &'static str| {
        let url = app.url("/dashboard/login");
        async move {
            client()
                .post(url)
                .form(&[("password", password)])
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..10 {
        assert_eq!(attempt("guess").await.status(), 401);
    }
    let r = attempt(PASSWORD).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "60");
    assert!(r.headers().get("set-cookie").is_none());
    assert!(r.text().await.unwrap().contains("Too many failed sign-ins"));
}

#[tokio::test]
async fn pages_speak_the_language_the_browser_asks_for() {
    let app = with_password().await;
    let page = |lang: &'static str| {
        let url = app.url("/dashboard/login");
        async move {
            client()
                .get(url)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let de = page("de-DE,de;q=0.9,en;q=0.8").await;
    assert!(
        de.contains("<html lang=\"de\">") && de.contains("Anmelden"),
        "{de}"
    );
    let en = page("fr-FR").await;
    assert!(
        en.contains("<html lang=\"en\">") && en.contains("Sign in"),
        "{en}"
    );
}

#[tokio::test]
async fn a_missing_tampered_or_expired_cookie_is_sent_to_the_sign_in() {
    let app = with_password().await;
    let (_, pair) = sign_in(&app, &[]).await;
    let (expiry, tag) = pair
        .trim_start_matches("frontdesk_dashboard=")
        .split_once('.')
        .unwrap();
    let later: i64 = expiry.parse::<i64>().unwrap() + 86_400;
    let mut flipped = tag.to_string();
    flipped.replace_range(0..1, if tag.starts_with('0') { "1" } else { "0" });
    for cookie in [
        String::new(),
        format!("frontdesk_dashboard={later}.{tag}"),
        format!("frontdesk_dashboard={expiry}.{flipped}"),
        "frontdesk_dashboard=garbage".to_string(),
    ] {
        for path in ["/dashboard", "/dashboard/requests/IT-1"] {
            let r = get_with(&app, path, &cookie).await;
            assert_eq!(r.status(), 303, "{cookie} on {path}");
            assert_eq!(r.headers()["location"], "/dashboard/login");
        }
    }
    assert_eq!(get_with(&app, "/dashboard", &pair).await.status(), 200);
    app.advance(Duration::from_secs(12 * 3600 + 1));
    assert_eq!(get_with(&app, "/dashboard", &pair).await.status(), 303);
}

#[tokio::test]
async fn the_department_csv_is_the_export_of_that_department_for_the_period() {
    let app = with_password().await;
    let first = app.file_it_request(ALICE, "my vpn is broken").await;
    let second = app.file_it_request(ALICE, "laptop screen flickers").await;
    let (_, pair) = sign_in(&app, &[]).await;
    let today = app.engine.now().format("%Y-%m-%d").to_string();
    let path = format!("/dashboard/departments/it/export.csv?since={today}&until={today}");
    let r = get_with(&app, &path, &pair).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let csv = r.text().await.unwrap();

    let dir = app.config.server.data_dir.to_str().unwrap().to_string();
    // The command reaches this server through its admin endpoint: run it off this runtime's
    // thread, which must keep serving.
    let since = today.clone();
    let out = tokio::task::spawn_blocking(move || {
        run_ok(
            &[
                "requests", "export", "--format", "csv", "--since", &since, "--until", &since,
            ],
            &[("FRONTDESK_DATA_DIR", &dir)],
        )
    })
    .await
    .unwrap();
    let all = String::from_utf8(out.stdout).unwrap();
    let mut lines = all.lines();
    let header = lines.next().unwrap();
    let it: Vec<&str> = lines
        .filter(|l| l.split(',').nth(1) == Some("it"))
        .collect();
    assert_eq!(it.len(), 2, "{all}");
    let expected = format!("{header}\n{}\n", it.join("\n"));
    assert_eq!(csv, expected);
    assert!(csv.contains(&first) && csv.contains(&second));

    // Another department's export for the period has the header only; a period before any
    // request likewise; a wrong period is refused with the reason.
    let hr = get_with(
        &app,
        &format!("/dashboard/departments/hr/export.csv?since={today}&until={today}"),
        &pair,
    )
    .await;
    assert_eq!(hr.text().await.unwrap(), "");
    let old = get_with(
        &app,
        "/dashboard/departments/it/export.csv?since=2001-01-01&until=2001-01-31",
        &pair,
    )
    .await;
    assert_eq!(old.text().await.unwrap(), "");
    for bad in ["since=2026-13-01", "since=2026-03-02&until=2026-03-01"] {
        let r = get_with(
            &app,
            &format!("/dashboard/departments/it/export.csv?{bad}"),
            &pair,
        )
        .await;
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.text().await.unwrap().contains("That period is not valid"));
    }
    let r = get_with(&app, "/dashboard/departments/nope", &pair).await;
    assert_eq!(r.status(), 404);
}

/// Files three IT requests: one closed with a rating and a comment, one claimed, one left
/// waiting past the service level with markup in its summary. Returns their ids.
async fn desk_with_history(app: &SlackApp) -> (String, String, String) {
    // A Wednesday morning: the 5 hours waited below stay within this ISO week.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z")
            .unwrap()
            .into(),
    );
    let closed = app.file_it_request(ALICE, "my vpn is broken").await;
    app.react(
        true,
        AGENT,
        IT_CHANNEL,
        &app.card_ts(&closed),
        "white_check_mark",
    )
    .await;
    app.drain().await;
    app.click(ALICE, &format!("rate:{closed}:5")).await;
    app.drain().await;
    app.dm(ALICE, "Quick & friendly <3").await;
    app.drain().await;
    let claimed = app.file_it_request(ALICE, "laptop screen flickers").await;
    app.click(AGENT, &format!("claim:{claimed}")).await;
    app.drain().await;
    let waiting = app
        .file_it_request(ALICE, "vpn <script>alert(1)</script> & <b>bold</b>")
        .await;
    app.advance(Duration::from_secs(5 * 3600));
    (closed, claimed, waiting)
}

async fn text(page: &chromiumoxide::Page, selector: &str) -> String {
    page.find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .inner_text()
        .await
        .unwrap()
        .unwrap_or_default()
        .trim()
        .to_string()
}

async fn type_into(page: &chromiumoxide::Page, selector: &str, words: &str) {
    page.find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .click()
        .await
        .unwrap()
        .type_str(words)
        .await
        .unwrap();
}

async fn count(page: &chromiumoxide::Page, selector: &str) -> usize {
    page.find_elements(selector)
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

/// Screenshots at both widths, and axe-core's check at both.
async fn look_at(page: &chromiumoxide::Page, name: &str) {
    for width in [1280, 390] {
        browser::set_width(page, width).await;
        let violations = browser::axe_violations(page).await;
        assert!(
            violations.is_empty(),
            "{name} at {width}px: {violations:#?}"
        );
        browser::screenshot(page, name, width).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_a_real_browser() {
    // Fail early, and clearly, when a tool is missing.
    browser::vnu_jar();
    browser::axe_source();
    let app = with_password().await;
    let (closed, claimed, waiting) = desk_with_history(&app).await;
    let stored_summary = app.request(&waiting).summary;

    let chromium = Chromium::launch().await;
    let page = chromium
        .browser
        .new_page(app.url("/dashboard"))
        .await
        .unwrap();
    page.wait_for_navigation().await.unwrap();
    // Not signed in: the sign-in form.
    assert!(page
        .url()
        .await
        .unwrap()
        .unwrap()
        .ends_with("/dashboard/login"));
    look_at(&page, "login").await;
    type_into(&page, "#password", "wrong").await;
    browser::click_and_wait(&page, "#login button").await;
    assert_eq!(text(&page, "#reason").await, "That password is wrong.");
    type_into(&page, "#password", PASSWORD).await;
    browser::click_and_wait(&page, "#login button").await;

    // The overview.
    assert!(page.url().await.unwrap().unwrap().ends_with("/dashboard"));
    assert_eq!(count(&page, "section.department").await, 4);
    assert_eq!(text(&page, "#department-it .open").await, "2");
    assert_eq!(text(&page, "#department-it .overdue").await, "1");
    assert_eq!(text(&page, "#department-it .volume").await, "3");
    assert_eq!(text(&page, "#department-it .rating").await, "5.0/5");
    assert_eq!(text(&page, "#department-it .resolution").await, "no target");
    // IT's first response this week: the closed and the claimed in time, the waiting one not.
    assert_eq!(text(&page, "#department-it .first-response").await, "67 %");
    assert_eq!(text(&page, "#department-hr .open").await, "0");
    assert_eq!(count(&page, "#department-it svg.chart[role=img]").await, 2);
    assert_eq!(count(&page, "main script").await, 0, "markup stays text");
    let overdue: Vec<String> = {
        let mut v = Vec::new();
        for row in page.find_elements("tr.queue-row").await.unwrap() {
            v.push(row.attribute("data-id").await.unwrap().unwrap());
        }
        v
    };
    assert_eq!(overdue, std::slice::from_ref(&waiting));
    let overview_html = page.content().await.unwrap();
    look_at(&page, "overview").await;

    // The department: its queue, overdue first; the comment; the busiest answers.
    browser::go(&page, &app.url("/dashboard/departments/it")).await;
    let mut queue = Vec::new();
    for row in page.find_elements("tr.queue-row").await.unwrap() {
        queue.push(row.attribute("data-id").await.unwrap().unwrap());
    }
    assert_eq!(queue, [waiting.clone(), claimed.clone()]);
    let first_row = text(&page, "tr.queue-row td:nth-child(2)").await;
    assert_eq!(first_row, stored_summary.trim());
    assert!(text(&page, "tr.queue-row td:nth-child(4)")
        .await
        .contains("unassigned"));
    assert!(text(&page, ".comment p")
        .await
        .contains("Quick & friendly <3"));
    assert!(text(&page, "#answers").await.contains("thinkpad x1"));
    assert!(text(&page, "#keywords").await.contains("vpn"));
    assert_eq!(count(&page, "figure svg.chart[role=img]").await, 1);
    let href = page
        .find_element("#download")
        .await
        .unwrap()
        .attribute("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        href.starts_with("/dashboard/departments/it/export.csv?since="),
        "{href}"
    );
    let department_html = page.content().await.unwrap();
    look_at(&page, "department").await;

    // A request: its timeline from the history.
    browser::go(&page, &app.url(&format!("/dashboard/requests/{closed}"))).await;
    let timeline = text(&page, "#timeline").await;
    assert!(timeline.contains("opened the request"), "{timeline}");
    assert!(timeline.contains("closed it"), "{timeline}");
    assert!(timeline.contains("rated it"), "{timeline}");
    assert!(count(&page, "#timeline li.event").await >= 3);
    let request_html = page.content().await.unwrap();
    look_at(&page, "request").await;

    // Signing out ends the session.
    browser::click_and_wait(&page, "header form button").await;
    assert!(page
        .url()
        .await
        .unwrap()
        .unwrap()
        .ends_with("/dashboard/login"));
    browser::go(&page, &app.url("/dashboard")).await;
    assert!(page
        .url()
        .await
        .unwrap()
        .unwrap()
        .ends_with("/dashboard/login"));
    chromium.close().await;

    // The HTML as served validates (the browser's DOM above, the server's bytes here).
    let (_, pair) = sign_in(&app, &[]).await;
    let mut served = Vec::new();
    for (name, path) in [
        ("overview", "/dashboard".to_string()),
        ("department", "/dashboard/departments/it".to_string()),
        ("request", format!("/dashboard/requests/{closed}")),
    ] {
        let r = get_with(&app, &path, &pair).await;
        assert_eq!(r.status(), 200, "{path}");
        served.push((name, r.text().await.unwrap()));
    }
    served.push((
        "login",
        client()
            .get(app.url("/dashboard/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    ));
    let pages: Vec<(&str, &str)> = served.iter().map(|(n, h)| (*n, h.as_str())).collect();
    let errors = browser::html_errors(&pages);
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(!overview_html.is_empty() && !department_html.is_empty() && !request_html.is_empty());
}

/// Sign in with Slack configured, and no password.
async fn with_slack_sign_in() -> SlackApp {
    SlackApp::spawn_with(|c| {
        c.dashboard.slack_client_id = "123.456".into();
        c.dashboard.slack_client_secret = Some(Secret::new(OIDC_CLIENT_SECRET));
        c.dashboard.public_url = "http://desk.example.com".into();
    })
    .await
}

/// Starts a sign-in: the `state` Slack is sent and the cookie that remembers it.
async fn start_slack_sign_in(app: &SlackApp) -> (String, String) {
    let r = client()
        .get(app.url("/dashboard/oidc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(to
        .as_str()
        .starts_with("https://slack.com/openid/connect/authorize?"));
    let q: std::collections::HashMap<String, String> = to.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "123.456");
    assert_eq!(q["response_type"], "code");
    assert_eq!(
        q["redirect_uri"],
        "http://desk.example.com/dashboard/oidc/callback"
    );
    let set = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    (
        q["state"].clone(),
        set.split(';').next().unwrap().to_string(),
    )
}

#[tokio::test]
async fn agents_sign_in_with_slack_and_others_are_turned_away() {
    let app = with_slack_sign_in().await;
    // The sign-in page offers Slack only.
    let page = client()
        .get(app.url("/dashboard/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/dashboard/oidc/start\"") && page.contains("Sign in with Slack"));
    assert!(!page.contains("type=\"password\""), "{page}");

    let callback = |state: &str, code: &str, cookie: &str| {
        let url = app.url(&format!(
            "/dashboard/oidc/callback?code={code}&state={state}"
        ));
        let cookie = cookie.to_string();
        async move {
            client()
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    // A state that is not this browser's, or no state cookie: refused before asking Slack.
    let (state, cookie) = start_slack_sign_in(&app).await;
    let r = callback("other", &format!("code-for-{AGENT}"), &cookie).await;
    assert_eq!(r.status(), 401);
    let r = callback(&state, &format!("code-for-{AGENT}"), "").await;
    assert_eq!(r.status(), 401);
    assert!(app.fake.calls_to("openid.connect.token").is_empty());

    // Someone who is no agent.
    let (state, cookie) = start_slack_sign_in(&app).await;
    let r = callback(&state, "code-for-UNOBODY", &cookie).await;
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("set-cookie").is_none());
    assert!(r.text().await.unwrap().contains("Only the departments"));

    // A code Slack does not know.
    let (state, cookie) = start_slack_sign_in(&app).await;
    assert_eq!(callback(&state, "bogus", &cookie).await.status(), 401);

    // An agent.
    let (state, cookie) = start_slack_sign_in(&app).await;
    let r = callback(&state, &format!("code-for-{AGENT}"), &cookie).await;
    assert_eq!(r.status(), 200);
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("frontdesk_dashboard="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(session.contains("SameSite=Strict") && session.contains("HttpOnly"));
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("frontdesk_dashboard_oidc=;") && c.contains("Max-Age=0")));
    let body = r.text().await.unwrap();
    assert!(body.contains("http-equiv=\"refresh\""), "{body}");
    let errors = tokio::task::spawn_blocking({
        let pages = [("slack-login", page.clone()), ("signed-in", body.clone())];
        move || {
            let pages: Vec<(&str, &str)> = pages.iter().map(|(n, h)| (*n, h.as_str())).collect();
            browser::html_errors(&pages)
        }
    })
    .await
    .unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    let token_call = app.fake.calls_to("openid.connect.token").pop().unwrap();
    assert_eq!(token_call.str("client_id"), "123.456");
    assert_eq!(token_call.str("client_secret"), OIDC_CLIENT_SECRET);
    assert_eq!(
        token_call.str("redirect_uri"),
        "http://desk.example.com/dashboard/oidc/callback"
    );
    let pair = session.split(';').next().unwrap();
    assert_eq!(get_with(&app, "/dashboard", pair).await.status(), 200);
    // No password is set: the password form signs nobody in.
    let r = client()
        .post(app.url("/dashboard/login"))
        .form(&[("password", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
