//! An EPAO admin adds a training provider or an employer.

use epa_domain::assessor_profile::Region;
use epa_domain::people::{PeopleAction, Target};
use epa_store::organisations::{
    self as store, NewOrganisation, OrganisationDetails, OrganisationKind, PostalContact,
};
use serde::Deserialize;
use serde_json::json;

use super::{OrganisationView, audit, authorize, people_actor};
use crate::{Actor, App, AppError, FieldError};

/// A new provider or employer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisationInput {
    /// `provider` or `employer`.
    pub kind: String,
    pub name: String,
    /// Providers: their 8-digit UK Provider Reference Number.
    #[serde(default)]
    pub ukprn: Option<String>,
    /// The postal contact certificates go to; every part optional.
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_organisation: Option<String>,
    #[serde(default)]
    pub address_line_1: Option<String>,
    #[serde(default)]
    pub address_line_2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    /// Employers: the region their apprentices work in (`london`,
    /// `north_west` ...), where the observation takes place.
    #[serde(default)]
    pub region: Option<String>,
}

/// The postal contact as entered.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContactInput {
    pub contact_name: Option<String>,
    pub contact_organisation: Option<String>,
    pub address_line_1: Option<String>,
    pub address_line_2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
}

const TEXT_MAX: usize = 200;

/// A trimmed optional text: blank is none.
fn tidy(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// An organisation's details, checked.
pub(crate) struct Checked {
    pub name: String,
    pub ukprn: Option<String>,
    pub contact: PostalContact,
    pub region: Option<Region>,
}

impl Checked {
    pub(crate) fn details(&self) -> OrganisationDetails<'_> {
        OrganisationDetails {
            name: &self.name,
            ukprn: self.ukprn.as_deref(),
            contact: &self.contact,
            region: self.region,
        }
    }
}

/// The region as entered: blank is none; only an employer has one (it is
/// where its apprentices work).
fn checked_region(
    kind: OrganisationKind,
    region: &Option<String>,
    problems: &mut Vec<FieldError>,
) -> Option<Region> {
    let text = tidy(region)?;
    if kind != OrganisationKind::Employer {
        problems.push(FieldError::new(
            "region",
            "only employers have a region (where their apprentices work): leave it out",
        ));
        return None;
    }
    let region = Region::parse(&text);
    if region.is_none() {
        problems.push(FieldError::new("region", Region::unknown(&text)));
    }
    region
}

/// Checks the details an organisation is saved with, naming each problem.
pub(crate) fn checked(
    kind: OrganisationKind,
    name: &str,
    ukprn: &Option<String>,
    contact: &ContactInput,
    region: &Option<String>,
) -> Result<Checked, AppError> {
    let mut problems = Vec::new();
    let region = checked_region(kind, region, &mut problems);
    let name = name.trim().to_owned();
    if name.is_empty() {
        problems.push(FieldError::new("name", "enter the organisation's name"));
    }
    let ukprn = tidy(ukprn);
    match (kind, &ukprn) {
        (OrganisationKind::Provider, None) => problems.push(FieldError::new(
            "ukprn",
            "enter the provider's UKPRN, 8 digits starting with 1",
        )),
        (OrganisationKind::Provider, Some(u))
            if !(u.len() == 8 && u.starts_with('1') && u.bytes().all(|b| b.is_ascii_digit())) =>
        {
            problems.push(FieldError::new(
                "ukprn",
                "a UKPRN is 8 digits starting with 1, such as 10012345",
            ))
        }
        (OrganisationKind::Provider, Some(_)) => {}
        (_, Some(_)) => problems.push(FieldError::new(
            "ukprn",
            "only training providers have a UKPRN: leave it out",
        )),
        (_, None) => {}
    }
    let contact = PostalContact {
        contact_name: tidy(&contact.contact_name),
        contact_organisation: tidy(&contact.contact_organisation),
        address_line_1: tidy(&contact.address_line_1),
        address_line_2: tidy(&contact.address_line_2),
        city: tidy(&contact.city),
        postcode: tidy(&contact.postcode).map(|p| p.to_uppercase()),
    };
    for (field, value) in [
        ("name", Some(&name)),
        ("contact_name", contact.contact_name.as_ref()),
        (
            "contact_organisation",
            contact.contact_organisation.as_ref(),
        ),
        ("address_line_1", contact.address_line_1.as_ref()),
        ("address_line_2", contact.address_line_2.as_ref()),
        ("city", contact.city.as_ref()),
    ] {
        if value.is_some_and(|v| v.chars().count() > TEXT_MAX) {
            problems.push(FieldError::new(
                field,
                format!("use at most {TEXT_MAX} characters"),
            ));
        }
    }
    if let Some(postcode) = &contact.postcode
        && !is_postcode(postcode)
    {
        problems.push(FieldError::new(
            "postcode",
            "enter a UK postcode, such as SW1A 1AA",
        ));
    }
    if problems.is_empty() {
        Ok(Checked {
            name,
            ukprn,
            contact,
            region,
        })
    } else {
        Err(AppError::Validation(problems))
    }
}

