//! How domain types are stored: typed ids as text columns (usable directly in queries and row
//! structs), and closed vocabularies parsed back from text with the row named when a value is
//! unknown. The domain itself knows nothing of SQL; this is its one mapping.

use diesel::{
    backend::Backend,
    deserialize::{self, FromSql, Queryable},
    expression::AsExpression,
    serialize::{self, Output, ToSql},
    sql_types::{Nullable, SingleValue, Text},
};

use crate::domain::{
    errors::Corrupt,
    ids::{
        AmendmentId, InvitationId, MessageId, OrganisationId, PledgeId, ReportId, ScreenLinkId,
        UserId,
    },
};

/// Lets an id type stand wherever a text column or parameter is expected.
macro_rules! text_id {
    ($($id:ty),+ $(,)?) => {$(
        impl AsExpression<Text> for $id {
            type Expression = <String as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <String as AsExpression<Text>>::as_expression(self.into_string())
            }
        }

        impl<'a> AsExpression<Text> for &'a $id {
            type Expression = <&'a str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'a str as AsExpression<Text>>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Nullable<Text>> for $id {
            type Expression = <String as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <String as AsExpression<Nullable<Text>>>::as_expression(self.into_string())
            }
        }

        impl<'a> AsExpression<Nullable<Text>> for &'a $id {
            type Expression = <&'a str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'a str as AsExpression<Nullable<Text>>>::as_expression(self.as_str())
            }
        }

        impl<DB> FromSql<Text, DB> for $id
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                <String as FromSql<Text, DB>>::from_sql(bytes).map(Self::from)
            }
        }

        impl<DB> ToSql<Text, DB> for $id
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        impl<DB, ST> Queryable<ST, DB> for $id
        where
            DB: Backend,
            ST: SingleValue,
            Self: FromSql<ST, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    )+};
}

text_id!(
    AmendmentId,
    PledgeId,
    OrganisationId,
    UserId,
    ReportId,
    MessageId,
    InvitationId,
    ScreenLinkId
);

/// Parses a stored vocabulary value; an unknown one names its table and row.
pub fn parse_stored<T: std::str::FromStr<Err = String>>(
    table: &'static str,
    id: &impl std::fmt::Display,
    value: &str,
) -> Result<T, Corrupt> {
    value.parse().map_err(|detail| Corrupt {
        table,
        id: id.to_string(),
        detail,
    })
}

/// Parses a stored JSON document (a pledge's content, a list); JSON that does not read as `T`
/// is an error naming the row, never a default.
pub fn parse_stored_json<T: serde::de::DeserializeOwned>(
    table: &'static str,
    id: &impl std::fmt::Display,
    value: &str,
) -> Result<T, Corrupt> {
    serde_json::from_str(value).map_err(|e| Corrupt {
        table,
        id: id.to_string(),
        detail: format!("unreadable JSON: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::Status;

    #[test]
    fn unknown_stored_values_are_errors_naming_the_row() {
        let err = parse_stored::<Status>("pledges", &"p1", "archived").unwrap_err();
        assert_eq!((err.table, err.id.as_str()), ("pledges", "p1"));
        assert!(parse_stored_json::<Vec<String>>("pledges", &"p1", "not json").is_err());
        assert_eq!(
            parse_stored_json::<Vec<String>>("pledges", &"p1", r#"["a"]"#).unwrap(),
            ["a"]
        );
    }
}
