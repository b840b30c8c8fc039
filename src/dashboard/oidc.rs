//! "Sign in with Slack" (OpenID Connect): the redirect to Slack's authorize page, and the
//! callback that trades the code for a token at `openid.connect.token`, asks
//! `openid.connect.userInfo` who signed in, and lets in only the configured agents.
//!
//! The `state` parameter is a random value kept in a short-lived cookie of its own, checked
//! on the way back, so that nobody can complete a sign-in they did not start. That cookie is
//! `SameSite=Lax`: the way back is a navigation from Slack, and a `Strict` cookie would not
//! be sent with it.

use axum::http::HeaderMap;
use rand_core::{OsRng, RngCore};
use serde::Deserialize;
use subtle::ConstantTimeEq;

pub const STATE_COOKIE: &str = "frontdesk_dashboard_oidc";
pub const CALLBACK_PATH: &str = "/dashboard/oidc/callback";

/// The Slack app that signs people in.
#[derive(Clone)]
pub struct SlackSignIn {
    pub client_id: String,
    client_secret: String,
    pub authorize_url: String,
    /// Slack's Web API base, ending in `/` (`slack.api_url`).
    pub api_url: String,
    /// `{public_url}/dashboard/oidc/callback`.
    pub redirect_uri: String,
}

impl std::fmt::Debug for SlackSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackSignIn")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("calling Slack's {method}")]
    Http {
        method: &'static str,
        source: reqwest::Error,
    },
    #[error("Slack's {method} answered {error}")]
    Slack { method: &'static str, error: String },
}

#[derive(Deserialize)]
struct TokenAnswer {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct UserInfo {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(rename = "https://slack.com/user_id", default)]
    user_id: Option<String>,
}

impl SlackSignIn {
    pub fn new(
        client_id: &str,
        client_secret: &str,
        authorize_url: &str,
        api_url: &str,
        public_url: &str,
    ) -> SlackSignIn {
        let mut api_url = api_url.to_string();
        if !api_url.ends_with('/') {
            api_url.push('/');
        }
        SlackSignIn {
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            authorize_url: authorize_url.to_string(),
            api_url,
            redirect_uri: format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/')),
        }
    }

    /// A fresh `state` value.
    pub fn new_state() -> String {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    /// Slack's authorize page for a sign-in with `state`.
    pub fn authorize(&self, state: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("scope", "openid profile"),
            ("client_id", self.client_id.as_str()),
            ("state", state),
            ("nonce", state),
            ("redirect_uri", self.redirect_uri.as_str()),
        ])
        .expect("strings encode");
        let joiner = if self.authorize_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{joiner}{query}", self.authorize_url)
    }

    /// The `Set-Cookie` value that remembers `state` for ten minutes.
    pub fn state_cookie(state: &str, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!(
            "{STATE_COOKIE}={state}; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=600{secure}"
        )
    }

    /// Whether `state` from the callback is the one this browser's sign-in started with.
    pub fn state_matches(headers: &HeaderMap, state: &str) -> bool {
        let kept = headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == STATE_COOKIE)
            .map(|(_, value)| value.to_string());
        match kept {
            Some(kept) if !kept.is_empty() && !state.is_empty() => {
                kept.as_bytes().ct_eq(state.as_bytes()).into()
            }
            _ => false,
        }
    }

    /// Trades the code for a token and asks who it belongs to: their Slack user id.
    pub async fn user_of(&self, http: &reqwest::Client, code: &str) -> Result<String, SignInError> {
        let token: TokenAnswer = http
            .post(format!("{}openid.connect.token", self.api_url))
            .form(&[
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.as_str()),
                ("code", code),
                ("redirect_uri", self.redirect_uri.as_str()),
            ])
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|source| SignInError::Http {
                method: "openid.connect.token",
                source,
            })?
            .json()
            .await
            .map_err(|source| SignInError::Http {
                method: "openid.connect.token",
                source,
            })?;
        let access_token = match (token.ok, token.access_token) {
            (true, Some(t)) => t,
            _ => {
                return Err(SignInError::Slack {
                    method: "openid.connect.token",
                    error: token.error.unwrap_or_else(|| "no access token".into()),
                })
            }
        };
        let info: UserInfo = http
            .post(format!("{}openid.connect.userInfo", self.api_url))
            .bearer_auth(access_token)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|source| SignInError::Http {
                method: "openid.connect.userInfo",
                source,
            })?
            .json()
            .await
            .map_err(|source| SignInError::Http {
                method: "openid.connect.userInfo",
                source,
            })?;
        match (info.ok, info.user_id) {
            (true, Some(user)) => Ok(user),
            _ => Err(SignInError::Slack {
                method: "openid.connect.userInfo",
                error: info.error.unwrap_or_else(|| "no user id".into()),
            }),
        }
    }

    /// Whether a Slack user may see the dashboard: they are an agent of some department.
    pub fn allows(config: &crate::config::Config, user: &str) -> bool {
        config
            .departments
            .iter()
            .any(|d| d.agents.iter().any(|a| a == user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_in() -> SlackSignIn {
        SlackSignIn::new(
            "123.456",
            "secret",
            "https://slack.com/openid/connect/authorize",
            "https://slack.com/api",
            "https://desk.example.com/",
        )
    }

    #[test]
    fn the_authorize_address_carries_the_client_state_and_callback() {
        let s = sign_in();
        let url = url::Url::parse(&s.authorize("abc")).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["client_id"], "123.456");
        assert_eq!(q["state"], "abc");
        assert_eq!(q["scope"], "openid profile");
        assert_eq!(
            q["redirect_uri"],
            "https://desk.example.com/dashboard/oidc/callback"
        );
        assert_eq!(s.api_url, "https://slack.com/api/");
        assert!(!format!("{s:?}").contains("secret"));
    }

    #[test]
    fn the_state_must_match_the_cookie_and_only_agents_are_allowed() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            format!("{STATE_COOKIE}=abc").parse().unwrap(),
        );
        assert!(SlackSignIn::state_matches(&h, "abc"));
        assert!(!SlackSignIn::state_matches(&h, "abd"));
        assert!(!SlackSignIn::state_matches(&h, ""));
        assert!(!SlackSignIn::state_matches(&HeaderMap::new(), "abc"));
        let mut config = crate::config::Config::builtin_default();
        config.departments[1].agents = vec!["UAGENT".into()];
        assert!(SlackSignIn::allows(&config, "UAGENT"));
        assert!(!SlackSignIn::allows(&config, "UOTHER"));
        assert!(SlackSignIn::state_cookie("abc", false).contains("SameSite=Lax"));
    }
}
