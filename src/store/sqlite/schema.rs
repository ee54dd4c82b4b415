//! The schema: append-only migrations keyed by `PRAGMA user_version`.
//!
//! Never edit a migration that has shipped: add a new one at the end. Each
//! runs inside the IMMEDIATE transaction that [`crate::store::Store`] opens for the
//! first write to an out-of-date file.

/// `PRAGMA application_id` of a yardstick file: "YdSt" in ASCII.
pub const APPLICATION_ID: i32 = 0x5964_5374;

/// The migrations, in order. Migration `i` takes the file from version `i`
/// to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

// The file's schema is the data model's version (see `domain::records`).
const _: () = assert!(SCHEMA_VERSION == crate::domain::records::SCHEMA_VERSION);

const V1: &str = r#"
CREATE TABLE team (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    handle      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    parent_id   INTEGER REFERENCES team(id) ON DELETE RESTRICT,
    lead_id     INTEGER REFERENCES person(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id)
) STRICT;

CREATE TABLE person (
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    handle             TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    email              TEXT,
    title              TEXT,
    manager_id         INTEGER REFERENCES person(id) ON DELETE SET NULL,
    team_id            INTEGER REFERENCES team(id) ON DELETE SET NULL,
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    mission_purpose    TEXT,
    mission_customers  TEXT,
    mission_product    TEXT,
    mission_scope      TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (manager_id IS NULL OR manager_id <> id)
) STRICT;
CREATE INDEX person_manager ON person(manager_id);
CREATE INDEX person_team ON person(team_id);
CREATE INDEX team_parent ON team(parent_id);

CREATE TABLE period (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (start_date <= end_date)
) STRICT;

CREATE TABLE goal (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    key              TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    description      TEXT,
    owner_person_id  INTEGER REFERENCES person(id) ON DELETE RESTRICT,
    owner_team_id    INTEGER REFERENCES team(id) ON DELETE RESTRICT,
    parent_id        INTEGER REFERENCES goal(id) ON DELETE SET NULL,
    period           TEXT,
    start_date       TEXT,
    due_date         TEXT,
    weight           REAL NOT NULL DEFAULT 1 CHECK (weight > 0),
    priority         TEXT NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high')),
    category         TEXT CHECK (category IN ('quantity', 'quality', 'cost', 'timeliness')),
    status           TEXT NOT NULL DEFAULT 'active'
                     CHECK (status IN ('draft', 'active', 'achieved', 'missed', 'dropped')),
    closed_at        TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((owner_person_id IS NULL) <> (owner_team_id IS NULL)),
    CHECK (parent_id IS NULL OR parent_id <> id),
    CHECK (start_date IS NULL OR due_date IS NULL OR start_date <= due_date)
) STRICT;
CREATE INDEX goal_owner_person ON goal(owner_person_id);
CREATE INDEX goal_owner_team ON goal(owner_team_id);
CREATE INDEX goal_parent ON goal(parent_id);
CREATE INDEX goal_period ON goal(period);

