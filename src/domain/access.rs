//! The access policy: who may see and change what. One table, consulted by
//! every read and write through `app::access`; docs/security.md prints the
//! same table (a test compares them).
//!
//! A person's relation to a record is one [`Role`]: the first of author,
//! subject, manager, admin that applies, else anyone. So an admin who is the
//! subject of an appraisal sees it as its subject, and an admin who manages
//! the subject sees it as a manager. [`SEE`] says what each role sees of each
//! kind of record, [`CHANGE`] what each role may do.

/// A viewer's relation to a record: the first that applies, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Wrote the record (a review's reviewer, a piece of feedback's author,
    /// the person who ran an operation, the creator of a cycle).
    Author,
    /// The record is about them: the subject of a review, an appraisal or a
    /// piece of feedback; the owner of a goal (for a team's goal: the team's
    /// lead and members); the person a profile describes.
    Subject,
    /// Above the subject in the manager chain (for a team's goal: above
    /// the team's lead, or the lead of a team above it).
    Manager,
    /// An admin: the file's `me`, anyone made admin (`people edit --admin`),
    /// or whoever runs yardstick on a file that names no one.
    Admin,
    /// Anyone else in the organisation.
    Anyone,
}

impl Role {
    /// Every role, in the order of the table's columns.
    pub const ALL: [Role; 5] = [
        Role::Author,
        Role::Subject,
        Role::Manager,
        Role::Admin,
        Role::Anyone,
    ];

    /// The order in which a person's roles towards a record are tried: the
    /// first that applies is theirs. An admin who is also a manager has the
    /// admin's rights (a superset of a manager's in both tables), but their
    /// own records, and records about themselves, follow the author and
    /// subject columns (an admin never sees the private feedback about
    /// them). See [`counterpart_is_blind`] for the one exception.
    pub const PRECEDENCE: [Role; 5] = [
        Role::Author,
        Role::Subject,
        Role::Admin,
        Role::Manager,
        Role::Anyone,
    ];

    /// The role's name in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Subject => "subject",
            Role::Manager => "manager",
            Role::Admin => "admin",
            Role::Anyone => "anyone",
        }
    }

    fn index(self) -> usize {
        match self {
            Role::Author => 0,
            Role::Subject => 1,
            Role::Manager => 2,
            Role::Admin => 3,
            Role::Anyone => 4,
        }
    }
}

/// A kind of record, as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    /// Goals, measures, check-ins, people, teams, periods, review cycles,
    /// their participants and how far each review has got.
    Plan,
    /// Feedback that is not private.
    SharedFeedback,
    /// Private feedback.
    PrivateFeedback,
    /// A review not yet submitted.
    DraftReview,
    /// A submitted self or manager review: its ratings, comments and summary.
    SubmittedReview,
    /// A submitted peer or upward review as written: who wrote it, each
    /// rating and comment.
    PeerReview,
    /// The peer and upward averages and their comments without names.
    PeerSummary,
    /// The score, level, components and calibration of an appraisal.
    Appraisal,
    /// The outcome of an appraisal: potential, recommendation, development
    /// actions and their status, and the subject's acknowledgement comments.
    Outcome,
    /// A performance improvement plan: its reason, expected results, check
    /// points, steps, outcome and the subject's acknowledgement.
    ImprovementPlan,
}

impl Item {
    /// Every item, in the order of the table.
    pub const ALL: [Item; 10] = [
        Item::Plan,
        Item::SharedFeedback,
        Item::PrivateFeedback,
        Item::DraftReview,
        Item::SubmittedReview,
        Item::PeerReview,
        Item::PeerSummary,
        Item::Appraisal,
        Item::Outcome,
        Item::ImprovementPlan,
    ];

    /// How the table names it.
    pub fn describe(self) -> &'static str {
        match self {
            Item::Plan => {
                "Goals, measures, check-ins, people, teams, periods, cycles, participants, review progress"
            }
            Item::SharedFeedback => "Feedback (not private)",
            Item::PrivateFeedback => "Private feedback",
            Item::DraftReview => "A draft review",
            Item::SubmittedReview => "A submitted self or manager review",
            Item::PeerReview => {
                "A peer or upward review as written (names, each rating and comment)"
            }
            Item::PeerSummary => "Peer and upward averages, comments without names",
            Item::Appraisal => "Score, level, components, calibration",
            Item::Outcome => {
                "Outcome: potential, recommendation, development actions and their status, acknowledgement comments"
            }
            Item::ImprovementPlan => {
                "An improvement plan: reason, expected results, check points, steps, outcome, acknowledgement"
            }
        }
    }
}

