//! Grading schemes, built once for each effective plan and shared (ADR
//! 0168). A scheme is the plan's criteria and overall table prepared for
//! grading; building it walks every criterion of the plan, which was 5 %
//! of a judgement save's instructions, and a plan does not change while
//! the process runs.

use std::sync::{Arc, Mutex, PoisonError, Weak};

use epa_domain::grading::{GradingError, GradingScheme};
use epa_plan::EffectivePlan;

/// The schemes built so far, each with the plan it was built from. A
/// plan is known by its shared copy (the catalog's), held weakly: the
/// entry of a plan no longer in use is dropped, and while an entry is
/// kept no other plan can take its place in memory.
#[derive(Debug, Default)]
pub struct Schemes {
    built: Mutex<Vec<(Weak<EffectivePlan>, Arc<GradingScheme>)>>,
}

impl Schemes {
    /// The scheme of `plan`, built on first asking. A plan that cannot
    /// grade is refused each time it is asked, never remembered.
    pub fn of(&self, plan: &Arc<EffectivePlan>) -> Result<Arc<GradingScheme>, GradingError> {
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        built.retain(|(kept, _)| kept.strong_count() > 0);
        if let Some((_, scheme)) = built
            .iter()
            .find(|(kept, _)| std::ptr::eq(kept.as_ptr(), Arc::as_ptr(plan)))
        {
            return Ok(Arc::clone(scheme));
        }
        let scheme = Arc::new(GradingScheme::from_plan(plan)?);
        built.push((Arc::downgrade(plan), Arc::clone(&scheme)));
        Ok(scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use epa_plan::Catalog;
    use epa_plan::vocab::MethodId;

    fn plan(catalog: &Catalog, epao: &str) -> Arc<EffectivePlan> {
        catalog
            .shared("ST0071", None, epao)
            .expect("an embedded plan")
    }

    #[test]
    fn a_plan_is_built_once_and_each_plan_has_its_own() {
        let catalog = Catalog::embedded();
        let schemes = Schemes::default();
        let tquk = schemes.of(&plan(&catalog, "tquk")).unwrap();
        let again = schemes.of(&plan(&catalog, "tquk")).unwrap();
        assert!(
            Arc::ptr_eq(&tquk, &again),
            "the same plan shares its scheme"
        );
        let innovate = schemes.of(&plan(&catalog, "innovate")).unwrap();
        assert!(!Arc::ptr_eq(&tquk, &innovate));
        let built = GradingScheme::from_plan(&plan(&catalog, "innovate")).unwrap();
        for method in MethodId::ALL {
            assert_eq!(innovate.criteria(method), built.criteria(method));
        }
        assert_eq!(innovate.overall_rule(), built.overall_rule());
        assert_eq!(innovate.cap_rule(), built.cap_rule());
    }

    #[test]
    fn a_plan_no_longer_in_use_is_forgotten() {
        let schemes = Schemes::default();
        let first = {
            let catalog = Catalog::embedded();
            schemes.of(&plan(&catalog, "tquk")).unwrap()
        };
        // Another catalog's copy of the same plan is another plan.
        let catalog = Catalog::embedded();
        let second = schemes.of(&plan(&catalog, "tquk")).unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(
            schemes.built.lock().unwrap().len(),
            1,
            "the dropped plan's entry is gone"
        );
    }
}
