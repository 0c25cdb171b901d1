//! The gateway from each policy: the components asked for come from its
//! requirements, each with a source; Innovate's "typically ... a minimum of
//! 12 months" of training warns.

use std::collections::BTreeSet;

use epa_domain::gateway::{
    ComponentKind as K, GatewayComponents, Origin, ReviewStatus, plan_attempt_for, training_warning,
};
use epa_plan::{Catalog, EffectivePlan, Strength};

use crate::d;

fn plan(epao: &str) -> EffectivePlan {
    Catalog::embedded().effective("ST0071", None, epao).unwrap()
}

#[test]
fn each_policy_asks_for_its_own_components_with_their_sources() {
    let tquk = GatewayComponents::from_plan(&plan("tquk"));
    assert_eq!(
        tquk.required().into_iter().collect::<Vec<_>>(),
        [K::PhotoId, K::Portfolio, K::Proposal, K::EnglishMaths]
    );
    assert!(tquk.get(K::EmployerDeclaration).is_none());
    assert!(tquk.get(K::ProviderDeclaration).is_none());
    let photo = tquk.get(K::PhotoId).unwrap();
    assert_eq!(photo.requirement, "photo_id");
    assert!(photo.source.quote.as_deref().unwrap().contains("photo ID"));

    let innovate = GatewayComponents::from_plan(&plan("innovate"));
    assert_eq!(
        innovate.required().into_iter().collect::<Vec<_>>(),
        [
            K::Portfolio,
            K::Proposal,
            K::EnglishMaths,
            K::EmployerDeclaration,
            K::ProviderDeclaration
        ]
    );
    assert!(
        innovate.get(K::PhotoId).is_none(),
        "Innovate states no photo ID"
    );
    let adjustments = innovate.get(K::ReasonableAdjustments).unwrap();
    assert!(adjustments.optional);
    assert!(adjustments.source.document.contains("Innovate"));
    for asked in innovate.asked.iter().chain(tquk.asked.iter()) {
        assert!(asked.source.quote.is_some(), "{asked:?}");
    }
}

#[test]
fn a_first_attempt_sends_what_the_policy_asks_and_nothing_else() {
    let innovate = GatewayComponents::from_plan(&plan("innovate"));
    let all: BTreeSet<K> = innovate.required();
    let layout = plan_attempt_for(
        &innovate,
        "Innovate Awarding",
        None,
        &all,
        "project synopsis",
    )
    .unwrap();
    assert!(layout.iter().all(|(_, o)| *o == Origin::Sent));
    assert_eq!(layout.len(), 5);
    // Photo ID is not asked for by Innovate: refused, naming it.
    let mut with_photo = all.clone();
    with_photo.insert(K::PhotoId);
    let err = plan_attempt_for(
        &innovate,
        "Innovate Awarding",
        None,
        &with_photo,
        "project synopsis",
    )
    .unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!(err[0].field, "photo_id");
    assert!(
        err[0]
            .message
            .contains("Innovate Awarding does not ask for the photo ID")
    );
    // A missing required one is named.
    let mut short = all.clone();
    short.remove(&K::EmployerDeclaration);
    let err = plan_attempt_for(
        &innovate,
        "Innovate Awarding",
        None,
        &short,
        "project synopsis",
    )
    .unwrap_err();
    assert_eq!(err[0].field, "employer_declaration");

    // TQUK needs no employer or provider declaration.
    let tquk = GatewayComponents::from_plan(&plan("tquk"));
    let sent = tquk.required();
    assert!(plan_attempt_for(&tquk, "TQUK", None, &sent, "work-based project proposal").is_ok());
    // Its adjustment request is not a component it names.
    let mut extra = sent.clone();
    extra.insert(K::EmployerDeclaration);
    assert!(plan_attempt_for(&tquk, "TQUK", None, &extra, "work-based project proposal").is_err());
    // A resubmission carries accepted parts over, as before.
    let previous = [
        (K::PhotoId, ReviewStatus::Accepted),
        (K::Portfolio, ReviewStatus::Rejected),
        (K::Proposal, ReviewStatus::Accepted),
        (K::EnglishMaths, ReviewStatus::Accepted),
    ];
    let resent: BTreeSet<K> = [K::Portfolio].into();
    let layout = plan_attempt_for(
        &tquk,
        "TQUK",
        Some(&previous),
        &resent,
        "work-based project proposal",
    )
    .unwrap();
    assert_eq!(layout.len(), 4);
    assert!(layout.contains(&(K::Portfolio, Origin::Sent)));
    assert!(layout.contains(&(K::PhotoId, Origin::CarriedOver)));
}

#[test]
fn innovate_warns_of_less_than_twelve_months_of_training() {
    let innovate = plan("innovate");
    // Started 15 March 2024: 12 months reached on 15 March 2025.
    let w = training_warning(&innovate, d("2024-03-15"), d("2025-03-14"))
        .unwrap()
        .unwrap();
    assert_eq!(w.requirement, "minimum_training");
    assert_eq!(w.strength, Strength::Recommended);
    assert!(w.message.contains("2025-03-15"), "{}", w.message);
    assert!(
        w.source
            .quote
            .as_deref()
            .unwrap()
            .contains("minimum of 12 months")
    );
    assert_eq!(
        training_warning(&innovate, d("2024-03-15"), d("2025-03-15")).unwrap(),
        None
    );
    // Month ends clamp: 29 February plus 12 months is 28 February.
    assert_eq!(
        training_warning(&innovate, d("2024-02-29"), d("2025-02-28")).unwrap(),
        None
    );
    assert!(
        training_warning(&innovate, d("2024-02-29"), d("2025-02-27"))
            .unwrap()
            .is_some()
    );
    // TQUK states no minimum.
    assert_eq!(
        training_warning(&plan("tquk"), d("2025-01-01"), d("2025-02-01")).unwrap(),
        None
    );
}
