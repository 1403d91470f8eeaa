//! Turning validation results into the field-level problem details clients see.

use validator::{ValidationErrors, ValidationErrorsKind};

use super::errors::FieldError;

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
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("{path} is invalid ({})", e.code));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
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
        assert_eq!(errors[1].message, "at least 3 characters");
    }
}