/// What a role sees of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Always.
    Yes,
    /// Never.
    No,
    /// The role does not arise for this item (seen as never).
    NotApplicable,
    /// Once both the self and the manager review are submitted.
    BothSubmitted,
    /// Once the cycle's reviews are closed (it is calibrating or finalized),
    /// so that nothing seen can change with the next review submitted.
    Closed,
    /// Once the cycle is finalized: the record stored then.
    Released,
    /// Once the reviews are closed, and only from the template's anonymity
    /// threshold of submitted reviews of the kind.
    ClosedAtThreshold,
    /// Once the cycle is finalized, the averages stored then, and only from
    /// the anonymity threshold.
    ReleasedAtThreshold,
}

impl Grant {
    /// How the table writes it.
    pub fn describe(self) -> &'static str {
        match self {
            Grant::Yes => "yes",
            Grant::No => "no",
            Grant::NotApplicable => "—",
            Grant::BothSubmitted => "once both self and manager reviews are submitted",
            Grant::Closed => "once reviews close",
            Grant::Released => "once finalized",
            Grant::ClosedAtThreshold => "once reviews close, from the threshold",
            Grant::ReleasedAtThreshold => "once finalized (stored), from the threshold",
        }
    }

    /// Whether the grant holds for a record in this state.
    pub fn holds(self, facts: Facts) -> bool {
        match self {
            Grant::Yes => true,
            Grant::No | Grant::NotApplicable => false,
            Grant::BothSubmitted => facts.both_submitted,
            Grant::Closed => facts.closed,
            Grant::Released => facts.released,
            Grant::ClosedAtThreshold => facts.closed && facts.at_threshold,
            Grant::ReleasedAtThreshold => facts.released && facts.at_threshold,
        }
    }
}

/// The state of an appraisal that conditional grants depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// Both the self and the manager review are submitted.
    pub both_submitted: bool,
    /// The cycle is calibrating or finalized.
    pub closed: bool,
    /// The cycle is finalized.
    pub released: bool,
    /// At least the anonymity threshold of reviews of the kind were submitted.
    pub at_threshold: bool,
}

impl Facts {
    /// Facts that make every conditional grant hold.
    pub const ALL_MET: Facts = Facts {
        both_submitted: true,
        closed: true,
        released: true,
        at_threshold: true,
    };
}

use Grant::{
    BothSubmitted, Closed, ClosedAtThreshold, No, NotApplicable as Na, Released,
    ReleasedAtThreshold, Yes,
};

/// What each role sees: one row per item, one column per role in the order
/// of [`Role::ALL`] (author, subject, manager, admin, anyone).
pub const SEE: [(Item, [Grant; 5]); 10] = [
    (Item::Plan, [Yes, Yes, Yes, Yes, Yes]),
    (Item::SharedFeedback, [Yes, Yes, Yes, Yes, Yes]),
    (Item::PrivateFeedback, [Yes, No, Yes, Yes, No]),
    (Item::DraftReview, [Yes, No, No, No, No]),
    (
        Item::SubmittedReview,
        [Yes, BothSubmitted, BothSubmitted, Yes, No],
    ),
    (Item::PeerReview, [Yes, No, No, Yes, No]),
    (
        Item::PeerSummary,
        [Na, ReleasedAtThreshold, ClosedAtThreshold, Yes, No],
    ),
    (Item::Appraisal, [Na, Released, Closed, Yes, No]),
    (Item::Outcome, [Na, Released, Yes, Yes, No]),
    (Item::ImprovementPlan, [Na, Yes, Yes, Yes, No]),
];

/// Self and manager reviews are blind to each other: whoever writes a
/// subject's manager review (their direct manager) sees the other submitted
/// reviews of that subject, and the score they make, as a manager does
/// (once both are submitted; once reviews close), even when they are an
/// admin.
pub fn counterpart_is_blind(item: Item) -> bool {
    matches!(item, Item::SubmittedReview | Item::Appraisal)
}

/// What a role sees of an item.
pub fn grant(item: Item, role: Role) -> Grant {
    SEE.iter()
        .find(|(i, _)| *i == item)
        .map_or(No, |(_, g)| g[role.index()])
}

/// A kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    /// Add, edit, close or remove a goal or measure; record, edit or remove
    /// a check-in.
    WriteGoal,
    /// Edit a person's name, e-mail, title, mission or check-in cadence.
    EditProfile,
    /// Add or remove people and teams; change managers, teams, leads, who
    /// is active or admin; periods; the file's `me`.
    ChangeOrg,
    /// Give feedback.
    GiveFeedback,
    /// Remove a piece of feedback.
    RemoveFeedback,
    /// Create a review cycle for its participants.
    CreateCycle,
    /// Open, close for calibration, finalize or reopen a cycle.
    MoveCycle,
    /// Nominate peer and upward reviewers.
    Nominate,
    /// Write or submit a review.
    WriteReview,
    /// Calibrate a level; record potential, a recommendation, actions.
    Calibrate,
    /// Mark a development action done or dropped.
    TrackAction,
    /// Start an improvement plan, record its check points, extend or close it.
    ManagePlan,
    /// Acknowledge an outcome or an improvement plan.
    Acknowledge,
    /// Undo an operation.
    Undo,
}

