//! The machine-readable `code` of every problem: one table, each code with
//! its status (through its [`ProblemKind`]) and what it means to a client.
//!
//! A kind's `type` says what went wrong in general (clients switch on it);
//! the `code` says which error it was, finely enough for a page to tell its
//! user, in their language, what to do next. Every kind has a default code
//! (a problem nobody coded more finely carries it); the errors a user meets
//! and can act on have their own. The OpenAPI document enumerates the table
//! (`shared/api`'s contract test writes it there), and `docs/api.md` says
//! what a client does with each.

use crate::problem::ProblemKind;

macro_rules! problem_codes {
    ($($(#[$doc:meta])* $variant:ident = $slug:literal, $kind:ident, $meaning:literal;)*) => {
        /// Every code a problem can carry. Adding one is an API change (a
        /// client may meet it); renaming or removing one is a breaking change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemCode {
            $($(#[$doc])* $variant,)*
        }

        impl ProblemCode {
            /// Every code, in the table's order (the document's).
            pub const ALL: &[ProblemCode] = &[$(Self::$variant,)*];

            /// The code as the body's `code` member spells it: snake_case, stable.
            pub fn slug(self) -> &'static str {
                match self {
                    $(Self::$variant => $slug,)*
                }
            }

            /// The kind (and so the `type` and the status) of every problem with this code.
            pub fn kind(self) -> ProblemKind {
                match self {
                    $(Self::$variant => ProblemKind::$kind,)*
                }
            }

            /// What the code means and what a client should do, in English,
            /// for the API document.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Self::$variant => $meaning,)*
                }
            }
        }
    };
}

