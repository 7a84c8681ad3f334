//! Reading a closed list of kinds by their wire names, with a problem that
//! lists the names a client may send.

use crate::Problem;

/// The member of `all` whose `name` is `s`; otherwise a 400 on `field`
/// saying what `what` may be.
pub(crate) fn one_of<K: Copy>(
    all: &[K],
    name: fn(K) -> &'static str,
    s: &str,
    field: &str,
    what: &str,
) -> Result<K, Problem> {
    all.iter().copied().find(|k| name(*k) == s).ok_or_else(|| {
        let known: Vec<_> = all.iter().map(|k| name(*k)).collect();
        Problem::validation(
            field,
            format!("unknown {what}; one of {}", known.join(", ")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_choices() {
        let name = |b: bool| if b { "yes" } else { "no" };
        assert_eq!(
            one_of(&[true, false], name, "no", "answer", "answer"),
            Ok(false)
        );
        let p = one_of(&[true, false], name, "maybe", "answer", "answer").expect_err("unknown");
        assert_eq!(p.field.as_deref(), Some("answer"));
        assert_eq!(p.detail, "unknown answer; one of yes, no");
    }
}