impl Act {
    /// Every act, in the order of the table.
    pub const ALL: [Act; 14] = [
        Act::WriteGoal,
        Act::EditProfile,
        Act::ChangeOrg,
        Act::GiveFeedback,
        Act::RemoveFeedback,
        Act::CreateCycle,
        Act::MoveCycle,
        Act::Nominate,
        Act::WriteReview,
        Act::Calibrate,
        Act::TrackAction,
        Act::ManagePlan,
        Act::Acknowledge,
        Act::Undo,
    ];

    /// How the table names it.
    pub fn describe(self) -> &'static str {
        match self {
            Act::WriteGoal => {
                "Goals, measures and check-ins (owner: the person, or a team's lead and members)"
            }
            Act::EditProfile => "A person's name, e-mail, title, mission, cadence",
            Act::ChangeOrg => "People and teams, managers, leads, admins, periods, `me`",
            Act::GiveFeedback => "Give feedback (to someone else)",
            Act::RemoveFeedback => "Remove feedback",
            Act::CreateCycle => "Create a review cycle (for each participant)",
            Act::MoveCycle => "Open, calibrate, finalize, reopen a cycle (author: its creator)",
            Act::Nominate => "Nominate peer and upward reviewers",
            Act::WriteReview => "Write a review (author: the reviewer it is for)",
            Act::Calibrate => "Calibrate, record an outcome and its development actions",
            Act::TrackAction => {
                "Mark a development action done or dropped (the subject: once the cycle is finalized)"
            }
            Act::ManagePlan => {
                "Start an improvement plan, record its check points, extend or close it"
            }
            Act::Acknowledge => "Acknowledge an outcome or an improvement plan, with a comment",
            Act::Undo => "Undo an operation (author: who ran it)",
        }
    }

    /// The verb of a refusal: "you may not {verb}".
    pub fn verb(self) -> &'static str {
        match self {
            Act::WriteGoal => "change goals or check-ins of",
            Act::EditProfile => "edit the profile of",
            Act::ChangeOrg => "change the organisation",
            Act::GiveFeedback => "give this feedback",
            Act::RemoveFeedback => "remove feedback given by someone else to",
            Act::CreateCycle => "start a review cycle for",
            Act::MoveCycle => "move a review cycle created by someone else",
            Act::Nominate => "nominate reviewers for",
            Act::WriteReview => "write this review of",
            Act::Calibrate => "calibrate or record outcomes for",
            Act::TrackAction => "change the status of development actions of",
            Act::ManagePlan => "start or change an improvement plan for",
            Act::Acknowledge => "acknowledge the outcome or improvement plan of",
            Act::Undo => "undo an operation run by someone else",
        }
    }
}

/// Whether a role may do an act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Can {
    /// Allowed.
    Yes,
    /// Refused.
    No,
    /// The role does not arise for this act (refused).
    NotApplicable,
}

impl Can {
    /// How the table writes it.
    pub fn describe(self) -> &'static str {
        match self {
            Can::Yes => "yes",
            Can::No => "no",
            Can::NotApplicable => "—",
        }
    }
}

/// What each role may do: one row per act, one column per role in the
/// order of [`Role::ALL`] (author, subject, manager, admin, anyone).
pub const CHANGE: [(Act, [Can; 5]); 14] = {
    use Can::{No, NotApplicable as Na, Yes};
    [
        (Act::WriteGoal, [Na, Yes, Yes, Yes, No]),
        (Act::EditProfile, [Na, Yes, Yes, Yes, No]),
        (Act::ChangeOrg, [Na, No, No, Yes, No]),
        (Act::GiveFeedback, [Na, No, Yes, Yes, Yes]),
        (Act::RemoveFeedback, [Yes, No, No, Yes, No]),
        (Act::CreateCycle, [Na, Yes, Yes, Yes, No]),
        (Act::MoveCycle, [Yes, No, No, Yes, No]),
        (Act::Nominate, [Na, Yes, Yes, Yes, No]),
        (Act::WriteReview, [Yes, No, No, No, No]),
        (Act::Calibrate, [Na, No, Yes, Yes, No]),
        (Act::TrackAction, [Na, Yes, Yes, Yes, No]),
        (Act::ManagePlan, [Na, No, Yes, Yes, No]),
        (Act::Acknowledge, [Na, Yes, No, No, No]),
        (Act::Undo, [Yes, No, No, Yes, No]),
    ]
};

