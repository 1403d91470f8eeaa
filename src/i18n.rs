//! The service's human text in the six UN languages: one Project Fluent message file per
//! language under `locales/`, embedded in the binary. Fluent carries each language's plural
//! rules (Arabic has six forms, Russian three) and keeps sentences whole, so no message is
//! ever put together from pieces. A message missing in a language falls back to English; a
//! test makes sure none is missing and that every language's version uses the same variables.

use std::{borrow::Cow, sync::LazyLock};

use fluent_bundle::{concurrent::FluentBundle, FluentArgs, FluentResource, FluentValue};

use crate::domain::language::Language;

pub use fluent_bundle::FluentValue as Arg;

/// Each language's message file, as written.
pub const SOURCES: [(Language, &str); 6] = [
    (Language::Ar, include_str!("../locales/ar/pledgeboard.ftl")),
    (Language::Zh, include_str!("../locales/zh/pledgeboard.ftl")),
    (Language::En, include_str!("../locales/en/pledgeboard.ftl")),
    (Language::Fr, include_str!("../locales/fr/pledgeboard.ftl")),
    (Language::Ru, include_str!("../locales/ru/pledgeboard.ftl")),
    (Language::Es, include_str!("../locales/es/pledgeboard.ftl")),
];

/// The messages of every language, parsed once per process.
pub struct Messages {
    bundles: Vec<(Language, FluentBundle<FluentResource>)>,
}

static MESSAGES: LazyLock<Messages> = LazyLock::new(Messages::load);

/// The service's messages.
pub fn messages() -> &'static Messages {
    &MESSAGES
}

impl Messages {
    fn load() -> Self {
        let bundles = SOURCES
            .iter()
            .map(|(language, source)| {
                let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(
                    |(partial, errors)| {
                        // The files are checked by the tests; a broken entry is skipped, never fatal.
                        tracing::error!(%language, ?errors, "message file has errors");
                        partial
                    },
                );
                let tag = language
                    .as_str()
                    .parse()
                    .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
                let mut bundle = FluentBundle::new_concurrent(vec![tag]);
                // Values go into plain text and into escaped HTML: no invisible isolation marks.
                bundle.set_use_isolating(false);
                if let Err(errors) = bundle.add_resource(resource) {
                    tracing::error!(%language, ?errors, "message file has duplicate entries");
                }
                (*language, bundle)
            })
            .collect();
        Messages { bundles }
    }

    fn bundle(&self, language: Language) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == language)
            .map(|(_, b)| b)
    }

    /// Whether `language` has the message `id` itself (no fallback).
    pub fn has(&self, language: Language, id: &str) -> bool {
        self.bundle(language)
            .and_then(|b| b.get_message(id))
            .is_some_and(|m| m.value().is_some())
    }

    /// The message `id` in `language` with `args`; English when that language lacks it, and
    /// the id itself when no language has it.
    pub fn text(&self, language: Language, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        [language, Language::En]
            .into_iter()
            .find_map(|l| {
                let bundle = self.bundle(l)?;
                let pattern = bundle.get_message(id)?.value()?;
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
                if !errors.is_empty() {
                    tracing::warn!(id, language = %l, ?errors, "message formatted with errors");
                }
                Some(text.into_owned())
            })
            .unwrap_or_else(|| {
                tracing::error!(id, "no language has this message");
                id.to_owned()
            })
    }
}

/// A number as a message argument.
pub fn number(n: impl Into<f64>) -> Arg<'static> {
    FluentValue::from(n.into())
}

/// A text as a message argument.
pub fn text<'a>(s: impl Into<Cow<'a, str>>) -> Arg<'a> {
    FluentValue::String(s.into())
}

/// Messages in one language.
#[derive(Clone, Copy)]
pub struct Translator {
    pub language: Language,
    messages: &'static Messages,
}

impl Translator {
    pub fn new(language: Language) -> Self {
        Translator {
            language,
            messages: messages(),
        }
    }

    /// The message `id` with `args`.
    pub fn msg(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.messages.text(self.language, id, args)
    }

    /// `rtl` for Arabic, `ltr` for the others: the `dir` of HTML in this language.
    pub fn dir(&self) -> &'static str {
        if self.language.is_rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    use super::*;

