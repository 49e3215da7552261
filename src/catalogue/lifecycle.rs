//! Lifecycle: computes a document's status on a date from its dated events.
//!
//! Pure functions over values: no I/O, no rendering, no clock (the date is an
//! argument), so the same events answer "what was in force on D" for any D.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{DocId, Status};

/// What happens to a document on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Promulgated (公布).
    Promulgated,
    /// Takes effect (施行).
    Effective,
    /// Changed by another act (修改).
    Amended,
    /// Replaced by a document that took effect (被替代).
    Superseded,
    /// Repealed (废止).
    Repealed,
    /// Declared invalid (宣布失效).
    DeclaredInvalid,
    /// Fixed term over (到期).
    Expired,
}

impl EventKind {
    /// The status a terminal event leaves the document in; `None` for events
    /// after which it can still be in force.
    pub fn terminal_status(self) -> Option<Status> {
        match self {
            EventKind::Superseded => Some(Status::Superseded),
            EventKind::Repealed => Some(Status::Repealed),
            EventKind::DeclaredInvalid => Some(Status::Invalid),
            EventKind::Expired => Some(Status::Expired),
            EventKind::Promulgated | EventKind::Effective | EventKind::Amended => None,
        }
    }

    /// The English key used in JSON, feeds and CSS.
    pub fn key(self) -> &'static str {
        match self {
            EventKind::Promulgated => "promulgated",
            EventKind::Effective => "effective",
            EventKind::Amended => "amended",
            EventKind::Superseded => "superseded",
            EventKind::Repealed => "repealed",
            EventKind::DeclaredInvalid => "declared_invalid",
            EventKind::Expired => "expired",
        }
    }
}

/// One dated change in a document's life.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    /// The document it happens to.
    pub target: DocId,
    /// What happens.
    pub kind: EventKind,
    /// When it takes effect.
    pub date: NaiveDate,
    /// The document or decision that causes it, if any.
    pub actor: Option<DocId>,
    /// Why, as stated by the act.
    pub reason: Option<String>,
    /// The act's name when it is known only from a history line
    /// (`《关于修改〈…〉的决定》`), not as a document of the catalogue.
    pub act_name: Option<String>,
}

/// A status and the event that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusAt<'e> {
    /// The status on the date asked.
    pub status: Status,
    /// The event that set it (`None` for `current` without events).
    pub cause: Option<&'e Event>,
}

/// Status on `on` of a document whose events are `events` (any order).
///
/// The earliest terminal event on or before `on` decides; otherwise the
/// document is pending until its effective date, then amended if any
/// amendment has taken effect, else current.
pub fn status_at(events: &[Event], on: NaiveDate) -> StatusAt<'_> {
    let past = || events.iter().filter(move |e| e.date <= on);
    let terminal = past()
        .filter_map(|e| e.kind.terminal_status().map(|s| (e, s)))
        .min_by_key(|(e, s)| (e.date, *s));
    if let Some((cause, status)) = terminal {
        return StatusAt {
            status,
            cause: Some(cause),
        };
    }
    let start = events
        .iter()
        .filter(|e| e.kind == EventKind::Effective)
        .min_by_key(|e| e.date);
    if let Some(start) = start.filter(|e| e.date > on) {
        return StatusAt {
            status: Status::Pending,
            cause: Some(start),
        };
    }
    match past()
        .filter(|e| e.kind == EventKind::Amended)
        .max_by_key(|e| e.date)
    {
        Some(amendment) => StatusAt {
            status: Status::Amended,
            cause: Some(amendment),
        },
        None => StatusAt {
            status: Status::Current,
            cause: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ev(kind: EventKind, date: &str, actor: Option<&str>) -> Event {
        Event {
            target: DocId::new("t").unwrap(),
            kind,
            date: day(date),
            actor: actor.map(|a| DocId::new(a).unwrap()),
            reason: None,
            act_name: None,
        }
    }

    fn status(events: &[Event], on: &str) -> Status {
        status_at(events, day(on)).status
    }

    #[test]
    fn in_force_then_amended_then_repealed() {
        let events = [
            ev(EventKind::Promulgated, "2014-03-01", None),
            ev(EventKind::Effective, "2014-03-15", None),
            ev(EventKind::Amended, "2018-01-01", Some("amender")),
            ev(EventKind::Repealed, "2025-06-30", Some("decision")),
        ];
        assert_eq!(status(&events, "2014-03-10"), Status::Pending);
        assert_eq!(status(&events, "2014-03-15"), Status::Current);
        assert_eq!(status(&events, "2017-12-31"), Status::Current);
        assert_eq!(status(&events, "2018-01-01"), Status::Amended);
        let repealed = status_at(&events, day("2025-06-30"));
        assert_eq!(repealed.status, Status::Repealed);
        assert_eq!(
            repealed.cause.unwrap().actor.as_ref().unwrap().as_str(),
            "decision"
        );
    }

    #[test]
    fn earliest_terminal_event_wins() {
        let events = [
            ev(EventKind::Effective, "2010-01-01", None),
            ev(EventKind::Repealed, "2020-01-01", Some("later")),
            ev(EventKind::Superseded, "2016-01-01", Some("successor")),
        ];
        assert_eq!(status(&events, "2021-01-01"), Status::Superseded);
    }

    #[test]
    fn expiry_and_same_day_events() {
        let events = [
            ev(EventKind::Effective, "2018-01-01", None),
            ev(EventKind::Expired, "2021-01-01", None),
        ];
        assert_eq!(status(&events, "2020-12-31"), Status::Current);
        assert_eq!(status(&events, "2021-01-01"), Status::Expired);
        let same_day = [
            ev(EventKind::Effective, "2018-01-01", None),
            ev(EventKind::Amended, "2018-01-01", Some("a")),
        ];
        assert_eq!(status(&same_day, "2018-01-01"), Status::Amended);
    }

    #[test]
    fn a_document_without_events_is_current() {
        assert_eq!(status(&[], "2020-01-01"), Status::Current);
    }

    #[test]
    fn repeal_before_taking_effect_is_still_a_repeal() {
        let events = [
            ev(EventKind::Effective, "2030-01-01", None),
            ev(EventKind::Repealed, "2026-01-01", Some("d")),
        ];
        assert_eq!(status(&events, "2027-01-01"), Status::Repealed);
        assert_eq!(status(&events, "2025-01-01"), Status::Pending);
    }
}
