//! What a catalog defines: its messages and the variables each uses, read from the Fluent
//! syntax tree. The completeness test compares every shipped locale with `en` this way, and
//! an admin's override file is checked against `en` before it is used.

use super::{I18nError, REFERENCE, SHIPPED};
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use fluent_syntax::parser::ParserError;
use std::collections::{BTreeMap, BTreeSet};

/// Each message of a Fluent source with the variables (`$name`) its value and attributes
/// use.
///
/// # Errors
/// [`I18nError::Syntax`] for the first syntax error.
pub fn variables_by_message(source: &str) -> Result<BTreeMap<String, BTreeSet<String>>, I18nError> {
    let resource = fluent_syntax::parser::parse(source)
        .map_err(|(_, errors)| syntax_error(source, &errors))?;
    let mut out = BTreeMap::new();
    for entry in &resource.body {
        if let Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(p) = &m.value {
                pattern_vars(p, &mut vars);
            }
            for a in &m.attributes {
                pattern_vars(&a.value, &mut vars);
            }
            out.insert(m.id.name.to_string(), vars);
        }
    }
    Ok(out)
}

pub(super) fn syntax_error(source: &str, errors: &[ParserError]) -> I18nError {
    let Some(first) = errors.first() else {
        return I18nError::Syntax {
            line: 0,
            message: "unknown error".into(),
        };
    };
    // The broken entry's first line: its slice starts after the last valid entry.
    let start = first.slice.as_ref().map_or(first.pos.start, |s| s.start);
    let start = start.min(source.len());
    let skipped = source[start..].len() - source[start..].trim_start().len();
    let offset = (start + skipped).min(source.len());
    let line = source[..offset].matches('\n').count() + 1;
    I18nError::Syntax {
        line,
        message: first.kind.to_string(),
    }
}

fn pattern_vars(p: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &p.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        Expression::Inline(i) => inline_vars(i, vars),
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
    }
}

fn inline_vars(e: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
            for a in &arguments.named {
                inline_vars(&a.value, vars);
            }
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        // A term's arguments are the term's own variables, set in the message itself.
        InlineExpression::TermReference { .. }
        | InlineExpression::MessageReference { .. }
        | InlineExpression::StringLiteral { .. }
        | InlineExpression::NumberLiteral { .. } => {}
    }
}

/// What a catalog lacks against the reference: each message the reference has and it
/// doesn't, each variable a reference message uses and its translation doesn't, and each
/// message it has that the reference doesn't (nothing sends those), in words.
///
/// # Errors
/// A syntax error in either source.
#[cfg(test)]
pub fn differences(reference: &str, catalog: &str) -> Result<Vec<String>, I18nError> {
    let reference = variables_by_message(reference)?;
    let catalog = variables_by_message(catalog)?;
    let mut problems = Vec::new();
    for (id, vars) in &reference {
        match catalog.get(id) {
            None => problems.push(format!("no message {id:?}")),
            Some(theirs) => {
                for v in vars.difference(theirs) {
                    problems.push(format!("message {id:?} doesn't use ${v}"));
                }
            }
        }
    }
    for id in catalog.keys().filter(|id| !reference.contains_key(*id)) {
        problems.push(format!(
            "message {id:?} is not in the reference, so nothing sends it"
        ));
    }
    Ok(problems)
}

fn reference() -> BTreeMap<String, BTreeSet<String>> {
    let (_, source) = SHIPPED
        .iter()
        .find(|(l, _)| *l == REFERENCE)
        .expect("the reference catalog is shipped");
    variables_by_message(source).expect("the reference catalog parses")
}

/// Checks an admin's override file: valid Fluent, only messages frontdesk sends, and only the
/// variables each of them gets.
///
/// # Errors
/// The first problem found.
pub fn check_overrides(source: &str) -> Result<(), I18nError> {
    let reference = reference();
    for (id, vars) in variables_by_message(source)? {
        let Some(known) = reference.get(&id) else {
            return Err(I18nError::UnknownMessage(id));
        };
        if let Some(unknown) = vars.difference(known).next() {
            let known = if known.is_empty() {
                "none".to_string()
            } else {
                known
                    .iter()
                    .map(|v| format!("${v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(I18nError::UnknownVariable {
                id,
                variable: unknown.clone(),
                known,
            });
        }
    }
    Ok(())
}
