//! The team server's trust model as SQL (schema version 9, PostgreSQL
//! only): the login mapping, the helper functions, the views a member reads
//! reviews through, and the row-level security policies. docs/security.md
//! ("On the team server") describes it table by table.
//!
//! Identity is `session_user`, looked up in `login`; admins are the logins
//! mapped with `admin = true`, and the owner of the schema's objects (who
//! could switch row-level security off anyway). Every helper that reads a
//! table is `SECURITY DEFINER` with a fixed `search_path` (the schema, then
//! `pg_temp`), and every policy starts with `yardstick_bypass()`, so that
//! a helper, running as the owner, reads whole tables without recursing
//! into the policy that called it.

/// Migration 9: the login mapping, helpers, views and policies.
pub const V9: &str = r#"
-- Every function below keeps the search_path it was created with: this
-- schema, then pg_temp (never a schema a member could create objects in).
SELECT set_config('search_path', quote_ident(current_schema()) || ', pg_temp', true);

-- Which database login is which person (PostgreSQL only: the SQLite file
-- has no logins). Passwords are never here: they are the server's.
CREATE TABLE login (
    role_name   text PRIMARY KEY,
    person_id   bigint NOT NULL UNIQUE REFERENCES person(id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
    admin       boolean NOT NULL DEFAULT false,
    granted_at  text NOT NULL,
    granted_by  text NOT NULL
);

-- The owner of yardstick's objects (or a role that can become it): it
-- could disable row-level security, so it is not filtered. Also true
-- inside the SECURITY DEFINER helpers below, which run as the owner.
CREATE FUNCTION yardstick_owner() RETURNS boolean LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $fn$
    SELECT coalesce((SELECT pg_has_role(current_user, c.relowner, 'MEMBER')
                     FROM pg_class c WHERE c.oid = 'login'::regclass), false)
$fn$;

-- The acting person: the one mapped to the session's login.
CREATE FUNCTION yardstick_me() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
    SELECT person_id FROM login WHERE role_name = session_user::text
$fn$;

CREATE FUNCTION yardstick_my_handle() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
    SELECT p.handle FROM login l JOIN person p ON p.id = l.person_id
    WHERE l.role_name = session_user::text
$fn$;

CREATE FUNCTION yardstick_is_admin() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
    SELECT coalesce((SELECT admin FROM login WHERE role_name = session_user::text), false)
$fn$;

-- Sees and changes every row: an admin login, or the owner (and the
-- helpers, which run as the owner).
CREATE FUNCTION yardstick_bypass() RETURNS boolean LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $fn$
    SELECT yardstick_owner() OR yardstick_is_admin()
$fn$;

-- A mapped login of this database (the organisation's plan is theirs to read).
CREATE FUNCTION yardstick_member() RETURNS boolean LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $fn$
    SELECT yardstick_me() IS NOT NULL
$fn$;

-- Whether the acting person is above `subject` in the manager chain.
CREATE FUNCTION yardstick_manages(subject bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
    WITH RECURSIVE chain(id, depth) AS (
        SELECT manager_id, 1 FROM person WHERE id = subject AND manager_id IS NOT NULL
        UNION
        SELECT p.manager_id, c.depth + 1 FROM chain c JOIN person p ON p.id = c.id
        WHERE p.manager_id IS NOT NULL AND c.depth < 64
    )
    SELECT yardstick_me() IS NOT NULL AND subject IS DISTINCT FROM yardstick_me()
       AND EXISTS (SELECT 1 FROM chain WHERE id = yardstick_me())
$fn$;

-- The acting person's role towards a team's goals: 'subject' (its lead or
-- a direct member), 'manager' (a lead of a team above, a manager above its
-- lead), else NULL.
CREATE FUNCTION yardstick_team_role(t bigint) RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
DECLARE
    me bigint := yardstick_me();
    lead bigint;
BEGIN
    IF me IS NULL OR t IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT lead_id INTO lead FROM team WHERE id = t;
    IF lead = me OR EXISTS (SELECT 1 FROM person WHERE id = me AND team_id = t) THEN
        RETURN 'subject';
    END IF;
    IF EXISTS (
        WITH RECURSIVE up(id, depth) AS (
            SELECT parent_id, 1 FROM team WHERE id = t AND parent_id IS NOT NULL
            UNION
            SELECT tm.parent_id, u.depth + 1 FROM up u JOIN team tm ON tm.id = u.id
            WHERE tm.parent_id IS NOT NULL AND u.depth < 64
        )
        SELECT 1 FROM up JOIN team x ON x.id = up.id WHERE x.lead_id = me
    ) OR (lead IS NOT NULL AND yardstick_manages(lead)) THEN
        RETURN 'manager';
    END IF;
    RETURN NULL;
END
$fn$;

-- Whether the acting person may change the goals of an owner (a person or a team).
CREATE FUNCTION yardstick_writes_owner(person_owner bigint, team_owner bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $fn$
    SELECT CASE WHEN person_owner IS NOT NULL
                THEN person_owner = yardstick_me() OR yardstick_manages(person_owner)
                ELSE yardstick_team_role(team_owner) IS NOT NULL END
$fn$;

-- ... of a goal (its measures and check-ins).
CREATE FUNCTION yardstick_writes_goal(g bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
    SELECT coalesce((SELECT yardstick_writes_owner(owner_person_id, owner_team_id)
                     FROM goal WHERE id = g), false)
$fn$;

CREATE FUNCTION yardstick_cycle_state(c bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
    SELECT state FROM cycle WHERE id = c
$fn$;

-- The cycle was created by the acting person (who moves it through its states).
CREATE FUNCTION yardstick_cycle_mine(c bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
    SELECT coalesce((SELECT created_by = yardstick_me() FROM cycle WHERE id = c), false)
$fn$;

-- Both the self and the manager review of a subject are submitted.
CREATE FUNCTION yardstick_both_submitted(c bigint, subject bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
    SELECT count(DISTINCT kind) = 2 FROM review
    WHERE cycle_id = c AND subject_id = subject AND kind IN ('self', 'manager') AND state = 'submitted'
$fn$;

-- The template's anonymity threshold for a cycle (default 3).
CREATE FUNCTION yardstick_threshold(c bigint) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT AS $fn$
    SELECT coalesce((SELECT substring(t.source FROM '(?n)^\s*anonymity_threshold\s*=\s*([0-9]+)')::bigint
                     FROM cycle y JOIN template t ON t.id = y.template_id WHERE y.id = c), 3)
$fn$;

-- At least the threshold of reviews of this kind are submitted.
CREATE FUNCTION yardstick_at_threshold(c bigint, subject bigint, k text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
    SELECT count(*) >= yardstick_threshold(c) FROM review
    WHERE cycle_id = c AND subject_id = subject AND kind = k AND state = 'submitted'
$fn$;

-- A review as written (names, ratings, comments): its author; a submitted
-- self or manager review, once both are, its subject and their managers.
CREATE FUNCTION yardstick_sees_review(c bigint, subject bigint, reviewer bigint, k text, st text)
RETURNS boolean LANGUAGE sql STABLE SET search_path FROM CURRENT AS $fn$
    SELECT reviewer = yardstick_me()
        OR (k IN ('self', 'manager') AND st = 'submitted'
            AND (subject = yardstick_me() OR yardstick_manages(subject))
            AND yardstick_both_submitted(c, subject))
$fn$;

-- A peer or upward review without its reviewer's name: the subject's
-- managers once reviews close, the subject once the cycle is finalized,
-- both only from the anonymity threshold.
CREATE FUNCTION yardstick_sees_anonymous(c bigint, subject bigint, k text, st text)
RETURNS boolean LANGUAGE sql STABLE SET search_path FROM CURRENT AS $fn$
    SELECT k IN ('peer', 'upward') AND st = 'submitted'
       AND ((yardstick_manages(subject) AND yardstick_cycle_state(c) IN ('calibrating', 'finalized'))
            OR (subject = yardstick_me() AND yardstick_cycle_state(c) = 'finalized'))
       AND yardstick_at_threshold(c, subject, k)
$fn$;

-- An appraisal's results (outcome, actions, records): the subject's
-- managers; the subject once the cycle is finalized.
CREATE FUNCTION yardstick_sees_results(c bigint, subject bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $fn$
    SELECT yardstick_manages(subject)
        OR (subject = yardstick_me() AND yardstick_cycle_state(c) = 'finalized')
$fn$;

-- An operation in the log, whole: whoever ran it; anyone, when it is about
-- no one's confidential record; for private feedback, the subject's
-- managers (never the subject).
CREATE FUNCTION yardstick_sees_op(actor text, audience text, audience_subject bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $fn$
    SELECT actor = yardstick_my_handle()
        OR (yardstick_member() AND audience IS NULL)
        OR (audience = 'private-feedback' AND audience_subject IS DISTINCT FROM yardstick_me()
            AND yardstick_manages(audience_subject))
$fn$;

-- The later operations, not undone, that changed a row operation `op`
-- changed: undo refuses over them, whoever ran them (the one place a
-- member learns of an operation they cannot read: its id, command, time,
-- and who ran it unless it is about a confidential record).
CREATE FUNCTION yardstick_undo_conflicts(target bigint)
RETURNS TABLE(id bigint, at text, actor text, command text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
    SELECT o.id, o.at, CASE WHEN o.audience IS NULL OR o.actor = yardstick_my_handle()
                            THEN o.actor ELSE '(hidden)' END, o.command
    FROM op o
    WHERE o.undone_at IS NULL AND o.id > target
      AND EXISTS (SELECT 1 FROM op t WHERE t.id = target
                  AND (t.actor = yardstick_my_handle() OR yardstick_is_admin()
                       OR NOT EXISTS (SELECT 1 FROM login)))
      AND o.id IN (SELECT b.op_id FROM undo_entry a JOIN undo_entry b
                   ON b.tbl = a.tbl AND b.row_id = a.row_id
                   WHERE a.op_id = target AND b.op_id > target)
    ORDER BY o.id
$fn$;

-- A member may not change what makes the organisation (handles, managers,
-- teams, who is active or admin): only a person's profile.
CREATE FUNCTION yardstick_guard_person() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $fn$
BEGIN
    IF NOT yardstick_bypass() AND (NEW.handle IS DISTINCT FROM OLD.handle
        OR NEW.uuid IS DISTINCT FROM OLD.uuid
        OR NEW.manager_id IS DISTINCT FROM OLD.manager_id
        OR NEW.team_id IS DISTINCT FROM OLD.team_id
        OR NEW.active IS DISTINCT FROM OLD.active
        OR NEW.admin IS DISTINCT FROM OLD.admin) THEN
        RAISE EXCEPTION USING ERRCODE = '42501',
            MESSAGE = 'only an admin changes handles, managers, teams, who is active or admin';
    END IF;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER person_org_guard BEFORE UPDATE ON person
    FOR EACH ROW EXECUTE FUNCTION yardstick_guard_person();

-- Reviews as a member reads them: every review's existence and progress
-- (who the subject is, its kind and state: the organisation's plan), the
-- reviewer's name only where it may be known (their own, self and manager
-- reviews), the summary where the review may be read (as written, or
-- without names at the threshold).
CREATE VIEW review_shown WITH (security_barrier) AS
SELECT r.id, r.uuid, r.cycle_id, r.subject_id,
       CASE WHEN yardstick_bypass() OR r.kind IN ('self', 'manager') OR r.reviewer_id = yardstick_me()
            THEN r.reviewer_id END AS reviewer_id,
       r.kind, r.state,
       CASE WHEN yardstick_bypass()
                 OR yardstick_sees_review(r.cycle_id, r.subject_id, r.reviewer_id, r.kind, r.state)
                 OR yardstick_sees_anonymous(r.cycle_id, r.subject_id, r.kind, r.state)
            THEN r.summary END AS summary,
       r.submitted_at, r.created_at, r.updated_at
FROM review r
WHERE yardstick_bypass() OR yardstick_member();

-- Ratings of the reviews a member may read (as written, or without names).
CREATE VIEW rating_shown WITH (security_barrier) AS
SELECT g.id, g.uuid, g.review_id, g.item, g.value, g.comment, g.created_at, g.updated_at
FROM rating g JOIN review r ON r.id = g.review_id
WHERE yardstick_bypass()
   OR yardstick_sees_review(r.cycle_id, r.subject_id, r.reviewer_id, r.kind, r.state)
   OR yardstick_sees_anonymous(r.cycle_id, r.subject_id, r.kind, r.state);

-- Row-level security on every table, also for the tables' owner.
DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['team', 'person', 'period', 'goal', 'measure', 'checkin', 'setting',
        'op', 'undo_entry', 'feedback', 'template', 'cycle', 'participant', 'review', 'rating',
        'outcome', 'action', 'cycle_event', 'appraisal_record', 'acknowledgement', 'pip',
        'pip_goal', 'pip_checkpoint', 'pip_step', 'revision', 'tombstone', 'yardstick_lock',
        'login']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        -- Admins (and the owner) see and change every row; the app's own
        -- checks still apply to them.
        EXECUTE format('CREATE POLICY admin_all ON %I USING ((SELECT yardstick_bypass())) '
            'WITH CHECK ((SELECT yardstick_bypass()))', t);
    END LOOP;
    -- The organisation's plan: read by every mapped login.
    FOREACH t IN ARRAY ARRAY['team', 'person', 'period', 'goal', 'measure', 'checkin', 'setting',
        'template', 'cycle', 'participant', 'cycle_event', 'revision', 'tombstone',
        'yardstick_lock']
    LOOP
        EXECUTE format('CREATE POLICY member_read ON %I FOR SELECT USING ((SELECT yardstick_member()))', t);
    END LOOP;
END
$do$;

-- Login mapping: readable by everyone (who is which login is not secret);
-- changed by admins only (admin_all).
CREATE POLICY member_read ON login FOR SELECT USING (true);

-- Writers take turns on this row (SELECT … FOR UPDATE).
CREATE POLICY member_lock ON yardstick_lock FOR UPDATE
    USING ((SELECT yardstick_member())) WITH CHECK ((SELECT yardstick_member()));

-- Merge bookkeeping: field revision stamps and tombstones (no content).
CREATE POLICY member_insert ON revision FOR INSERT WITH CHECK ((SELECT yardstick_member()));
CREATE POLICY member_update ON revision FOR UPDATE USING ((SELECT yardstick_member()));
CREATE POLICY member_delete ON revision FOR DELETE USING ((SELECT yardstick_member()));
CREATE POLICY member_insert ON tombstone FOR INSERT WITH CHECK ((SELECT yardstick_member()));
CREATE POLICY member_update ON tombstone FOR UPDATE USING ((SELECT yardstick_member()));
CREATE POLICY member_delete ON tombstone FOR DELETE USING ((SELECT yardstick_member()));

-- Profiles: the person and their managers (the guard trigger keeps the
-- organisation's columns to admins).
CREATE POLICY member_update ON person FOR UPDATE
    USING (id = yardstick_me() OR yardstick_manages(id))
    WITH CHECK (id = yardstick_me() OR yardstick_manages(id));

-- Goals, measures, check-ins: the owner (a team's lead and members), the
-- owner's managers.
CREATE POLICY member_insert ON goal FOR INSERT
    WITH CHECK (yardstick_writes_owner(owner_person_id, owner_team_id));
CREATE POLICY member_update ON goal FOR UPDATE
    USING (yardstick_writes_owner(owner_person_id, owner_team_id))
    WITH CHECK (yardstick_writes_owner(owner_person_id, owner_team_id));
CREATE POLICY member_delete ON goal FOR DELETE
    USING (yardstick_writes_owner(owner_person_id, owner_team_id));
CREATE POLICY member_insert ON measure FOR INSERT WITH CHECK (yardstick_writes_goal(goal_id));
CREATE POLICY member_update ON measure FOR UPDATE
    USING (yardstick_writes_goal(goal_id)) WITH CHECK (yardstick_writes_goal(goal_id));
CREATE POLICY member_delete ON measure FOR DELETE USING (yardstick_writes_goal(goal_id));
CREATE POLICY member_insert ON checkin FOR INSERT
    WITH CHECK (yardstick_writes_goal(goal_id) AND author_id IS NOT DISTINCT FROM yardstick_me());
CREATE POLICY member_update ON checkin FOR UPDATE
    USING (yardstick_writes_goal(goal_id)) WITH CHECK (yardstick_writes_goal(goal_id));
CREATE POLICY member_delete ON checkin FOR DELETE USING (yardstick_writes_goal(goal_id));

-- Feedback: shared feedback to everyone; private feedback to its author
-- and the subject's managers, never the subject. Given as oneself, to
-- someone else; removed by its author.
CREATE POLICY member_read ON feedback FOR SELECT
    USING ((SELECT yardstick_member()) AND (private = 0 OR from_id = yardstick_me()
           OR (to_id <> yardstick_me() AND yardstick_manages(to_id))));
CREATE POLICY member_insert ON feedback FOR INSERT
    WITH CHECK (from_id = yardstick_me() AND to_id <> yardstick_me());
CREATE POLICY member_update ON feedback FOR UPDATE
    USING (from_id = yardstick_me()) WITH CHECK (from_id = yardstick_me() AND to_id <> yardstick_me());
CREATE POLICY member_delete ON feedback FOR DELETE USING (from_id = yardstick_me());

-- Templates are stored by whoever first uses one in a cycle.
CREATE POLICY member_insert ON template FOR INSERT WITH CHECK ((SELECT yardstick_member()));

-- Cycles: created as oneself, moved by their creator.
CREATE POLICY member_insert ON cycle FOR INSERT WITH CHECK (created_by = yardstick_me());
CREATE POLICY member_update ON cycle FOR UPDATE
    USING (created_by = yardstick_me()) WITH CHECK (created_by = yardstick_me());
CREATE POLICY member_delete ON cycle FOR DELETE USING (created_by = yardstick_me());
CREATE POLICY member_insert ON participant FOR INSERT WITH CHECK (yardstick_cycle_mine(cycle_id));
CREATE POLICY member_update ON participant FOR UPDATE
    USING (yardstick_cycle_mine(cycle_id) OR person_id = yardstick_me())
    WITH CHECK (yardstick_cycle_mine(cycle_id) OR person_id = yardstick_me());
CREATE POLICY member_delete ON participant FOR DELETE USING (yardstick_cycle_mine(cycle_id));
CREATE POLICY member_insert ON cycle_event FOR INSERT WITH CHECK (yardstick_cycle_mine(cycle_id));

-- Reviews as written: their author; a submitted self or manager review,
-- once both are, the subject and their managers. A peer's or upward
-- reviewer's row is never readable by the subject or a manager (they read
-- review_shown: no name, and the text only from the threshold).
CREATE POLICY member_read ON review FOR SELECT
    USING (CASE WHEN (SELECT yardstick_bypass()) THEN true
                ELSE yardstick_sees_review(cycle_id, subject_id, reviewer_id, kind, state) END);
-- Nominated (pending, for someone else) by the subject, their managers or
-- the cycle's creator; one's own review written by oneself.
CREATE POLICY member_insert ON review FOR INSERT
    WITH CHECK (reviewer_id = yardstick_me()
        OR (state = 'pending' AND summary IS NULL AND (subject_id = yardstick_me()
            OR yardstick_manages(subject_id) OR yardstick_cycle_mine(cycle_id))));
-- Only a pending review, only by its reviewer: a submitted review never changes.
CREATE POLICY member_update ON review FOR UPDATE
    USING (reviewer_id = yardstick_me() AND state = 'pending')
    WITH CHECK (reviewer_id = yardstick_me());
CREATE POLICY member_delete ON review FOR DELETE
    USING (state = 'pending' AND (reviewer_id = yardstick_me() OR subject_id = yardstick_me()
        OR yardstick_manages(subject_id) OR yardstick_cycle_mine(cycle_id)));
CREATE POLICY member_read ON rating FOR SELECT
    USING (EXISTS (SELECT 1 FROM review r WHERE r.id = review_id));
CREATE POLICY member_write ON rating FOR ALL
    USING (EXISTS (SELECT 1 FROM review r WHERE r.id = review_id
                   AND r.reviewer_id = yardstick_me() AND r.state = 'pending'))
    WITH CHECK (EXISTS (SELECT 1 FROM review r WHERE r.id = review_id
                   AND r.reviewer_id = yardstick_me() AND r.state = 'pending'));

-- Results: the subject's managers; the subject once finalized. Written by
-- the managers, and by the cycle's creator when it moves (computed scores,
-- the record frozen at finalization).
CREATE POLICY member_read ON outcome FOR SELECT USING (yardstick_sees_results(cycle_id, subject_id));
CREATE POLICY member_insert ON outcome FOR INSERT
    WITH CHECK (yardstick_manages(subject_id) OR (yardstick_cycle_mine(cycle_id) AND subject_id <> yardstick_me()));
CREATE POLICY member_update ON outcome FOR UPDATE
    USING (yardstick_manages(subject_id) OR (yardstick_cycle_mine(cycle_id) AND subject_id <> yardstick_me()))
    WITH CHECK (yardstick_manages(subject_id) OR (yardstick_cycle_mine(cycle_id) AND subject_id <> yardstick_me()));
CREATE POLICY member_read ON action FOR SELECT
    USING (yardstick_sees_results(cycle_id, subject_id) OR owner_id = yardstick_me());
CREATE POLICY member_insert ON action FOR INSERT WITH CHECK (yardstick_manages(subject_id));
CREATE POLICY member_update ON action FOR UPDATE
    USING (yardstick_sees_results(cycle_id, subject_id) OR owner_id = yardstick_me())
    WITH CHECK (yardstick_sees_results(cycle_id, subject_id) OR owner_id = yardstick_me());
CREATE POLICY member_delete ON action FOR DELETE USING (yardstick_manages(subject_id));
CREATE POLICY member_read ON appraisal_record FOR SELECT
    USING (yardstick_sees_results(cycle_id, subject_id));
CREATE POLICY member_insert ON appraisal_record FOR INSERT WITH CHECK (yardstick_cycle_mine(cycle_id));
CREATE POLICY member_update ON appraisal_record FOR UPDATE
    USING (yardstick_cycle_mine(cycle_id)) WITH CHECK (yardstick_cycle_mine(cycle_id));
-- An acknowledgement: the subject's own words, seen as the outcome is.
CREATE POLICY member_read ON acknowledgement FOR SELECT
    USING (person_id = yardstick_me() OR yardstick_manages(person_id));
CREATE POLICY member_insert ON acknowledgement FOR INSERT WITH CHECK (person_id = yardstick_me());
CREATE POLICY member_update ON acknowledgement FOR UPDATE
    USING (person_id = yardstick_me() OR yardstick_cycle_mine(cycle_id))
    WITH CHECK (person_id = yardstick_me() OR yardstick_cycle_mine(cycle_id));

-- Improvement plans: the subject and their managers; managed by the managers,
-- acknowledged by the subject.
CREATE POLICY member_read ON pip FOR SELECT
    USING (subject_id = yardstick_me() OR yardstick_manages(subject_id));
CREATE POLICY member_write ON pip FOR ALL
    USING (yardstick_manages(subject_id)) WITH CHECK (yardstick_manages(subject_id));
CREATE POLICY member_read ON pip_goal FOR SELECT USING (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id));
CREATE POLICY member_write ON pip_goal FOR ALL
    USING (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id AND yardstick_manages(p.subject_id)))
    WITH CHECK (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id AND yardstick_manages(p.subject_id)));
CREATE POLICY member_read ON pip_checkpoint FOR SELECT USING (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id));
CREATE POLICY member_write ON pip_checkpoint FOR ALL
    USING (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id AND yardstick_manages(p.subject_id)))
    WITH CHECK (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id AND yardstick_manages(p.subject_id)));
CREATE POLICY member_read ON pip_step FOR SELECT USING (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id));
CREATE POLICY member_write ON pip_step FOR ALL
    USING (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id AND yardstick_manages(p.subject_id)))
    WITH CHECK (EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id AND yardstick_manages(p.subject_id)));
CREATE POLICY member_ack ON pip_step FOR INSERT
    WITH CHECK (kind = 'acknowledged'
        AND EXISTS (SELECT 1 FROM pip p WHERE p.id = pip_id AND p.subject_id = yardstick_me()));

-- The operation log: a member reads the operations they may read whole
-- (their own; those about no one's confidential record; private feedback
-- about the people they manage), and writes only their own. Undo entries
-- (before-images) only of their own operations.
CREATE POLICY member_read ON op FOR SELECT USING (yardstick_sees_op(actor, audience, audience_subject));
CREATE POLICY member_insert ON op FOR INSERT WITH CHECK (actor = yardstick_my_handle());
CREATE POLICY member_update ON op FOR UPDATE
    USING (actor = yardstick_my_handle()) WITH CHECK (actor = yardstick_my_handle());
CREATE POLICY member_own ON undo_entry FOR ALL
    USING (EXISTS (SELECT 1 FROM op o WHERE o.id = op_id AND o.actor = yardstick_my_handle()))
    WITH CHECK (EXISTS (SELECT 1 FROM op o WHERE o.id = op_id AND o.actor = yardstick_my_handle()));
"#;
