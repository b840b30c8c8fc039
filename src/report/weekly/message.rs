//! One department's weekly digest as a desk message, the same figures and quotes as
//! [`super::text`] prints, in catalog words: each adapter renders it for its channel (Slack
//! mrkdwn, Teams markdown) and mentions the agents the platform's way.

use super::{DepartmentDigest, WeeklyDigest};
use crate::core::{Arg, Message, Text, UserRef};

/// The post for `dept`'s channel: a heading, the figures, then the quoted comments.
pub fn message(week: &WeeklyDigest, dept: &DepartmentDigest) -> Message {
    let heading = Text::new("digest-heading")
        .arg("department", Arg::strong(dept.name.as_str()))
        .arg("week", week.week.as_str())
        .arg("from", week.from.format("%Y-%m-%d").to_string())
        .arg("to", week.to.format("%Y-%m-%d").to_string());
    let mut msg = Message::text(heading);
    if dept.quiet {
        return msg.line(Text::new("digest-quiet"));
    }
    msg = msg.line(
        Text::new("digest-resolved")
            .arg("resolved", dept.resolved)
            .arg("filed", dept.filed),
    );
    let target = Arg::Duration(dept.first_response_target_secs);
    msg = msg.line(match dept.median_first_response_secs {
        Some(median) => Text::new(if median <= dept.first_response_target_secs {
            "digest-first-response-met"
        } else {
            "digest-first-response-missed"
        })
        .arg("median", Arg::Duration(median))
        .arg("target", target)
        .arg("count", dept.first_responses),
        None => Text::new("digest-first-response-none").arg("target", target),
    });
    msg = msg.line(match dept.average_rating {
        Some(avg) => Text::new("digest-rating")
            .arg("average", format!("{avg:.1}"))
            .arg("count", dept.ratings),
        None => Text::new("digest-rating-none"),
    });
    if dept.thanks > 0 {
        msg = msg.line(Text::new("digest-thanks").arg("count", dept.thanks));
    }
    if !dept.comments.is_empty() {
        msg = msg.line(Text::new("digest-said"));
    }
    for c in &dept.comments {
        let quote = Text::new("digest-comment")
            .arg("text", c.text.as_str())
            .arg("rating", c.rating)
            .arg("id", c.request.as_str());
        msg = msg.line(match c.agent.as_deref().and_then(UserRef::parse) {
            Some(agent) => Text::new("digest-comment-by")
                .arg("quote", quote)
                .arg("agent", &agent),
            None => quote,
        });
    }
    msg
}
