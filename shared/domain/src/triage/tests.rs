use proptest::prelude::*;

use super::*;

/// A tenant's few decided cases: text and category.
const DECIDED: &[(&str, &str)] = &[
    ("小区门口路灯不亮了，晚上黑乎乎的", "street_light"),
    ("路灯坏了好几天，一到晚上就不亮", "street_light"),
    ("这条路的路灯一闪一闪的", "street_light"),
    ("垃圾桶满了没人清运，臭死了", "garbage"),
    ("楼下垃圾堆了三天没人收", "garbage"),
    ("垃圾站臭气熏天，苍蝇乱飞", "garbage"),
    ("楼上装修噪音太大，中午也在打电钻", "noise"),
    ("广场舞音响声音太大，吵得睡不着", "noise"),
    ("工地晚上十二点还在施工，噪音扰民", "noise"),
];

fn trained(scoring: Scoring) -> Model {
    let mut model = Model::new(scoring);
    for (text, label) in DECIDED {
        model.learn(&Features::of(text), label);
    }
    model
}

/// The best suggestion for `text`: its label, and words its reasons name.
fn check(text: &str, label: &str, reasons: &[&str]) {
    for scoring in [Scoring::Multinomial, Scoring::Complement] {
        let suggestions = trained(scoring).suggest(&Features::of(text));
        let best = &suggestions[0];
        assert_eq!(best.label, label, "{scoring:?}: {text:?} → {suggestions:?}");
        for reason in reasons {
            assert!(
                best.reasons.iter().any(|r| r.contains(reason)),
                "{scoring:?}: {text:?} should name {reason:?}: {:?}",
                best.reasons
            );
        }
    }
}

#[test]
fn suggests_the_label_of_similar_decided_cases() {
    check("路灯不亮", "street_light", &["路灯"]);
    check("我家门口的灯晚上不亮", "street_light", &["不亮"]);
    // A typo (拉圾 for 垃圾) keeps the grams it does not cross.
    check("小区拉圾没人清运", "garbage", &["没人"]);
    check("半夜还在施工，吵得人睡不着", "noise", &["睡不着"]);
    check("广场舞太吵", "noise", &["广场舞"]);
}

#[test]
fn suggestions_are_ranked_with_confidences_that_sum_to_at_most_one() {
    let suggestions = trained(Scoring::Multinomial).suggest(&Features::of("垃圾桶满了"));
    assert_eq!(suggestions.len(), 3);
    assert_eq!(suggestions[0].label, "garbage");
    let confidences: Vec<f64> = suggestions.iter().map(|s| s.confidence).collect();
    assert!(
        confidences.windows(2).all(|w| w[0] >= w[1]),
        "{confidences:?}"
    );
    let sum: f64 = confidences.iter().sum();
    assert!((sum - 1.0).abs() < 1e-9, "all three labels: {sum}");
    assert!(confidences[0] > 0.5, "{confidences:?}");
}

#[test]
fn reasons_are_phrases_of_the_text_not_inside_one_another() {
    let suggestions = trained(Scoring::Multinomial).suggest(&Features::of("路灯不亮，路灯坏了"));
    let reasons = &suggestions[0].reasons;
    assert!(
        !reasons.is_empty() && reasons.len() <= REASONS,
        "{reasons:?}"
    );
    for (i, a) in reasons.iter().enumerate() {
        for (j, b) in reasons.iter().enumerate() {
            assert!(i == j || !a.contains(b.as_str()), "{reasons:?}");
        }
    }
}

#[test]
fn an_empty_model_suggests_nothing_and_a_text_without_grams_gets_the_common_labels() {
    assert!(
        Model::default()
            .suggest(&Features::of("路灯不亮"))
            .is_empty()
    );
    let mut model = trained(Scoring::Multinomial);
    model.learn(&Features::of("又有垃圾"), "garbage");
    let suggestions = model.suggest(&Features::of("！！！"));
    assert_eq!(suggestions[0].label, "garbage");
    assert!(suggestions.iter().all(|s| s.reasons.is_empty()));
}

