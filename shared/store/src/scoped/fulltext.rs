//! Full-text search over the FTS5 `trigram` indexes, made safe for
//! whatever a user types.
//!
//! Every term is sent as an FTS5 string (in double quotes, inner quotes
//! doubled), so `AND`, `NEAR(`, `*`, `"` and SQL are only text to find,
//! never syntax. The trigram tokenizer cannot match a term shorter than
//! three characters, so such terms are matched with `LIKE` (with `%`, `_`
//! and `\` escaped) on the content table instead.

use crate::db::Value;

/// Terms of at least this many characters go to the index.
const TRIGRAM: usize = 3;

/// A term as an FTS5 string: the whole term is one phrase, never syntax.
pub(crate) fn quoted(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// A `LIKE` pattern finding `term` anywhere, used with `ESCAPE '\'`.
pub(crate) fn contains_pattern(term: &str) -> String {
    let mut pattern = String::from("%");
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// How a search reaches one content table and its external-content index.
pub(crate) struct Indexed {
    /// The content table, aliased `c` in the statement.
    pub content: &'static str,
    /// Its FTS5 index (`content_rowid` = `c.id`).
    pub index: &'static str,
    /// The indexed columns of `c`, for the `LIKE` fallback.
    pub columns: &'static [&'static str],
}

/// The `FROM … WHERE …` of a search: every term must occur (in any of the
/// columns). Ranked by relevance when the index takes part, which is
/// `order_by`'s job; the caller appends its own conditions with `AND`.
pub(crate) struct Search {
    pub from_where: String,
    pub params: Vec<Value>,
    /// `ORDER BY` expression: BM25 rank when the index is used, else newest.
    pub order_by: &'static str,
}

impl Indexed {
    /// A search where all `terms` must occur.
    pub(crate) fn all_of(&self, tenant: i64, terms: &[String]) -> Search {
        let (long, short): (Vec<&String>, Vec<&String>) =
            terms.iter().partition(|t| t.chars().count() >= TRIGRAM);
        let matched = (!long.is_empty()).then(|| {
            long.iter()
                .map(|t| quoted(t))
                .collect::<Vec<_>>()
                .join(" AND ")
        });
        self.search(tenant, matched, &short)
    }

    /// A search where any of the `trigrams` may occur, best-sharing first:
    /// "the closest" rather than "all of".
    pub(crate) fn any_of(&self, tenant: i64, trigrams: &[String]) -> Option<Search> {
        let matched = trigrams
            .iter()
            .map(|t| quoted(t))
            .collect::<Vec<_>>()
            .join(" OR ");
        (!matched.is_empty()).then(|| self.search(tenant, Some(matched), &[]))
    }

    fn search(&self, tenant: i64, matched: Option<String>, like: &[&String]) -> Search {
        let mut params: Vec<Value> = Vec::new();
        let mut from_where = format!("FROM {} c", self.content);
        if let Some(expression) = &matched {
            from_where.push_str(&format!(
                " JOIN (SELECT rowid AS id, rank FROM {index} WHERE {index} MATCH ?) f \
                 ON f.id = c.id",
                index = self.index
            ));
            params.push(expression.clone().into());
        }
        from_where.push_str(" WHERE c.tenant_id = ?");
        params.push(tenant.into());
        for term in like {
            let any_column: Vec<String> = self
                .columns
                .iter()
                .map(|column| format!("c.{column} LIKE ? ESCAPE '\\'"))
                .collect();
            from_where.push_str(&format!(" AND ({})", any_column.join(" OR ")));
            for _ in self.columns {
                params.push(contains_pattern(term).into());
            }
        }
        Search {
            from_where,
            params,
            order_by: if matched.is_some() {
                "f.rank, c.id DESC"
            } else {
                "c.id DESC"
            },
        }
    }

    /// Adds a content row to the index; in the row's own transaction.
    pub(crate) fn index_row(&self) -> String {
        format!(
            "INSERT INTO {index} (rowid, {columns}) SELECT id, {columns} FROM {content} \
             WHERE id = ?",
            index = self.index,
            columns = self.columns.join(", "),
            content = self.content,
        )
    }

    /// Removes a tenant's rows from the index, before the rows themselves
    /// go (an external-content index is told the exact values it holds).
    pub(crate) fn unindex_tenant(&self) -> String {
        format!(
            "INSERT INTO {index} ({index}, rowid, {columns}) \
             SELECT 'delete', id, {columns} FROM {content} WHERE tenant_id = ?",
            index = self.index,
            columns = self.columns.join(", "),
            content = self.content,
        )
    }
}

/// The policy Q&A.
pub(crate) const ANSWERS: Indexed = Indexed {
    content: "policy_answers",
    index: "policy_answers_fts",
    columns: &["question", "answer"],
};

/// Policy documents.
pub(crate) const POLICIES: Indexed = Indexed {
    content: "policies",
    index: "policies_fts",
    columns: &["title", "body"],
};

/// Every full-text index, for deleting a tenant.
pub(crate) const INDEXES: &[Indexed] = &[ANSWERS, POLICIES];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_quoted_and_patterns_escaped() {
        assert_eq!(quoted("政策"), "\"政策\"");
        assert_eq!(quoted("\""), "\"\"\"\"");
        assert_eq!(quoted("NEAR(a b"), "\"NEAR(a b\"");
        assert_eq!(contains_pattern("5%_\\"), "%5\\%\\_\\\\%");
    }
}
