//! The dashboard's HTTP handlers and their templates. Every page but the sign-in form needs
//! a valid session; without one it redirects to the form. With the dashboard off, every
//! page answers 404 and says why.

use super::auth::Access;
use super::views::{self, Say};
use super::Dashboard;
use crate::config::current;
use crate::core::RequestId;
use crate::i18n::Catalogs;
use crate::report::Period;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use std::sync::Arc;

/// What every template needs: the reader's words and whether someone is signed in.
pub struct Ctx {
    catalogs: Arc<Catalogs>,
    pub lang: &'static str,
    pub signed_in: bool,
}

impl Ctx {
    /// The catalog's words for `id`, in the reader's language.
    pub fn get(&self, id: &str) -> String {
        self.catalogs.word(self.lang, id)
    }
}

impl Say for Ctx {
    fn say(&self, id: &str) -> String {
        self.get(id)
    }
}

/// The reader's language: the first of `Accept-Language` that frontdesk speaks, else the
/// desk's default.
fn ctx(d: &Dashboard, headers: &HeaderMap, signed_in: bool) -> Ctx {
    let catalogs = current(&d.inner.config).messages();
    let wanted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|tag| tag.split(';').next().unwrap_or("").trim().to_string());
    let lang = catalogs.locale_for(wanted.as_deref().filter(|t| !t.is_empty()));
    Ctx {
        catalogs,
        lang,
        signed_in,
    }
}

#[derive(Template)]
#[template(path = "dashboard/message.html")]
struct MessagePage<'a> {
    ctx: &'a Ctx,
    heading: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "dashboard/login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    error: Option<String>,
    /// Offer the password form.
    password: bool,
    /// Offer Sign in with Slack.
    slack: bool,
}

impl<'a> LoginPage<'a> {
    fn new(d: &Dashboard, ctx: &'a Ctx, error: Option<String>) -> LoginPage<'a> {
        LoginPage {
            ctx,
            error,
            password: d.inner.access.as_ref().is_some_and(Access::has_password),
            slack: d.inner.slack.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/continue.html")]
struct ContinuePage<'a> {
    ctx: &'a Ctx,
}

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewPage<'a> {
    ctx: &'a Ctx,
    departments: Vec<views::DepartmentCard>,
    overdue: Vec<views::QueueRow>,
    overdue_truncated: bool,
}

#[derive(Template)]
#[template(path = "dashboard/department.html")]
struct DepartmentTemplate<'a> {
    ctx: &'a Ctx,
    id: String,
    name: String,
    queue: Vec<views::QueueRow>,
    queue_truncated: bool,
    distribution_chart: String,
    comments: Vec<CommentRow>,
    answers: Vec<(String, String, usize)>,
    keywords: Vec<(String, usize)>,
    since: String,
    until: String,
}

struct CommentRow {
    request: String,
    rating: Option<u8>,
    text: String,
    at: String,
}

#[derive(Template)]
#[template(path = "dashboard/request.html")]
struct RequestTemplate<'a> {
    ctx: &'a Ctx,
    id: String,
    summary: String,
    details: Vec<(String, String)>,
    timeline: Vec<views::TimelineEntry>,
}

fn html(status: StatusCode, page: Result<String, askama::Error>) -> Response {
    match page {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a dashboard page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "rendering the page failed",
            )
                .into_response()
        }
    }
}

fn message(ctx: &Ctx, status: StatusCode, reason_id: &str) -> Response {
    let page = MessagePage {
        ctx,
        heading: ctx.get("dashboard-title"),
        reason: ctx.get(reason_id),
    };
    html(status, page.render())
}

/// The answer for someone who may not see the page (None: they may): 404 with the reason
/// when the dashboard is off, else to the sign-in form without a valid session.
fn refused(d: &Dashboard, headers: &HeaderMap) -> Option<Response> {
    let Some(access) = d.inner.access.as_ref() else {
        return Some(message(
            &ctx(d, headers, false),
            StatusCode::NOT_FOUND,
            "dashboard-off",
        ));
    };
    let now = d.inner.engine.now();
    match Access::cookie_of(headers) {
        Some(v) if access.session_valid(&v, now) => None,
        _ => Some(Redirect::to("/dashboard/login").into_response()),
    }
}

/// Reads the store off the async threads: a page over many requests must not stall them.
async fn read<T: Send + 'static>(
    d: &Dashboard,
    f: impl FnOnce(&Dashboard) -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, ()> {
    let d = d.clone();
    match tokio::task::spawn_blocking(move || f(&d)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            tracing::error!(error = %crate::telemetry::chain(&e), "reading the store for the dashboard");
            Err(())
        }
        Err(e) => {
            tracing::error!(error = %e, "a dashboard read panicked");
            Err(())
        }
    }
}

