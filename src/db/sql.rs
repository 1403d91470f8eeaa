//! Statements whose shape depends on the request (the catalogue's, and multi-row inserts):
//! SQL text written with each backend's placeholders, values bound in order and never spliced
//! into the text.

use diesel::{
    query_builder::BoxedSqlQuery,
    sql_query,
    sql_types::{BigInt, Double, Text},
    QueryResult, QueryableByName, RunQueryDsl,
};

use super::DbConnection;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
    Float(f64),
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

/// SQL text and its values, for the backend of the connection it was started for.
#[derive(Debug, Clone)]
pub struct Statement {
    postgres: bool,
    text: String,
    values: Vec<Value>,
}

macro_rules! boxed {
    ($backend:ty, $text:expr, $values:expr) => {{
        let mut query: BoxedSqlQuery<'static, $backend, _> = sql_query($text).into_boxed();
        for value in $values {
            query = match value {
                Value::Text(v) => query.bind::<Text, _>(v),
                Value::Int(v) => query.bind::<BigInt, _>(v),
                Value::Float(v) => query.bind::<Double, _>(v),
            };
        }
        query
    }};
}

impl Statement {
    pub fn new(conn: &DbConnection) -> Self {
        Statement {
            postgres: matches!(conn, DbConnection::Postgres(_)),
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub fn sql(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        if self.postgres {
            self.text.push_str(&format!("${}", self.values.len()));
        } else {
            self.text.push('?');
        }
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn load<T>(self, conn: &mut DbConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
    {
        match conn {
            DbConnection::Sqlite(c) => {
                boxed!(diesel::sqlite::Sqlite, self.text, self.values).load(c)
            }
            DbConnection::Postgres(c) => boxed!(diesel::pg::Pg, self.text, self.values).load(c),
        }
    }

    pub fn execute(self, conn: &mut DbConnection) -> QueryResult<usize> {
        match conn {
            DbConnection::Sqlite(c) => {
                boxed!(diesel::sqlite::Sqlite, self.text, self.values).execute(c)
            }
            DbConnection::Postgres(c) => boxed!(diesel::pg::Pg, self.text, self.values).execute(c),
        }
    }
}