problem_codes! {
    // ---- the default of each kind ----
    InvalidInput = "invalid_input", Validation,
        "A value breaks a rule this document states; `field` names it. Correct it and send again.";
    MalformedJson = "malformed_json", MalformedJson,
        "The body is not JSON (or not the JSON expected). A client bug: do not retry as it is.";
    NotSignedIn = "not_signed_in", Unauthorized,
        "No valid credentials: sign in, then send the bearer token.";
    NotAllowed = "not_allowed", Forbidden,
        "The caller's role or unit may not do this. Ask someone who may.";
    NotFound = "not_found", NotFound,
        "What the request names does not exist (`field` names it when the body named it).";
    MethodNotAllowed = "method_not_allowed", MethodNotAllowed,
        "The path exists, not with this method (`Allow` lists those it takes).";
    Conflict = "conflict", Conflict,
        "The request collides with what is stored. Reload, then decide again.";
    StepNotAllowed = "step_not_allowed", IllegalTransition,
        "The case's state does not allow this step now (someone took another first). Reload the case: its `allowed_steps` say what may be done.";
    Gone = "gone", Gone,
        "It existed and no longer does.";
    TooLarge = "too_large", PayloadTooLarge,
        "The request body is larger than this route takes.";
    Unprocessable = "unprocessable", UnprocessableContent,
        "Valid by this document, refused by a rule it cannot state; `field` names where. Correct it and send again.";
    UnsupportedMediaType = "unsupported_media_type", UnsupportedMediaType,
        "The body's media type is not one this route takes.";
    TooManyRequests = "too_many_requests", TooManyRequests,
        "Too many anonymous requests of this kind from this address (or to this tenant) this minute. Wait the seconds of `Retry-After`, then send again.";
    InternalError = "internal_error", Internal,
        "The server failed. Nothing to correct: try again later; the operator has the cause in the log.";
    Unavailable = "unavailable", ServiceUnavailable,
        "The service is not ready or is busy. Wait (`Retry-After` when given), then send again.";

    // ---- what a user meets and can act on ----
    UnknownTrackingCode = "unknown_tracking_code", NotFound,
        "No case has this tracking code in this tenant (or it is malformed): check it, as written on the receipt. Misses are braked (`too_many_lookups`).";
    UnknownTenant = "unknown_tenant", NotFound,
        "No tenant (township or district) has this code: check the address or the code.";
    WrongReporterSecret = "wrong_reporter_secret", Forbidden,
        "The `Reporter-Secret` is not this case's: check it, as written on the receipt.";
    ReporterSecretRequired = "reporter_secret_required", Unauthorized,
        "This needs the reporter's secret, given with the report, as the `Reporter-Secret` header.";
    WrongLogin = "wrong_login", Unauthorized,
        "The login or the password is wrong (or the account is not active). Check both; repeated failures are slowed down (`too_many_logins`).";
    WrongPassword = "wrong_password", Forbidden,
        "The current password given to change it is wrong.";
    SessionExpired = "session_expired", Unauthorized,
        "The token expired or was revoked (sign-out, a password or role change, an account disabled): sign in again.";
    TooManyLogins = "too_many_logins", TooManyRequests,
        "Too many failed logins for this account or from this address. Wait the seconds of `Retry-After`, then sign in again.";
    TooManyLookups = "too_many_lookups", TooManyRequests,
        "Too many look-ups of tracking codes that do not exist from this address this minute. Wait the seconds of `Retry-After`.";
    VersionConflict = "version_conflict", Conflict,
        "The case changed since the `version` sent (someone else took a step). Reload the case, look at it again, then decide.";
    DuplicateNearby = "duplicate_nearby", Conflict,
        "An open case of this category was reported nearby (`duplicates` lists them): join one with \"me too\", or send again with `insist: true`.";
    CaseNotOpen = "case_not_open", Conflict,
        "The case is closed or declined: it takes no \"me too\" or information any more. Report it anew.";
    NotEditable = "not_editable", Conflict,
        "The report can no longer be corrected (its time is over or someone acted on it): add information instead.";
    NotClosedYet = "not_closed_yet", Conflict,
        "A case is rated once it is closed; it is not yet. Rate it then.";
    UnknownCategory = "unknown_category", Validation,
        "The category is not one of those offered (or it is retired): choose one from the list.";
    OutsideArea = "outside_area", Validation,
        "The place is outside the area of this township or district: pick a place inside it.";
    PlaceRequired = "place_required", UnprocessableContent,
        "This category needs the place: a point on the map, the grid or an address.";
    EvidencePhotoRequired = "evidence_photo_required", Validation,
        "A problem fixed on the spot needs a photo of the result as evidence: attach one.";
    ResultPhotoRequired = "result_photo_required", UnprocessableContent,
        "Resolving this case needs at least one photo of the work done: attach one.";
    FileTooLarge = "file_too_large", PayloadTooLarge,
        "The file is larger than its kind may be (the detail says the limit): send a smaller one.";
    FileTypeNotAccepted = "file_type_not_accepted", UnsupportedMediaType,
        "The file is not a photo, video, voice recording (or PDF, where papers are taken) that the server recognises.";
    NotDispatchedByTriage = "not_dispatched_by_triage", Conflict,
        "Only a dispatch the smart triage made (智能分拨) is undone this way, while that department still holds the case: transfer or re-categorise it instead.";
    WarningNotOpen = "warning_not_open", Conflict,
        "The early warning was already handled (acknowledged, turned into a case or supervised): reload the list.";
    PatrolRunning = "patrol_running", Conflict,
        "You have a patrol running (`patrol_id` names it): end it, or go on with it, before starting another.";
    PatrolClosed = "patrol_closed", Conflict,
        "The patrol ended more than 24 hours ago: it takes no more track, visits or reports. Report the rest without it.";
    TrackPieceConflict = "track_piece_conflict", Conflict,
        "This piece of track was uploaded before with other points: number the new points as a new piece.";
    PatrolNotYours = "patrol_not_yours", UnprocessableContent,
        "The patrol named is not one of yours: report on your own patrol, or without one.";
    GridDayNotToday = "grid_day_not_today", Conflict,
        "The grid day is on another date: sign in to it on its day (the township's local date).";
    TrackFull = "track_full", Conflict,
        "The patrol's track holds its most points (20,000): the rest of the walk is not kept; end the patrol and start another.";
    OutsidePatrol = "outside_patrol", UnprocessableContent,
        "The time is outside the patrol (from 5 minutes before its start to 5 minutes after its end, or now while it runs): check the phone's clock.";
    PatrolOverlaps = "patrol_overlaps", Conflict,
        "A patrol starts no earlier than the end of the person's previous one: give a later start.";
    NotPatrolGrid = "not_patrol_grid", UnprocessableContent,
        "The micro-grid is not under the patrol's grid: a visit counts in the grid patrolled.";
    GridDayStarted = "grid_day_started", Conflict,
        "Someone has signed in to the grid day: its date, its grids and the people who signed in stay; change the title or add grids and people only (and it is not deleted).";
}

