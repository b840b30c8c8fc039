//! A desk on Teams: [`TeamsApp`] is the app of [`spawn_app`] with a temp data dir, a manual
//! clock and the Teams stand-in, plus helpers that build activities shaped like Teams' own and
//! sign them like the Bot Connector does.

use super::app::{base_config, spawn_app, TestApp};
use super::teams_standin::{StandIn, TEST_KEY};
use chrono::TimeZone;
use frontdesk::config::{Config, Secret};
use frontdesk::core::{Platform, Request, RequestId, UserRef};
use frontdesk::ManualClock;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const APP_ID: &str = "11111111-2222-3333-4444-555555555555";
pub const PASSWORD: &str = "stand-in-app-password";
pub const TENANT: &str = "tenant-0001";
pub const BOT_ID: &str = "28:11111111-2222-3333-4444-555555555555";
pub const IT_CHANNEL: &str = "19:itdesk@thread.tacv2";
pub const TEAM: &str = "19:team-general@thread.tacv2";

/// A Teams user: Bot Framework id, display name, personal chat with the bot.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub id: &'static str,
    pub name: &'static str,
    pub chat: &'static str,
}

pub const ALICE: Person = Person {
    id: "29:1alice",
    name: "Alice Example",
    chat: "a:1alice-personal-chat",
};
pub const BOB: Person = Person {
    id: "29:1bob",
    name: "Bob Agent",
    chat: "a:1bob-personal-chat",
};
pub const MALLORY: Person = Person {
    id: "29:1mallory",
    name: "Mallory",
    chat: "a:1mallory-personal-chat",
};

impl Person {
    pub fn user(&self) -> UserRef {
        UserRef::new(Platform::Teams, self.id)
    }
}

pub fn test_config(data_dir: &std::path::Path, standin: &StandIn) -> Config {
    let mut c = base_config(data_dir);
    c.slack.signing_secret = None;
    c.slack.bot_token = None;
    c.teams.app_id = Some(APP_ID.into());
    c.teams.app_password = Some(Secret::new(PASSWORD));
    c.teams.openid_metadata_url = format!("{}/openid", standin.base());
    c.teams.token_url = format!("{}/token", standin.base());
    c.teams.service_url_hosts.push("127.0.0.1".into());
    c.outbox.initial_backoff = Duration::from_secs(1);
    c.outbox.max_backoff = Duration::from_secs(60);
    c.outbox.give_up_after = Duration::from_secs(3600);
    // Pacing is tested on its own; these tests run on a clock that moves only when told.
    c.outbox.teams_conversation_rate = 1000.0;
    c.outbox.teams_conversation_burst = 1000;
    for d in &mut c.departments {
        d.teams_channel = format!("19:{}desk@thread.tacv2", d.id);
        d.slack_channel = String::new();
    }
    let it = c.departments.iter_mut().find(|d| d.id == "it").unwrap();
    it.agents = vec![BOB.id.into()];
    c
}