pub async fn login_form(State(d): State<Dashboard>, headers: HeaderMap) -> Response {
    let ctx = ctx(&d, &headers, false);
    if d.inner.access.is_none() {
        return message(&ctx, StatusCode::NOT_FOUND, "dashboard-off");
    }
    html(StatusCode::OK, LoginPage::new(&d, &ctx, None).render())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    password: String,
}

pub async fn login(
    State(d): State<Dashboard>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let ctx = ctx(&d, &headers, false);
    let Some(access) = d.inner.access.as_ref() else {
        return message(&ctx, StatusCode::NOT_FOUND, "dashboard-off");
    };
    let started = std::time::Instant::now();
    if access.throttled(started) {
        let page = LoginPage::new(&d, &ctx, Some(ctx.get("dashboard-throttled")));
        let mut r = html(StatusCode::TOO_MANY_REQUESTS, page.render());
        r.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        return r;
    }
    // Argon2 takes tens of milliseconds by design: off the async threads.
    let checking = d.clone();
    let password = form.password;
    let matches = tokio::task::spawn_blocking(move || {
        checking
            .inner
            .access
            .as_ref()
            .is_some_and(|a| a.password_matches(&password))
    })
    .await
    .unwrap_or(false);
    if !matches {
        access.record_failure(started);
        tracing::warn!("a failed sign-in to the dashboard");
        let page = LoginPage::new(&d, &ctx, Some(ctx.get("dashboard-wrong-password")));
        return html(StatusCode::UNAUTHORIZED, page.render());
    }
    let cookie = access.sign_in_cookie(&headers, d.inner.engine.now());
    let mut r = Redirect::to("/dashboard").into_response();
    if let Ok(v) = header::HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// Sign in with Slack, step one: remember a fresh `state` and send the browser to Slack.
pub async fn slack_start(State(d): State<Dashboard>, headers: HeaderMap) -> Response {
    let ctx = ctx(&d, &headers, false);
    let (Some(access), Some(slack)) = (d.inner.access.as_ref(), d.inner.slack.as_ref()) else {
        return message(&ctx, StatusCode::NOT_FOUND, "dashboard-slack-off");
    };
    let state = super::oidc::SlackSignIn::new_state();
    let mut r = Redirect::to(&slack.authorize(&state)).into_response();
    let cookie = super::oidc::SlackSignIn::state_cookie(&state, access.over_tls(&headers));
    if let Ok(v) = header::HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[derive(Deserialize)]
pub struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
}

/// Sign in with Slack, step two: Slack sent the browser back with a code.
pub async fn slack_callback(
    State(d): State<Dashboard>,
    Query(q): Query<Callback>,
    headers: HeaderMap,
) -> Response {
    let ctx = ctx(&d, &headers, false);
    let (Some(access), Some(slack)) = (d.inner.access.as_ref(), d.inner.slack.as_ref()) else {
        return message(&ctx, StatusCode::NOT_FOUND, "dashboard-slack-off");
    };
    if !super::oidc::SlackSignIn::state_matches(&headers, &q.state) || q.code.is_empty() {
        return message(&ctx, StatusCode::UNAUTHORIZED, "dashboard-slack-failed");
    }
    let user = match slack.user_of(&d.inner.http, &q.code).await {
        Ok(user) => user,
        Err(e) => {
            tracing::warn!(error = %crate::telemetry::chain(&e), "signing in to the dashboard with Slack");
            return message(&ctx, StatusCode::UNAUTHORIZED, "dashboard-slack-failed");
        }
    };
    if !super::oidc::SlackSignIn::allows(&current(&d.inner.config), &user) {
        tracing::warn!(
            user,
            "a Slack sign-in to the dashboard by someone who is no agent"
        );
        return message(&ctx, StatusCode::FORBIDDEN, "dashboard-slack-refused");
    }
    tracing::info!(user, "signed in to the dashboard with Slack");
    // A page, not a redirect: the session cookie is SameSite=Strict, and a redirect that
    // continues Slack's cross-site navigation would arrive without it.
    let signed_in = Ctx {
        signed_in: true,
        ..ctx
    };
    let mut r = html(StatusCode::OK, ContinuePage { ctx: &signed_in }.render());
    let cookies = [
        access.sign_in_cookie(&headers, d.inner.engine.now()),
        format!(
            "{}=; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=0",
            super::oidc::STATE_COOKIE
        ),
    ];
    for cookie in cookies {
        if let Ok(v) = header::HeaderValue::from_str(&cookie) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

pub async fn logout(State(d): State<Dashboard>, headers: HeaderMap) -> Response {
    let Some(access) = d.inner.access.as_ref() else {
        return message(
            &ctx(&d, &headers, false),
            StatusCode::NOT_FOUND,
            "dashboard-off",
        );
    };
    let mut r = Redirect::to("/dashboard/login").into_response();
    if let Ok(v) = header::HeaderValue::from_str(&access.sign_out_cookie(&headers)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

pub async fn overview(State(d): State<Dashboard>, headers: HeaderMap) -> Response {
    if let Some(r) = refused(&d, &headers) {
        return r;
    }
    let ctx = Arc::new(ctx(&d, &headers, true));
    let words = ctx.clone();
    let built = read(&d, move |d| {
        let config = current(&d.inner.config);
        views::overview(
            d.inner.engine.store().as_ref(),
            &config,
            d.inner.engine.now(),
            words.as_ref(),
        )
    })
    .await;
    match built {
        Ok(o) => html(
            StatusCode::OK,
            OverviewPage {
                ctx: &ctx,
                departments: o.departments,
                overdue: o.overdue,
                overdue_truncated: o.overdue_truncated,
            }
            .render(),
        ),
        Err(()) => message(
            &ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            "dashboard-store-failed",
        ),
    }
}

pub async fn department(
    State(d): State<Dashboard>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = refused(&d, &headers) {
        return r;
    }
    let ctx = Arc::new(ctx(&d, &headers, true));
    let config = current(&d.inner.config);
    let Some(dept) = config.departments.iter().find(|x| x.id == id).cloned() else {
        return message(&ctx, StatusCode::NOT_FOUND, "dashboard-no-such-department");
    };
    let words = ctx.clone();
    let built = read(&d, move |d| {
        views::department(
            d.inner.engine.store().as_ref(),
            &dept,
            d.inner.engine.now(),
            words.as_ref(),
        )
    })
    .await;
    let Ok(p) = built else {
        return message(
            &ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            "dashboard-store-failed",
        );
    };
    let page = DepartmentTemplate {
        ctx: &ctx,
        id: p.id,
        name: p.name,
        queue: p.queue,
        queue_truncated: p.queue_truncated,
        distribution_chart: p.distribution_chart,
        comments: p
            .comments
            .into_iter()
            .map(|c| CommentRow {
                request: c.request,
                rating: c.rating,
                text: c.text,
                at: c.at.format("%Y-%m-%d").to_string(),
            })
            .collect(),
        answers: p.answers,
        keywords: p.keywords,
        since: p.since,
        until: p.until,
    };
    html(StatusCode::OK, page.render())
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    since: Option<String>,
    until: Option<String>,
}

fn day(s: Option<&str>) -> Result<Option<NaiveDate>, ()> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ()),
    }
}

pub async fn export(
    State(d): State<Dashboard>,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = refused(&d, &headers) {
        return r;
    }
    let ctx = ctx(&d, &headers, true);
    let config = current(&d.inner.config);
    let Some(dept) = config.departments.iter().find(|x| x.id == id).cloned() else {
        return message(&ctx, StatusCode::NOT_FOUND, "dashboard-no-such-department");
    };
    let period = match (day(q.since.as_deref()), day(q.until.as_deref())) {
        (Ok(since), Ok(until)) if since.zip(until).is_none_or(|(s, u)| s <= u) => {
            Period { since, until }
        }
        _ => return message(&ctx, StatusCode::BAD_REQUEST, "dashboard-bad-period"),
    };
    let name = format!(
        "{}-{}-{}.csv",
        dept.id,
        period.since.map(|d| d.to_string()).unwrap_or_default(),
        period.until.map(|d| d.to_string()).unwrap_or_default()
    );
    let built = read(&d, move |d| {
        views::export_csv(d.inner.engine.store().as_ref(), &dept, period)
    })
    .await;
    match built {
        Ok(Ok(csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            csv,
        )
            .into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "writing the dashboard's CSV");
            message(
                &ctx,
                StatusCode::INTERNAL_SERVER_ERROR,
                "dashboard-store-failed",
            )
        }
        Err(()) => message(
            &ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            "dashboard-store-failed",
        ),
    }
}

pub async fn request(
    State(d): State<Dashboard>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = refused(&d, &headers) {
        return r;
    }
    let ctx = ctx(&d, &headers, true);
    let Ok(id) = RequestId::parse(&id) else {
        return message(&ctx, StatusCode::NOT_FOUND, "dashboard-no-such-request");
    };
    let found = read(&d, move |d| d.inner.engine.store().request(&id)).await;
    match found {
        Ok(Some(r)) => {
            let config = current(&d.inner.config);
            let p = views::request(&r, &config, &ctx);
            let page = RequestTemplate {
                ctx: &ctx,
                id: p.id,
                summary: p.summary,
                details: p.details,
                timeline: p.timeline,
            };
            html(StatusCode::OK, page.render())
        }
        Ok(None) => message(&ctx, StatusCode::NOT_FOUND, "dashboard-no-such-request"),
        Err(()) => message(
            &ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            "dashboard-store-failed",
        ),
    }
}