/// The shape of a UK postcode: an outward code (2-4 characters starting
/// with a letter), a space, and an inward code (a digit and two letters).
fn is_postcode(text: &str) -> bool {
    let Some((outward, inward)) = text.split_once(' ') else {
        return false;
    };
    let inward: Vec<char> = inward.chars().collect();
    (2..=4).contains(&outward.len())
        && outward.starts_with(|c: char| c.is_ascii_uppercase())
        && outward.chars().all(|c| c.is_ascii_alphanumeric())
        && inward.len() == 3
        && inward[0].is_ascii_digit()
        && inward[1..].iter().all(char::is_ascii_uppercase)
}

pub async fn create_organisation(
    app: &App,
    actor: &Actor,
    input: NewOrganisationInput,
) -> Result<OrganisationView, AppError> {
    let me = people_actor(app, actor).await?;
    authorize(
        &me,
        PeopleAction::CreateOrganisation,
        &Target::default(),
        "only an EPAO administrator can add organisations",
    )?;
    let kind = match input.kind.as_str() {
        "provider" => OrganisationKind::Provider,
        "employer" => OrganisationKind::Employer,
        _ => return Err(AppError::field("kind", "choose provider or employer")),
    };
    let entered = ContactInput {
        contact_name: input.contact_name,
        contact_organisation: input.contact_organisation,
        address_line_1: input.address_line_1,
        address_line_2: input.address_line_2,
        city: input.city,
        postcode: input.postcode,
    };
    let checked = checked(kind, &input.name, &input.ukprn, &entered, &input.region)?;
    if let Some(u) = &checked.ukprn
        && store::ukprn_taken(&app.db, u, None).await?
    {
        return Err(AppError::field(
            "ukprn",
            "another provider already has this UKPRN",
        ));
    }
    let now = app.now();
    let mut tx = app.db.begin_write().await?;
    let created = store::insert(
        &mut tx,
        &NewOrganisation {
            kind,
            name: &checked.name,
            ukprn: checked.ukprn.as_deref(),
        },
        now,
    )
    .await?;
    let saved =
        store::update_details(&mut tx, created.id, created.version, &checked.details()).await?;
    let view = OrganisationView::from(saved);
    audit(
        &mut tx,
        app,
        Some(actor),
        "organisation.created",
        "organisation",
        view.id,
        None,
        Some(json!(view)),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::is_postcode;

    #[test]
    fn postcodes_have_their_shape() {
        for good in ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT"] {
            assert!(is_postcode(good), "{good}");
        }
        for bad in ["SW1A1AA", "1W1A 1AA", "SW1A 1A", "SW1A AAA", "sw1a 1aa", ""] {
            assert!(!is_postcode(bad), "{bad}");
        }
    }
}
