use super::*;

fn slack(code: &str) -> ApiError {
    ApiError::new(
        "chat.postMessage",
        ApiErrorKind::Slack {
            code: code.into(),
            needed: None,
        },
    )
}

#[test]
fn transient_codes_and_server_errors_are_retried() {
    assert!(slack("ratelimited").is_retryable());
    assert!(slack("internal_error").is_retryable());
    assert!(slack("service_unavailable").is_retryable());
    assert!(ApiError::new("chat.update", ApiErrorKind::Http { status: 502 }).is_retryable());
    assert!(ApiError::new("chat.update", ApiErrorKind::Network("reset".into())).is_retryable());
    assert!(!slack("channel_not_found").is_retryable());
    assert!(!slack("invalid_auth").is_retryable());
    assert!(!ApiError::new("chat.update", ApiErrorKind::Http { status: 403 }).is_retryable());
}

#[test]
fn permanent_errors_say_how_to_fix_them() {
    let e = slack("not_in_channel");
    assert_eq!(
        e.describe(Some("C0IT")),
        "chat.postMessage: not_in_channel: invite the bot to <#C0IT> (C0IT): type `/invite @frontdesk` in that channel"
    );
    let scope = ApiError::new(
        "conversations.info",
        ApiErrorKind::Slack {
            code: "missing_scope".into(),
            needed: Some("channels:read".into()),
        },
    );
    assert!(
        scope
            .describe(None)
            .contains("add the bot scope `channels:read`"),
        "{}",
        scope.describe(None)
    );
    assert!(slack("token_revoked")
        .describe(None)
        .contains("SLACK_BOT_TOKEN"));
    assert!(slack("something_new").fix(None).is_none());
}

#[test]
fn rate_limits_show_the_wait() {
    let e = ApiError::new(
        "chat.postMessage",
        ApiErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
        },
    );
    assert_eq!(
        e.to_string(),
        "chat.postMessage: ratelimited (HTTP 429, retry after 7s)"
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
}
