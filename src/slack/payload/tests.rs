use super::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slack");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn bot() -> BotIdentity {
    BotIdentity {
        user_id: "UBOT".into(),
        bot_id: Some("BBOT".into()),
        team_id: Some("T111".into()),
        team: None,
    }
}

fn push(name: &str) -> Push {
    let bot = bot();
    let close = vec!["white_check_mark".to_string(), "heart_eyes".to_string()];
    parse_push(
        &fixture(name),
        Filter {
            bot: Some(&bot),
            close_reactions: &close,
            ticket_reactions: &[],
            capture_channels: &[],
        },
    )
    .unwrap()
}

fn event(name: &str) -> Event {
    match push(name) {
        Push::Callback { event, .. } => event,
        other => panic!("{other:?}"),
    }
}

#[test]
fn url_verification_yields_the_challenge() {
    assert_eq!(
        push("url_verification.json"),
        Push::UrlVerification {
            challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into()
        }
    );
}

#[test]
fn a_dm_in_a_thread_keeps_its_thread() {
    assert_eq!(
        event("message_im.json"),
        Event::DirectMessage {
            user: "W222".into(),
            channel: "D111".into(),
            ts: "1726133700.887259".into(),
            text: "When Slack was released?".into(),
            thread_ts: Some("1726133698.626339".into()),
        }
    );
}

#[test]
fn bot_messages_edits_and_deletions_are_ignored() {
    for name in [
        "message_bot.json",
        "message_bot_no_subtype.json",
        "message_changed.json",
        "message_deleted.json",
    ] {
        assert!(matches!(event(name), Event::Ignored { .. }), "{name}");
    }
}

#[test]
fn with_the_bot_unknown_bot_messages_and_its_marker_reaction_are_still_ignored() {
    let close = vec!["white_check_mark".to_string(), "heart_eyes".to_string()];
    let unknown = Filter {
        bot: None,
        close_reactions: &close,
        ticket_reactions: &[],
        capture_channels: &[],
    };
    let parse = |v: &serde_json::Value| match parse_push(&serde_json::to_vec(v).unwrap(), unknown)
        .unwrap()
    {
        Push::Callback { event, .. } => event,
        other => panic!("{other:?}"),
    };
    for name in ["message_bot.json", "message_bot_no_subtype.json"] {
        let v: serde_json::Value = serde_json::from_slice(&fixture(name)).unwrap();
        assert!(matches!(parse(&v), Event::Ignored { .. }), "{name}");
    }
    // The bot's own DM echoed back: it carries its bot_id.
    let mut own: serde_json::Value = serde_json::from_slice(&fixture("message_im.json")).unwrap();
    own["event"]["user"] = "UBOT".into();
    own["event"]["bot_id"] = "BBOT".into();
    assert!(matches!(parse(&own), Event::Ignored { .. }));
    // The relayed marker the bot puts on agents' replies is not a close reaction.
    let mut marker: serde_json::Value =
        serde_json::from_slice(&fixture("reaction_added.json")).unwrap();
    marker["event"]["user"] = "UBOT".into();
    marker["event"]["reaction"] = "outbox_tray".into();
    assert!(matches!(parse(&marker), Event::Ignored { .. }));
    // People's events still count.
    assert!(matches!(
        parse(&serde_json::from_slice(&fixture("reaction_added.json")).unwrap()),
        Event::CloseReaction { .. }
    ));
}

#[test]
fn a_channel_thread_reply_is_recognised() {
    assert!(matches!(
        event("message_thread_reply.json"),
        Event::ThreadReply { .. }
    ));
    assert!(matches!(
        event("message_channel_2.json"),
        Event::Ignored { .. }
    ));
}

#[test]
fn shared_files_are_named_in_the_text() {
    match event("message_file_share.json") {
        Event::Ignored { .. } => {} // top-level channel message: not in a card thread
        other => panic!("{other:?}"),
    }
    let bot = bot();
    let mut v: serde_json::Value =
        serde_json::from_slice(&fixture("message_file_share.json")).unwrap();
    v["event"]["thread_ts"] = "1.000".into();
    let body = serde_json::to_vec(&v).unwrap();
    let Push::Callback {
        event: Event::ThreadReply { text, .. },
        ..
    } = parse_push(
        &body,
        Filter {
            bot: Some(&bot),
            close_reactions: &[],
            ticket_reactions: &[],
            capture_channels: &[],
        },
    )
    .unwrap()
    else {
        panic!()
    };
    assert!(text.contains("(attachment: "), "{text}");
}