CREATE TABLE measure (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    goal_id     INTEGER NOT NULL REFERENCES goal(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT,
    kind        TEXT NOT NULL DEFAULT 'number'
                CHECK (kind IN ('number', 'percent', 'currency', 'yesno', 'milestone')),
    direction   TEXT NOT NULL CHECK (direction IN ('increase', 'decrease')),
    baseline    REAL NOT NULL,
    target      REAL NOT NULL,
    stretch     REAL,
    floor       REAL,
    weight      REAL NOT NULL DEFAULT 1 CHECK (weight > 0),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (goal_id, name)
) STRICT;

CREATE TABLE checkin (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    goal_id     INTEGER NOT NULL REFERENCES goal(id) ON DELETE CASCADE,
    measure_id  INTEGER REFERENCES measure(id) ON DELETE CASCADE,
    date        TEXT NOT NULL,
    value       REAL,
    confidence  INTEGER CHECK (confidence BETWEEN 0 AND 10),
    status      TEXT CHECK (status IN ('on-track', 'at-risk', 'off-track')),
    note        TEXT,
    author_id   INTEGER REFERENCES person(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (measure_id IS NOT NULL OR value IS NULL)
) STRICT;
CREATE INDEX checkin_measure_date ON checkin(measure_id, date, value);
CREATE INDEX checkin_goal_date ON checkin(goal_id, date);

CREATE TABLE setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;

CREATE TABLE op (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    command    TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    undone_at  TEXT
) STRICT;

CREATE TABLE undo_entry (
    id      INTEGER PRIMARY KEY,
    op_id   INTEGER NOT NULL REFERENCES op(id) ON DELETE CASCADE,
    tbl     TEXT NOT NULL,
    action  TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    row_id  INTEGER NOT NULL,
    c0 ANY, c1 ANY, c2 ANY, c3 ANY, c4 ANY, c5 ANY, c6 ANY, c7 ANY,
    c8 ANY, c9 ANY, c10 ANY, c11 ANY, c12 ANY, c13 ANY, c14 ANY, c15 ANY,
    c16 ANY, c17 ANY, c18 ANY, c19 ANY, c20 ANY, c21 ANY, c22 ANY, c23 ANY
) STRICT;
CREATE INDEX undo_entry_op ON undo_entry(op_id, id);
"#;

/// Version 2: continuous feedback, and a per-person check-in cadence.
const V2: &str = r#"
ALTER TABLE person ADD COLUMN checkin_cadence_days INTEGER
    CHECK (checkin_cadence_days IS NULL OR checkin_cadence_days BETWEEN 1 AND 366);

CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    from_id     INTEGER REFERENCES person(id) ON DELETE SET NULL,
    to_id       INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    date        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('praise', 'coaching', 'concern', '360')),
    text        TEXT NOT NULL,
    goal_id     INTEGER REFERENCES goal(id) ON DELETE SET NULL,
    private     INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX feedback_to_date ON feedback(to_id, date);
CREATE INDEX feedback_from_date ON feedback(from_id, date);
CREATE INDEX checkin_author_date ON checkin(author_id, date);
"#;

/// Version 3: appraisal — templates, cycles, participants, reviews, ratings,
/// outcomes and development actions. Triggers make a finalized cycle
/// read-only at the database level (a second line behind the commands, and
/// what stops `undo` from reaching into one); only `appraise cycle reopen`,
/// which counts the reopening, may change its state, and the one write a
/// finalized cycle takes is a subject's acknowledgement of their outcome.
const V3: &str = r#"
CREATE TABLE template (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE cycle (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL UNIQUE,
    period         TEXT NOT NULL,
    start_date     TEXT NOT NULL,
    end_date       TEXT NOT NULL,
    template_id    INTEGER NOT NULL REFERENCES template(id) ON DELETE RESTRICT,
    state          TEXT NOT NULL DEFAULT 'draft'
                   CHECK (state IN ('draft', 'open', 'calibrating', 'finalized')),
    reopened       INTEGER NOT NULL DEFAULT 0,
    self_due       TEXT,
    manager_due    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (start_date <= end_date)
) STRICT;

CREATE TABLE participant (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    cycle_id         INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
    person_id        INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,
    acknowledged_at  TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (cycle_id, person_id)
) STRICT;

CREATE TABLE review (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    cycle_id      INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
    subject_id    INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,
    reviewer_id   INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,
    kind          TEXT NOT NULL CHECK (kind IN ('self', 'manager', 'peer', 'upward')),
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'submitted')),
    summary       TEXT,
    submitted_at  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (cycle_id, subject_id, reviewer_id, kind),
    CHECK ((kind = 'self') = (subject_id = reviewer_id))
) STRICT;
CREATE INDEX review_subject ON review(cycle_id, subject_id);
CREATE INDEX review_reviewer ON review(reviewer_id);

CREATE TABLE rating (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    review_id   INTEGER NOT NULL REFERENCES review(id) ON DELETE CASCADE,
    item        TEXT NOT NULL,
    value       REAL,
    comment     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (review_id, item),
    CHECK (value IS NOT NULL OR comment IS NOT NULL)
) STRICT;

CREATE TABLE outcome (
    id                  INTEGER PRIMARY KEY,
    uuid                TEXT NOT NULL UNIQUE,
    cycle_id            INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
    subject_id          INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,
    computed_score      REAL,
    computed_level      REAL,
    calibrated_level    REAL,
    calibration_reason  TEXT,
    potential           TEXT CHECK (potential IN ('low', 'medium', 'high')),
    recommendation      TEXT CHECK (recommendation IN ('none', 'raise', 'bonus', 'promotion', 'improvement-plan')),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (cycle_id, subject_id),
    CHECK ((calibrated_level IS NULL) = (calibration_reason IS NULL))
) STRICT;

