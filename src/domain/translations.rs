//! UN reference terms in the six languages, generated from published sources (never typed
//! here) into `seed/i18n` by `seed/i18n/generate.py`: the SDGs' short titles and goal texts
//! (open-sdg/sdg-translations) and country names (Debian's iso-codes, ISO 3166-1). The sources
//! are named in `seed/SOURCES.md`. English stays as stored in the database.

use std::{collections::HashMap, sync::LazyLock};

use super::language::Language;

/// A term in each language, by language code.
type Terms = HashMap<String, HashMap<String, String>>;

fn parse(json: &str) -> Terms {
    // Checked by the tests below; a broken file answers English rather than failing a request.
    serde_json::from_str(json).unwrap_or_default()
}

static SDG_SHORT_TITLES: LazyLock<Terms> =
    LazyLock::new(|| parse(include_str!("../../seed/i18n/sdgs.json")));
static SDG_GOALS: LazyLock<Terms> =
    LazyLock::new(|| parse(include_str!("../../seed/i18n/sdg_goals.json")));
static COUNTRY_NAMES: LazyLock<Terms> =
    LazyLock::new(|| parse(include_str!("../../seed/i18n/countries.json")));

fn term(terms: &'static Terms, key: &str, language: Language) -> Option<&'static str> {
    if language == Language::En {
        return None;
    }
    terms.get(key)?.get(language.as_str()).map(String::as_str)
}

/// An SDG's short title in `language` (`None` for English: the stored one stands).
pub fn sdg_short_title(number: i32, language: Language) -> Option<&'static str> {
    term(&SDG_SHORT_TITLES, &number.to_string(), language)
}

/// An SDG's goal text in `language`.
pub fn sdg_goal(number: i32, language: Language) -> Option<&'static str> {
    term(&SDG_GOALS, &number.to_string(), language)
}

/// A country's name in `language`, by its alpha-3 code.
pub fn country_name(alpha3: &str, language: Language) -> Option<&'static str> {
    term(&COUNTRY_NAMES, alpha3, language)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_goal_and_country_has_every_language() {
        assert_eq!(SDG_SHORT_TITLES.len(), 17);
        assert_eq!(SDG_GOALS.len(), 17);
        assert!(COUNTRY_NAMES.len() >= 249, "{}", COUNTRY_NAMES.len());
        for terms in [&*SDG_SHORT_TITLES, &*SDG_GOALS, &*COUNTRY_NAMES] {
            for (key, by_language) in terms {
                for language in Language::ALL {
                    let text = by_language.get(language.as_str());
                    assert!(
                        text.is_some_and(|t| !t.trim().is_empty()),
                        "{key} {language}"
                    );
                }
            }
        }
        assert!(sdg_short_title(1, Language::En).is_none());
        assert!(sdg_short_title(1, Language::Fr).is_some());
        assert!(country_name("NPL", Language::Zh).is_some());
    }
}