impl ProblemKind {
    /// The code of a problem of this kind that nobody coded more finely.
    pub fn default_code(self) -> ProblemCode {
        match self {
            Self::Validation => ProblemCode::InvalidInput,
            Self::MalformedJson => ProblemCode::MalformedJson,
            Self::Unauthorized => ProblemCode::NotSignedIn,
            Self::Forbidden => ProblemCode::NotAllowed,
            Self::NotFound => ProblemCode::NotFound,
            Self::MethodNotAllowed => ProblemCode::MethodNotAllowed,
            Self::Conflict => ProblemCode::Conflict,
            Self::IllegalTransition => ProblemCode::StepNotAllowed,
            Self::Gone => ProblemCode::Gone,
            Self::PayloadTooLarge => ProblemCode::TooLarge,
            Self::UnprocessableContent => ProblemCode::Unprocessable,
            Self::UnsupportedMediaType => ProblemCode::UnsupportedMediaType,
            Self::TooManyRequests => ProblemCode::TooManyRequests,
            Self::Internal => ProblemCode::InternalError,
            Self::ServiceUnavailable => ProblemCode::Unavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_snake_case_and_explained() {
        let slugs: BTreeSet<_> = ProblemCode::ALL.iter().map(|c| c.slug()).collect();
        assert_eq!(slugs.len(), ProblemCode::ALL.len(), "a slug is used twice");
        for code in ProblemCode::ALL {
            let slug = code.slug();
            let snake = !slug.is_empty()
                && slug.starts_with(|c: char| c.is_ascii_lowercase())
                && slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !slug.contains("__")
                && !slug.ends_with('_');
            assert!(snake, "{slug} is not snake_case");
            assert!(
                code.meaning().ends_with('.') && code.meaning().len() > 20,
                "{slug}: say what it means and what to do"
            );
        }
    }

    #[test]
    fn every_kind_has_its_own_default_code() {
        let defaults: BTreeSet<_> = ProblemKind::ALL
            .iter()
            .map(|k| k.default_code().slug())
            .collect();
        assert_eq!(defaults.len(), ProblemKind::ALL.len());
        for kind in ProblemKind::ALL {
            assert_eq!(kind.default_code().kind(), kind, "{kind:?}");
            assert!(ProblemCode::ALL.contains(&kind.default_code()));
        }
    }

    #[test]
    fn the_codes_users_act_on_have_their_statuses() {
        let check = |code: ProblemCode, slug: &str, status: u16| {
            assert_eq!((code.slug(), code.kind().status()), (slug, status));
        };
        check(
            ProblemCode::UnknownTrackingCode,
            "unknown_tracking_code",
            404,
        );
        check(
            ProblemCode::WrongReporterSecret,
            "wrong_reporter_secret",
            403,
        );
        check(ProblemCode::TooManyLookups, "too_many_lookups", 429);
        check(ProblemCode::TooManyLogins, "too_many_logins", 429);
        check(ProblemCode::TooManyRequests, "too_many_requests", 429);
        check(ProblemCode::VersionConflict, "version_conflict", 409);
        check(ProblemCode::StepNotAllowed, "step_not_allowed", 409);
        check(ProblemCode::DuplicateNearby, "duplicate_nearby", 409);
        check(ProblemCode::WrongLogin, "wrong_login", 401);
        check(ProblemCode::SessionExpired, "session_expired", 401);
        check(ProblemCode::OutsideArea, "outside_area", 400);
        check(ProblemCode::UnknownCategory, "unknown_category", 400);
        check(
            ProblemCode::EvidencePhotoRequired,
            "evidence_photo_required",
            400,
        );
        check(
            ProblemCode::ResultPhotoRequired,
            "result_photo_required",
            422,
        );
        check(ProblemCode::FileTooLarge, "file_too_large", 413);
    }
}