#[test]
fn close_reactions_are_recognised_and_others_ignored() {
    assert_eq!(
        event("reaction_added.json"),
        Event::CloseReaction {
            added: true,
            user: "W111".into(),
            channel: "C111".into(),
            ts: "1599529504.000400".into()
        }
    );
    let bot = bot();
    let none: Vec<String> = vec![];
    let Push::Callback { event, .. } = parse_push(
        &fixture("reaction_added.json"),
        Filter {
            bot: Some(&bot),
            close_reactions: &none,
            ticket_reactions: &[],
            capture_channels: &[],
        },
    )
    .unwrap() else {
        panic!()
    };
    assert!(matches!(event, Event::Ignored { .. }));
}

#[test]
fn unknown_event_types_are_ignored_not_errors() {
    for name in ["member_joined_channel.json", "app_mention.json"] {
        assert!(matches!(event(name), Event::Ignored { .. }), "{name}");
    }
}

#[test]
fn a_revoked_bot_token_or_an_uninstall_revokes_access_but_user_tokens_do_not() {
    assert_eq!(
        event("tokens_revoked.json"),
        Event::AccessRevoked {
            why: "tokens_revoked"
        }
    );
    let bot = bot();
    let filter = Filter {
        bot: Some(&bot),
        close_reactions: &[],
        ticket_reactions: &[],
        capture_channels: &[],
    };
    let parse = |body: serde_json::Value| match parse_push(body.to_string().as_bytes(), filter) {
        Ok(Push::Callback { event, .. }) => event,
        other => panic!("{other:?}"),
    };
    let wrap = |event: serde_json::Value| serde_json::json!({"type": "event_callback", "team_id": "T111", "event_id": "Ev1", "event": event});
    assert_eq!(
        parse(wrap(serde_json::json!({"type": "app_uninstalled"}))),
        Event::AccessRevoked {
            why: "app_uninstalled"
        }
    );
    assert!(matches!(
        parse(wrap(
            serde_json::json!({"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}})
        )),
        Event::Ignored { .. }
    ));
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let bot = bot();
    let f = Filter {
        bot: Some(&bot),
        close_reactions: &[],
        ticket_reactions: &[],
        capture_channels: &[],
    };
    for body in [
        &b""[..],
        b"{",
        b"[]",
        b"null",
        b"{\"type\":1}",
        b"\xff\xfe",
        b"{\"type\":\"event_callback\"}",
    ] {
        assert!(
            parse_push(body, f).is_err(),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    assert!(parse_push(
        br#"{"type":"event_callback","event":{"type":"message","user":5}}"#,
        f
    )
    .is_err());
}

#[test]
fn slash_commands_and_ssl_checks_parse() {
    assert_eq!(
        parse_command(&fixture("ssl_check.form")),
        Ok(Command::SslCheck)
    );
    assert_eq!(
        parse_command(&fixture("slash_command.form")),
        Ok(Command::Invoked {
            command: "/hello-world".into(),
            user: "W111".into(),
            text: "Hi".into(),
            team: Some("T111".into()),
            channel: Some("C111".into()),
            trigger_id: Some("111.111.xxx".into()),
        })
    );
    assert_eq!(
        parse_command(b"text=hi"),
        Err(PayloadError::Missing("user_id"))
    );
}

#[test]
fn a_view_submission_carries_its_inputs_by_action_id() {
    let payload = serde_json::json!({
        "type": "view_submission",
        "team": {"id": "T111"},
        "user": {"id": "U222"},
        "trigger_id": "333.444.aaa",
        "view": {
            "id": "V123",
            "type": "modal",
            "callback_id": "fd_reply",
            "private_metadata": "HR-4",
            "state": {"values": {"reply": {"text": {"type": "plain_text_input", "value": "Your payslip is fixed."}}}}
        }
    });
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    let expected = Interaction::ViewSubmission {
        team: Some("T111".into()),
        user: "U222".into(),
        view_id: Some("V123".into()),
        callback_id: "fd_reply".into(),
        private_metadata: "HR-4".into(),
        values: [("text".to_string(), "Your payslip is fixed.".to_string())].into(),
        by_block: [("reply".to_string(), "Your payslip is fixed.".to_string())].into(),
    };
    assert_eq!(parse_interaction(body.as_bytes()), Ok(expected.clone()));
    assert_eq!(parse_interaction_json(payload), Ok(expected));
}

#[test]
fn block_actions_yield_one_click_per_button() {
    let json = String::from_utf8(fixture("block_actions_button.json")).unwrap();
    let body = serde_urlencoded::to_string([("payload", json)]).unwrap();
    assert_eq!(
        parse_interaction(body.as_bytes()),
        Ok(Interaction::BlockActions {
            team: Some("T111".into()),
            clicks: vec![Click {
                user: "W111".into(),
                value: "click_me_123".into(),
                action_id: Some("a".into()),
                key: Some("111.222.valid:0".into()),
                trigger_id: Some("111.222.valid".into()),
            }]
        })
    );
    assert!(parse_interaction(b"payload=%7B").is_err());
    assert!(parse_interaction(b"nothing=here").is_err());
    assert_eq!(
        parse_interaction(b"payload=%7B%22type%22%3A%22view_closed%22%7D"),
        Ok(Interaction::Other {
            kind: "view_closed".into()
        })
    );
}

#[test]
fn a_ticket_reaction_files_the_message_and_only_when_added() {
    let bot = bot();
    let ticket = vec!["ticket".to_string()];
    let filter = Filter {
        bot: Some(&bot),
        close_reactions: &[],
        ticket_reactions: &ticket,
        capture_channels: &[],
    };
    let mut v: serde_json::Value = serde_json::from_slice(&fixture("reaction_added.json")).unwrap();
    v["event"]["reaction"] = "ticket::skin-tone-2".into();
    let parse = |v: &serde_json::Value| match parse_push(v.to_string().as_bytes(), filter) {
        Ok(Push::Callback { event, .. }) => event,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        parse(&v),
        Event::TicketReaction {
            user: "W111".into(),
            channel: "C111".into(),
            ts: "1599529504.000400".into()
        }
    );
    let mut removed = v.clone();
    removed["event"]["type"] = "reaction_removed".into();
    assert!(matches!(parse(&removed), Event::Ignored { .. }));
    let mut own = v.clone();
    own["event"]["user"] = "UBOT".into();
    assert!(matches!(parse(&own), Event::Ignored { .. }));
    let mut in_dm = v;
    in_dm["event"]["item"]["channel"] = "D111".into();
    assert!(matches!(parse(&in_dm), Event::Ignored { .. }));
}

#[test]
fn a_top_level_message_counts_only_in_a_channel_that_captures_everything() {
    let bot = bot();
    let body = fixture("message_channel_2.json");
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let channel = v["event"]["channel"].as_str().unwrap().to_string();
    let capture = vec![channel.clone()];
    let filter = Filter {
        bot: Some(&bot),
        close_reactions: &[],
        ticket_reactions: &[],
        capture_channels: &capture,
    };
    match parse_push(&body, filter).unwrap() {
        Push::Callback {
            event: Event::ChannelMessage { channel: c, .. },
            ..
        } => assert_eq!(c, channel),
        other => panic!("{other:?}"),
    }
    // Elsewhere it is nobody's request (the ticket reaction files it there).
    assert!(matches!(
        event("message_channel_2.json"),
        Event::Ignored { .. }
    ));
}

#[test]
fn shortcuts_and_a_choice_in_our_modal_are_told_apart() {
    let global = serde_json::json!({
        "type": "shortcut", "callback_id": "new_request", "trigger_id": "1.2.t",
        "user": {"id": "U1"}, "team": {"id": "T1"}
    });
    assert_eq!(
        parse_interaction_json(global),
        Ok(Interaction::Shortcut {
            team: Some("T1".into()),
            user: "U1".into(),
            callback_id: "new_request".into(),
            trigger_id: "1.2.t".into(),
            message: None,
        })
    );
    let on_message = serde_json::json!({
        "type": "message_action", "callback_id": "create_request", "trigger_id": "3.4.t",
        "user": {"id": "U1"}, "channel": {"id": "C9"},
        "message": {"type": "message", "user": "U7", "ts": "1700.01", "text": "printer jammed"}
    });
    match parse_interaction_json(on_message) {
        Ok(Interaction::Shortcut {
            message: Some(m), ..
        }) => assert_eq!(
            m,
            ShortcutOn {
                channel: "C9".into(),
                ts: "1700.01".into(),
                text: "printer jammed".into(),
                author: Some("U7".into()),
            }
        ),
        other => panic!("{other:?}"),
    }
    let chosen = serde_json::json!({
        "type": "block_actions", "user": {"id": "U1"}, "trigger_id": "5.6.t",
        "view": {"id": "V1", "hash": "h1", "private_metadata": "{}"},
        "actions": [{"action_id": "fd_form_department", "type": "static_select",
                     "selected_option": {"value": "it", "text": {"type": "plain_text", "text": "IT"}}}]
    });
    assert_eq!(
        parse_interaction_json(chosen),
        Ok(Interaction::ViewChoice {
            user: "U1".into(),
            view_id: "V1".into(),
            hash: Some("h1".into()),
            action_id: "fd_form_department".into(),
            value: "it".into(),
            private_metadata: "{}".into(),
        })
    );
}
