//! A real browser and the checkers the dashboard's pages must pass: headless Chromium from
//! the distribution driven over CDP (chromiumoxide), the Nu HTML validator (vnu.jar) and
//! axe-core. `scripts/browser-tools.sh` (run by `.ci/run`) installs them; a test that needs
//! one fails, never skips, when it is missing, and says how to install it.

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::page::{Page, ScreenshotParams};
use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Without these, Chromium on a machine without a network stalls trying to reach Google.
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

const INSTALL: &str = "run `bash scripts/browser-tools.sh` (or `bash .ci/run`) to install it";

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-tools/node_modules")
}

fn required(path: PathBuf, what: &str) -> PathBuf {
    assert!(
        path.is_file(),
        "{what} is missing at {}: {INSTALL}",
        path.display()
    );
    path
}

pub fn vnu_jar() -> PathBuf {
    required(
        tools().join("vnu-jar/build/dist/vnu.jar"),
        "the Nu HTML validator",
    )
}

pub fn axe_source() -> String {
    let path = required(tools().join("axe-core/axe.min.js"), "axe-core");
    std::fs::read_to_string(path).unwrap()
}

/// Where screenshots go: `target/test-artifacts/dashboard/`.
pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts/dashboard");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Validates HTML documents with the Nu validator in one Java run; returns its error
/// messages (empty when all are valid), each naming its file.
pub fn html_errors(pages: &[(&str, &str)]) -> Vec<String> {
    let jar = vnu_jar();
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = pages
        .iter()
        .map(|(name, html)| {
            let f = dir.path().join(format!("{name}.html"));
            std::fs::write(&f, html).unwrap();
            f
        })
        .collect();
    let out = std::process::Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("running java for the Nu validator: {e}; {INSTALL}"));
    // vnu writes its JSON report to stderr.
    let report: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "the Nu validator's report is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} line {}: {} ({})",
                m["url"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or(""),
                m["lastLine"],
                m["message"].as_str().unwrap_or(""),
                m["extract"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// One headless Chromium with a fresh profile, for one test process.
pub struct Chromium {
    pub browser: Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

impl Chromium {
    pub async fn launch() -> Chromium {
        required(PathBuf::from(CHROMIUM), "Chromium");
        let profile = tempfile::tempdir().unwrap();
        let config = BrowserConfig::builder()
            .chrome_executable(CHROMIUM)
            .disable_default_args()
            .args(FLAGS.iter().copied())
            .user_data_dir(profile.path())
            .window_size(1280, 900)
            .viewport(None)
            .launch_timeout(Duration::from_secs(30))
            .request_timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let (browser, mut events) = Browser::launch(config)
            .await
            .unwrap_or_else(|e| panic!("launching {CHROMIUM}: {e}"));
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        Chromium {
            browser,
            handler,
            _profile: profile,
        }
    }

    pub async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.handler.abort();
    }
}

/// Sets the page's layout width (and a phone's touch and scale at 390).
pub async fn set_width(page: &Page, width: i64) {
    let phone = width < 600;
    page.execute(SetDeviceMetricsOverrideParams::new(
        width,
        if phone { 844 } else { 900 },
        if phone { 2.0 } else { 1.0 },
        phone,
    ))
    .await
    .unwrap();
}

/// A full-page PNG of the page at `width`, saved as `{name}-{width}.png` in [`artifacts`].
pub async fn screenshot(page: &Page, name: &str, width: i64) -> PathBuf {
    set_width(page, width).await;
    let png = page
        .screenshot(
            ScreenshotParams::builder()
                .format(CaptureScreenshotFormat::Png)
                .full_page(true)
                .build(),
        )
        .await
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let path = artifacts().join(format!("{name}-{width}.png"));
    std::fs::write(&path, png).unwrap();
    path
}

/// Evaluates `expression` (awaiting a promise) and returns its value.
pub async fn eval(page: &Page, expression: &str) -> serde_json::Value {
    let params = EvaluateParams::builder()
        .expression(expression)
        .await_promise(true)
        .return_by_value(true)
        .build()
        .unwrap();
    // A navigation under way may destroy the context mid-evaluation: that reads as nothing.
    match page.evaluate_expression(params).await {
        Ok(r) => r.value().cloned().unwrap_or(serde_json::Value::Null),
        Err(e) if expression.len() > 200 => panic!("evaluating {expression:.80}: {e}"),
        Err(_) => serde_json::Value::Null,
    }
}

/// Clicks `selector` (a submit button or a link) and waits until the next document has
/// loaded: the old one is marked, and the wait ends when a document without the mark is
/// complete.
pub async fn click_and_wait(page: &Page, selector: &str) {
    eval(page, "window.__frontdeskOld = true").await;
    page.find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .click()
        .await
        .unwrap();
    super::eventually(&format!("the page after clicking {selector}"), || async {
        let v = eval(
            page,
            "window.__frontdeskOld === undefined && document.readyState === 'complete'",
        )
        .await;
        (v == serde_json::Value::Bool(true)).then_some(())
    })
    .await;
}

/// Loads `url` and waits for it.
pub async fn go(page: &Page, url: &str) {
    page.goto(url).await.unwrap();
    page.wait_for_navigation().await.unwrap();
}

/// axe-core's violations on the page as loaded: (rule, impact, first target) per violation.
pub async fn axe_violations(page: &Page) -> Vec<String> {
    eval(page, &axe_source()).await;
    let v = eval(
        page,
        "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) })))",
    )
    .await;
    v.as_array()
        .unwrap_or_else(|| panic!("axe's result: {v}"))
        .iter()
        .map(|x| {
            format!(
                "{} ({}): {} at {}",
                x["id"], x["impact"], x["help"], x["nodes"]
            )
        })
        .collect()
}