/// The app on the Teams stand-in, with a manual clock; its outbox runs when drained.
pub struct TeamsApp {
    pub app: TestApp,
    pub clock: Arc<ManualClock>,
    pub standin: StandIn,
    http: reqwest::Client,
    next_activity: AtomicU64,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TeamsApp {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl TeamsApp {
    pub async fn spawn() -> TeamsApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(change: impl FnOnce(&mut Config)) -> TeamsApp {
        let standin = StandIn::start("127.0.0.1").await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(&dir.path().join("data"), &standin);
        change(&mut config);
        let clock = Arc::new(ManualClock::new(
            chrono::Utc.with_ymd_and_hms(2025, 6, 16, 9, 0, 0).unwrap(),
        ));
        let app = spawn_app(config, clock.clone(), false)
            .await
            .expect("the app builds");
        TeamsApp {
            app,
            clock,
            standin,
            http: reqwest::Client::new(),
            next_activity: AtomicU64::new(1_750_000_000_000),
            _dir: dir,
        }
    }

    /// Stops the app and starts it again on the same store and stand-in, its clock where it
    /// was; `change` edits the configuration as [`TeamsApp::spawn_with`]'s does.
    pub async fn restarted(self, change: impl Fn(&mut Config)) -> TeamsApp {
        use frontdesk::Clock;
        let TeamsApp {
            app,
            clock,
            standin,
            http,
            next_activity,
            _dir,
        } = self;
        app.shutdown().await;
        let mut config = test_config(&_dir.path().join("data"), &standin);
        change(&mut config);
        let clock = Arc::new(ManualClock::new(clock.now()));
        // The stopped app lets go of the store once its last engine handle is dropped.
        for _ in 0..100 {
            if let Ok(app) = spawn_app(config.clone(), clock.clone(), false).await {
                return TeamsApp {
                    app,
                    clock,
                    standin,
                    http,
                    next_activity,
                    _dir,
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the store stayed locked");
    }

    pub fn now(&self) -> i64 {
        use frontdesk::Clock;
        self.clock.now().timestamp()
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    pub async fn drain(&self) -> usize {
        self.outbox.drain().await.expect("the outbox drains")
    }

    // ---- tokens ----

    /// Claims the Bot Connector puts in its tokens for an activity from `service_url`.
    pub fn claims(&self, service_url: &str) -> Value {
        let now = self.now();
        json!({
            "serviceurl": service_url,
            "nbf": now - 60,
            "exp": now + 3600,
            "iss": "https://api.botframework.com",
            "aud": APP_ID,
        })
    }

    pub fn sign(&self, pem: &str, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.into());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    /// A valid token for `activity`.
    pub fn token_for(&self, activity: &Value) -> String {
        self.sign(
            TEST_KEY,
            "k1",
            &self.claims(activity["serviceUrl"].as_str().unwrap()),
        )
    }

    // ---- posting ----

    pub async fn post_raw(
        &self,
        body: Vec<u8>,
        authorization: Option<String>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("http://{}/api/messages", self.addr))
            .header("content-type", "application/json")
            .body(body);
        if let Some(a) = authorization {
            req = req.header("authorization", a);
        }
        req.send().await.expect("the app answers")
    }

    pub async fn post_with_token(&self, activity: &Value, token: &str) -> reqwest::Response {
        self.post_raw(
            serde_json::to_vec(activity).unwrap(),
            Some(format!("Bearer {token}")),
        )
        .await
    }

    /// Posts a correctly signed activity and expects 200.
    pub async fn post(&self, activity: &Value) {
        let token = self.token_for(activity);
        let r = self.post_with_token(activity, &token).await;
        let status = r.status();
        assert_eq!(
            status,
            200,
            "{}: {}",
            activity["type"],
            r.text().await.unwrap_or_default()
        );
    }

    // ---- activities ----

    pub fn next_id(&self) -> String {
        self.next_activity
            .fetch_add(1, Ordering::SeqCst)
            .to_string()
    }

    fn base(&self, kind: &str, from: Person, conversation: Value) -> Value {
        json!({
            "type": kind,
            "id": self.next_id(),
            "timestamp": "2025-06-16T09:00:00.000Z",
            "channelId": "msteams",
            "serviceUrl": self.standin.service_url(),
            "from": {"id": from.id, "name": from.name, "aadObjectId": format!("aad-{}", from.name)},
            "recipient": {"id": BOT_ID, "name": "frontdesk"},
            "conversation": conversation,
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-US",
        })
    }

    fn personal(&self, who: Person) -> Value {
        json!({"conversationType": "personal", "tenantId": TENANT, "id": who.chat})
    }

    fn channel(&self, root: Option<&str>) -> Value {
        let id = match root {
            Some(r) => format!("{IT_CHANNEL};messageid={r}"),
            None => IT_CHANNEL.to_string(),
        };
        json!({"isGroup": true, "conversationType": "channel", "tenantId": TENANT, "id": id})
    }

    fn in_team(mut a: Value) -> Value {
        a["channelData"] = json!({
            "teamsChannelId": IT_CHANNEL,
            "teamsTeamId": TEAM,
            "channel": {"id": IT_CHANNEL},
            "team": {"id": TEAM},
            "tenant": {"id": TENANT},
        });
        a
    }

    /// The bot added to a personal chat (the app installed by `who`).
    pub fn installed(&self, who: Person) -> Value {
        let mut a = self.base("conversationUpdate", who, self.personal(who));
        a["membersAdded"] = json!([{"id": who.id}, {"id": BOT_ID}]);
        a
    }

    pub fn dm(&self, who: Person, text: &str) -> Value {
        let mut a = self.base("message", who, self.personal(who));
        a["text"] = json!(text);
        a["textFormat"] = json!("plain");
        a
    }

    /// An `Action.Submit` click on a card the bot sent in `who`'s personal chat.
    pub fn dm_click(&self, who: Person, card: &str, action: &str) -> Value {
        let mut a = self.base("message", who, self.personal(who));
        a["replyToId"] = json!(card);
        a["value"] = json!({"action": action});
        a
    }

    /// A click on the request card posted as thread root `root` in the IT channel.
    pub fn card_click(&self, who: Person, root: &str, action: &str) -> Value {
        let mut a = Self::in_team(self.base("message", who, self.channel(Some(root))));
        a["replyToId"] = json!(root);
        a["value"] = json!({"action": action});
        a
    }

    /// A reply in the thread under `root`, @mentioning the bot as channel messages must.
    pub fn thread_reply(&self, who: Person, root: &str, text: &str) -> Value {
        let mut a = Self::in_team(self.base("message", who, self.channel(Some(root))));
        a["text"] = json!(format!("<at>frontdesk</at> {text}"));
        a["entities"] = json!([{"type": "mention", "text": "<at>frontdesk</at>", "mentioned": {"id": BOT_ID, "name": "frontdesk"}}]);
        a
    }

    /// A new channel post @mentioning the bot, outside any request thread.
    pub fn channel_mention(&self, who: Person, text: &str) -> Value {
        let mut a = Self::in_team(self.base("message", who, self.channel(None)));
        a["text"] = json!(format!("<at>frontdesk</at> {text}"));
        a["entities"] = json!([{"type": "mention", "text": "<at>frontdesk</at>", "mentioned": {"id": BOT_ID, "name": "frontdesk"}}]);
        a
    }

    pub fn reaction(&self, who: Person, root: &str, kind: &str, added: bool) -> Value {
        let mut a = Self::in_team(self.base("messageReaction", who, self.channel(Some(root))));
        a["replyToId"] = json!(root);
        let list = if added {
            "reactionsAdded"
        } else {
            "reactionsRemoved"
        };
        a[list] = json!([{"type": kind}]);
        a
    }

    // ---- the store ----

    pub fn request(&self, id: &str) -> Request {
        self.engine
            .store()
            .request(&RequestId::parse(id).unwrap())
            .unwrap()
            .unwrap_or_else(|| panic!("{id} is stored"))
    }

    /// The conversation reference stored for a user, as JSON.
    pub fn user_ref(&self, who: Person) -> Option<Value> {
        self.engine
            .store()
            .kv_get("teams_refs", format!("user:{}", who.id).as_bytes())
            .unwrap()
            .map(|b| serde_json::from_slice(&b).unwrap())
    }
}