/// Whether a role may do an act.
pub fn may(act: Act, role: Role) -> bool {
    CHANGE
        .iter()
        .find(|(a, _)| *a == act)
        .is_some_and(|(_, r)| r[role.index()] == Can::Yes)
}

/// The policy as two Markdown tables (what each role sees, what each may
/// change), exactly as docs/security.md prints them.
pub fn markdown_tables() -> String {
    let head = |first: &str| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!(
            "| {first} | {} |\n|---|{}\n",
            roles.join(" | "),
            "---|".repeat(Role::ALL.len())
        )
    };
    let mut out = head("sees");
    for (item, grants) in SEE {
        let cells: Vec<&str> = grants.iter().map(|g| g.describe()).collect();
        out.push_str(&format!(
            "| {} | {} |\n",
            item.describe(),
            cells.join(" | ")
        ));
    }
    out.push('\n');
    out.push_str(&head("may"));
    for (act, cans) in CHANGE {
        let cells: Vec<&str> = cans.iter().map(|c| c.describe()).collect();
        out.push_str(&format!("| {} | {} |\n", act.describe(), cells.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_and_act_has_one_row_in_order() {
        let items: Vec<Item> = SEE.iter().map(|(i, _)| *i).collect();
        assert_eq!(items, Item::ALL);
        let acts: Vec<Act> = CHANGE.iter().map(|(a, _)| *a).collect();
        assert_eq!(acts, Act::ALL);
    }

    #[test]
    fn the_rules_the_product_names() {
        // Drafts: their author only.
        for role in Role::ALL {
            assert_eq!(
                grant(Item::DraftReview, role) == Yes,
                role == Role::Author,
                "{role:?}"
            );
        }
        // Private feedback: never its subject, whoever else they are.
        assert_eq!(grant(Item::PrivateFeedback, Role::Subject), No);
        assert_eq!(grant(Item::PrivateFeedback, Role::Anyone), No);
        // Peer reviews whole: author and admins only.
        assert!(!grant(Item::PeerReview, Role::Subject).holds(Facts::ALL_MET));
        assert!(!grant(Item::PeerReview, Role::Manager).holds(Facts::ALL_MET));
        assert!(grant(Item::PeerReview, Role::Admin).holds(Facts::default()));
        // The subject sees their appraisal only once it is released.
        let open = Facts {
            both_submitted: true,
            closed: true,
            released: false,
            at_threshold: true,
        };
        assert!(!grant(Item::Appraisal, Role::Subject).holds(open));
        assert!(grant(Item::Appraisal, Role::Subject).holds(Facts::ALL_MET));
        assert!(!grant(Item::PeerSummary, Role::Subject).holds(open));
        assert!(grant(Item::PeerSummary, Role::Manager).holds(open));
        let below = Facts {
            at_threshold: false,
            ..Facts::ALL_MET
        };
        assert!(!grant(Item::PeerSummary, Role::Manager).holds(below));
        // Calibration never by the subject; acknowledgement only by them.
        assert!(!may(Act::Calibrate, Role::Subject));
        assert!(may(Act::Calibrate, Role::Manager));
        assert!(may(Act::Acknowledge, Role::Subject));
        assert!(!may(Act::Acknowledge, Role::Admin));
        // An improvement plan: its subject, their managers and admins; never
        // a colleague. Started and closed by managers and admins only.
        for (role, sees) in [
            (Role::Subject, true),
            (Role::Manager, true),
            (Role::Admin, true),
            (Role::Anyone, false),
        ] {
            assert_eq!(
                grant(Item::ImprovementPlan, role).holds(Facts::default()),
                sees,
                "{role:?}"
            );
        }
        assert!(!may(Act::ManagePlan, Role::Subject));
        assert!(!may(Act::ManagePlan, Role::Anyone));
        assert!(may(Act::ManagePlan, Role::Manager) && may(Act::ManagePlan, Role::Admin));
        assert!(may(Act::TrackAction, Role::Subject) && !may(Act::TrackAction, Role::Anyone));
        // Undo: one's own operations, or an admin.
        assert!(may(Act::Undo, Role::Author) && may(Act::Undo, Role::Admin));
        assert!(!may(Act::Undo, Role::Manager));
    }

    #[test]
    fn the_tables_name_every_row() {
        let md = markdown_tables();
        for item in Item::ALL {
            assert!(md.contains(item.describe()), "{item:?}");
        }
        for act in Act::ALL {
            assert!(md.contains(act.describe()), "{act:?}");
        }
    }
}
