use super::classify::clean_text;
use super::*;
use std::convert::Infallible;

fn fixture(name: &str) -> Activity {
    let text = match name {
        "message_personal" => include_str!("../../../tests/fixtures/teams/message_personal.json"),
        "submit_personal" => include_str!("../../../tests/fixtures/teams/submit_personal.json"),
        "message_channel_thread" => {
            include_str!("../../../tests/fixtures/teams/message_channel_thread.json")
        }
        "reaction_like" => include_str!("../../../tests/fixtures/teams/reaction_like.json"),
        "conversation_update_personal" => {
            include_str!("../../../tests/fixtures/teams/conversation_update_personal.json")
        }
        _ => unreachable!("unknown fixture {name}"),
    };
    serde_json::from_str(text).unwrap()
}

/// A lookup that knows only IT-1's card.
fn card_it1(post: &PostRef) -> Result<Option<Request>, Infallible> {
    let card = PostRef::new(Platform::Teams, "19:itdesk@thread.tacv2", "1700000000001");
    if post != &card {
        return Ok(None);
    }
    it1_with_its_card(post)
}

/// A lookup that returns the request: IT-1, whose card is the one above, is also named
/// by the index for another post in the same channel.
fn it1_with_its_card(post: &PostRef) -> Result<Option<Request>, Infallible> {
    let card = PostRef::new(Platform::Teams, "19:itdesk@thread.tacv2", "1700000000001");
    let other = PostRef::new(Platform::Teams, "19:itdesk@thread.tacv2", "1700000000999");
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let it1 = Request {
        card: Some(card.clone()),
        ..Request::new(
            RequestId::parse("IT-1").unwrap(),
            "it",
            UserRef::new(Platform::Teams, "29:alice"),
            "Laptop won't boot",
            at,
        )
    };
    Ok((post == &card || post == &other).then_some(it1))
}

fn like() -> Vec<String> {
    vec!["like".into()]
}

#[test]
fn a_personal_message_is_a_direct_message_from_the_29_id() {
    let a = fixture("message_personal");
    assert_eq!(
        a.dedup_id().as_deref(),
        Some("teams:a:1personal-conv:1700000000100")
    );
    assert_eq!(a.tenant_id(), Some("tenant-1"));
    let got = classify(&a, &like(), &card_it1).unwrap();
    assert_eq!(
        got,
        Inbound::Inputs(vec![Input::MessageReceived {
            user: UserRef::new(Platform::Teams, "29:alice"),
            text: "help it".into(),
            place: Place::Direct { about: None },
        }])
    );
}

#[test]
fn an_adaptive_card_submit_is_a_button_click() {
    let a = fixture("submit_personal");
    assert_eq!(
        classify(&a, &like(), &card_it1).unwrap(),
        Inbound::Inputs(vec![Input::ButtonClicked {
            user: UserRef::new(Platform::Teams, "29:alice"),
            action: Action::ConfirmDepartment,
            post: Some(PostRef::new(
                Platform::Teams,
                a.conversation.id.clone(),
                "1700000000050"
            )),
        }])
    );
    let mut garbled = a.clone();
    garbled.value = Some(serde_json::json!({"action": "launch:missiles"}));
    assert!(matches!(
        classify(&garbled, &like(), &card_it1).unwrap(),
        Inbound::Nothing(_)
    ));
}

#[test]
fn a_reply_in_a_card_thread_goes_to_the_card_without_the_bot_mention() {
    let a = fixture("message_channel_thread");
    assert_eq!(
        classify(&a, &like(), &card_it1).unwrap(),
        Inbound::Inputs(vec![Input::MessageReceived {
            user: UserRef::new(Platform::Teams, "29:bob"),
            text: "Try holding Alice's power button for 10s & retry".into(),
            place: Place::CardThread {
                request: RequestId::parse("IT-1").unwrap(),
                post: PostRef::new(
                    Platform::Teams,
                    "19:itdesk@thread.tacv2;messageid=1700000000001",
                    "1700000000200"
                ),
            },
        }])
    );
}

#[test]
fn a_channel_message_outside_card_threads_is_a_mention() {
    let mut a = fixture("message_channel_thread");
    a.conversation.id = "19:itdesk@thread.tacv2;messageid=999".into();
    assert_eq!(
        classify(&a, &like(), &card_it1).unwrap(),
        Inbound::ChannelMention
    );
    a.conversation.id = "19:itdesk@thread.tacv2".into();
    assert_eq!(
        classify(&a, &like(), &card_it1).unwrap(),
        Inbound::ChannelMention
    );
}

