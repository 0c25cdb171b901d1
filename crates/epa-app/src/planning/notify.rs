//! Who hears about an EPA's planning, and the emails about its bookings.

use std::collections::BTreeSet;

use epa_domain::booking;
use epa_notify::ics;
use epa_plan::Mode;
use epa_store::Tx;
use epa_store::calendar_feeds;
use epa_store::epas::EpaRow;
use epa_store::outbox;
use epa_store::planning::{self as store, Booking};
use epa_store::users::Role;
use uuid::Uuid;

use crate::render::email::{BookingChange, Email, Message};
use crate::render::invite::{self, BookingEvent};
use crate::{App, AppError};

/// Who hears about the EPA's planning: the provider's and employer's users,
/// the apprentice when they sign in, and the assessor; each once.
pub(super) async fn recipients(
    tx: &mut Tx,
    row: &EpaRow,
    assessor: Uuid,
) -> Result<Vec<String>, AppError> {
    Ok(told(tx, row, assessor).await?.emails)
}

/// Who hears about the EPA's planning ([`recipients`]), and who of them
/// is sent calendar invites: the assessor, and the apprentice once they
/// sign in, while active, with their names. Read in one statement.
struct Told {
    emails: Vec<String>,
    invited: Vec<(String, String)>,
}

async fn told(tx: &mut Tx, row: &EpaRow, assessor: Uuid) -> Result<Told, AppError> {
    let people = [Some(assessor), row.apprentice_user_id];
    let found = store::told_in(
        tx,
        (row.provider_id, Role::ProviderUser.as_str()),
        (row.employer_id, Role::EmployerUser.as_str()),
        people,
    )
    .await?;
    let named = |id: Uuid| found.named.iter().find(|person| person.id == id);
    let invited = people
        .into_iter()
        .flatten()
        .filter_map(named)
        .filter(|person| person.active)
        .map(|person| (person.display_name.clone(), person.email.clone()))
        .collect();
    let emails: BTreeSet<String> = found
        .organisations
        .iter()
        .chain(found.named.iter().map(|person| &person.email))
        .cloned()
        .collect();
    Ok(Told {
        emails: emails.into_iter().collect(),
        invited,
    })
}

/// Emails the people concerned about a booking change; the assessor and
/// the apprentice (when they sign in) also get a calendar invite, or its
/// cancellation. When a move gives the booking another assessor, the
/// previous one gets the cancellation.
pub(super) async fn notify_booking(
    app: &App,
    tx: &mut Tx,
    row: &EpaRow,
    booking: &Booking,
    what: BookingChange,
) -> Result<(), AppError> {
    let base = &app.accounts.public_url;
    let method = booking::method_word(booking.method);
    let email = Message::Booking {
        change: what,
        method,
        given_names: &row.given_names,
        family_name: &row.family_name,
        on: booking.assessment_on,
        starts_at: booking.starts_at,
        duration_minutes: booking.duration_minutes,
        remote: booking.mode == Mode::Remote,
        epa_id: row.epa.id,
    }
    .render(base);
    let (root, moves) = chain_root(tx, booking).await?;
    let cancelled = what == BookingChange::Cancelled;
    let event = BookingEvent {
        root,
        moves,
        cancelled,
        method: booking.method,
        given_names: &row.given_names,
        family_name: &row.family_name,
        on: booking.assessment_on,
        starts_at: booking.starts_at,
        duration_minutes: booking.duration_minutes,
        remote: booking.mode == Mode::Remote,
        epa_id: row.epa.id,
        stamp: app.now(),
    };
    // Those invited: the assessor, and the apprentice once they sign in.
    let Told {
        emails: recipients,
        invited,
    } = told(tx, row, booking.assessor_id).await?;
    let parties = ics::Parties {
        organizer: invite::person(&app.accounts.mail_from),
        attendees: invited
            .iter()
            .map(|(name, email)| ics::Person {
                name: name.clone(),
                email: email.clone(),
            })
            .collect(),
    };
    let ics_method = if cancelled {
        ics::Method::Cancel
    } else {
        ics::Method::Request
    };
    let with_invite = Email {
        calendar: Some(ics::invite(&event.event(base), &parties, ics_method)),
        ..email.clone()
    };
    let messages: Vec<_> = recipients
        .iter()
        .map(|recipient| {
            let is_invited = invited.iter().any(|(_, address)| address == recipient);
            let message = if is_invited { &with_invite } else { &email };
            message.to(recipient)
        })
        .collect();
    outbox::enqueue_all(tx, &messages, app.now()).await?;
    // A move to another assessor: the previous one's calendar loses it.
    if let Some(replaced) = booking.replaces_id {
        let old = store::get_booking_in(tx, replaced).await?;
        if old.assessor_id != booking.assessor_id {
            hand_over(app, tx, row, &old, event).await?;
        }
    }
    Ok(())
}