    /// Every message of a file with the variables its value and attributes use.
    fn variables_by_message(source: &str) -> BTreeMap<String, BTreeSet<String>> {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("message file does not parse: {errors:?}"));
        let mut found = BTreeMap::new();
        for entry in resource.entries() {
            if let ast::Entry::Message(message) = entry {
                let mut vars = BTreeSet::new();
                if let Some(value) = &message.value {
                    pattern_vars(value, &mut vars);
                }
                for attribute in &message.attributes {
                    pattern_vars(&attribute.value, &mut vars);
                }
                found.insert(message.id.name.to_owned(), vars);
            }
        }
        found
    }

    fn pattern_vars(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_vars(expression, vars);
            }
        }
    }

    fn expression_vars(expression: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for variant in variants {
                    pattern_vars(&variant.value, vars);
                }
            }
            ast::Expression::Inline(inline) => inline_vars(inline, vars),
        }
    }

    fn inline_vars(inline: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_owned());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for argument in &arguments.positional {
                    inline_vars(argument, vars);
                }
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            _ => {}
        }
    }

    #[test]
    fn every_message_is_in_every_language_with_the_same_variables() {
        let english = variables_by_message(SOURCES[2].1);
        assert_eq!(SOURCES[2].0, Language::En);
        assert!(english.len() > 50, "{} messages", english.len());
        for (language, source) in SOURCES {
            let found = variables_by_message(source);
            let missing: Vec<&String> = english
                .keys()
                .filter(|id| !found.contains_key(*id))
                .collect();
            assert!(missing.is_empty(), "{language} lacks {missing:?}");
            let extra: Vec<&String> = found
                .keys()
                .filter(|id| !english.contains_key(*id))
                .collect();
            assert!(
                extra.is_empty(),
                "{language} has messages English lacks: {extra:?}"
            );
            for (id, vars) in &english {
                assert_eq!(
                    &found[id], vars,
                    "{language}: {id} must use exactly the variables of the English version"
                );
            }
        }
    }

    #[test]
    fn every_file_parses_without_errors_and_formats_without_errors() {
        for (language, source) in SOURCES {
            let resource = FluentResource::try_new(source.to_owned());
            assert!(
                resource.is_ok(),
                "{language}: {:?}",
                resource.err().map(|e| e.1)
            );
        }
        let m = messages();
        for (language, _) in SOURCES {
            assert!(m.has(language, "problem-title-not-found"), "{language}");
        }
    }

    #[test]
    fn plurals_follow_each_languages_rules() {
        let m = messages();
        let hours =
            |language, n: u32| m.text(language, "verify-email-after", &[("hours", number(n))]);
        assert!(
            hours(Language::En, 1).contains("1 hour."),
            "{}",
            hours(Language::En, 1)
        );
        assert!(hours(Language::En, 48).contains("48 hours"));
        // Russian: 1 час, 2 часа, 5 часов, 21 час.
        assert!(
            hours(Language::Ru, 1).contains("1 час"),
            "{}",
            hours(Language::Ru, 1)
        );
        assert!(
            hours(Language::Ru, 2).contains("2 часа"),
            "{}",
            hours(Language::Ru, 2)
        );
        assert!(
            hours(Language::Ru, 5).contains("5 часов"),
            "{}",
            hours(Language::Ru, 5)
        );
        assert!(
            hours(Language::Ru, 21).contains("21 час"),
            "{}",
            hours(Language::Ru, 21)
        );
        // Arabic: a dual form for two.
        assert!(
            hours(Language::Ar, 2).contains("ساعتين"),
            "{}",
            hours(Language::Ar, 2)
        );
        assert_ne!(
            hours(Language::Ar, 3),
            hours(Language::Ar, 11).replace("11", "3")
        );
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_to_its_id() {
        let m = messages();
        assert_eq!(
            m.text(Language::Fr, "no-such-message", &[]),
            "no-such-message"
        );
        assert_eq!(Translator::new(Language::Ar).dir(), "rtl");
        assert_eq!(Translator::new(Language::Zh).dir(), "ltr");
    }
}