#[test]
fn unlearning_what_was_never_learned_is_refused_and_changes_nothing() {
    let model = trained(Scoring::Multinomial);
    let check = |text: &str, label: &str| {
        let mut changed = model.clone();
        assert_eq!(
            changed.unlearn(&Features::of(text), label),
            Err(NotLearned {
                label: label.to_string()
            }),
            "{text:?} as {label:?}"
        );
        assert_eq!(changed, model);
    };
    check("路灯不亮", "no_such_label");
    check("路灯不亮", "garbage");
    check("一个从没见过的句子", "noise");
}

#[test]
fn relabelling_moves_a_case_between_labels() {
    let mut model = trained(Scoring::Multinomial);
    let case = Features::of("楼下烧烤油烟大");
    model.learn(&case, "noise");
    model.relabel(&case, "noise", "fumes").unwrap();
    let mut expected = trained(Scoring::Multinomial);
    expected.learn(&case, "fumes");
    assert_eq!(model, expected);
    assert_eq!(model.suggest(&case)[0].label, "fumes");
}

#[test]
fn a_model_from_its_rows_is_the_same_and_the_rows_of_one_text_score_it_alike() {
    let model = trained(Scoring::Multinomial);
    let labels = || model.labels().map(|(l, c)| (l.to_string(), c));
    let rows = model
        .gram_rows()
        .map(|(g, l, n)| (g.to_string(), l.to_string(), n));
    let whole = Model::from_rows(Scoring::Multinomial, labels(), model.vocabulary(), rows);
    assert_eq!(whole, model);

    let text = Features::of("路灯晚上不亮，垃圾也没人收");
    let only_its_grams = model
        .gram_rows()
        .filter(|(g, _, _)| text.grams().any(|(t, _)| t == *g))
        .map(|(g, l, n)| (g.to_string(), l.to_string(), n));
    let partial = Model::from_rows(
        Scoring::Multinomial,
        labels(),
        model.vocabulary(),
        only_its_grams,
    );
    assert_eq!(partial.suggest(&text), model.suggest(&text));
}

fn text() -> impl Strategy<Value = String> {
    "[路灯垃圾噪音不亮吵臭漏水，。 a1]{0,24}"
}

proptest! {
    #[test]
    fn learning_then_unlearning_restores_the_counts(
        before in prop::collection::vec((text(), 0..4usize), 0..12),
        case in text(),
        label in 0..5usize,
    ) {
        let labels = ["a", "b", "c", "d", "e"];
        let mut model = Model::default();
        for (text, l) in &before {
            model.learn(&Features::of(text), labels[*l]);
        }
        let kept = model.clone();
        let case = Features::of(&case);
        model.learn(&case, labels[label]);
        model.unlearn(&case, labels[label]).unwrap();
        prop_assert_eq!(&model, &kept);
        prop_assert_eq!(model.vocabulary(), model.gram_rows().map(|(g, _, _)| g).collect::<std::collections::HashSet<_>>().len() as u64);
        // And every case out again, in any order, leaves nothing.
        for (text, l) in before.iter().rev() {
            model.unlearn(&Features::of(text), labels[*l]).unwrap();
        }
        prop_assert_eq!(model, Model::default());
    }
}

#[test]
fn a_choice_the_model_ranks_among_its_suggestions_comes_first() {
    let suggestions = trained(Scoring::Complement).suggest(&Features::of("垃圾桶满了"));
    let labels = |s: Vec<Suggestion>| s.into_iter().map(|s| s.label).collect::<Vec<_>>();
    let check = |choice: Option<&str>, expected: &[&str]| {
        assert_eq!(
            labels(checked(suggestions.clone(), choice)),
            expected,
            "{choice:?}"
        );
    };
    assert_eq!(labels(suggestions.clone())[0], "garbage");
    let second = labels(suggestions.clone())[1].clone();
    let third = labels(suggestions.clone())[2].clone();
    check(Some(&second), &[&second, "garbage", &third]);
    check(Some("garbage"), &["garbage", &second, &third]);
    // Not among them (likely wrong), or no choice: unchanged.
    check(Some("parking"), &["garbage", &second, &third]);
    check(None, &["garbage", &second, &third]);
}