/// Tells `slot`'s assessor a booking is no longer theirs, with the
/// cancellation that takes it off their calendar. `event` is the booking's
/// event as it now stands (its identity and sequence).
async fn hand_over(
    app: &App,
    tx: &mut Tx,
    row: &EpaRow,
    slot: &Booking,
    event: BookingEvent<'_>,
) -> Result<(), AppError> {
    let Some((name, address)) = calendar_feeds::person_in(tx, slot.assessor_id).await? else {
        return Ok(());
    };
    let base = &app.accounts.public_url;
    let gone = BookingEvent {
        cancelled: true,
        on: slot.assessment_on,
        starts_at: slot.starts_at,
        duration_minutes: slot.duration_minutes,
        remote: slot.mode == Mode::Remote,
        ..event
    };
    let email = Message::Booking {
        change: BookingChange::HandedOver,
        method: booking::method_word(slot.method),
        given_names: &row.given_names,
        family_name: &row.family_name,
        on: slot.assessment_on,
        starts_at: slot.starts_at,
        duration_minutes: slot.duration_minutes,
        remote: slot.mode == Mode::Remote,
        epa_id: row.epa.id,
    }
    .render(base);
    let email = Email {
        calendar: Some(ics::invite(
            &gone.event(base),
            &ics::Parties {
                organizer: invite::person(&app.accounts.mail_from),
                attendees: vec![ics::Person {
                    name,
                    email: address.clone(),
                }],
            },
            ics::Method::Cancel,
        )),
        ..email
    };
    outbox::enqueue(tx, &email.to(&address), app.now()).await?;
    Ok(())
}

/// Invites for the bookings a reallocation handed from `previous` to the
/// EPA's new assessor: each is sent to the new assessor as an invite, and
/// its cancellation to the previous one.
pub(crate) async fn invite_handed_over(
    app: &App,
    tx: &mut Tx,
    row: &EpaRow,
    bookings: &[Uuid],
    previous: Uuid,
) -> Result<(), AppError> {
    let base = &app.accounts.public_url;
    for id in bookings {
        let booking = store::get_booking_in(tx, *id).await?;
        let (root, moves) = chain_root(tx, &booking).await?;
        let event = BookingEvent {
            root,
            moves,
            cancelled: false,
            method: booking.method,
            given_names: &row.given_names,
            family_name: &row.family_name,
            on: booking.assessment_on,
            starts_at: booking.starts_at,
            duration_minutes: booking.duration_minutes,
            remote: booking.mode == Mode::Remote,
            epa_id: row.epa.id,
            stamp: app.now(),
        };
        if let Some((name, address)) = calendar_feeds::person_in(tx, booking.assessor_id).await? {
            let email = Message::Booking {
                change: BookingChange::Booked,
                method: booking::method_word(booking.method),
                given_names: &row.given_names,
                family_name: &row.family_name,
                on: booking.assessment_on,
                starts_at: booking.starts_at,
                duration_minutes: booking.duration_minutes,
                remote: booking.mode == Mode::Remote,
                epa_id: row.epa.id,
            }
            .render(base);
            let email = Email {
                calendar: Some(ics::invite(
                    &event.event(base),
                    &ics::Parties {
                        organizer: invite::person(&app.accounts.mail_from),
                        attendees: vec![ics::Person {
                            name,
                            email: address.clone(),
                        }],
                    },
                    ics::Method::Request,
                )),
                ..email
            };
            outbox::enqueue(tx, &email.to(&address), app.now()).await?;
        }
        let mut slot = booking.clone();
        slot.assessor_id = previous;
        hand_over(app, tx, row, &slot, event).await?;
    }
    Ok(())
}

/// The first booking of `booking`'s chain of moves, and how many moves
/// led from it: a booking that moved none is its own, with nothing to read.
async fn chain_root(tx: &mut Tx, booking: &Booking) -> Result<(Uuid, u32), AppError> {
    Ok(match booking.replaces_id {
        None => (booking.id, 0),
        Some(previous) => {
            let (root, moves) = calendar_feeds::chain_root_in(tx, previous).await?;
            (root, moves + 1)
        }
    })
}
