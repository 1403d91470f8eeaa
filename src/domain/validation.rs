//! The field rules request bodies carry through `validator`'s derive, with the service's stable
//! codes, and the flattening of their results into the field errors clients see.

use std::borrow::Cow;

use validator::{ValidateEmail, ValidationError, ValidationErrors, ValidationErrorsKind};

use super::errors::FieldError;

fn rule(code: &'static str, message: String) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Owned(message))
}

/// A text of `MIN` to `MAX` characters once trimmed, without control characters other than
/// line breaks and tabs.
pub fn text<const MIN: usize, const MAX: usize>(value: &str) -> Result<(), ValidationError> {
    text_within(value, MIN, MAX)
}

/// [`text`], with its bounds given at run time.
pub fn text_within(value: &str, min: usize, max: usize) -> Result<(), ValidationError> {
    let chars = value.trim().chars().count();
    if chars < min {
        return Err(rule("required", format!("needs at least {min} characters")));
    }
    if chars > max {
        return Err(rule("too_long", format!("takes at most {max} characters")));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(rule(
            "invalid_characters",
            "contains control characters (only line breaks and tabs are allowed)".to_owned(),
        ));
    }
    Ok(())
}

/// An ISO 3166-1 alpha-3 code as the contract writes it: three uppercase letters (whether the
/// country exists is for the caller to look up).
pub fn country_code(value: &str) -> Result<(), ValidationError> {
    if value.len() == 3 && value.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(rule(
            "invalid_country",
            "is not an ISO 3166-1 alpha-3 code such as GHA".to_owned(),
        ))
    }
}

/// An absolute `http://` or `https://` address of at most 500 characters.
pub fn website(value: &str) -> Result<(), ValidationError> {
    match url::Url::parse(value.trim()) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host().is_some()
                && value.len() <= 500 =>
        {
            Ok(())
        }
        _ => Err(rule(
            "invalid_url",
            "is not an absolute http:// or https:// address".to_owned(),
        )),
    }
}

/// A failed rule as the field error of `field`.
pub fn field_error(field: &str, error: ValidationError) -> FieldError {
    let message = match error.message {
        Some(message) => format!("{field} {message}"),
        None => format!("{field} is invalid ({})", error.code),
    };
    FieldError::new(field, error.code.to_string(), message)
}

/// A list of at most `MAX` items: a longer one is refused whole, before any item is looked at,
/// so that an enormous list costs nothing and earns one error, not one per item.
pub fn items<const MAX: usize, T>(list: &[T]) -> Result<(), ValidationError> {
    if list.len() > MAX {
        return Err(rule("too_many", format!("takes at most {MAX} items")));
    }
    Ok(())
}

/// A whole amount from zero to `MAX`.
pub fn amount<const MAX: i64>(value: i64) -> Result<(), ValidationError> {
    if value < 0 {
        return Err(rule("negative", "cannot be negative".to_owned()));
    }
    if value > MAX {
        return Err(rule("too_large", format!("is at most {MAX}")));
    }
    Ok(())
}

/// A quantity from zero to `MAX` (fractions allowed: kilometres, percentages).
pub fn quantity<const MAX: i64>(value: f64) -> Result<(), ValidationError> {
    if value < 0.0 {
        return Err(rule("negative", "cannot be negative".to_owned()));
    }
    if value > MAX as f64 {
        return Err(rule("too_large", format!("is at most {MAX}")));
    }
    Ok(())
}

/// An email address, as written (surrounding spaces and case do not matter).
pub fn email_address(value: &str) -> Result<(), ValidationError> {
    let normalised = value.trim().to_lowercase();
    if normalised.len() > 254 || !normalised.validate_email() {
        return Err(rule(
            "invalid_email",
            "is not a valid email address".to_owned(),
        ));
    }
    Ok(())
}

/// Flattens `validator` errors into `field` paths (`value.currency`, `sdgs[2]`) with stable codes.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(field_error(&path, e.clone()));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

/// Integers as JSON Schema counts them: `2024` and `2024.0` alike (a number with a fractional
/// part, or out of range, is refused). For request fields declared `integer` in the contract.
pub mod whole {
    use serde::{de::Error, Deserialize, Deserializer};

    fn of<T: TryFrom<i64>, E: Error>(number: serde_json::Number) -> Result<T, E> {
        let whole = match (number.as_i64(), number.as_f64()) {
            (Some(n), _) => Some(n),
            // Exactly representable: within ±2^53 and without a fractional part.
            (None, Some(f)) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 => {
                Some(f as i64)
            }
            _ => None,
        };
        whole
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| E::custom(format!("{number} is not a whole number in range")))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<T, D::Error> {
        of(serde_json::Number::deserialize(d)?)
    }

    pub fn option<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<T>, D::Error> {
        Option::<serde_json::Number>::deserialize(d)?
            .map(of)
            .transpose()
    }

    pub fn vec<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Vec<T>, D::Error> {
        Vec::<serde_json::Number>::deserialize(d)?
            .into_iter()
            .map(of)
            .collect()
    }
}

/// For optional fields that may also be cleared: absent is `None`, `null` is `Some(None)`.
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use validator::Validate;

    #[derive(Validate)]
    struct Inner {
        #[validate(length(min = 3, code = "too_short", message = "at least 3 characters"))]
        code: String,
    }

    #[derive(Validate)]
    struct Outer {
        #[validate(range(min = 1, max = 17, code = "out_of_range"))]
        goal: i32,
        #[validate(nested)]
        inner: Inner,
    }

    #[test]
    fn whole_numbers_may_be_written_as_floats() {
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(deserialize_with = "whole::deserialize")]
            year: i32,
            #[serde(default, deserialize_with = "whole::option")]
            amount: Option<i64>,
            #[serde(deserialize_with = "whole::vec")]
            sdgs: Vec<i64>,
        }
        let body: Body =
            serde_json::from_str(r#"{"year": 2024.0, "amount": 5, "sdgs": [1, 2.0]}"#).unwrap();
        assert_eq!(
            (body.year, body.amount, body.sdgs),
            (2024, Some(5), vec![1, 2])
        );
        for bad in [
            r#"{"year": 2024.5, "sdgs": []}"#,
            r#"{"year": 1e300, "sdgs": []}"#,
            r#"{"year": 3000000000, "sdgs": []}"#,
            r#"{"year": "2024", "sdgs": []}"#,
        ] {
            assert!(serde_json::from_str::<Body>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nested_paths_and_codes_are_kept() {
        let value = Outer {
            goal: 18,
            inner: Inner { code: "ab".into() },
        };
        let errors = field_errors(&value.validate().unwrap_err());
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "goal");
        assert_eq!(errors[0].code, "out_of_range");
        assert_eq!(errors[1].field, "inner.code");
        assert_eq!(errors[1].message, "inner.code at least 3 characters");
    }
}
