//! The weekly digest as text (what a department channel would be sent), JSON (stable, see
//! `docs/operations.md`) and a small self-contained HTML page (no scripts, no external
//! assets; everything people wrote is escaped).

use super::{DepartmentDigest, DigestComment, WeeklyDigest};

fn dur(secs: i64) -> String {
    crate::core::text::duration(chrono::Duration::seconds(secs))
}

fn heading(d: &WeeklyDigest) -> String {
    format!(
        "Weekly digest {} ({} to {}, {})",
        d.week,
        d.from.format("%a %-d %b %Y"),
        d.to.format("%a %-d %b %Y"),
        d.time_zone
    )
}

/// The lines of one department's week, without its heading.
fn lines(d: &DepartmentDigest) -> Vec<String> {
    if d.quiet {
        return vec!["No requests this week.".into()];
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut out = vec![format!(
        "{} resolved ({} filed)",
        plural(d.resolved, "request", "requests"),
        d.filed
    )];
    out.push(match d.median_first_response_secs {
        Some(m) => format!(
            "First response: median {}, target {} ({}, {})",
            dur(m),
            dur(d.first_response_target_secs),
            if m <= d.first_response_target_secs {
                "met"
            } else {
                "missed"
            },
            plural(d.first_responses, "request", "requests")
        ),
        None => format!(
            "First response: none this week, target {}",
            dur(d.first_response_target_secs)
        ),
    });
    out.push(match d.average_rating {
        Some(avg) => format!(
            "Rating: {avg:.1} average from {}",
            plural(d.ratings, "rating", "ratings")
        ),
        None => "Rating: no ratings this week".into(),
    });
    if d.thanks > 0 {
        let who: Vec<String> = d
            .thanks_by_agent
            .iter()
            .map(|t| format!("{} {}", t.agent, t.count))
            .collect();
        out.push(format!("Thank-yous: {} ({})", d.thanks, who.join(", ")));
    }
    out
}

fn comment_line(c: &DigestComment) -> String {
    let by = c
        .agent
        .as_deref()
        .map(|a| format!(", handled by {a}"))
        .unwrap_or_default();
    format!("\"{}\" ({}/5, {}{by})", c.text, c.rating, c.request)
}

/// The digest as a channel message: a heading, then each department.
pub fn text(d: &WeeklyDigest) -> String {
    let mut out = heading(d);
    out.push('\n');
    for dept in &d.departments {
        out.push_str(&format!("\n{}\n", dept.name));
        for l in lines(dept) {
            out.push_str(&format!("  {l}\n"));
        }
        if !dept.comments.is_empty() {
            out.push_str("  What people said:\n");
            for c in &dept.comments {
                out.push_str(&format!("    {}\n", comment_line(c)));
            }
        }
    }
    out
}

/// The digest as pretty JSON, with a final newline.
pub fn json(d: &WeeklyDigest) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(d).expect("the digest serialises")
    )
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5;color:#222}h1{font-size:1.4rem}h2{font-size:1.15rem;\
margin-top:2rem;border-bottom:1px solid #ddd}blockquote{margin:.5rem 0;padding-left:1rem;\
border-left:3px solid #8ab}.met{color:#176b2c}.missed{color:#a12}";

/// The digest as a self-contained HTML page.
pub fn html(d: &WeeklyDigest) -> String {
    let title = escape(&heading(d));
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    for dept in &d.departments {
        out.push_str(&format!("<section>\n<h2>{}</h2>\n", escape(&dept.name)));
        out.push_str("<ul>\n");
        for (i, l) in lines(dept).into_iter().enumerate() {
            // The second line is the first response (a quiet week has none to colour).
            let class = match dept.first_response_target_met {
                Some(true) if i == 1 => " class=\"met\"",
                Some(false) if i == 1 => " class=\"missed\"",
                _ => "",
            };
            out.push_str(&format!("<li{class}>{}</li>\n", escape(&l)));
        }
        out.push_str("</ul>\n");
        for c in &dept.comments {
            let by = c
                .agent
                .as_deref()
                .map(|a| format!(", handled by {}", escape(a)))
                .unwrap_or_default();
            out.push_str(&format!(
                "<blockquote><p>{}</p><footer>{}/5, {}{by}</footer></blockquote>\n",
                escape(&c.text),
                c.rating,
                escape(&c.request)
            ));
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