CREATE TABLE action (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    cycle_id    INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
    subject_id  INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,
    text        TEXT NOT NULL,
    due_date    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX action_subject ON action(cycle_id, subject_id);

CREATE TABLE cycle_event (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    cycle_id    INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    forced      INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    reason      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TRIGGER cycle_finalized_update BEFORE UPDATE ON cycle
WHEN OLD.state = 'finalized' AND NOT (NEW.state <> 'finalized' AND NEW.reopened = OLD.reopened + 1)
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER cycle_finalized_delete BEFORE DELETE ON cycle WHEN OLD.state = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER participant_finalized_insert BEFORE INSERT ON participant
WHEN (SELECT state FROM cycle WHERE id = NEW.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER participant_finalized_update BEFORE UPDATE ON participant
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
 AND NOT (OLD.acknowledged_at IS NULL AND NEW.acknowledged_at IS NOT NULL
          AND NEW.cycle_id = OLD.cycle_id AND NEW.person_id = OLD.person_id)
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER participant_finalized_delete BEFORE DELETE ON participant
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER review_finalized_insert BEFORE INSERT ON review
WHEN (SELECT state FROM cycle WHERE id = NEW.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER review_finalized_update BEFORE UPDATE ON review
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER review_finalized_delete BEFORE DELETE ON review
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER outcome_finalized_insert BEFORE INSERT ON outcome
WHEN (SELECT state FROM cycle WHERE id = NEW.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER outcome_finalized_update BEFORE UPDATE ON outcome
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER outcome_finalized_delete BEFORE DELETE ON outcome
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER action_finalized_insert BEFORE INSERT ON action
WHEN (SELECT state FROM cycle WHERE id = NEW.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER action_finalized_update BEFORE UPDATE ON action
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER action_finalized_delete BEFORE DELETE ON action
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER cycle_event_finalized_update BEFORE UPDATE ON cycle_event
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER cycle_event_finalized_delete BEFORE DELETE ON cycle_event
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER rating_finalized_insert BEFORE INSERT ON rating
WHEN (SELECT c.state FROM review r JOIN cycle c ON c.id = r.cycle_id WHERE r.id = NEW.review_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER rating_finalized_update BEFORE UPDATE ON rating
WHEN (SELECT c.state FROM review r JOIN cycle c ON c.id = r.cycle_id WHERE r.id = OLD.review_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER rating_finalized_delete BEFORE DELETE ON rating
WHEN (SELECT c.state FROM review r JOIN cycle c ON c.id = r.cycle_id WHERE r.id = OLD.review_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
"#;

/// Version 4: a small partial index of the check-ins that report a status,
/// so "the last reported status of each goal" is one seek per goal instead
/// of a walk through every check-in of the goal (most report no status).
const V4: &str = r#"
CREATE INDEX checkin_goal_status ON checkin(goal_id, date, id) WHERE status IS NOT NULL;
"#;

/// Version 5: the access policy. Admins besides the file's `me`; who created
/// a review cycle (they may move it); the peer and upward averages stored
/// when a cycle is finalized (what the subject sees, so no one can difference
/// one reviewer out of a live average); and, in the operation log, who an
/// operation is about and what anyone else may read of it, and whether it
/// can be undone at all (a purge cannot).
const V5: &str = r#"
ALTER TABLE person ADD COLUMN admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1));
ALTER TABLE cycle ADD COLUMN created_by INTEGER REFERENCES person(id) ON DELETE SET NULL;
ALTER TABLE outcome ADD COLUMN peer_average REAL;
ALTER TABLE outcome ADD COLUMN peer_count INTEGER;
ALTER TABLE outcome ADD COLUMN upward_average REAL;
ALTER TABLE outcome ADD COLUMN upward_count INTEGER;
ALTER TABLE op ADD COLUMN audience TEXT CHECK (audience IN ('peer-review', 'private-feedback', 'appraisal'));
ALTER TABLE op ADD COLUMN audience_subject INTEGER;
ALTER TABLE op ADD COLUMN public_summary TEXT;
ALTER TABLE op ADD COLUMN irreversible INTEGER NOT NULL DEFAULT 0 CHECK (irreversible IN (0, 1));
CREATE INDEX undo_entry_row ON undo_entry(tbl, row_id);
"#;

/// Version 6: frozen appraisal records. Finalizing a cycle stores, per
/// subject, the complete record every view of the finalized cycle shows
/// (`record`, JSON: score, level, components with effective weights, each
/// goal's attainment, peer and upward averages, calibration, outcome and
/// the packet's goals and measures as of the period's end). A record is
/// written before the cycle's state moves to finalized and never changes
/// afterwards, except that a reopen voids it (with the reason); the next
/// finalize writes a new one, and both stay.
const V6: &str = r#"
CREATE TABLE appraisal_record (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    cycle_id      INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
    subject_id    INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,
    finalization  INTEGER NOT NULL CHECK (finalization >= 1),
    finalized_at  TEXT NOT NULL,
    finalized_by  TEXT NOT NULL,
    record        TEXT NOT NULL,
    voided_at     TEXT,
    void_reason   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (cycle_id, subject_id, finalization),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
) STRICT;
CREATE TRIGGER appraisal_record_finalized_insert BEFORE INSERT ON appraisal_record
WHEN (SELECT state FROM cycle WHERE id = NEW.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER appraisal_record_update BEFORE UPDATE ON appraisal_record
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
  OR NEW.uuid IS NOT OLD.uuid OR NEW.cycle_id IS NOT OLD.cycle_id OR NEW.subject_id IS NOT OLD.subject_id
  OR NEW.finalization IS NOT OLD.finalization OR NEW.finalized_at IS NOT OLD.finalized_at
  OR NEW.finalized_by IS NOT OLD.finalized_by OR NEW.record IS NOT OLD.record
  OR NEW.created_at IS NOT OLD.created_at
BEGIN SELECT RAISE(ABORT, 'an appraisal record never changes; reopening its cycle voids it'); END;
CREATE TRIGGER appraisal_record_finalized_delete BEFORE DELETE ON appraisal_record
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
"#;

/// Version 7: the follow-up of a review. Development actions become
/// tracked records (an owner, a status with a note); in a finalized cycle
/// what the review said of them (text, owner, due date) stays read-only
/// while their status and note change. An acknowledgement keeps the
/// subject's comment and survives a reopening only as history (voided).
/// Performance improvement plans: the plan, its expected results (goals),
/// its check points and the log of its steps; an outcome recommending one
/// points at it. Existing actions become open actions owned by their
/// subject; existing acknowledgements become current ones.
const V7: &str = r#"
DROP TRIGGER action_finalized_update;
ALTER TABLE action ADD COLUMN owner_id INTEGER REFERENCES person(id) ON DELETE RESTRICT;
ALTER TABLE action ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'done', 'dropped'));
ALTER TABLE action ADD COLUMN note TEXT;
ALTER TABLE action ADD COLUMN closed_at TEXT;
UPDATE action SET owner_id = subject_id;
CREATE INDEX action_owner ON action(owner_id);
CREATE TRIGGER action_finalized_update BEFORE UPDATE ON action
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
 AND NOT (NEW.id = OLD.id AND NEW.uuid = OLD.uuid AND NEW.cycle_id = OLD.cycle_id
          AND NEW.subject_id = OLD.subject_id AND NEW.text = OLD.text
          AND NEW.due_date IS OLD.due_date AND NEW.owner_id IS OLD.owner_id
          AND NEW.created_at = OLD.created_at)
BEGIN SELECT RAISE(ABORT, 'cycle is finalized: a development action''s text, owner and due date are read-only; only its status and note change'); END;

CREATE TABLE acknowledgement (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    cycle_id    INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,
    at          TEXT NOT NULL,
    comment     TEXT,
    voided_at   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX acknowledgement_person ON acknowledgement(cycle_id, person_id);
INSERT INTO acknowledgement(uuid, cycle_id, person_id, at, created_at, updated_at)
SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
       || substr(lower(hex(randomblob(2))), 2) || '-'
       || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2)
       || '-' || lower(hex(randomblob(6))),
       cycle_id, person_id, acknowledged_at, acknowledged_at, acknowledged_at
FROM participant WHERE acknowledged_at IS NOT NULL ORDER BY id;
CREATE TRIGGER acknowledgement_finalized_update BEFORE UPDATE ON acknowledgement
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;
CREATE TRIGGER acknowledgement_finalized_delete BEFORE DELETE ON acknowledgement
WHEN (SELECT state FROM cycle WHERE id = OLD.cycle_id) = 'finalized'
BEGIN SELECT RAISE(ABORT, 'cycle is finalized and read-only; reopen it with `appraise cycle reopen --reason`'); END;

CREATE TABLE pip (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    subject_id  INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,
    started_by  INTEGER REFERENCES person(id) ON DELETE SET NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    outcome     TEXT CHECK (outcome IN ('successful', 'extended', 'unsuccessful')),
    closed_at   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (start_date <= end_date),
    CHECK ((closed_at IS NOT NULL) = (outcome IS NOT NULL AND outcome <> 'extended'))
) STRICT;
CREATE INDEX pip_subject ON pip(subject_id);

CREATE TABLE pip_goal (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    pip_id      INTEGER NOT NULL REFERENCES pip(id) ON DELETE CASCADE,
    goal_id     INTEGER NOT NULL REFERENCES goal(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (pip_id, goal_id)
) STRICT;
CREATE INDEX pip_goal_goal ON pip_goal(goal_id);

CREATE TABLE pip_checkpoint (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    pip_id      INTEGER NOT NULL REFERENCES pip(id) ON DELETE CASCADE,
    due_date    TEXT NOT NULL,
    held_on     TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX pip_checkpoint_pip ON pip_checkpoint(pip_id, due_date);

CREATE TABLE pip_step (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    pip_id      INTEGER NOT NULL REFERENCES pip(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL
                CHECK (kind IN ('started', 'checkpoint', 'extended', 'closed', 'acknowledged')),
    outcome     TEXT CHECK (outcome IN ('successful', 'extended', 'unsuccessful')),
    note        TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX pip_step_pip ON pip_step(pip_id, id);

ALTER TABLE outcome ADD COLUMN pip_id INTEGER REFERENCES pip(id) ON DELETE RESTRICT;
"#;

/// Version 8: what lets copies of a file merge field by field (see
/// `domain::revisions` and docs/exchange.md). `revision` holds, for each
/// record with a field edited since it was created, the revision of each
/// such field (JSON: id, who, when, recent ancestry); a record without a
/// row has every field at its origin revision, which is how every row that
/// exists before this migration starts (and how check-ins, rarely edited,
/// stay free of any cost here). `tombstone` remembers each deleted record:
/// its table and UUID, the deletion's id, when and by whom, and the
/// revisions the deleter had seen, so that the deletion travels to other
/// copies and an old file cannot bring the record back. Both tables are
/// written by the write machinery from the undo log (never by a command),
/// and are logged themselves, so undo restores them with the data.
const V8: &str = r#"
CREATE TABLE revision (
    id    INTEGER PRIMARY KEY,
    tbl   TEXT NOT NULL,
    uuid  TEXT NOT NULL,
    revs  TEXT NOT NULL,
    UNIQUE (tbl, uuid)
) STRICT;

CREATE TABLE tombstone (
    id          INTEGER PRIMARY KEY,
    tbl         TEXT NOT NULL,
    uuid        TEXT NOT NULL,
    rev         TEXT NOT NULL,
    deleted_at  TEXT NOT NULL,
    deleted_by  TEXT,
    seen        TEXT NOT NULL,
    UNIQUE (tbl, uuid)
) STRICT;
CREATE INDEX tombstone_deleted_at ON tombstone(deleted_at);
"#;

/// The tables of merge bookkeeping (schema 8): logged for undo, not
/// exchanged as records.
pub const BOOKKEEPING_TABLES: &[&str] = &["revision", "tombstone"];

/// How many before-image columns `undo_entry` has: no logged table may have more.
pub const UNDO_COLUMNS: usize = 24;

/// Tables whose changes are not recorded for undo (the log itself).
pub const UNLOGGED_TABLES: &[&str] = &["op", "undo_entry"];
