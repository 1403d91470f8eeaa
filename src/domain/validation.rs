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