#[test]
fn close_reactions_on_a_card_close_and_reopen() {
    let a = fixture("reaction_like");
    let bob = UserRef::new(Platform::Teams, "29:bob");
    let it1 = RequestId::parse("IT-1").unwrap();
    assert_eq!(
        classify(&a, &like(), &card_it1).unwrap(),
        Inbound::Inputs(vec![Input::CloseReactionAdded {
            user: bob.clone(),
            request: it1.clone()
        }])
    );
    let mut removed = a.clone();
    removed.reactions_removed = std::mem::take(&mut removed.reactions_added);
    assert_eq!(
        classify(&removed, &like(), &card_it1).unwrap(),
        Inbound::Inputs(vec![Input::CloseReactionRemoved {
            user: bob,
            request: it1
        }])
    );
    // Another reaction type, or configured reactions that don't include it, do nothing.
    assert!(matches!(
        classify(&a, &["heart".to_string()], &card_it1).unwrap(),
        Inbound::Nothing(_)
    ));
    let mut elsewhere = a.clone();
    elsewhere.reply_to_id = Some("1700000000999".into());
    assert!(matches!(
        classify(&elsewhere, &like(), &card_it1).unwrap(),
        Inbound::Nothing(_)
    ));
    let mut personal = a;
    personal.conversation.conversation_type = Some("personal".into());
    assert!(matches!(
        classify(&personal, &like(), &card_it1).unwrap(),
        Inbound::Nothing(_)
    ));
}

#[test]
fn only_the_card_itself_takes_replies_and_close_reactions() {
    let reply = fixture("message_channel_thread");
    assert_eq!(
        classify(&reply, &like(), &it1_with_its_card).unwrap(),
        classify(&reply, &like(), &card_it1).unwrap()
    );
    let mut under_another_post = reply;
    under_another_post.conversation.id = "19:itdesk@thread.tacv2;messageid=1700000000999".into();
    assert_eq!(
        classify(&under_another_post, &like(), &it1_with_its_card).unwrap(),
        Inbound::ChannelMention
    );

    let reaction = fixture("reaction_like");
    assert!(matches!(
        classify(&reaction, &like(), &it1_with_its_card).unwrap(),
        Inbound::Inputs(_)
    ));
    let mut on_another_post = reaction;
    on_another_post.reply_to_id = Some("1700000000999".into());
    assert!(matches!(
        classify(&on_another_post, &like(), &it1_with_its_card).unwrap(),
        Inbound::Nothing(_)
    ));
}

#[test]
fn conversation_updates_carry_no_input() {
    let a = fixture("conversation_update_personal");
    assert_eq!(a.members_added.len(), 2);
    assert!(matches!(
        classify(&a, &like(), &card_it1).unwrap(),
        Inbound::Nothing(_)
    ));
}

#[test]
fn thread_ids_split_and_join() {
    let conv = "19:abc@thread.tacv2;messageid=17";
    assert_eq!(channel_base(conv), "19:abc@thread.tacv2");
    assert_eq!(thread_root(conv), Some("17"));
    assert_eq!(thread_root("19:abc@thread.tacv2"), None);
    assert_eq!(
        thread_conversation(conv, "18"),
        "19:abc@thread.tacv2;messageid=18"
    );
}

#[test]
fn mentions_of_other_people_keep_their_name() {
    let a = Activity {
        recipient: ChannelAccount {
            id: "28:bot".into(),
            name: Some("frontdesk".into()),
            aad_object_id: None,
        },
        ..Activity::default()
    };
    assert_eq!(
        clean_text("<at>frontdesk</at>  ask <at>Carol</at> ", &a),
        "ask Carol"
    );
    assert_eq!(clean_text("broken <at>tag", &a), "broken <at>tag");
}

#[test]
fn the_senders_time_zone_comes_from_local_timezone_or_client_info() {
    let with = |extra: serde_json::Value| -> Activity {
        let mut a = serde_json::json!({"type": "message", "text": "hi"});
        a.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(a).unwrap()
    };
    let client_info = serde_json::json!({"entities": [
        {"type": "clientInfo", "locale": "de-DE", "country": "DE", "platform": "Web", "timezone": "Europe/Berlin"}
    ]});
    assert_eq!(with(client_info.clone()).time_zone(), Some("Europe/Berlin"));
    let mut both = client_info;
    both["localTimezone"] = "Asia/Tokyo".into();
    assert_eq!(with(both).time_zone(), Some("Asia/Tokyo"));
    assert_eq!(with(serde_json::json!({})).time_zone(), None);
}
