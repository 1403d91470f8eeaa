//! The six official UN languages the service speaks, and which one an answer uses: the `lang`
//! query parameter when given (links and screens carry it), else the best match of the
//! `Accept-Language` header (RFC 9110 quality values, matched on the primary subtag, so
//! `fr-CA` is French and `zh-Hans-CN` Chinese), else English.

use super::vocabulary::vocabulary;

vocabulary!(
    /// A language of the service (ISO 639-1).
    Language {
        Ar => "ar",
        Zh => "zh",
        En => "en",
        Fr => "fr",
        Ru => "ru",
        Es => "es",
    }
);

impl Language {
    /// The language a tag names, by its primary subtag, whatever its case and region.
    pub fn of_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        primary.parse().ok()
    }

    /// English, the language of what says none (serde's default).
    pub fn english() -> Self {
        Self::En
    }

    /// Written right to left.
    pub fn is_rtl(self) -> bool {
        self == Self::Ar
    }
}

/// The language of an answer: `asked` (the `lang` parameter, already checked) wins; then the
/// `Accept-Language` ranges by falling quality (equal qualities in the order written), the
/// first one the service speaks; `*` or nothing usable is English.
pub fn negotiate(asked: Option<Language>, accept_language: Option<&str>) -> Language {
    if let Some(language) = asked {
        return language;
    }
    let Some(header) = accept_language else {
        return Language::En;
    };
    let mut ranges: Vec<(u16, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), quality)?;
            (!tag.is_empty() && quality > 0).then_some((quality, position, tag))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges
        .into_iter()
        .find_map(|(_, _, tag)| {
            if tag == "*" {
                Some(Language::En)
            } else {
                Language::of_tag(tag)
            }
        })
        .unwrap_or(Language::En)
}

/// A quality value in thousandths (`q=0.5` is 500); `None` when malformed.
fn quality(text: &str) -> Option<u16> {
    let value: f64 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::*;

    #[test]
    fn the_parameter_wins_then_the_best_range_then_english() {
        let table: [(Option<Language>, Option<&str>, Language); 14] = [
            (None, None, En),
            (Some(Ar), Some("fr"), Ar),
            (None, Some("fr"), Fr),
            (None, Some("fr-CA, en;q=0.8"), Fr),
            (None, Some("de, es;q=0.5, ru;q=0.4"), Es),
            (None, Some("en;q=0.2, ru"), Ru),
            (None, Some("zh-Hans-CN"), Zh),
            (None, Some("ZH_tw"), Zh),
            (None, Some("ar;q=0, fr;q=0.1"), Fr),
            (None, Some("de, *;q=0.1"), En),
            (None, Some("de, it"), En),
            (None, Some("ru;q=0.5, es;q=0.5"), Ru),
            (None, Some("fr;q=abc, es"), Es),
            (None, Some(" , ;q=1"), En),
        ];
        for (asked, header, expected) in table {
            assert_eq!(negotiate(asked, header), expected, "{asked:?} {header:?}");
        }
    }

    #[test]
    fn only_arabic_is_written_right_to_left() {
        for language in Language::ALL {
            assert_eq!(language.is_rtl(), language == Ar);
        }
    }
}
